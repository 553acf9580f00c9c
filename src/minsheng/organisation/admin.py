from django.contrib import admin

from .models import Membership, Region, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "aliases"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "region"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "region", "parent", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    list_select_related = ["region", "parent"]
    autocomplete_fields = ["parent", "region"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "region", "active"]
    list_filter = ["role", "active"]
    search_fields = ["user__username", "unit__name"]
    list_select_related = ["user", "unit", "region"]
    autocomplete_fields = ["user", "unit", "region"]
