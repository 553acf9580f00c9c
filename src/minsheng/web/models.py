"""What the workbench keeps per user: saved views of the staff demand list."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A filter of the staff demand list a user named and pinned to their queue page.  Only the
    query string is kept: the list applies the viewer's scope when it is opened, so a view shared
    by copying its link shows each viewer only what they may see."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views",
                             verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("筛选条件"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保存的视图")
        verbose_name_plural = _("保存的视图")
        ordering = ["user_id", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_unique")]

    def __str__(self) -> str:
        return self.name
