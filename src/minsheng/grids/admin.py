from django.contrib import admin
from django.db.models import Q

from minsheng.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from minsheng.organisation.scope import region_filter
from minsheng.people.models import Resident

from .models import (
    Chief,
    DoorPlate,
    Enterprise,
    Estate,
    GridAssignment,
    House,
    MissedPatrol,
    Patrol,
    PatrolPlan,
    PropertyEvaluation,
    RegisterChange,
    Road,
)


@admin.register(House)
class HouseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "building"
    list_display = ["building", "room", "occupancy", "householder"]
    search_fields = ["room", "householder", "building__name"]
    raw_id_fields = ["building"]


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "region"
    list_display = ["name", "credit_code", "region"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["region"]


@admin.register(GridAssignment)
class GridAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "grid"
    list_display = ["grid", "user", "kind", "active", "since"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["grid", "user"]


@admin.register(PatrolPlan)
class PatrolPlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "region"
    list_display = ["region", "per_day"]
    raw_id_fields = ["region"]


@admin.register(Patrol)
class PatrolAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_region = "grid"
    list_display = ["grid", "worker", "started_at", "finished_at"]
    date_hierarchy = "started_at"


@admin.register(MissedPatrol)
class MissedPatrolAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_region = "grid"
    list_display = ["grid", "day", "planned", "done", "flagged_at"]


@admin.register(RegisterChange)
class RegisterChangeAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["entity", "record_id", "changed_by", "source", "at"]
    list_filter = ["entity"]

    def scope_q(self, user):
        # A change names its record by entity and id: the records of each register in the territory.
        E = RegisterChange.Entity
        return ((Q(entity=E.RESIDENT) & Q(record_id__in=Resident.objects.filter(region_filter(user)).values("pk")))
                | (Q(entity=E.HOUSE) & Q(record_id__in=House.objects.filter(region_filter(user, "building"))
                                         .values("pk")))
                | (Q(entity=E.ENTERPRISE) & Q(record_id__in=Enterprise.objects.filter(region_filter(user))
                                              .values("pk"))))


@admin.register(Estate)
class EstateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "grid"
    list_display = ["name", "aliases", "grid", "property_company", "committee", "party_branch"]
    search_fields = ["name", "aliases"]
    raw_id_fields = ["grid", "region", "property_company", "party_branch"]


@admin.register(Chief)
class ChiefAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "region"
    list_display = ["region", "kind", "user", "active", "since"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["user", "region"]


@admin.register(PropertyEvaluation)
class PropertyEvaluationAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_region = "estate__grid"
    list_display = ["estate", "year", "created_at"]
    list_filter = ["year"]


@admin.register(Road)
class RoadAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "region"
    list_display = ["name", "aliases", "region"]
    search_fields = ["name", "aliases"]
    raw_id_fields = ["region"]


@admin.register(DoorPlate)
class DoorPlateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "place"
    list_display = ["road", "number", "place"]
    search_fields = ["road__name"]
    raw_id_fields = ["road", "place"]
