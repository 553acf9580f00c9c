"""Proxy stations (党员家庭代办站, DOMAIN.md §1–2): the three tiers, their opening hours and service
items, the agents who work in them, and the side table that marks a demand as a station case.

A station is an ``organisation.Unit`` of kind "station" with a ``Station`` profile; its cases are
plain demands with channel "station" that run on the demand engine (``StationCase`` only records
which station, which service item and which of the four ways)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.core.errors import MinshengError
from minsheng.demands.models import Demand
from minsheng.organisation.models import Unit
from minsheng.party.models import PartyMember
from minsheng.people.models import Resident


class ServiceItem(models.Model):
    """One errand a station can take on (缴费, 代购, 房屋维修, 调解纠纷…)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Cases of a mediation item count as disputes mediated in the yearly ranking.
    mediation = models.BooleanField(_("纠纷调解类"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("代办服务事项")
        verbose_name_plural = _("代办服务事项")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Tier(models.TextChoices):
    STREET_CENTRE = "street_centre", _("街道代办服务中心")
    COMMUNITY = "community", _("社区代办总站")
    FAMILY = "family", _("家庭代办站")


class PlaceType(models.TextChoices):
    OFFICE = "office", _("街道/社区办公场所")
    HOME = "home", _("党员家庭")
    PROPERTY = "property", _("物业服务中心")
    PHARMACY = "pharmacy", _("药店")
    SHOP = "shop", _("商铺")
    CARE_HOME = "care_home", _("养老机构")


class Station(models.Model):
    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="station", verbose_name=_("单位"),
                                limit_choices_to={"kind": Unit.Kind.STATION})
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    place_type = models.CharField(_("场所类型"), max_length=16, choices=PlaceType.choices)
    address = models.CharField(_("地址"), max_length=255)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    # [{"days": [0, 1, 2, 3, 4], "start": "08:30", "end": "11:30"}, …]; Monday is 0.  Several
    # periods a day give staggered hours (错时), late periods extended hours (延时).
    hours = models.JSONField(_("开放时间"), default=list)
    staggered = models.BooleanField(_("错时服务"), default=False)
    extended = models.BooleanField(_("延时服务"), default=False)
    by_appointment = models.BooleanField(_("预约服务"), default=False)
    home_visits = models.BooleanField(_("上门服务"), default=False)
    service_items = models.ManyToManyField(ServiceItem, blank=True, related_name="stations",
                                           verbose_name=_("服务事项"))

    class Meta:
        verbose_name = _("代办站")
        verbose_name_plural = _("代办站")
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return self.unit.name

    @property
    def name(self) -> str:
        return self.unit.name

    def clean(self) -> None:
        from .hours import clean_hours

        if self.unit_id and self.unit.kind != Unit.Kind.STATION:
            raise ValidationError({"unit": _("只有类型为代办站的单位才能设为代办站。")})
        try:
            self.hours = clean_hours(self.hours)
        except MinshengError as exc:
            raise ValidationError({"hours": exc.message}) from None


class SkillTeam(models.Model):
    """A team of agents with one trade (开锁, 电焊, 木工…), called on by any station."""

    name = models.CharField(_("名称"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("技能服务队")
        verbose_name_plural = _("技能服务队")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentKind(models.TextChoices):
    PARTY_MEMBER = "party_member", _("社区党员")
    RETIREE = "retiree", _("退休干部职工")
    VETERAN = "veteran", _("退役军人")
    IN_SERVICE = "in_service", _("在职党员（双报到）")


class Agent(models.Model):
    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="station_agent",
                                    verbose_name=_("居民"))
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="agents", verbose_name=_("代办站"))
    kind = models.CharField(_("类型"), max_length=16, choices=AgentKind.choices)
    party_member = models.OneToOneField(PartyMember, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="station_agent", verbose_name=_("党员"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="station_agent", verbose_name=_("登录账号"))
    skill_teams = models.ManyToManyField(SkillTeam, blank=True, related_name="agents", verbose_name=_("技能服务队"))
    # Where the 喜报 of an in-service member goes: their own party organisation at work.
    home_organisation = models.CharField(_("所在单位党组织"), max_length=100, blank=True)
    home_organisation_email = models.EmailField(_("所在单位党组织邮箱"), blank=True)
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("代办员")
        verbose_name_plural = _("代办员")
        ordering = ["station", "resident__name"]

    def __str__(self) -> str:
        return self.resident.name


class TrainingRecord(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("代办员"))
    held_on = models.DateField(_("培训日期"))
    title = models.CharField(_("培训内容"), max_length=100)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    provider = models.CharField(_("组织单位"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.agent} {self.held_on} {self.title}"


class Way(models.TextChoices):
    ON_SPOT = "on_spot", _("立接立办")
    TIMED = "timed", _("限时代办")
    GUIDED = "guided", _("指引协办")
    JOINT = "joint", _("上报联办")


class StationCase(models.Model):
    """A demand taken in at a station: which station, which service item, which way.  The way is
    also on the events that chose it, so the case's six steps are read from the event log."""

    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="station_case",
                                  verbose_name=_("诉求"))
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="cases", verbose_name=_("代办站"))
    service_item = models.ForeignKey(ServiceItem, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="cases", verbose_name=_("服务事项"))
    way = models.CharField(_("办理方式"), max_length=10, choices=Way.choices, blank=True)
    promised_at = models.DateTimeField(_("承诺办结时间"), null=True, blank=True)
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
                              verbose_name=_("代办员"))
    taken_at = models.DateTimeField(_("受理时间"))

    class Meta:
        verbose_name = _("代办案件")
        verbose_name_plural = _("代办案件")
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["station", "taken_at"]), models.Index(fields=["agent", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.station} {self.demand.number}"


class Award(models.Model):
    """A station selected for the year's award (评选表彰), with the funds given."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="awards", verbose_name=_("代办站"))
    year = models.PositiveSmallIntegerField(_("年度"))
    rank = models.PositiveIntegerField(_("排名"))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    funds = models.DecimalField(_("奖励资金（元）"), max_digits=10, decimal_places=2)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("评定人"))
    decided_at = models.DateTimeField(_("评定时间"))

    class Meta:
        verbose_name = _("年度表彰")
        verbose_name_plural = _("年度表彰")
        ordering = ["-year", "rank"]
        constraints = [models.UniqueConstraint(fields=["station", "year"], name="award_once_per_station_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.station}"


class ServiceNotice(models.Model):
    """喜报: an in-service party member's service at a station, reported to their own organisation."""

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="notices", verbose_name=_("代办员"))
    year = models.PositiveSmallIntegerField(_("年度"))
    cases = models.PositiveIntegerField(_("代办件数"))
    sent_to = models.CharField(_("报送单位"), max_length=100)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("报送人"))
    sent_at = models.DateTimeField(_("报送时间"))

    class Meta:
        verbose_name = _("喜报")
        verbose_name_plural = _("喜报")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.agent} {self.year}"


