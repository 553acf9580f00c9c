"""State-changing rules for needs, secretary projects, the yearly list and meetings.

Every function checks the actor's role and scope (organisation.scope), validates its input and
writes in one transaction; a refusal raises a ``minsheng.core.errors`` exception and changes
nothing.  Demands and wishes are registered through the demand engine, never copied."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import (
    InvalidTransition,
    NotFound,
    OutOfScope,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
)
from minsheng.core.images import clean_photo
from minsheng.demands.services import register_demand, require_text
from minsheng.demands.workflow import Channel, Kind, Satisfaction
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import Grant, grants_with_roles
from minsheng.party.models import PartyOrganisation

from .models import (
    CollectedNeed,
    Collection,
    Decision,
    Evaluation,
    Meeting,
    Milestone,
    PracticalThing,
    ProjectUpdate,
    SecretaryProject,
)

# Who runs a community's projects, lists and meetings.
MANAGERS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.LEADER, Role.ADMINISTRATOR})
# Who collects needs door to door.
COLLECTORS = MANAGERS | {Role.GRID_WORKER}
# 考核评 and 述职评 are given by the level above; 群众评 is recorded by those who ask the residents.
ASSESSORS = frozenset({Role.STREET_DISPATCHER, Role.LEADER, Role.ADMINISTRATOR})
RESIDENT_RECORDERS = frozenset({Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.ADMINISTRATOR})
LEADERS = frozenset({Role.LEADER, Role.ADMINISTRATOR})


# --- shared checks -----------------------------------------------------------------------

def _grant_for(actor, roles: Iterable[str], region: Region) -> Grant:
    grants = grants_with_roles(actor, roles)
    if not grants:
        raise PermissionDenied(_("你的角色不能执行此操作。"))
    for grant in grants:
        if grant.region_path is not None and region.path.startswith(grant.region_path):
            return grant
    raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})


def _region(value, field: str = "region") -> Region:
    if isinstance(value, Region):
        return value
    lookup = {"code": value} if isinstance(value, str) else {"pk": value}
    try:
        return Region.objects.get(**lookup)
    except (Region.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed.for_field(field, _("区域“%(value)s”不存在。") % {"value": value}) from None


def _date(value, field: str, label: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed.for_field(field, _("%(label)s不是有效的日期。") % {"label": label}) from None


def _get(model, pk, message: str, *, lock: bool = False):
    qs = model.objects.select_for_update() if lock else model.objects
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(message) from None



# --- visits and opinion forms ------------------------------------------------------------

@dataclass
class NeedInput:
    title: str
    description: str = ""


def record_collection(actor, *, kind: str, region, held_on, needs: list[NeedInput], place: str = "",
                      households: int = 1) -> Collection:
    """A door-to-door visit or an opinion form with the needs it collected, each recorded once."""
    if kind not in Collection.Kind.values:
        raise ValidationFailed.for_field("kind", _("未知的来源“%(kind)s”。") % {"kind": kind})
    region = _region(region)
    _grant_for(actor, COLLECTORS, region)
    held_on = _date(held_on, "held_on", _("日期"))
    if held_on > clock.today():
        raise ValidationFailed.for_field("held_on", _("日期不能晚于今天。"))
    if not isinstance(households, int) or households < 1:
        raise ValidationFailed.for_field("households", _("走访户数至少为1。"))
    cleaned = [(require_text(n.title, "needs", _("需求"), 100), (n.description or "").strip()[:2000])
               for n in needs]
    if not cleaned:
        raise ValidationFailed.for_field("needs", _("请至少填写一条需求。"))
    if len({t for t, _d in cleaned}) != len(cleaned):
        raise ValidationFailed.for_field("needs", _("同一需求只登记一次。"))
    with transaction.atomic():
        collection = Collection.objects.create(
            kind=kind, region=region, held_on=held_on, place=(place or "").strip()[:200], households=households,
            collected_by=actor if getattr(actor, "is_authenticated", False) else None, created_at=clock.now())
        CollectedNeed.objects.bulk_create([CollectedNeed(collection=collection, title=t, description=d)
                                           for t, d in cleaned])
    return collection


# A visit reaches the resident where they live, as a grid worker's patrol does; an opinion
# form is gathered at the community's meetings and events.
CHANNEL_OF = {Collection.Kind.VISIT: Channel.PATROL, Collection.Kind.OPINION_FORM: Channel.MEETING}


def convert_need(actor, need_id: int, *, into: str, demand_type: str = "help", category=None,
                 project=None, list_item: dict | None = None) -> CollectedNeed:
    """Turn a collected need into a demand, a wish, a secretary project's need or a list item."""
    if into not in CollectedNeed.Became.values:
        raise ValidationFailed.for_field("into", _("未知的转办方式“%(into)s”。") % {"into": into})
    with transaction.atomic():
        need = _get(CollectedNeed, need_id, _("需求不存在。"), lock=True)
        collection = need.collection
        _grant_for(actor, COLLECTORS if into in ("demand", "wish") else MANAGERS, collection.region)
        if need.became:
            raise InvalidTransition(_("需求“%(title)s”已转为%(what)s，不能重复转办。")
                                    % {"title": need.title, "what": need.get_became_display()})
        if into in (CollectedNeed.Became.DEMAND, CollectedNeed.Became.WISH):
            need.demand = register_demand(
                actor, channel=CHANNEL_OF[collection.kind], demand_type=demand_type, category=category,
                title=need.title, description=need.description or need.title, region=collection.region,
                kind=Kind.WISH if into == CollectedNeed.Became.WISH else Kind.DEMAND,
                note=_("来自%(source)s") % {"source": collection})
        elif into == CollectedNeed.Became.PROJECT:
            target = project if isinstance(project, SecretaryProject) else SecretaryProject.objects.filter(
                pk=project).first() if project else None
            if target is None:
                raise ValidationFailed.for_field("project", _("请选择书记项目。"))
            if not target.region.path.startswith(collection.region.path) and \
                    not collection.region.path.startswith(target.region.path):
                raise ValidationFailed.for_field("project", _("书记项目与需求不在同一区域。"))
            need.project = target
        else:
            details = dict(list_item or {})
            need.list_item = add_practical_thing(
                actor, region=details.pop("region", collection.region), title=details.pop("title", need.title),
                description=details.pop("description", need.description), **details)
        need.became = into
        need.converted_at = clock.now()
        need.save(update_fields=["became", "demand", "project", "list_item", "converted_at"])
    return need


