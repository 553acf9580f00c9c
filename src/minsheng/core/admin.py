"""Admin building blocks shared by the apps."""

from collections.abc import Iterable

from django.apps import apps
from django.db.models import Q


class ReadOnlyAdminMixin:
    """For records that only services or the system write (event logs, access logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdminMixin:
    """An admin that shows (and opens, and changes) only the rows the user may see on the pages,
    by the one scoping function (``organisation.scope``); superusers see every row.

    Set one of:

    - ``scope_demand``: the lookup path to a Demand ("" for the Demand admin itself): rows of the
      demands the user may see (``demand_filter``);
    - ``scope_region``: the lookup path to a Region ("" for the Region itself): rows in the user's
      territory (``region_filter``);

    and optionally ``scope_roles`` to count only the grants through these roles.  An admin whose
    rows are reached otherwise overrides ``scope_q``."""

    scope_demand: str | None = None
    scope_region: str | None = None
    scope_roles: Iterable[str] | None = None

    def scope_q(self, user) -> Q:
        from minsheng.organisation.scope import demand_filter, region_filter

        if self.scope_demand is not None:
            visible = demand_filter(user, self.scope_roles)
            if self.scope_demand == "":
                return visible
            demands = apps.get_model("demands", "Demand").objects.filter(visible).values("pk")
            return Q(**{f"{self.scope_demand}__in": demands})
        if self.scope_region is not None:
            return region_filter(user, self.scope_region, self.scope_roles)
        raise NotImplementedError(f"{type(self).__name__} sets neither scope_demand nor scope_region")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(self.scope_q(request.user))
