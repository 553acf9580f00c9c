"""Places with their rooms and staff are set up here by staff of the place's territory; health
checks, stays, shifts and day-care visits only through the services and pages (health values are
not shown in the admin at all: they are revealed, logged, on the elder's record page)."""

from django.contrib import admin

from minsheng.core.admin import ScopedAdminMixin

from .models import Facility, Room


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Facility)
class FacilityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "region"
    list_display = ["name", "kind", "region", "opening_hours", "capacity", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["region", "operator"]
    filter_horizontal = ["staff"]
    inlines = [RoomInline]