# --- secretary projects ------------------------------------------------------------------

@dataclass
class MilestoneInput:
    title: str
    due: date


def create_project(actor, *, organisation, name: str, deadline, measures: str, milestones: list[MilestoneInput],
                   owner_title: str = "", year: int | None = None) -> SecretaryProject:
    """A secretary claims a project: owner is the organisation's secretary, at most the configured
    number a year each."""
    if not isinstance(organisation, PartyOrganisation):
        organisation = _get(PartyOrganisation, organisation, _("党组织不存在。"))
    _grant_for(actor, MANAGERS, organisation.region)
    secretary = organisation.secretary
    if secretary is None:
        raise ValidationFailed.for_field("organisation", _("“%(org)s”尚未配备书记。") % {"org": organisation.name})
    name = require_text(name, "name", _("项目名称"), 100)
    measures = require_text(measures, "measures", _("主要措施"), 4000)
    deadline = _date(deadline, "deadline", _("完成时限"))
    year = year or deadline.year
    steps = [(require_text(m.title, "milestones", _("节点"), 100), _date(m.due, "milestones", _("计划完成")))
             for m in milestones]
    if not steps:
        raise ValidationFailed.for_field("milestones", _("请至少填写一个节点。"))
    if any(due > deadline for _t, due in steps):
        raise ValidationFailed.for_field("milestones", _("节点不能晚于项目完成时限。"))
    owner_title = (owner_title or _("%(org)s书记") % {"org": organisation.name}).strip()[:60]
    _lo, most = settings.MINSHENG_SECRETARY_PROJECTS_PER_YEAR
    now = clock.now()
    with transaction.atomic():
        PartyOrganisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if SecretaryProject.objects.filter(owner=secretary, year=year).count() >= most:
            raise InvalidTransition(_("%(name)s %(year)d年已领衔%(n)d个书记项目，已达上限。")
                                    % {"name": secretary.resident.name, "year": year, "n": most})
        project = SecretaryProject.objects.create(
            year=year, name=name, organisation=organisation, owner=secretary, owner_title=owner_title,
            region=organisation.region, deadline=deadline, measures=measures, created_by=actor,
            created_at=now, updated_at=now)
        Milestone.objects.bulk_create([Milestone(project=project, title=t, due=d) for t, d in steps])
    return project


def _may_update(actor, project: SecretaryProject) -> None:
    member = getattr(actor, "party_member", None) if getattr(actor, "is_authenticated", False) else None
    if member is not None and member.pk == project.owner_id:
        return  # the secretary who claimed it
    _grant_for(actor, MANAGERS, project.region)


