"""The hotline's telephony: the phone systems (PBX) that report calls, the seats they ring, and
one record per call (CTI, in the style of Zammad's generic CTI interface)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.people.validation import mask_phone


def _loopback() -> list[str]:
    return ["127.0.0.1", "::1"]


class PhoneSystem(models.Model):
    """A PBX that posts call events.  Only a hash of its token is stored; it may post only from
    ``allowed_addresses`` (addresses or networks, loopback by default)."""

    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, unique=True, editable=False)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, editable=False)
    allowed_addresses = models.JSONField(_("允许的来源地址"), default=_loopback, blank=True,
                                         help_text=_("IP 地址或网段，如 10.0.0.0/24；留空则只允许本机。"))
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("电话系统")
        verbose_name_plural = _("电话系统")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from minsheng.core.errors import ValidationFailed

        from .services import check_addresses

        try:
            check_addresses(self.allowed_addresses)
        except ValidationFailed as exc:
            raise ValidationError(exc.field_errors) from None


class Seat(models.Model):
    """An extension of a phone system and the operator who answers it."""

    phone_system = models.ForeignKey(PhoneSystem, on_delete=models.CASCADE, related_name="seats",
                                     verbose_name=_("电话系统"))
    extension = models.CharField(_("分机号"), max_length=20)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="seats", verbose_name=_("话务员"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("坐席")
        verbose_name_plural = _("坐席")
        ordering = ["phone_system", "extension"]
        constraints = [models.UniqueConstraint(fields=["phone_system", "extension"], name="seat_extension_unique")]

    def __str__(self) -> str:
        return self.extension


class Outcome(models.TextChoices):
    """What a call came to.  A call with a demand is counted under the demand; the others are
    counted by what the operator (or the phone system, for abandoned calls) says."""

    DEMAND = "demand", _("登记诉求")
    FOLLOW_UP = "follow_up", _("关联已有诉求")
    CONSULTATION = "consultation", _("咨询已答复")
    WRONG_NUMBER = "wrong_number", _("打错或骚扰")
    OTHER = "other", _("其他")
    ABANDONED = "abandoned", _("未接通")


# Outcomes an operator may give a call without a demand.
OPERATOR_OUTCOMES = (Outcome.CONSULTATION, Outcome.WRONG_NUMBER, Outcome.OTHER)


class CallRecord(models.Model):
    """One call, built from its events whatever order they arrive in: ``offered_at`` from
    ``newCall``, ``answered_at`` from ``answer``, ``ended_at`` with duration, cause and recording
    from ``hangup``; each event is taken once (the timestamps say which arrived)."""

    phone_system = models.ForeignKey(PhoneSystem, on_delete=models.PROTECT, related_name="calls",
                                     verbose_name=_("电话系统"))
    call_id = models.CharField(_("呼叫编号"), max_length=100)
    caller = models.CharField(_("来电号码"), max_length=20, blank=True, help_text=_("隐藏号码时为空。"))
    caller_withheld = models.BooleanField(_("隐藏号码"), default=False)
    called = models.CharField(_("被叫号码"), max_length=30, blank=True)
    extension = models.CharField(_("分机号"), max_length=20, blank=True)
    seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls",
                             verbose_name=_("坐席"))
    offered_at = models.DateTimeField(_("来电时间"), db_index=True)
    new_call_at = models.DateTimeField(_("振铃事件"), null=True, blank=True)
    answered_at = models.DateTimeField(_("接听时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("挂断时间"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("通话时长（秒）"), null=True, blank=True)
    cause = models.CharField(_("挂断原因"), max_length=50, blank=True)
    recording_url = models.URLField(_("录音"), max_length=500, blank=True)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True)
    demand = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls",
                               verbose_name=_("诉求"))

    class Meta:
        verbose_name = _("来电记录")
        verbose_name_plural = _("来电记录")
        ordering = ["-offered_at"]
        constraints = [models.UniqueConstraint(fields=["phone_system", "call_id"], name="call_record_call_id_unique")]
        indexes = [
            # The pop's poll: the call an operator's seat has answered and not yet hung up.
            models.Index(fields=["seat", "ended_at", "answered_at"], name="call_record_seat_live"),
            # The repeat-caller count.
            models.Index(fields=["caller", "offered_at"], name="call_record_caller_recent"),
        ]

    def __str__(self) -> str:
        return self.call_id

    @property
    def masked_caller(self) -> str:
        """The number as staff pages show it: the operator needs no more to recognise a caller."""
        return mask_phone(self.caller)

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def wait_seconds(self) -> float | None:
        """Seconds from ringing to answer (None while unanswered)."""
        if self.answered_at is None:
            return None
        return max((self.answered_at - self.offered_at).total_seconds(), 0.0)

    @property
    def handling_seconds(self) -> float | None:
        """Talk time: the phone system's duration, else answer to hang-up."""
        if self.answered_at is None:
            return None
        if self.duration is not None:
            return float(self.duration)
        if self.ended_at is not None:
            return max((self.ended_at - self.answered_at).total_seconds(), 0.0)
        return None
