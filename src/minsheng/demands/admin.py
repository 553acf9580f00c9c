"""Read-only admin for demands: every change goes through the services, so the admin
shows the projection and its events but never edits them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from minsheng.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import Demand, DemandEvent
from .selectors import search_q
from .workflow import TRANSITIONS


class ActionFilter(admin.SimpleListFilter):
    """The actions of the transition table (a DISTINCT over the event log read seven million
    rows for the same list: 4 s)."""

    title = _("操作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(spec.action, spec.label) for spec in TRANSITIONS.values()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class DemandEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DemandEvent
    fields = ["seq", "created_at", "action", "from_state", "to_state", "actor", "actor_role", "actor_unit",
              "note", "public"]
    readonly_fields = fields
    extra = 0
    ordering = ["seq"]

    def has_view_permission(self, request, obj=None):
        return True  # the events are shown wherever their demand is (the demand's queryset is scoped)


@admin.register(Demand)
class DemandAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_demand = ""  # the admin obeys the same scope as every other view
    list_display = ["number", "title", "state", "category", "handling_unit", "handle_due", "registered_at"]
    # Registration dates by the date filter's fixed ranges, not a date hierarchy: its first level
    # is a DISTINCT over every demand's year (10 s at a million).
    list_filter = ["state", "channel", "demand_type", "urgency", "vulnerable", "category", "registered_at"]
    search_fields = ["number", "title"]
    list_select_related = ["category", "region", "handling_unit"]
    inlines = [DemandEventInline]
    show_full_result_count = False
    exclude = ["reporter"]
    readonly_fields = ["reporter_masked"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(search_q(search_term)), False

    @admin.display(description=_("诉求人"))
    def reporter_masked(self, obj):
        return str(obj.reporter) if obj.reporter else "—"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Demand._meta.fields if f.name != "reporter"] + ["reporter_masked"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DemandEvent)
class DemandEventAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_demand = "demand"
    list_display = ["demand", "seq", "action", "from_state", "to_state", "actor", "created_at"]
    list_filter = [ActionFilter]
    search_fields = ["demand__number"]
    list_select_related = ["demand", "actor"]
    show_full_result_count = False
