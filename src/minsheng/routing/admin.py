from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from minsheng.core.admin import ReadOnlyAdminMixin

from . import registry
from .models import Correction, GovernanceItem, RouterModel, Suggestion


@admin.register(RouterModel)
class RouterModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Models are written by ``train_router``; an administrator only switches the active one."""

    list_display = ["version", "active", "trained_at", "labels", "metrics"]
    actions = ["activate"]

    @admin.action(description=_("设为启用的模型"), permissions=["activate"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个模型版本。"), messages.ERROR)
            return
        entry = queryset.get()
        registry.activate_version(entry)
        self.message_user(request, _("已启用模型 %(version)s。") % {"version": entry.version}, messages.SUCCESS)

    def has_activate_permission(self, request) -> bool:
        # Which model routes the whole district's demands is a superuser's decision.
        return request.user.is_superuser


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["demand", "model_version", "top", "created_at"]


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["demand", "suggested", "chosen", "model_version", "actor", "created_at"]


@admin.register(GovernanceItem)
class GovernanceItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "region", "category", "created_by", "created_at"]
