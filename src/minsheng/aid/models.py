"""Aid and donations given (慰问/帮扶, issue #31): who gives (a unit, a party organisation, a
company, a named donor), campaigns grouping gifts under a budget (2027 春节慰问), donations
received into a campaign (or a love supermarket's stock) and the gifts given out of them — goods
with item, unit, quantity and value, or money — to a resident, on an optional care visit or
activity.

Nothing is deleted: a gift or a donation recorded in error is voided with its reason, and a
correction is a void plus a new row pointing at the one it replaces, so totals are always the
sum of the rows in force (``status = active``) behind them."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.care.models import CareVisit
from minsheng.ledger.models import Supermarket
from minsheng.organisation.models import Region, Unit
from minsheng.party.models import PartyOrganisation
from minsheng.people.models import Resident
from minsheng.people.validation import mask_phone
from minsheng.volunteers.models import Activity

MONEY = {"max_digits": 12, "decimal_places": 2}
QUANTITY = {"max_digits": 10, "decimal_places": 2}
CENT = Decimal("0.01")


class Giver(models.Model):
    """Who gives or donates.  ``region`` is the giver's scope: it gives to residents living there."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("单位")
        PARTY = "party", _("党组织")
        COMPANY = "company", _("企业")
        PERSON = "person", _("个人")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("单位"))
    party_organisation = models.ForeignKey(PartyOrganisation, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name=_("党组织"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("慰问范围"))
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("慰问/捐赠方")
        verbose_name_plural = _("慰问/捐赠方")
        ordering = ["region__path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="aid_giver_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)


class Campaign(models.Model):
    """A round of visits (2027 春节慰问) in a street or community, with its budget."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("区域"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    budget = models.DecimalField(_("预算（元）"), **MONEY)
    description = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("慰问活动")
        verbose_name_plural = _("慰问活动")
        ordering = ["-starts_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(budget__gte=0), name="aid_campaign_budget_positive")]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    GOODS = "goods", _("物资")
    MONEY = "money", _("现金")


class Status(models.TextChoices):
    ACTIVE = "active", _("有效")
    VOID = "void", _("已作废")


class Donation(models.Model):
    """Goods or money received into a campaign, or into a love supermarket's stock (only linked:
    the supermarket's own stock is kept by the ledger app)."""

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="donations", verbose_name=_("慰问活动"))
    supermarket = models.ForeignKey(Supermarket, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("爱心超市"))
    donor = models.ForeignKey(Giver, on_delete=models.PROTECT, related_name="donations", verbose_name=_("捐赠方"))
    # The campaign's or the supermarket's region, for scoping.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("区域"))
    received_on = models.DateField(_("接收日期"))
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    item = models.CharField(_("物品"), max_length=50)
    unit = models.CharField(_("单位"), max_length=10)
    quantity = models.DecimalField(_("数量"), **QUANTITY)
    value = models.DecimalField(_("价值（元）"), **MONEY)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("接收捐赠")
        verbose_name_plural = _("接收捐赠")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0, value__gt=0), name="aid_donation_positive"),
            models.CheckConstraint(condition=Q(campaign__isnull=False) | Q(supermarket__isnull=False),
                                   name="aid_donation_has_destination"),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.donor} {self.item} {self.quantity}{self.unit}"


class Gift(models.Model):
    """Aid given to one resident: goods (item, unit, quantity, value) or money (item 慰问金, unit 元)."""

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="gifts",
                                 verbose_name=_("慰问活动"))
    giver = models.ForeignKey(Giver, on_delete=models.PROTECT, related_name="gifts", verbose_name=_("慰问方"))
    recipient = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="aid_gifts",
                                  verbose_name=_("受助人"))
    # The recipient's region when given, for scoping (a later move does not carry the history away).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域"))
    given_on = models.DateField(_("慰问日期"), db_index=True)
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    item = models.CharField(_("物品"), max_length=50)
    unit = models.CharField(_("单位"), max_length=10)
    quantity = models.DecimalField(_("数量"), **QUANTITY)
    value = models.DecimalField(_("价值（元）"), **MONEY)
    care_visit = models.ForeignKey(CareVisit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("关爱走访"))
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("志愿活动"))
    photo = models.FileField(_("照片"), upload_to="aid/%Y/%m/", blank=True)
    health_related = models.BooleanField(_("医疗/健康相关"), default=False)
    # Aid to a minor or health-related aid: shown only to roles that may see personal data.
    sensitive = models.BooleanField(_("敏感"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by", verbose_name=_("更正对象"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("慰问帮扶记录")
        verbose_name_plural = _("慰问帮扶记录")
        ordering = ["-given_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0, value__gt=0), name="aid_gift_positive")]
        indexes = [models.Index(fields=["campaign", "status"]), models.Index(fields=["recipient", "status"])]

    def __str__(self) -> str:
        return f"{self.recipient.name} {self.item} {self.given_on}"
