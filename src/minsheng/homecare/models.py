"""Government-bought home elderly care (DOMAIN.md §5): the register of eligible elders with their
history, dated grade policies, the service catalogue, providers' contracts, care tasks (demands of
kind care_task), service records with their audit, evaluations and monthly statements."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel
from minsheng.organisation.models import Region, Unit
from minsheng.people.models import Resident


class Grade(models.TextChoices):
    A = "A", _("甲级")
    B = "B", _("乙级")
    C = "C", _("丙级")


class GradePolicy(models.Model):
    """Monthly hours and hourly price of a grade from a date on; the row valid on a day is the one
    with the latest ``valid_from`` not after it.  Edited by staff, never a constant in code."""

    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    valid_from = models.DateField(_("生效日期"))
    monthly_hours = models.DecimalField(_("每月服务时长（小时）"), max_digits=6, decimal_places=2)
    hourly_price = models.DecimalField(_("每小时价格（元）"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("等级政策")
        verbose_name_plural = _("等级政策")
        ordering = ["grade", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["grade", "valid_from"], name="homecare_policy_unique")]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} {self.valid_from}"


class CareService(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("居家养老服务项目")
        verbose_name_plural = _("居家养老服务项目")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Elder(models.Model):
    """An old person in difficulty on (or applying to) the scheme.  Never deleted: leaving the
    scheme is a status with its reason, and every step stays in ``ElderStep``."""

    class Support(models.TextChoices):
        TEKUN = "tekun", _("特困")
        DIBAO = "dibao", _("低保")
        YOUFU = "youfu", _("优抚")

    class Condition(models.TextChoices):
        DISABLED = "disabled", _("失能")
        SEMI_DISABLED = "semi_disabled", _("半失能")
        EMPTY_NEST = "empty_nest", _("空巢")
        ALONE = "alone", _("独居")

    class SelfCare(models.TextChoices):
        FULL = "full", _("能自理")
        PARTIAL = "partial", _("部分自理")
        NONE = "none", _("不能自理")

    class Status(models.TextChoices):
        APPLIED = "applied", _("已申请")
        ASSESSED = "assessed", _("已评估")
        ACTIVE = "active", _("服务中")
        REFUSED = "refused", _("未通过")
        LEFT = "left", _("已退出")

    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="elder", verbose_name=_("居民"))
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务社区"))
    birth_year = models.PositiveSmallIntegerField(_("出生年份"))
    support = models.CharField(_("救助类别"), max_length=8, choices=Support.choices)
    condition = models.CharField(_("困难情形"), max_length=16, choices=Condition.choices)
    health = models.CharField(_("健康状况"), max_length=200, blank=True)
    self_care = models.CharField(_("自理能力"), max_length=8, choices=SelfCare.choices)
    family = models.CharField(_("家庭情况"), max_length=200, blank=True)
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices, blank=True)
    proposed_grade = models.CharField(_("评估等级"), max_length=1, choices=Grade.choices, blank=True)
    applied_at = models.DateTimeField(_("申请时间"))
    joined_on = models.DateField(_("纳入日期"), null=True, blank=True)
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    left_reason = models.CharField(_("退出原因"), max_length=200, blank=True)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.resident.name


class ElderStep(models.Model):
    """One step of an elder's history on the scheme (append-only)."""

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(max_length=16)  # apply, assess, approve, refuse, review, change_grade, leave
    grade = models.CharField(max_length=1, blank=True)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["elder_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class GradePeriod(models.Model):
    """The grade an elder held from ``start`` (inclusive) to ``end`` (exclusive, null: still)."""

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="periods")
    grade = models.CharField(max_length=1, choices=Grade.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["elder_id", "start"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class QuotaException(models.Model):
    """Extra hours for one elder in one month, counted only once approved."""

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="exceptions")
    month = models.DateField(_("月份"))  # the first day of the month
    extra_hours = models.DecimalField(_("增加时长"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("理由"), max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["elder_id", "month"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ProviderContract(models.Model):
    """A provider (a Unit of kind care_provider, chosen by tender) under contract for a period,
    with the services it offers and the communities it covers."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        RECTIFY = "rectify", _("限期整改")
        STOPPED = "stopped", _("已停止")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="care_contracts",
                                 verbose_name=_("服务商"))
    start = models.DateField(_("合同开始"))
    end = models.DateField(_("合同结束"))
    services = models.ManyToManyField(CareService, related_name="contracts", verbose_name=_("服务项目"))
    communities = models.ManyToManyField(Region, related_name="care_contracts", verbose_name=_("服务社区"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")
        ordering = ["provider_id", "-start"]

    def __str__(self) -> str:
        return f"{self.provider} {self.start}–{self.end}"


class CareTask(models.Model):
    """The home-care side of a demand of kind care_task: which elder, which service, how many
    hours are booked, which provider claimed it."""

    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="care_task")
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="tasks")
    service = models.ForeignKey(CareService, on_delete=models.PROTECT, related_name="+")
    planned_on = models.DateField()
    planned_hours = models.DecimalField(max_digits=5, decimal_places=2)
    provider = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="care_tasks")
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["-planned_on", "pk"]
        indexes = [models.Index(fields=["elder", "planned_on"])]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


def _signature_path(instance: "ServiceRecord", filename: str) -> str:
    return f"homecare/signatures/{instance.elder_id}/{filename}"


class ServiceRecord(models.Model):
    """One visit recorded by a provider's worker, then audited; billed once approved."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        QUERIED = "queried", _("存疑待补正")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已驳回")

    task = models.ForeignKey(CareTask, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="records")
    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="care_records")
    service = models.ForeignKey(CareService, on_delete=models.PROTECT, related_name="+")
    services_done = models.CharField(max_length=300, blank=True)  # codes of the services done, space-separated
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    month = models.DateField()  # first day of the visit's month (Beijing time), for quotas and bills
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    confirmed_by = models.CharField(max_length=50)  # the elder or a family member, by name
    # their signature on the worker's phone (signature_pad), a PNG checked by records.clean_signature
    signature = models.ImageField(upload_to=_signature_path, blank=True)
    # where the phone was at check-in and check-out (WGS-84), when it could tell
    check_in_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_in_longitude = models.DecimalField(max_digits=10, decimal_places=6, null=True, blank=True)
    check_out_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_longitude = models.DecimalField(max_digits=10, decimal_places=6, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_reason = models.CharField(max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    hourly_price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    revisit_selected = models.BooleanField(default=False)
    revisit_answer = models.CharField(max_length=200, blank=True)
    revisit_satisfied = models.BooleanField(null=True, blank=True)
    statement = models.ForeignKey("Statement", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="records")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["provider", "month", "status"]),
            models.Index(fields=["elder", "month"]),
            models.Index(fields=["worker", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


def _photo_path(instance: "RecordPhoto", filename: str) -> str:
    return f"homecare/{instance.record_id}/{filename}"


class RecordPhoto(models.Model):
    record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to=_photo_path)

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class RevisitDraw(models.Model):
    """One random draw of records for phone revisits: the share and the seed, so it can be replayed."""

    month = models.DateField()
    share = models.DecimalField(max_digits=4, decimal_places=3)
    seed = models.BigIntegerField()
    drawn = models.PositiveIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ProviderCheck(models.Model):
    """A random home visit or a complaint about a provider, for the yearly evaluation."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("入户抽查")
        COMPLAINT = "complaint", _("投诉")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="care_checks")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    elder = models.ForeignKey(Elder, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    good = models.BooleanField()
    note = models.CharField(max_length=200, blank=True)
    on = models.DateField()

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Evaluation(models.Model):
    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="care_evaluations")
    year = models.PositiveSmallIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=2)
    parts = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "year"], name="homecare_evaluation_unique")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Statement(models.Model):
    """A provider's monthly statement, issued from its approved records."""

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="care_statements")
    month = models.DateField()
    hours = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "provider_id"]
        constraints = [models.UniqueConstraint(fields=["provider", "month"], name="homecare_statement_unique")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Budget(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    amount = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("养老服务预算")
        verbose_name_plural = _("养老服务预算")

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"
