from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import Agent, Award, ServiceItem, ServiceNotice, SkillTeam, Station, StationCase, TrainingRecord


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "mediation", "active"]


@admin.register(Station)
class StationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "unit__region"
    list_display = ["unit", "tier", "place_type", "address"]
    list_filter = ["tier", "place_type"]
    search_fields = ["unit__name", "address"]
    filter_horizontal = ["service_items"]
    raw_id_fields = ["unit"]


class TrainingInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0


@admin.register(Agent)
class AgentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "station__unit__region"
    list_display = ["resident", "station", "kind", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["resident", "station", "party_member", "user"]
    inlines = [TrainingInline]


admin.site.register(SkillTeam)


@admin.register(StationCase)
class StationCaseAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_demand = "demand"
    list_display = ["demand", "station", "way", "agent", "taken_at"]
    list_filter = ["way"]
    raw_id_fields = ["demand", "station", "agent", "service_item"]


@admin.register(Award)
class AwardAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_region = "station__unit__region"
    list_display = ["year", "rank", "station", "score", "funds"]


@admin.register(ServiceNotice)
class ServiceNoticeAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_region = "agent__station__unit__region"
    list_display = ["agent", "year", "cases", "sent_to", "sent_at"]
