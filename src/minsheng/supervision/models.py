"""Supervision records: notices the sweeps sent, supervision orders (督办) and summonses (吹哨报到)."""

from django.conf import settings
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


class DeadlineWatch(models.Model):
    """The moment a demand's running deadline turns yellow, kept by the transitions'
    receiver (notices.py) and cleared once the yellow notice is sent, so that the sweep finds
    new yellow demands by an index range instead of computing the share for every demand."""

    demand = models.OneToOneField(Demand, primary_key=True, on_delete=models.CASCADE,
                                  related_name="deadline_watch", verbose_name=_("诉求"))
    handle_due = models.DateTimeField(_("办理时限"))
    yellow_at = models.DateTimeField(_("临期时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("时限监测")
        verbose_name_plural = _("时限监测")

    def __str__(self) -> str:
        return f"{self.demand_id} {self.yellow_at}"


class SupervisionOrder(models.Model):
    """督办: an order to the handling unit to reply in writing by a date.  Ordered and replied
    to through demand transitions (``order_supervision``, ``reply_supervision``)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="supervision_orders",
                               verbose_name=_("诉求"))
    event_seq = models.PositiveIntegerField(_("事件序号"))
    unit = models.ForeignKey("organisation.Unit", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("被督办单位"))
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("督办人"))
    instruction = models.TextField(_("督办要求"))
    reply_due = models.DateTimeField(_("回复期限"), db_index=True)
    created_at = models.DateTimeField(_("督办时间"))
    reply = models.TextField(_("回复内容"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("回复人"))
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    overdue_notice_at = models.DateTimeField(_("超期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["reply_due"]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.instruction[:20]}"

    def status(self, now) -> str:
        return _lateness(self.reply_due, self.replied_at, now)


class Summons(models.Model):
    """吹哨: a street office or community calls several departments to one demand."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="summonses", verbose_name=_("诉求"))
    event_seq = models.PositiveIntegerField(_("事件序号"))
    unit = models.ForeignKey("organisation.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("吹哨单位"))
    summoned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("吹哨人"))
    reason = models.TextField(_("吹哨事由"))
    created_at = models.DateTimeField(_("吹哨时间"))

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.reason[:20]}"


class SummonedUnit(models.Model):
    """报到: one summoned department, its limit for reporting in, and when it did."""

    summons = models.ForeignKey(Summons, on_delete=models.CASCADE, related_name="units", verbose_name=_("吹哨"))
    # Also on the row, so that the scope (organisation.scope) finds a unit's summoned demands in one look-up.
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="+", verbose_name=_("诉求"))
    unit = models.ForeignKey("organisation.Unit", on_delete=models.PROTECT, related_name="summonses",
                             verbose_name=_("报到单位"))
    report_due = models.DateTimeField(_("报到期限"))
    report = models.TextField(_("报到情况"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("报到人"))
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    overdue_notice_at = models.DateTimeField(_("超期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报到单位")
        verbose_name_plural = _("报到单位")
        ordering = ["report_due", "pk"]
        constraints = [models.UniqueConstraint(fields=["summons", "unit"], name="summoned_unit_once")]
        indexes = [models.Index(fields=["unit", "demand"])]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.demand_id}"

    def status(self, now) -> str:
        return _lateness(self.report_due, self.reported_at, now)


def _lateness(due, done_at, now) -> str:
    """on_time / late (done after the limit) / overdue (not done, limit passed) / waiting."""
    if done_at is not None:
        return "on_time" if done_at <= due else "late"
    return "overdue" if now > due else "waiting"

