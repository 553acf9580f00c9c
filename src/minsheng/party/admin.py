from django.contrib import admin

from .models import PartyMember, PartyOrganisation


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "region", "parent"]
    list_filter = ["level"]
    search_fields = ["name"]
    raw_id_fields = ["parent", "region", "secretary"]


@admin.register(PartyMember)
class PartyMemberAdmin(admin.ModelAdmin):
    list_display = ["resident", "organisation", "in_service", "reporting_community", "central_household", "active"]
    list_filter = ["in_service", "central_household", "active"]
    search_fields = ["resident__name"]
    raw_id_fields = ["resident", "organisation", "reporting_community", "building", "user"]
