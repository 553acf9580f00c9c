from django.contrib import admin

from .models import ReplyTemplate


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """Reply templates hold no personal data and no region: administrators keep them for everyone."""

    list_display = ["name", "action", "category", "active", "updated_at"]
    list_filter = ["action", "active"]
    search_fields = ["name", "text"]
    autocomplete_fields = ["category"]
