"""Secretary projects, the yearly list of practical things, joint meetings and the needs
collected door to door (DOMAIN.md §7).

A collected need becomes exactly one thing — a demand or a wish (both ``Demand`` rows of the
one engine), a secretary project or an item of the yearly list — and the link is kept both
ways.  A meeting's decision *is* its action item: it points at the demand, project or list
item it became, whose live state says whether it is still open."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.demands.workflow import Satisfaction
from minsheng.organisation.models import Region
from minsheng.party.models import PartyMember, PartyOrganisation

from .status import Colour, Status


class Collection(models.Model):
    """One door-to-door visit (大走访) or one opinion form (征求意见表) and the needs it collected."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("入户走访")
        OPINION_FORM = "opinion_form", _("征求意见表")

    kind = models.CharField(_("来源"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("区域"))
    held_on = models.DateField(_("日期"))
    # Where the visit went, as the visitor wrote it down (a building, a courtyard), never a phone.
    place = models.CharField(_("走访地点"), max_length=200, blank=True)
    households = models.PositiveIntegerField(_("走访户数"), default=1)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("走访人"))
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("走访与征求意见")
        verbose_name_plural = _("走访与征求意见")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d} {self.place}"


class SecretaryProject(models.Model):
    """书记项目: a hard problem a party secretary takes on by name, shown publicly in colour."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    name = models.CharField(_("项目名称"), max_length=100)
    organisation = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="secretary_projects",
                                     verbose_name=_("党组织"))
    owner = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="secretary_projects",
                              verbose_name=_("领衔书记"))
    # Printed on the public board next to the owner's name; a job title, nothing personal.
    owner_title = models.CharField(_("职务"), max_length=60)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域"))
    deadline = models.DateField(_("完成时限"))
    measures = models.TextField(_("主要措施"))
    progress = models.TextField(_("最新进展"), blank=True)
    progress_percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    version = models.PositiveIntegerField(_("版本"), default=0)
    # The status the sweep last told people about (projects.sweeps), so each change is told once.
    notified_status = models.CharField(_("已提醒状态"), max_length=16, blank=True, editable=False)

    class Meta:
        verbose_name = _("书记项目")
        verbose_name_plural = _("书记项目")
        ordering = ["-year", "deadline", "pk"]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    project = models.ForeignKey(SecretaryProject, on_delete=models.CASCADE, related_name="milestones",
                                verbose_name=_("书记项目"))
    title = models.CharField(_("节点"), max_length=100)
    due = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


class ProjectUpdate(models.Model):
    """One progress report on a project, kept as a log."""

    project = models.ForeignKey(SecretaryProject, on_delete=models.CASCADE, related_name="updates",
                                verbose_name=_("书记项目"))
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("更新人"))
    note = models.TextField(_("进展"))
    progress_percent = models.PositiveSmallIntegerField(_("完成进度（%）"))

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.progress_percent}%"


class Evaluation(models.Model):
    """考核评, 述职评 (a score) and 群众评 (a resident's satisfaction, as demands are rated)."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", _("考核评")
        REPORT = "report", _("述职评")
        RESIDENTS = "residents", _("群众评")

    project = models.ForeignKey(SecretaryProject, on_delete=models.CASCADE, related_name="evaluations",
                                verbose_name=_("书记项目"))
    kind = models.CharField(_("评价方式"), max_length=16, choices=Kind.choices)
    score = models.PositiveSmallIntegerField(_("得分"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices, blank=True)
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("评价人"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("项目评价")
        verbose_name_plural = _("项目评价")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()}"


class Meeting(models.Model):
    """联席会议 and the community's other deliberation formats, held every week by default."""

    class Kind(models.TextChoices):
        JOINT = "joint", _("联席会议")
        RED_HALL = "red_hall", _("红色议事厅")
        BENCH = "bench", _("搬凳议事")

    kind = models.CharField(_("会议形式"), max_length=16, choices=Kind.choices, default=Kind.JOINT)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    agenda = models.TextField(_("议题"))
    # Who attended, by name and unit, as minutes record them.
    attendees = models.TextField(_("参会人员"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("记录人"))
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.region} {self.get_kind_display()} {self.held_on:%Y-%m-%d}"


class PracticalThing(models.Model):
    """An item of the yearly list of practical things (我为群众办实事清单), or of the city's list
    of key projects led by leaders (领办)."""

    class ListKind(models.TextChoices):
        COMMUNITY = "community", _("村（社区）实事清单")
        LED_BY_LEADER = "led_by_leader", _("领导领办重点项目")

    list_kind = models.CharField(_("清单"), max_length=16, choices=ListKind.choices, default=ListKind.COMMUNITY)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("区域"))
    organisation = models.ForeignKey(PartyOrganisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="practical_things", verbose_name=_("责任党组织"))
    title = models.CharField(_("事项"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    owner_label = models.CharField(_("责任人"), max_length=60)
    due = models.DateField(_("完成时限"))
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("议定会议"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("完成佐证"), blank=True)
    evidence_photo = models.FileField(_("佐证照片"), upload_to="practical/%Y/%m/", blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("销号人"))
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("实事清单事项")
        verbose_name_plural = _("实事清单事项")
        ordering = ["-year", "due", "pk"]

    def __str__(self) -> str:
        return self.title


class CollectedNeed(models.Model):
    """One need collected at a visit or on an opinion form, recorded once; it becomes one thing."""

    class Became(models.TextChoices):
        DEMAND = "demand", _("诉求")
        WISH = "wish", _("微心愿")
        PROJECT = "project", _("书记项目")
        LIST_ITEM = "list_item", _("实事清单事项")

    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="needs",
                                   verbose_name=_("来源"))
    title = models.CharField(_("需求"), max_length=100)
    description = models.TextField(_("具体内容"), blank=True)
    became = models.CharField(_("转为"), max_length=16, choices=Became.choices, blank=True)
    demand = models.OneToOneField(Demand, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="collected_need", verbose_name=_("诉求"))
    project = models.ForeignKey(SecretaryProject, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="needs", verbose_name=_("书记项目"))
    list_item = models.OneToOneField(PracticalThing, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="collected_need", verbose_name=_("实事清单事项"))
    converted_at = models.DateTimeField(_("转办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("群众需求")
        verbose_name_plural = _("群众需求")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(
            name="need_links_what_it_became",
            condition=(models.Q(became="", demand__isnull=True, project__isnull=True, list_item__isnull=True)
                       | models.Q(became__in=["demand", "wish"], demand__isnull=False, project__isnull=True,
                                  list_item__isnull=True)
                       | models.Q(became="project", demand__isnull=True, project__isnull=False,
                                  list_item__isnull=True)
                       | models.Q(became="list_item", demand__isnull=True, project__isnull=True,
                                  list_item__isnull=False)))]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """A meeting's decision and its action item: an owner, a deadline and the demand, project or
    list item it became."""

    class Became(models.TextChoices):
        DEMAND = "demand", _("诉求")
        PROJECT = "project", _("书记项目")
        LIST_ITEM = "list_item", _("实事清单事项")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions",
                                verbose_name=_("会议"))
    text = models.CharField(_("决定事项"), max_length=200)
    owner_label = models.CharField(_("责任人"), max_length=60)
    due = models.DateField(_("完成时限"))
    became = models.CharField(_("落实方式"), max_length=16, choices=Became.choices)
    demand = models.OneToOneField(Demand, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="meeting_decision", verbose_name=_("诉求"))
    project = models.ForeignKey(SecretaryProject, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="decisions", verbose_name=_("书记项目"))
    list_item = models.OneToOneField(PracticalThing, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="decision", verbose_name=_("实事清单事项"))

    class Meta:
        verbose_name = _("会议决定")
        verbose_name_plural = _("会议决定")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(
            name="decision_links_what_it_became",
            condition=(models.Q(became="demand", demand__isnull=False, project__isnull=True, list_item__isnull=True)
                       | models.Q(became="project", demand__isnull=True, project__isnull=False,
                                  list_item__isnull=True)
                       | models.Q(became="list_item", demand__isnull=True, project__isnull=True,
                                  list_item__isnull=False)))]

    def __str__(self) -> str:
        return self.text


class StatusColour(models.Model):
    """Which board colour a project status is shown in here, set by an administrator (the admin
    records each change).  A status without a row takes settings.MINSHENG_PROJECT_COLOURS."""

    status = models.CharField(_("项目状态"), max_length=12, choices=Status.choices, unique=True)
    colour = models.CharField(_("看板颜色"), max_length=8, choices=Colour.choices)

    class Meta:
        verbose_name = _("项目状态颜色")
        verbose_name_plural = _("项目状态颜色")
        ordering = ["status"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} → {self.get_colour_display()}"
