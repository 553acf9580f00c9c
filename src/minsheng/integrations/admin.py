from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from minsheng.core.admin import ReadOnlyAdminMixin

from .models import ApiKey, IdempotencyRecord, Open311Token
from .services import KEY_ACTIONS, create_api_key


class ApiKeyForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(label=_("允许的操作"), choices=[(a, a) for a in sorted(KEY_ACTIONS)],
                                        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "user", "region", "actions", "rate_per_minute", "active"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "user", "region", "rate_per_minute", "active", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user", "region"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new key is made by the service, which hashes it; the secret is shown this once.
        key, raw = create_api_key(name=obj.name, user=obj.user, region=obj.region, actions=obj.actions,
                                  rate_per_minute=obj.rate_per_minute)
        obj.pk, obj.prefix, obj.secret_hash = key.pk, key.prefix, key.secret_hash
        obj._state.adding = False
        messages.warning(request, _("接口密钥（只显示这一次，请立即妥善保存）：%(key)s") % {"key": raw})


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["owner", "key", "status", "demand", "created_at"]
    search_fields = ["key", "owner"]


@admin.register(Open311Token)
class Open311TokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["token", "demand", "api_key", "created_at"]
    search_fields = ["token"]
