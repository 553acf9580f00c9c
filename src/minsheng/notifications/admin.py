"""Administrators see the outbox, and retry dead letters from it."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from minsheng.core.admin import ReadOnlyAdminMixin
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of
from minsheng.people.validation import mask_phone, normalise_phone

from .models import InAppNotification, OutboxMessage, SmsOptOut
from .services import retry_dead_letters, set_sms_opt_out


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "channel", "recipient", "masked_address", "key", "subject", "status", "attempts",
                    "next_attempt_at", "delivered_at"]
    list_filter = ["status", "channel", "key"]
    search_fields = ["subject", "delivery_id", "source"]
    # Residents' phone numbers (SMS) are personal data: shown masked, never searchable here.
    exclude = ["address"]
    readonly_fields = ["masked_address"]
    actions = ["retry"]

    @admin.display(description=_("地址"))
    def masked_address(self, obj: OutboxMessage) -> str:
        return mask_phone(obj.address) if obj.channel == "sms" else obj.address

    @admin.action(description=_("重新发送选中的失败消息"), permissions=["retry"])
    def retry(self, request, queryset):
        count = retry_dead_letters(queryset)
        self.message_user(request, ngettext("%(n)d 条失败消息已重新排队。", "%(n)d 条失败消息已重新排队。", count)
                          % {"n": count}, messages.SUCCESS)

    def has_retry_permission(self, request) -> bool:
        return request.user.is_superuser or Role.ADMINISTRATOR in roles_of(request.user)


@admin.register(InAppNotification)
class InAppNotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "recipient", "created_at", "read_at"]
    search_fields = ["subject"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    """A caller without an account who asks the hotline to stop text messages is recorded here
    (residents with an account do it themselves on 消息).  Numbers are listed masked and cannot be
    searched: the list is no way to learn who called."""

    list_display = ["masked_phone", "created_at"]
    fields = ["phone"]

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: SmsOptOut) -> str:
        return mask_phone(obj.phone)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        set_sms_opt_out(obj.phone, True)  # normalised like residents' numbers
        obj.pk = SmsOptOut.objects.get(phone=normalise_phone(obj.phone)).pk
