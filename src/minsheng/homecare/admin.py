"""Policies, services, contracts and budgets are edited here by staff; the register, tasks and
records only through the services (shown read-only)."""

from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import Budget, CareService, Elder, GradePolicy, ProviderContract, ServiceRecord


@admin.register(GradePolicy)
class GradePolicyAdmin(admin.ModelAdmin):
    list_display = ["grade", "valid_from", "monthly_hours", "hourly_price"]
    list_filter = ["grade"]


@admin.register(CareService)
class CareServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active"]


@admin.register(ProviderContract)
class ProviderContractAdmin(admin.ModelAdmin):
    list_display = ["provider", "start", "end", "status"]
    list_filter = ["status"]
    filter_horizontal = ["services", "communities"]
    raw_id_fields = ["provider"]


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["year", "amount"]


class ReadOnly(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only, and only the elders of the communities in the user's territory."""

    scope_region = "elder__community"


@admin.register(Elder)
class ElderAdmin(ReadOnly):
    scope_region = "community"
    list_display = ["resident", "community", "support", "grade", "status"]
    list_filter = ["status", "grade", "support"]
    # Health data (difficulty, self-care ability, health and family notes) is personal data: not
    # listed, not searchable; staff reveal it on the elder's page, where each reveal is logged.
    exclude = ["condition", "self_care", "health", "family"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnly):
    list_display = ["pk", "elder", "provider", "service", "started_at", "hours", "status"]
    list_filter = ["status", "provider"]
