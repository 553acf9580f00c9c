from django.contrib import admin

from .models import Article, ArticleVersion


class VersionInline(admin.TabularInline):
    model = ArticleVersion
    extra = 0
    can_delete = False
    fields = ("number", "title", "published_at", "approved_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-only: articles are written, approved and withdrawn on /work/knowledge/ through the services."""

    list_display = ("title", "owner_unit", "status", "review_by", "expert_seat")
    list_filter = ("status", "expert_seat")
    search_fields = ("title",)
    inlines = [VersionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
