"""Admin building blocks shared by the apps."""


class ReadOnlyAdminMixin:
    """For records that only services or the system write (event logs, access logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
