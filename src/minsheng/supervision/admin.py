from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import DeadlineNotice, SummonedUnit, Summons, SupervisionOrder


class ScopedByDemand(ScopedAdminMixin):
    """Rows about demands, shown only for the demands the user may see (as the demand admin)."""

    scope_demand = "demand"


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(ScopedByDemand, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["demand", "kind", "deadline", "note", "created_at"]
    list_filter = ["kind"]


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ScopedByDemand, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["demand", "unit", "reply_due", "replied_at", "created_at"]
    search_fields = ["demand__number", "instruction"]


class SummonedUnitInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SummonedUnit
    fields = ["unit", "report_due", "reported_at", "report"]
    readonly_fields = fields
    extra = 0


@admin.register(Summons)
class SummonsAdmin(ScopedByDemand, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["demand", "unit", "created_at"]
    search_fields = ["demand__number", "reason"]
    inlines = [SummonedUnitInline]
