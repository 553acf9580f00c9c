"""Meal assistance (助餐, issue #31): canteens with their opening days and meal times, menus by
day, diners with their card and price tier, dated price policies with the "三个一点" cost split
(government subsidy, village or community collective, the elder), the meals taken (at the
counter, booked on the elder's behalf, or delivered by a volunteer — a demand of kind
meal_delivery on the one engine), monthly subsidy statements and food-safety checks."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.organisation.models import Region, Unit
from minsheng.people.models import Resident
from minsheng.volunteers.models import Volunteer

MONEY = {"max_digits": 8, "decimal_places": 2}


class Canteen(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("村级老年餐厅")
        COMMUNITY = "community", _("社区长者食堂")
        CARE_HOME = "care_home", _("养老院助餐点")

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    # The village or community the canteen serves: its staff run the counter and see its figures.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="canteens", verbose_name=_("所在社区/村"))
    operator = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="canteens",
                                 verbose_name=_("运营单位"))
    address = models.CharField(_("地址"), max_length=255, blank=True)
    # ISO weekdays it opens (1 = Monday … 7 = Sunday), e.g. "12345".
    open_weekdays = models.CharField(_("营业日（1-7）"), max_length=7, default="1234567")
    # A volunteer's service hours for one delivery from this canteen (credited on delivery).
    delivery_hours = models.DecimalField(_("每次送餐计服务时长（小时）"), max_digits=4, decimal_places=2, default=0.5)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("助餐点")
        verbose_name_plural = _("助餐点")
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name

    def opens_on(self, day) -> bool:
        return str(day.isoweekday()) in self.open_weekdays


class Sitting(models.TextChoices):
    BREAKFAST = "breakfast", _("早餐")
    LUNCH = "lunch", _("午餐")
    DINNER = "dinner", _("晚餐")


class MealTime(models.Model):
    canteen = models.ForeignKey(Canteen, on_delete=models.CASCADE, related_name="meal_times",
                                verbose_name=_("助餐点"))
    sitting = models.CharField(_("餐次"), max_length=16, choices=Sitting.choices)
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("供餐时间")
        verbose_name_plural = _("供餐时间")
        ordering = ["canteen", "starts"]
        constraints = [models.UniqueConstraint(fields=["canteen", "sitting"], name="meals_time_unique"),
                       models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="meals_time_order")]

    def __str__(self) -> str:
        return f"{self.get_sitting_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Diet(models.TextChoices):
    LOW_SALT = "low_salt", _("低盐")
    LOW_OIL = "low_oil", _("低油")
    LOW_SUGAR = "low_sugar", _("低糖")
    SOFT = "soft", _("软烂易嚼")
    HALAL = "halal", _("清真")


class Menu(models.Model):
    canteen = models.ForeignKey(Canteen, on_delete=models.CASCADE, related_name="menus", verbose_name=_("助餐点"))
    day = models.DateField(_("日期"))
    sitting = models.CharField(_("餐次"), max_length=16, choices=Sitting.choices)
    dishes = models.CharField(_("菜品"), max_length=300)
    diets = models.JSONField(_("膳食说明"), default=list, blank=True)

    class Meta:
        verbose_name = _("菜单")
        verbose_name_plural = _("菜单")
        ordering = ["canteen", "day", "sitting"]
        constraints = [models.UniqueConstraint(fields=["canteen", "day", "sitting"], name="meals_menu_unique")]

    def __str__(self) -> str:
        return f"{self.canteen} {self.day} {self.get_sitting_display()}"

    def diet_labels(self) -> list[str]:
        labels = dict(Diet.choices)
        return [str(labels.get(code, code)) for code in self.diets]


class Tier(models.TextChoices):
    STANDARD = "standard", _("标准价")
    DIBAO = "dibao", _("低保")
    TEKUN = "tekun", _("特困")
    FREE = "free", _("免费（高龄、重点优抚）")


class PricePolicy(models.Model):
    """A tier's price at a canteen from a date on, split "三个一点" between the government subsidy,
    the collective and the elder.  The row valid on a day is the one with the latest
    ``valid_from`` not after it; a meal is priced by the row valid on the day it is taken."""

    canteen = models.ForeignKey(Canteen, on_delete=models.CASCADE, related_name="policies",
                                verbose_name=_("助餐点"))
    tier = models.CharField(_("价格档"), max_length=16, choices=Tier.choices)
    valid_from = models.DateField(_("生效日期"))
    # The meal's cost is the sum of its three parts, never typed apart from them (see save).
    price = models.DecimalField(_("每餐成本（元）"), editable=False, **MONEY)
    government = models.DecimalField(_("政府补贴（元）"), **MONEY)
    collective = models.DecimalField(_("集体承担（元）"), **MONEY)
    elder = models.DecimalField(_("个人支付（元）"), **MONEY)

    class Meta:
        verbose_name = _("助餐价格政策")
        verbose_name_plural = _("助餐价格政策")
        ordering = ["canteen", "tier", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["canteen", "tier", "valid_from"], name="meals_policy_unique"),
            models.CheckConstraint(condition=Q(government__gte=0, collective__gte=0, elder__gte=0),
                                   name="meals_policy_split_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.canteen} {self.get_tier_display()} {self.valid_from}"

    def save(self, *args, **kwargs) -> None:
        self.price = Decimal(self.government) + Decimal(self.collective) + Decimal(self.elder)
        super().save(*args, **kwargs)


class Diner(models.Model):
    """An elder registered for meal assistance at a canteen, with the card read at its counter."""

    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="diner",
                                    verbose_name=_("居民"))
    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="diners", verbose_name=_("助餐点"))
    card_number = models.CharField(_("助餐卡号"), max_length=20, unique=True)
    tier = models.CharField(_("价格档"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    delivery = models.BooleanField(_("行动不便，需送餐上门"), default=False)
    active = models.BooleanField(_("有效"), default=True)
    since = models.DateField(_("登记日期"))

    class Meta:
        verbose_name = _("助餐对象")
        verbose_name_plural = _("助餐对象")
        ordering = ["canteen", "card_number"]

    def __str__(self) -> str:
        return f"{self.card_number} {self.resident.name}"


class Statement(models.Model):
    """A canteen's monthly subsidy statement: the meals served that month, linked to it, with the
    government's and the collective's totals (each a funder's statement) and the elders' share."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="statements",
                                verbose_name=_("助餐点"))
    month = models.DateField(_("月份"))
    meal_count = models.PositiveIntegerField(_("餐数"))
    government = models.DecimalField(_("政府补贴合计（元）"), max_digits=12, decimal_places=2)
    collective = models.DecimalField(_("集体承担合计（元）"), max_digits=12, decimal_places=2)
    elder = models.DecimalField(_("个人支付合计（元）"), max_digits=12, decimal_places=2)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("出具人"))
    issued_at = models.DateTimeField(_("出具时间"))

    class Meta:
        verbose_name = _("助餐补贴结算单")
        verbose_name_plural = _("助餐补贴结算单")
        ordering = ["-month", "canteen"]
        constraints = [models.UniqueConstraint(fields=["canteen", "month"], name="meals_statement_unique")]

    def __str__(self) -> str:
        return f"{self.canteen} {self.month:%Y-%m}"


