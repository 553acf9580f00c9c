from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is changed by no one and emptied only
    by the retention purge (``manage.py purge_audit_log``)."""

    list_display = ["at", "kind", "username", "client_address", "action", "target"]
    list_filter = ["kind"]
    search_fields = ["username", "target"]
    date_hierarchy = "at"
