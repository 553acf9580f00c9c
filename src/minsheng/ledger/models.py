"""Service hours and love-bank points as a double-entry ledger (DOMAIN.md §4).

Every transfer moves one amount from one account to another: one entry debits the source
(a negative amount), one credits the target (the same amount, positive), so each transfer sums
to zero and so do all balances together.  The scheme's issuing accounts go negative by what
they have issued.  Entries and transfers are never edited or deleted: a refund or a correction
is a new transfer.  ``Account.balance`` is kept in the transaction that writes the entries, and
``manage.py verify_ledger`` checks it against them."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.organisation.models import Region
from minsheng.volunteers.models import Activity, Volunteer


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


class Measure(models.TextChoices):
    HOURS = "hours", _("服务时长")
    POINTS = "points", _("爱心积分")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("the ledger is append-only")

    def delete(self):
        raise TypeError("the ledger is append-only")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("the ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the ledger is append-only")


class Supermarket(models.Model):
    """爱心超市: volunteers redeem their points for goods."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="supermarkets",
                               verbose_name=_("所在区域"))
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("爱心超市")
        verbose_name_plural = _("爱心超市")

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("志愿者账户")
        ISSUER = "issuer", _("发放账户")
        SUPERMARKET = "supermarket", _("爱心超市账户")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    measure = models.CharField(_("计量"), max_length=8, choices=Measure.choices)
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="accounts", verbose_name=_("志愿者"))
    supermarket = models.ForeignKey(Supermarket, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="accounts", verbose_name=_("爱心超市"))
    name = models.CharField(_("名称"), max_length=100)
    # The sum of the account's entries in hundredths, kept with them (verify_ledger checks it).
    balance_cents = models.BigIntegerField(_("余额（百分之一）"), default=0)

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "measure"], condition=models.Q(kind="volunteer"),
                                    name="ledger_one_account_per_volunteer"),
            models.UniqueConstraint(fields=["supermarket", "measure"], condition=models.Q(kind="supermarket"),
                                    name="ledger_one_account_per_supermarket"),
            models.UniqueConstraint(fields=["measure"], condition=models.Q(kind="issuer"),
                                    name="ledger_one_issuer_per_measure"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def balance(self) -> Decimal:
        return from_cents(self.balance_cents)


class Transfer(AppendOnly):
    class Kind(models.TextChoices):
        WISH_HOURS = "wish_hours", _("微心愿服务时长")
        ACTIVITY_HOURS = "activity_hours", _("活动服务时长")
        MEAL_HOURS = "meal_hours", _("助餐送餐服务时长")
        ROTA_HOURS = "rota_hours", _("养老场所轮班服务时长")
        POINTS_AWARD = "points_award", _("积分奖励")
        REDEMPTION = "redemption", _("积分兑换")
        REFUND = "refund", _("兑换退还")
        CORRECTION = "correction", _("更正")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    measure = models.CharField(_("计量"), max_length=8, choices=Measure.choices)
    amount_cents = models.BigIntegerField(_("数额（百分之一）"))
    memo = models.CharField(_("摘要"), max_length=200)
    # Makes a transfer once-only where its cause must pay once (a wish's hours, an attendance).
    reference = models.CharField(_("来源标识"), max_length=64, null=True, blank=True, unique=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", verbose_name=_("冲正对象"))
    wish = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("微心愿"))
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("活动"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("转账")
        verbose_name_plural = _("转账")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)


class Entry(AppendOnly):
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries",
                                 verbose_name=_("转账"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户"))
    # Positive: credited to the account; negative: debited from it.  Kept in hundredths as an
    # integer, so that sums are exact on every database.
    amount_cents = models.BigIntegerField(_("数额（百分之一）"))

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        ordering = ["transfer_id", "pk"]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+}"

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)


class Item(models.Model):
    supermarket = models.ForeignKey(Supermarket, on_delete=models.PROTECT, related_name="items",
                                    verbose_name=_("爱心超市"))
    name = models.CharField(_("物品"), max_length=100)
    points = models.DecimalField(_("所需积分"), max_digits=8, decimal_places=2)
    stock = models.PositiveIntegerField(_("库存"), default=0)
    active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("兑换物品")
        verbose_name_plural = _("兑换物品")
        ordering = ["supermarket_id", "points", "name"]

    def __str__(self) -> str:
        return self.name


class Redemption(AppendOnly):
    """One redemption at the counter: its points transfer, and the goods handed over."""

    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="redemption",
                                    verbose_name=_("转账"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("物品"))
    quantity = models.PositiveIntegerField(_("数量"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="redemptions",
                                  verbose_name=_("志愿者"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("兑换记录")
        verbose_name_plural = _("兑换记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.item} × {self.quantity}"


class Restock(AppendOnly):
    """Goods put on a love supermarket's shelf (donated or bought): the stock grows only through
    ``services.restock``, which writes this record and the item's new stock in one transaction."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="restocks", verbose_name=_("物品"))
    quantity = models.PositiveIntegerField(_("数量"))
    stock_after = models.PositiveIntegerField(_("补货后库存"))
    source = models.CharField(_("来源"), max_length=100, blank=True, help_text=_("捐赠单位或采购说明"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("补货记录")
        verbose_name_plural = _("补货记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.item} + {self.quantity}"
