from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin

from .models import CarePerson, CareVisit


@admin.register(CarePerson)
class CarePersonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["resident", "category", "risk", "responsible_name", "next_visit_due"]
    list_filter = ["category", "risk"]


@admin.register(CareVisit)
class CareVisitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["person", "visitor", "visited_on", "risk", "demand"]
    date_hierarchy = "visited_on"
