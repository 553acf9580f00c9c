"""Read-only admin views; every change goes through the services and pages."""

from django.contrib import admin

from .models import CollectedNeed, Collection, Decision, Evaluation, Meeting, PracticalThing, SecretaryProject
from .selectors import region_q


class ReadOnly(admin.ModelAdmin):
    """Read-only and scoped like the pages: rows whose region lies in the user's territory."""

    region_field = "region"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(region_q(request.user, self.region_field))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecretaryProject)
class SecretaryProjectAdmin(ReadOnly):
    list_display = ["name", "year", "organisation", "owner", "deadline", "progress_percent"]
    list_filter = ["year"]


@admin.register(PracticalThing)
class PracticalThingAdmin(ReadOnly):
    list_display = ["title", "list_kind", "year", "region", "due", "done_on"]
    list_filter = ["list_kind", "year"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ["region", "kind", "held_on"]
    list_filter = ["kind"]


@admin.register(Collection)
class CollectionAdmin(ReadOnly):
    list_display = ["kind", "region", "held_on", "households"]


@admin.register(CollectedNeed)
class CollectedNeedAdmin(ReadOnly):
    region_field = "collection__region"
    list_display = ["title", "collection", "became"]


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    region_field = "meeting__region"
    list_display = ["text", "meeting", "owner_label", "due", "became"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnly):
    region_field = "project__region"
    list_display = ["project", "kind", "score", "satisfaction", "at"]
