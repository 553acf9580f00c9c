from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .models import CallRecord, PhoneSystem, Seat
from .services import new_token


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 1
    raw_id_fields = ["operator"]


@admin.register(PhoneSystem)
class PhoneSystemAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "allowed_addresses", "active", "created_at"]
    inlines = [SeatInline]

    def save_model(self, request, obj, form, change):
        if not change:  # a new system gets its token here, shown once; only its hash is kept
            obj.prefix, token, obj.token_hash = new_token()
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(request, _("电话系统令牌（只显示这一次）：%(t)s") % {"t": token})


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):
    list_display = ["call_id", "offered_at", "extension", "answered_at", "ended_at", "duration", "outcome"]
    list_filter = ["outcome", "phone_system"]
    search_fields = ["call_id"]
    readonly_fields = [f.name for f in CallRecord._meta.fields]
    raw_id_fields = ["demand"]

    def has_add_permission(self, request):
        return False
