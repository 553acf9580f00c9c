from django.contrib import admin

from .models import CalendarOverride, Category, DemandType, DispatchRule, ServiceAttribute, TimeLimitPolicy


@admin.register(DemandType)
class DemandTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "name_en", "active", "order"]
    list_editable = ["active", "order"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "active"]
    list_filter = ["active", "depth"]
    search_fields = ["name", "code", "keywords"]
    autocomplete_fields = ["parent"]


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "handle_amount", "handle_unit", "contact_hours", "order"]


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "region", "unit", "to_estate_property"]
    list_select_related = ["category", "region", "unit"]
    search_fields = ["category__name", "unit__name", "region__name"]
    autocomplete_fields = ["category", "region", "unit"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["category", "code", "description", "datatype", "required", "order", "active"]
    list_filter = ["datatype", "required", "active"]
    search_fields = ["code", "description", "category__name"]
    autocomplete_fields = ["category"]
