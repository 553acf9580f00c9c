"""Canteens with their meal times, menus, price policies and diners are edited here by staff of
the canteen's territory; meals, statements and safety checks only through the services (shown
read-only).  Diners' phones stay on the resident's record: not listed, not searchable here."""

from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import Canteen, Diner, Meal, MealTime, Menu, PricePolicy, SafetyCheck, Statement


class InCanteen(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "canteen__region"


class MealTimeInline(admin.TabularInline):
    model = MealTime
    extra = 0


@admin.register(Canteen)
class CanteenAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "region"
    list_display = ["name", "kind", "region", "open_weekdays", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["region", "operator"]
    inlines = [MealTimeInline]


@admin.register(PricePolicy)
class PricePolicyAdmin(InCanteen):
    list_display = ["canteen", "tier", "valid_from", "price", "government", "collective", "elder"]
    list_filter = ["tier"]


@admin.register(Menu)
class MenuAdmin(InCanteen):
    list_display = ["canteen", "day", "sitting", "dishes"]
    list_filter = ["sitting"]
    date_hierarchy = "day"


@admin.register(Diner)
class DinerAdmin(InCanteen):
    list_display = ["card_number", "resident", "canteen", "tier", "delivery", "active"]
    list_filter = ["tier", "delivery", "active"]
    search_fields = ["card_number"]
    raw_id_fields = ["resident"]


class ReadOnly(ReadOnlyAdminMixin, InCanteen):
    pass


@admin.register(Meal)
class MealAdmin(ReadOnly):
    list_display = ["day", "sitting", "canteen", "diner", "way", "status", "tier", "price", "elder"]
    list_filter = ["status", "way", "tier"]
    date_hierarchy = "day"


@admin.register(Statement)
class StatementAdmin(ReadOnly):
    list_display = ["canteen", "month", "meal_count", "government", "collective", "elder", "issued_at"]


@admin.register(SafetyCheck)
class SafetyCheckAdmin(ReadOnly):
    list_display = ["canteen", "on", "passed", "note"]
