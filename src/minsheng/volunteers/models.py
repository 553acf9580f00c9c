"""Volunteers (DOMAIN.md §4): a registry of residents with skills and availability, the 8 service
categories and the teams of "1+8+N" (one management committee, 8 category teams, N teams), and
activities with sign-up and capacity.  Party members, in-service ones reporting to their community
(双报到) included, are volunteers too: a volunteer is a ``people.Resident``, a party member is found
through ``resident.party_member``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import Region
from minsheng.people.models import Resident


class ServiceCategory(models.TextChoices):
    MEDICAL = "medical", _("医疗保健")
    LEGAL = "legal", _("法律咨询")
    EDUCATION = "education", _("关爱助学")
    ENVIRONMENT = "environment", _("环境保洁")
    TOURISM = "tourism", _("旅游宣传")
    CULTURE = "culture", _("民俗文化")
    POVERTY = "poverty", _("帮扶贫困")
    GENERAL = "general", _("综合服务")


class Team(models.Model):
    """A team of "1+8+N": the management committee, a service-category team, or one of the N teams."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("管理委员会")
        CATEGORY = "category", _("服务分队")
        TEAM = "team", _("志愿服务队")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("服务类别"), max_length=16, choices=ServiceCategory.choices, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="volunteer_teams",
                               verbose_name=_("所在区域"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级"))
    leader = models.ForeignKey("Volunteer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("队长"))

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["region_id", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="volunteer",
                                    verbose_name=_("居民"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="volunteers",
                               verbose_name=_("服务社区"))
    categories = models.JSONField(_("服务类别"), default=list)
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=100, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="members", verbose_name=_("所属队伍"))
    # The member card's number, printed with its QR code and scanned at the love supermarket.
    card_number = models.CharField(_("爱心卡号"), max_length=16, unique=True)
    joined_on = models.DateField(_("注册日期"))
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["region_id", "pk"]

    def __str__(self) -> str:
        return self.resident.name

    def category_labels(self) -> list[str]:
        return [str(ServiceCategory(c).label) for c in self.categories if c in ServiceCategory.values]


class Activity(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("报名中")
        CONFIRMED = "confirmed", _("已确认时长")
        CANCELLED = "cancelled", _("已取消")

    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动内容"), blank=True)
    category = models.CharField(_("服务类别"), max_length=16, choices=ServiceCategory.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="activities",
                             verbose_name=_("组织队伍"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="volunteer_activities",
                               verbose_name=_("所在区域"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("组织人"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("创建时间"))
    # Who the activity served: residents named (受益居民), and the count of people served (服务人次),
    # which may exceed them (a lecture's audience is counted, not named).
    beneficiaries = models.ManyToManyField(Resident, blank=True, related_name="activities_benefited",
                                           verbose_name=_("受益居民"))
    people_served = models.PositiveIntegerField(_("服务人次"), default=0)

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups",
                                 verbose_name=_("活动"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups",
                                  verbose_name=_("志愿者"))
    signed_up_at = models.DateTimeField(_("报名时间"))
    attended = models.BooleanField(_("已参加"), null=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["activity_id", "signed_up_at"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="signup_once")]

    def __str__(self) -> str:
        return f"{self.activity} · {self.volunteer}"


class VolunteerApplication(models.Model):
    """A resident's application to volunteer (长白's 招募函: residents answer, the community checks),
    filed by the applicant or by a resident who recommends them.  Approval registers the Volunteer
    through the registry's own service; the application keeps who decided, when and why."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REFUSED = "refused", _("未通过")

    applicant = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="volunteer_applications",
                                  verbose_name=_("申请人"))
    # Set when another resident recommended the applicant (推荐); empty for a self-application.
    recommender = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("推荐人"))
    # The account that filed it; empty for one taken down on paper (the demo's, an import's).
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+",
                                     verbose_name=_("提交账号"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="volunteer_applications",
                               verbose_name=_("服务社区"))
    categories = models.JSONField(_("服务类别"), default=list)
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=100, blank=True)
    statement = models.CharField(_("申请说明"), max_length=500, blank=True)
    consent = models.BooleanField(_("同意登记个人信息"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("提交时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.CharField(_("未通过原因"), max_length=255, blank=True)
    volunteer = models.OneToOneField(Volunteer, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="application", verbose_name=_("志愿者"))

    class Meta:
        verbose_name = _("志愿者申请")
        verbose_name_plural = _("志愿者申请")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["applicant"], condition=models.Q(state="pending"),
                                               name="volunteer_application_one_pending")]
        indexes = [models.Index(fields=["state", "region"], name="volunteer_application_state")]

    def __str__(self) -> str:
        return f"{self.applicant} {self.get_state_display()}"

    def category_labels(self) -> list[str]:
        return [str(ServiceCategory(c).label) for c in self.categories if c in ServiceCategory.values]
