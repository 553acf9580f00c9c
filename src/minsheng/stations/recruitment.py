"""Choosing agents (issue #32 item 6; 抚顺: 党员自荐、群众推荐和组织选聘相结合, with a 后备 pool).

A nomination comes three ways: a resident puts themselves forward, a resident recommends a
neighbour (the recommender is recorded), or the community selects someone.  Only the street (its
dispatcher, an administrator) approves — into the reserve pool (储备) — or refuses with a reason;
an agent is appointed from the pool to a station later, and only then appears in the stations'
agent register (an ``Agent`` row, with the station-agent role for an account)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.notifications.services import notify_users
from minsheng.organisation.models import Membership, Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import forget_grants, grants_with_roles
from minsheng.people.models import Resident
from minsheng.people.services import find_or_register_resident
from minsheng.people.validation import normalise_phone

from .models import Agent, AgentKind, AgentNomination, Station

# Who selects a nominee for the community (组织选聘).
SELECTORS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
# Who approves into the pool, refuses and appoints: the street.
APPROVERS = frozenset({Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
MAX_REASON = 255


def _check(actor, roles, region: Region, refusal: str) -> None:
    grants = grants_with_roles(actor, roles)
    if not grants:
        raise PermissionDenied(refusal)
    if not any(g.region_path is not None and g.covers_region(region) for g in grants):
        raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})


def _person(data: dict, region: Region) -> Resident:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed.for_field("name", _("请填写被提名人的姓名。"))
    try:
        phone = normalise_phone(data.get("phone") or "")
    except ValidationFailed as exc:
        raise ValidationFailed.for_field("phone", exc.message) from None
    return find_or_register_resident(name=name[:50], phone=phone, region=region)


def _no_duplicate(nominee: Resident, *, own: bool) -> None:
    if Agent.objects.filter(resident=nominee, active=True).exists():
        raise ValidationFailed(_("你已是代办员。") if own else _("该居民已是代办员。"))
    if AgentNomination.objects.filter(nominee=nominee, state__in=[AgentNomination.State.PENDING,
                                                                 AgentNomination.State.RESERVE]).exists():
        raise ValidationFailed(_("你已有一份待审批或储备中的提名，请勿重复提交。") if own
                               else _("该居民已有一份待审批或储备中的提名，请勿重复提交。"))


def nominate(actor, *, way: str, region: Region, kind: str, statement: str = "", resident: Resident | None = None,
             nominee: dict | None = None) -> AgentNomination:
    """Put someone forward.  ``resident`` is the account's own resident record (self-nomination and
    recommendation); ``nominee`` ({"name", "phone"}) names the person recommended or selected."""
    if way not in AgentNomination.Way.values:
        raise ValidationFailed.for_field("way", _("请选择产生方式。"))
    if region is None or region.kind != Region.Kind.COMMUNITY:
        raise ValidationFailed.for_field("region", _("请选择所在社区。"))
    if kind not in AgentKind.values:
        raise ValidationFailed.for_field("kind", _("请选择代办员类型。"))
    recommender = None
    if way == AgentNomination.Way.SELECTED:
        _check(actor, SELECTORS, region, _("只有社区或街道工作人员可以选聘代办员。"))
        person = _person(nominee or {}, region)
    else:
        if resident is None:
            raise ValidationFailed(_("这个账号没有关联居民信息，请先用手机号登录。"))
        if way == AgentNomination.Way.SELF:
            person = resident
        else:
            person = _person(nominee or {}, region)
            if person.pk == resident.pk:
                raise ValidationFailed.for_field(
                    "phone", _("推荐他人时请填写被推荐人的电话；推荐自己请选择“本人自荐”。"))
            recommender = resident
    _no_duplicate(person, own=way == AgentNomination.Way.SELF)
    try:
        with transaction.atomic():
            return AgentNomination.objects.create(
                nominee=person, way=way, recommender=recommender, submitted_by=actor, region=region, kind=kind,
                statement=(statement or "").strip()[:500], created_at=clock.now())
    except IntegrityError:
        raise ValidationFailed(_("该居民已有一份待审批或储备中的提名，请勿重复提交。")) from None


def _locked(nomination_id: int) -> AgentNomination:
    nomination = (AgentNomination.objects.select_for_update(of=("self",))
                  .select_related("nominee", "region").filter(pk=nomination_id).first())
    if nomination is None:
        raise NotFound(_("代办员提名不存在。"))
    return nomination


def _tell(nomination: AgentNomination, note: str) -> None:
    """The nominee and the recommender hear of the decision (the state as its code, read in the
    reader's language; ``note``: the refusal's reason or the station appointed to)."""
    users = [r.user for r in (nomination.nominee, nomination.recommender) if r is not None and r.user_id]
    notify_users(users, message="stations.nomination_decided", params={
        "name": nomination.nominee.name, "outcome": nomination.state, "note": note}, source="stations.nomination")


def _decide(actor, nomination_id: int) -> AgentNomination:
    nomination = _locked(nomination_id)
    _check(actor, APPROVERS, nomination.region, _("只有街道工作人员可以审批代办员提名。"))
    if nomination.state != AgentNomination.State.PENDING:
        raise InvalidTransition(_("该提名已审批（%(state)s），不能再次审批。") % {
            "state": nomination.get_state_display()})
    return nomination


def approve(actor, nomination_id: int) -> AgentNomination:
    """The street approves: the nominee joins the reserve pool (储备), to be appointed later."""
    with transaction.atomic():
        nomination = _decide(actor, nomination_id)
        nomination.state, nomination.decided_by, nomination.decided_at = (
            AgentNomination.State.RESERVE, actor, clock.now())
        nomination.save(update_fields=["state", "decided_by", "decided_at"])
        _tell(nomination, "")
    return nomination


def refuse(actor, nomination_id: int, *, reason: str) -> AgentNomination:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", _("请填写未通过的原因。"))
    if len(reason) > MAX_REASON:
        raise ValidationFailed.for_field("reason", _("原因不能超过%(n)d个字。") % {"n": MAX_REASON})
    with transaction.atomic():
        nomination = _decide(actor, nomination_id)
        nomination.state, nomination.reason = AgentNomination.State.REFUSED, reason
        nomination.decided_by, nomination.decided_at = actor, clock.now()
        nomination.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        _tell(nomination, reason)
    return nomination


def appoint(actor, nomination_id: int, *, station: Station) -> Agent:
    """Appoint someone from the pool to a station: the Agent row (and, for an account, the station
    agent's role at that station) is written with the nomination's change, in one transaction."""
    with transaction.atomic():
        nomination = _locked(nomination_id)
        _check(actor, APPROVERS, nomination.region, _("只有街道工作人员可以任命代办员。"))
        if nomination.state != AgentNomination.State.RESERVE:
            raise InvalidTransition(_("%(name)s 不在代办员储备库中（%(state)s），不能任命。") % {
                "name": nomination.nominee.name, "state": nomination.get_state_display()})
        if station is None or not station.unit.active:
            raise ValidationFailed.for_field("station", _("请选择代办站。"))
        _check(actor, APPROVERS, station.unit.region, _("只有街道工作人员可以任命代办员。"))
        resident = nomination.nominee
        if Agent.objects.filter(resident=resident).exists():
            raise ValidationFailed(_("%(name)s 已在代办员名册中。") % {"name": resident.name})
        party_member = getattr(resident, "party_member", None)
        agent = Agent.objects.create(
            resident=resident, station=station, kind=nomination.kind,
            party_member=party_member if party_member is not None and not hasattr(party_member, "station_agent")
            else None,
            user=resident.user if resident.user_id and not Agent.objects.filter(user_id=resident.user_id).exists()
            else None)
        if agent.user_id:
            Membership.objects.get_or_create(user_id=agent.user_id, unit=station.unit, role=Role.STATION_AGENT)
            forget_grants(agent.user)
        nomination.state, nomination.agent, nomination.appointed_at = (
            AgentNomination.State.APPOINTED, agent, clock.now())
        nomination.save(update_fields=["state", "agent", "appointed_at"])
        _tell(nomination, station.name)
    return agent
