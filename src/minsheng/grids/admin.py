from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin

from .models import Enterprise, GridAssignment, House, MissedPatrol, Patrol, PatrolPlan, RegisterChange


@admin.register(House)
class HouseAdmin(admin.ModelAdmin):
    list_display = ["building", "room", "occupancy", "householder"]
    search_fields = ["room", "householder", "building__name"]
    raw_id_fields = ["building"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["region"]


@admin.register(GridAssignment)
class GridAssignmentAdmin(admin.ModelAdmin):
    list_display = ["grid", "user", "kind", "active", "since"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["grid", "user"]


@admin.register(PatrolPlan)
class PatrolPlanAdmin(admin.ModelAdmin):
    list_display = ["region", "per_day"]
    raw_id_fields = ["region"]


@admin.register(Patrol)
class PatrolAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["grid", "worker", "started_at", "finished_at"]
    date_hierarchy = "started_at"


@admin.register(MissedPatrol)
class MissedPatrolAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["grid", "day", "planned", "done", "flagged_at"]


@admin.register(RegisterChange)
class RegisterChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["entity", "record_id", "changed_by", "source", "at"]
    list_filter = ["entity"]