class AgentNomination(models.Model):
    """Choosing agents (抚顺: 党员自荐、群众推荐、组织选聘) with a reserve pool (储备): a nomination is
    approved by the street into the pool, and an agent is appointed from the pool to a station later.
    The appointed Agent is the register's row; the nomination keeps how the person was put forward."""

    class Way(models.TextChoices):
        SELF = "self", _("本人自荐")
        RECOMMENDED = "recommended", _("群众推荐")
        SELECTED = "selected", _("组织选聘")

    class State(models.TextChoices):
        PENDING = "pending", _("待街道审批")
        RESERVE = "reserve", _("储备")
        APPOINTED = "appointed", _("已任命")
        REFUSED = "refused", _("未通过")

    nominee = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="agent_nominations",
                                verbose_name=_("被提名人"))
    way = models.CharField(_("产生方式"), max_length=16, choices=Way.choices)
    recommender = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("推荐人"))
    # The account that filed it; empty for one taken down on paper (the demo's, an import's).
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+",
                                     verbose_name=_("提交账号"))
    region = models.ForeignKey("organisation.Region", on_delete=models.PROTECT, related_name="agent_nominations",
                               verbose_name=_("所在社区"))
    kind = models.CharField(_("类型"), max_length=16, choices=AgentKind.choices)
    statement = models.CharField(_("推荐理由"), max_length=500, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("提交时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reason = models.CharField(_("未通过原因"), max_length=255, blank=True)
    agent = models.OneToOneField(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="nomination",
                                 verbose_name=_("代办员"))
    appointed_at = models.DateTimeField(_("任命时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("代办员提名")
        verbose_name_plural = _("代办员提名")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["nominee"], condition=models.Q(state__in=["pending", "reserve"]),
                                               name="agent_nomination_one_open")]
        indexes = [models.Index(fields=["state", "region"], name="agent_nomination_state")]

    def __str__(self) -> str:
        return f"{self.nominee} {self.get_state_display()}"


# The states by a dotted path of their own (the message catalogue's ``choices`` names it).
NominationState = AgentNomination.State
