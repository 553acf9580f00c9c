"""Micro-wishes (微心愿, DOMAIN.md §3) are demands of kind ``wish`` on the one engine; these side
tables hang off the Demand: how the wish was routed, and who claimed it with which promised date.
Both are written by the wishes services in the transaction of the event that decides them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.organisation.models import Unit
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.volunteers.models import Volunteer


class WishClass(models.TextChoices):
    INDIVIDUAL = "individual", _("个人微心愿")
    COMMON = "common", _("共性问题")
    HARD = "hard", _("长期难题")
    NOT_FEASIBLE = "not_feasible", _("暂不具备条件")


class Wish(models.Model):
    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="wish", verbose_name=_("微心愿"))
    wish_class = models.CharField(_("分类办理"), max_length=16, choices=WishClass.choices, blank=True)
    # A common problem becomes a plain demand for party organisations and departments.
    demand_for_common = models.OneToOneField(Demand, null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="from_wish", verbose_name=_("转办诉求"))
    explanation = models.TextField(_("向居民的说明"), blank=True)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")

    def __str__(self) -> str:
        return str(self.demand)


class WishClaim(models.Model):
    class ClaimerKind(models.TextChoices):
        PARTY_MEMBER = "party_member", _("党员")
        VOLUNTEER = "volunteer", _("志愿者")
        PARTY_ORGANISATION = "party_organisation", _("党组织")
        UNIT = "unit", _("单位")
        LEADER = "leader", _("包案领导")

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="wish_claims",
                               verbose_name=_("微心愿"))
    claimer_kind = models.CharField(_("认领方"), max_length=20, choices=ClaimerKind.choices)
    claimer_name = models.CharField(_("认领人"), max_length=100)
    party_member = models.ForeignKey(PartyMember, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="wish_claims", verbose_name=_("党员"))
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="wish_claims", verbose_name=_("志愿者"))
    party_organisation = models.ForeignKey(PartyOrganisation, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="wish_claims", verbose_name=_("党组织"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="wish_claims",
                             verbose_name=_("单位"))
    # The person answering for the claim (a volunteer's or a leader's account), when there is one.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="wish_claims", verbose_name=_("负责人账号"))
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("登记人"))
    claimed_at = models.DateTimeField(_("认领时间"))
    promised_by = models.DateField(_("承诺完成日期"))
    overdue_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)
    released_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    release_reason = models.CharField(_("退回原因"), max_length=255, blank=True)
    fulfilled_at = models.DateTimeField(_("实现时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("心愿认领")
        verbose_name_plural = _("心愿认领")
        ordering = ["-claimed_at"]
        constraints = [models.UniqueConstraint(fields=["demand"], condition=models.Q(released_at__isnull=True),
                                               name="wish_one_live_claim")]
        indexes = [models.Index(fields=["promised_by"], condition=models.Q(released_at__isnull=True,
                                fulfilled_at__isnull=True, overdue_at__isnull=True), name="wish_claim_watch")]

    def __str__(self) -> str:
        return f"{self.demand.number} · {self.claimer_name}"