def update_project(actor, project_id: int, version: int, *, note: str, progress_percent: int,
                   milestones_done: Iterable[int] = (), done_on=None) -> SecretaryProject:
    """A progress report: the note, the percentage, and the milestones reached (on ``done_on``)."""
    note = require_text(note, "note", _("进展"), 2000)
    if not isinstance(progress_percent, int) or not 0 <= progress_percent <= 100:
        raise ValidationFailed.for_field("progress_percent", _("完成进度应在0到100之间。"))
    done_on = _date(done_on, "done_on", _("完成日期")) if done_on else clock.today()
    if done_on > clock.today():
        raise ValidationFailed.for_field("done_on", _("完成日期不能晚于今天。"))
    with transaction.atomic():
        project = _get(SecretaryProject, project_id, _("书记项目不存在。"), lock=True)
        _may_update(actor, project)
        if version != project.version:
            raise VersionConflict(_("项目已被他人更新，请刷新后重试。"))
        own = {m.pk: m for m in project.milestones.all()}
        wanted = set(milestones_done)
        if wanted - own.keys():
            raise ValidationFailed.for_field("milestones_done", _("所选节点不属于该项目。"))
        for m in (own[pk] for pk in wanted if own[pk].done_on is None):
            m.done_on = done_on
            m.save(update_fields=["done_on"])
        now = clock.now()
        ProjectUpdate.objects.create(project=project, at=now, by=actor, note=note, progress_percent=progress_percent)
        project.progress, project.progress_percent = note, progress_percent
        project.updated_at, project.version = now, project.version + 1
        project.save(update_fields=["progress", "progress_percent", "updated_at", "version"])
    return project


def evaluate_project(actor, project_id: int, *, kind: str, score: int | None = None, satisfaction: str = "",
                     comment: str = "") -> Evaluation:
    """考核评 and 述职评 give a score of 0–100; 群众评 records a resident's satisfaction."""
    project = _get(SecretaryProject, project_id, _("书记项目不存在。"))
    if kind not in Evaluation.Kind.values:
        raise ValidationFailed.for_field("kind", _("未知的评价方式“%(kind)s”。") % {"kind": kind})
    residents = kind == Evaluation.Kind.RESIDENTS
    _grant_for(actor, RESIDENT_RECORDERS if residents else ASSESSORS, project.region)
    if residents:
        if satisfaction not in Satisfaction.values:
            raise ValidationFailed.for_field("satisfaction", _("请选择满意度（满意、基本满意或不满意）。"))
        score = None
    else:
        if not isinstance(score, int) or not 0 <= score <= 100:
            raise ValidationFailed.for_field("score", _("得分应在0到100之间。"))
        satisfaction = ""
    return Evaluation.objects.create(project=project, kind=kind, score=score, satisfaction=satisfaction,
                                     comment=(comment or "").strip()[:500], by=actor, at=clock.now())


# --- the yearly list of practical things -------------------------------------------------

def add_practical_thing(actor, *, region, title: str, owner_label: str, due, description: str = "",
                        year: int | None = None, organisation=None, meeting: Meeting | None = None,
                        list_kind: str = PracticalThing.ListKind.COMMUNITY) -> PracticalThing:
    """An item agreed for the year's list; the city's key projects are led by leaders (领办)."""
    region = _region(region)
    if list_kind not in PracticalThing.ListKind.values:
        raise ValidationFailed.for_field("list_kind", _("未知的清单“%(kind)s”。") % {"kind": list_kind})
    led = list_kind == PracticalThing.ListKind.LED_BY_LEADER
    _grant_for(actor, LEADERS if led else MANAGERS, region)
    title = require_text(title, "title", _("事项"), 100)
    owner_label = require_text(owner_label, "owner_label", _("责任人"), 60)
    due = _date(due, "due", _("完成时限"))
    if organisation is not None and not isinstance(organisation, PartyOrganisation):
        organisation = _get(PartyOrganisation, organisation, _("党组织不存在。"))
    if organisation is not None and not region.path.startswith(organisation.region.path):
        raise ValidationFailed.for_field("organisation", _("责任党组织与事项不在同一区域。"))
    return PracticalThing.objects.create(
        list_kind=list_kind, year=year or due.year, region=region, organisation=organisation, title=title,
        description=(description or "").strip()[:2000], owner_label=owner_label, due=due, meeting=meeting,
        created_at=clock.now())


