from django.contrib import admin

from minsheng.core.admin import ScopedAdminMixin

from .models import PartyMember, PartyOrganisation


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "region"
    list_display = ["name", "level", "region", "parent"]
    list_filter = ["level"]
    search_fields = ["name"]
    raw_id_fields = ["parent", "region", "secretary"]


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "organisation__region"
    list_display = ["resident", "organisation", "in_service", "reporting_community", "central_household", "active"]
    list_filter = ["in_service", "central_household", "active"]
    search_fields = ["resident__name"]
    raw_id_fields = ["resident", "organisation", "reporting_community", "building", "user"]
