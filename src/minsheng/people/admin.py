"""Residents in the admin: phones and ID numbers masked in lists; opening one resident's
form is an unmasked view and is logged like any other."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from minsheng.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import PersonalDataAccess, Resident, VulnerableTag
from .services import REVEALABLE_FIELDS
from .validation import mask_phone


@admin.register(VulnerableTag)
class VulnerableTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "priority"]


@admin.register(Resident)
class ResidentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_region = "region"
    list_display = ["name", "masked_phone_display", "region", "created_at"]
    # The whole number only: a search by part of one would rebuild a masked number digit by digit.
    search_fields = ["name", "=phone"]
    list_filter = ["tags"]
    autocomplete_fields = ["region", "user"]
    filter_horizontal = ["tags"]
    # Bound only by the resident proving the phone after WeChat authorisation (people.signin): an
    # openid typed in here would let that WeChat user sign in as this resident.
    readonly_fields = ["wechat_openid"]
    show_full_result_count = False

    @admin.display(description=_("联系电话"))
    def masked_phone_display(self, obj):
        return mask_phone(obj.phone)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "GET":
            PersonalDataAccess.objects.create(viewer=request.user, resident=obj, fields=",".join(REVEALABLE_FIELDS),
                                              purpose=str(_("管理后台查看居民档案")))
        return obj


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_region = "resident__region"
    list_display = ["at", "viewer", "resident", "subject", "fields", "purpose"]
    list_select_related = ["viewer", "resident"]
    search_fields = ["viewer__username", "resident__name"]
    date_hierarchy = "at"
