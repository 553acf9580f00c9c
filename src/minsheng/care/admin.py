from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import CarePerson, CareVisit


@admin.register(CarePerson)
class CarePersonAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_region = "region"
    list_display = ["resident", "category", "risk", "responsible_name", "next_visit_due"]
    list_filter = ["category", "risk"]


@admin.register(CareVisit)
class CareVisitAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_region = "person__region"
    list_display = ["person", "visitor", "visited_on", "risk", "demand"]
    date_hierarchy = "visited_on"
