"""共驻共建 (docs/cobuild.md): a street's 党建联盟 or a community's 大党委 and its member units —
departments, companies, schools, hospitals — with the resources they share and the services they
pledge; bookings of those resources; joint activities (the volunteers' activities, with the member
unit that organised them); and in-service party members' 双报到 with their own organisation, to
which their served hours go back as a monthly list."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import Region, Unit
from minsheng.party.models import PartyMember
from minsheng.people.validation import mask_phone
from minsheng.volunteers.models import Activity, ServiceCategory


class Alliance(models.Model):
    """A street's 党建联盟 (大工委) or a community's 大党委: the body member units sign up to."""

    class Kind(models.TextChoices):
        STREET = "street", _("街道党建联盟")
        COMMUNITY = "community", _("社区大党委")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="alliances",
                               verbose_name=_("所在区域"))

    class Meta:
        verbose_name = _("党建联盟")
        verbose_name_plural = _("党建联盟")
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name


class MemberUnit(models.Model):
    """A co-building member unit.  ``unit`` links a unit of the organisation tree (a department, a
    property company) whose members act for it; ``contact_user`` an account of its contact person
    when the unit has none (a school, a hospital)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("机关部门")
        COMPANY = "company", _("企业")
        STATE_COMPANY = "state_company", _("国有企业")
        SCHOOL = "school", _("学校")
        HOSPITAL = "hospital", _("医院")
        PROPERTY = "property", _("物业公司")
        SOCIAL = "social", _("社会组织")
        OTHER = "other", _("其他")

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="members",
                                 verbose_name=_("所属联盟"))
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=16, choices=Kind.choices)
    communities = models.ManyToManyField(Region, related_name="cobuild_members", verbose_name=_("共建社区"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="cobuild_members",
                             verbose_name=_("对应系统单位"))
    party_organisation = models.CharField(_("单位党组织"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    contact_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="cobuild_contacts", verbose_name=_("联系人账号"))
    email = models.EmailField(_("党组织邮箱"), blank=True)
    agreement_start = models.DateField(_("共建协议起始日"))
    agreement_end = models.DateField(_("共建协议截止日"))
    registered_at = models.DateTimeField(_("登记时间"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("登记人"))
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        ordering = ["alliance_id", "name"]
        constraints = [models.UniqueConstraint(fields=["alliance", "name"], name="cobuild_member_name_once"),
                       models.CheckConstraint(condition=models.Q(agreement_end__gte=models.F("agreement_start")),
                                              name="cobuild_agreement_in_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


class Resource(models.Model):
    """A pledged resource (资源清单): a venue, equipment or funds, with how many and when."""

    class Kind(models.TextChoices):
        VENUE = "venue", _("场地")
        EQUIPMENT = "equipment", _("设备")
        FUNDS = "funds", _("资金")
        VEHICLE = "vehicle", _("车辆")
        OTHER = "other", _("其他")

    member = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, related_name="resources",
                               verbose_name=_("共建单位"))
    kind = models.CharField(_("资源类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("资源名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    quantity = models.PositiveIntegerField(_("数量"), default=1,
                                           help_text=_("同一时段最多可同时预约的数量；资金填可支持的次数"))
    measure = models.CharField(_("计量单位"), max_length=10, default="个")
    availability = models.CharField(_("可用时间"), max_length=100, blank=True)
    bookable = models.BooleanField(_("可预约"), default=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("共享资源")
        verbose_name_plural = _("共享资源")
        ordering = ["member_id", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Offer(models.Model):
    """A pledged service (服务清单): a free clinic, legal advice, repairs…"""

    member = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, related_name="offers",
                               verbose_name=_("共建单位"))
    category = models.CharField(_("服务类别"), max_length=16, choices=ServiceCategory.choices)
    name = models.CharField(_("服务项目"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    schedule = models.CharField(_("服务时间"), max_length=100, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["member_id", "category", "name"]

    def __str__(self) -> str:
        return self.name


class Booking(models.Model):
    """A booking of a resource for a time, for a community; the member unit's contact or the
    community's staff approve it (services.BOOKING_TRANSITIONS)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        CANCELLED = "cancelled", _("已取消")
        USED = "used", _("已使用")

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings",
                                 verbose_name=_("资源"))
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cobuild_bookings",
                                  verbose_name=_("使用社区"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    purpose = models.CharField(_("用途"), max_length=200)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("预约人"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    note = models.CharField(_("审批意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("预约时间"))

    class Meta:
        verbose_name = _("资源预约")
        verbose_name_plural = _("资源预约")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["resource", "starts_at"], name="cobuild_booking_slot")]

    def __str__(self) -> str:
        return f"{self.resource} {self.starts_at:%Y-%m-%d %H:%M}"


class JointActivity(models.Model):
    """A volunteers' activity organised by a member unit (共建活动): the activity, its sign-ups and
    hours stay in the volunteers' and the ledger's tables; this row only names the organiser."""

    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, related_name="joint",
                                    verbose_name=_("活动"))
    member = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, related_name="activities",
                               verbose_name=_("组织单位"))

    class Meta:
        verbose_name = _("共建活动")
        verbose_name_plural = _("共建活动")

    def __str__(self) -> str:
        return f"{self.member} · {self.activity}"


class DualReport(models.Model):
    """双报到: an in-service party member reported to their home community, with their own
    organisation (a member unit, or by name) to which the monthly list of hours goes."""

    member = models.OneToOneField(PartyMember, on_delete=models.PROTECT, related_name="dual_report",
                                  verbose_name=_("党员"))
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="dual_reports",
                                  verbose_name=_("报到社区"))
    home_member = models.ForeignKey(MemberUnit, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="dual_reports", verbose_name=_("所在单位（共建单位）"))
    home_organisation = models.CharField(_("所在单位党组织"), max_length=100)
    reported_on = models.DateField(_("报到日期"))
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        ordering = ["community__path", "home_organisation", "pk"]

    def __str__(self) -> str:
        return f"{self.member} → {self.community}"