class Meal(models.Model):
    """One meal for one diner at one sitting, priced and split by the policy valid on its day."""

    class Way(models.TextChoices):
        COUNTER = "counter", _("堂食刷卡")
        BOOKED = "booked", _("代为预订")
        DELIVERY = "delivery", _("送餐上门")

    class Status(models.TextChoices):
        BOOKED = "booked", _("已预订")
        SERVED = "served", _("已用餐")
        VOID = "void", _("已作废")

    class Channel(models.TextChoices):
        COUNTER = "counter", _("窗口")
        PHONE = "phone", _("电话")
        GROUP = "group", _("微信群")

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="meals", verbose_name=_("助餐点"))
    diner = models.ForeignKey(Diner, on_delete=models.PROTECT, related_name="meals", verbose_name=_("助餐对象"))
    day = models.DateField(_("日期"))
    month = models.DateField(_("月份"))  # the first of the day's month, for the statement's grouping
    sitting = models.CharField(_("餐次"), max_length=16, choices=Sitting.choices)
    way = models.CharField(_("方式"), max_length=16, choices=Way.choices)
    channel = models.CharField(_("预订渠道"), max_length=16, choices=Channel.choices, default=Channel.COUNTER)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    tier = models.CharField(_("价格档"), max_length=16, choices=Tier.choices)
    policy = models.ForeignKey(PricePolicy, on_delete=models.PROTECT, related_name="+", verbose_name=_("价格政策"))
    price = models.DecimalField(_("每餐成本（元）"), **MONEY)
    government = models.DecimalField(_("政府补贴（元）"), **MONEY)
    collective = models.DecimalField(_("集体承担（元）"), **MONEY)
    elder = models.DecimalField(_("个人支付（元）"), **MONEY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"))
    served_at = models.DateTimeField(_("用餐/送达时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="billed_meals", verbose_name=_("结算单"))

    class Meta:
        verbose_name = _("用餐记录")
        verbose_name_plural = _("用餐记录")
        ordering = ["-day", "canteen"]
        constraints = [models.UniqueConstraint(fields=["diner", "day", "sitting"], condition=~Q(status="void"),
                                               name="meals_one_per_sitting")]
        indexes = [models.Index(fields=["canteen", "month", "status"]), models.Index(fields=["canteen", "day"])]

    def __str__(self) -> str:
        return f"{self.diner} {self.day} {self.get_sitting_display()}"


class Delivery(models.Model):
    """A meal delivered to the door: the side row of a demand of kind meal_delivery."""

    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="meal_delivery",
                                  verbose_name=_("送餐任务"))
    meal = models.OneToOneField(Meal, on_delete=models.PROTECT, related_name="delivery", verbose_name=_("用餐记录"))
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="meal_deliveries", verbose_name=_("送餐志愿者"))
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=4, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("送餐")
        verbose_name_plural = _("送餐")
        ordering = ["-meal__day"]

    def __str__(self) -> str:
        return str(self.meal)


class SafetyCheck(models.Model):
    """A food-safety check of a canteen (kitchen, storage, samples kept, staff health certificates)."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="safety_checks",
                                verbose_name=_("助餐点"))
    on = models.DateField(_("检查日期"))
    passed = models.BooleanField(_("合格"))
    note = models.CharField(_("检查情况"), max_length=500)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("检查人"))
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("食品安全检查")
        verbose_name_plural = _("食品安全检查")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.canteen} {self.on}"


class SafetyPhoto(models.Model):
    safety_check = models.ForeignKey(SafetyCheck, on_delete=models.CASCADE, related_name="photos",
                                     verbose_name=_("检查"))
    file = models.FileField(_("照片"), upload_to="meals/safety/%Y/%m/")

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")

    def __str__(self) -> str:
        return self.file.name