def tick_off(actor, item_id: int, *, evidence: str, photo=None, done_on=None) -> PracticalThing:
    """销号: the item is done, with the evidence that it is."""
    evidence = require_text(evidence, "evidence", _("完成佐证"), 2000)
    photo = clean_photo(photo, "photo") if photo else None  # a JPEG copy without metadata
    done_on = _date(done_on, "done_on", _("完成日期")) if done_on else clock.today()
    if done_on > clock.today():
        raise ValidationFailed.for_field("done_on", _("完成日期不能晚于今天。"))
    with transaction.atomic():
        item = _get(PracticalThing, item_id, _("清单事项不存在。"), lock=True)
        led = item.list_kind == PracticalThing.ListKind.LED_BY_LEADER
        _grant_for(actor, LEADERS if led else MANAGERS, item.region)
        if item.done_on is not None:
            raise InvalidTransition(_("“%(title)s”已经销号。") % {"title": item.title})
        item.done_on, item.evidence, item.done_by = done_on, evidence, actor
        if photo is not None:
            item.evidence_photo.save(f"{item.pk}.jpg", photo, save=False)
        item.save()
    return item


# --- joint meetings ----------------------------------------------------------------------

def next_meeting_day(after: date) -> date:
    """The next regular meeting day (MINSHENG_MEETING_WEEKDAY, Tuesday by default) on or after ``after``."""
    weekday = settings.MINSHENG_MEETING_WEEKDAY
    return after + timedelta(days=(weekday - after.weekday()) % 7)


def record_meeting(actor, *, region, kind: str = Meeting.Kind.JOINT, held_on=None, place: str = "",
                   agenda: str, attendees: str, minutes: str = "") -> Meeting:
    region = _region(region)
    _grant_for(actor, MANAGERS, region)
    if kind not in Meeting.Kind.values:
        raise ValidationFailed.for_field("kind", _("未知的会议形式“%(kind)s”。") % {"kind": kind})
    held_on = _date(held_on, "held_on", _("会议日期")) if held_on else next_meeting_day(clock.today())
    return Meeting.objects.create(
        kind=kind, region=region, held_on=held_on, place=(place or "").strip()[:200],
        agenda=require_text(agenda, "agenda", _("议题"), 4000),
        attendees=require_text(attendees, "attendees", _("参会人员"), 2000),
        minutes=(minutes or "").strip()[:8000], created_by=actor, created_at=clock.now())


def write_minutes(actor, meeting_id: int, *, minutes: str) -> Meeting:
    meeting = _get(Meeting, meeting_id, _("会议不存在。"))
    _grant_for(actor, MANAGERS, meeting.region)
    meeting.minutes = require_text(minutes, "minutes", _("会议纪要"), 8000)
    meeting.save(update_fields=["minutes"])
    return meeting


def record_decision(actor, meeting_id: int, *, text: str, owner_label: str, due, became: str,
                    demand_type: str = "help", category=None, project=None, organisation=None) -> Decision:
    """A decision and its action item: a demand (channel 会议), a secretary project's task or an
    item of the yearly list."""
    if became not in Decision.Became.values:
        raise ValidationFailed.for_field("became", _("未知的落实方式“%(kind)s”。") % {"kind": became})
    text = require_text(text, "text", _("决定事项"), 200)
    owner_label = require_text(owner_label, "owner_label", _("责任人"), 60)
    due = _date(due, "due", _("完成时限"))
    with transaction.atomic():
        meeting = _get(Meeting, meeting_id, _("会议不存在。"), lock=True)
        _grant_for(actor, MANAGERS, meeting.region)
        if due < meeting.held_on:
            raise ValidationFailed.for_field("due", _("完成时限不能早于会议日期。"))
        decision = Decision(meeting=meeting, text=text, owner_label=owner_label, due=due, became=became)
        if became == Decision.Became.DEMAND:
            decision.demand = register_demand(
                actor, channel=Channel.MEETING, demand_type=demand_type, category=category, title=text[:100],
                description=_("%(meeting)s决定：%(text)s（责任人：%(owner)s，完成时限：%(due)s）")
                % {"meeting": meeting, "text": text, "owner": owner_label, "due": f"{due:%Y-%m-%d}"},
                region=meeting.region)
        elif became == Decision.Became.PROJECT:
            target = project if isinstance(project, SecretaryProject) else (
                SecretaryProject.objects.filter(pk=project).first() if project else None)
            if target is None or not target.region.path.startswith(meeting.region.path):
                raise ValidationFailed.for_field("project", _("请选择本社区的书记项目。"))
            decision.project = target
        else:
            decision.list_item = add_practical_thing(
                actor, region=meeting.region, title=text[:100], owner_label=owner_label, due=due,
                organisation=organisation, meeting=meeting)
        decision.save()
    return decision

