"""Read-only admin views; every change goes through the services and pages."""

from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from minsheng.organisation.roles import STAFF_ROLES

from .models import (
    CollectedNeed,
    Collection,
    Decision,
    Evaluation,
    Meeting,
    PracticalThing,
    SecretaryProject,
    StatusColour,
)


class ReadOnly(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only and scoped like the pages: rows whose region lies in the territory of the user's
    staff grants (meetings, minutes and needs are the staff's working papers)."""

    scope_region = "region"
    scope_roles = STAFF_ROLES


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
    scope_region = "collection__region"
    list_display = ["title", "collection", "became"]


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    scope_region = "meeting__region"
    list_display = ["text", "meeting", "owner_label", "due", "became"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnly):
    scope_region = "project__region"
    list_display = ["project", "kind", "score", "satisfaction", "at"]


@admin.register(StatusColour)
class StatusColourAdmin(admin.ModelAdmin):
    """The one configuration of this app: administrators say which colour means what here."""

    list_display = ["status", "colour"]
