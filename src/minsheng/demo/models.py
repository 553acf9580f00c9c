"""What the demo seeding has done: one mark per part of the demo, written in the same transaction
as the part's rows.  A part decides whether it already ran from its own mark, never from rows
another part may have written (the projects' visits register wishes, for instance), so the order
of the parts does not matter and a second run adds nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SeedMark(models.Model):
    part = models.CharField(_("部分"), max_length=40, unique=True)
    seeded_at = models.DateTimeField(_("生成时间"))
    summary = models.TextField(_("摘要"), blank=True)

    class Meta:
        verbose_name = _("演示数据标记")
        verbose_name_plural = _("演示数据标记")

    def __str__(self) -> str:
        return self.part
