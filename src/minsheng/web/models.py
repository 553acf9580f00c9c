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


class ReplyTemplate(models.Model):
    """A reply an administrator wrote once for many demands (宏): the text of a 办理结果, 进展说明,
    退单理由 or 回访意见, with placeholders filled from the demand it is used on.  Offered on the
    demand page's form of that action for demands of its category (or of any category when it has
    none); what is sent is the text as the user left it, so a template never reaches the record
    unread.  ``web.replies`` checks the placeholders and fills them."""

    class Action(models.TextChoices):
        RESOLVE = "resolve", _("办结（办理结果）")
        RESOLVE_ON_SPOT = "resolve_on_spot", _("立接立办（办理结果）")
        RECORD_PROGRESS = "record_progress", _("记录进展（进展说明）")
        RETURN = "return", _("退单（理由）")
        REVISIT = "revisit", _("回访（回访意见）")

    name = models.CharField(_("名称"), max_length=60)
    action = models.CharField(_("用于"), max_length=32, choices=Action.choices)
    category = models.ForeignKey("catalogue.Category", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("分类"),
                                 help_text=_("留空则用于所有分类；选上级分类则含其下级分类"))
    text = models.TextField(_("模板内容"), max_length=2000, help_text=_(
        "可用占位符：{resident_name} 诉求人姓名，{number} 工单编号，{deadline} 办理时限，{unit} 承办单位"))
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("回复模板")
        verbose_name_plural = _("回复模板")
        ordering = ["action", "name"]
        constraints = [models.UniqueConstraint(fields=["action", "name"], name="reply_template_name_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .replies import check_placeholders

        check_placeholders(self.text)
