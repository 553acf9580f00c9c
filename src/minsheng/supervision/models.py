"""What the sweeps have already done, so that each happens once per deadline."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand


class DeadlineNotice(models.Model):
    """A yellow or red notice sent, or an automatic escalation made, for one deadline of one
    demand.  A new deadline (extension, resumed suspension, reopening) earns new notices."""

    class Kind(models.TextChoices):
        YELLOW = "yellow", _("临期提醒")
        RED = "red", _("超期提醒")
        ESCALATION = "escalation", _("超期自动上报")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="deadline_notices",
                               verbose_name=_("诉求"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    deadline = models.DateTimeField(_("办理时限"))
    unit_id = models.BigIntegerField(_("承办单位"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("时限提醒")
        verbose_name_plural = _("时限提醒")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["demand", "kind", "deadline"], name="deadline_notice_once")]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.kind} {self.deadline:%Y-%m-%d %H:%M}"
