from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin

from .models import Agent, Award, ServiceItem, ServiceNotice, SkillTeam, Station, StationCase, TrainingRecord


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "mediation", "active"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["unit", "tier", "place_type", "address"]
    list_filter = ["tier", "place_type"]
    search_fields = ["unit__name", "address"]
    filter_horizontal = ["service_items"]
    raw_id_fields = ["unit"]


class TrainingInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["resident", "station", "kind", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["resident", "station", "party_member", "user"]
    inlines = [TrainingInline]


admin.site.register(SkillTeam)


@admin.register(StationCase)
class StationCaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["demand", "station", "way", "agent", "taken_at"]
    list_filter = ["way"]
    raw_id_fields = ["demand", "station", "agent", "service_item"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "rank", "station", "score", "funds"]


@admin.register(ServiceNotice)
class ServiceNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["agent", "year", "cases", "sent_to", "sent_at"]
