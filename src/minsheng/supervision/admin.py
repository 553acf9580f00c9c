from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin

from .models import DeadlineNotice


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["demand", "kind", "deadline", "note", "created_at"]
    list_filter = ["kind"]
