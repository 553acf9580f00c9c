"""The micro-wish loop (DOMAIN.md §3) as actions of kind ``wish`` on the demand engine.

collect (any channel) → register (``register_wish``: a demand of kind wish) → route by class:
individual → publish on the wall; common problem → a plain demand for party organisations and
departments (the wish is merged into it); long-standing hard problem → a named leader; not yet
feasible → an explanation to the resident, kept in the pending archive → claim with a promised
date (a party member, a volunteer, a party organisation or a unit) → fulfil with evidence → the
resident confirms or comments (the engine's ``revisit``, from the tracking page) → close (销号,
the engine's ``close``).  A claim not fulfilled by its promised date is flagged (``sweeps.py``)
and can be released back to the wall.

Every action goes through ``services.perform_transition`` (role → lock → version → scope → state,
one event); the side tables (Wish, WishClaim) are written in the same transaction."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from minsheng.core.images import clean_photos
from minsheng.demands import services
from minsheng.demands.models import Demand, DemandAttachment
from minsheng.demands.workflow import Kind, State, _t, add_next_steps
from minsheng.notifications.services import enqueue, sms_opted_out
from minsheng.organisation.models import Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import SYSTEM_ROLE, Grant
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.volunteers.models import Volunteer
from minsheng.volunteers.services import positive_hours, volunteer_for_party_member

from .models import Wish, WishClaim, WishClass

S = State
# Who routes wishes: community and street workers, administrators.
ROUTERS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
# Volunteers (party members among them) claim for themselves; staff record a claim for a unit,
# a party organisation or a member who claimed in person.
CLAIMERS = ROUTERS | {Role.VOLUNTEER}
FULFILLERS = CLAIMERS | {Role.LEADER}
RELEASERS = CLAIMERS | {SYSTEM_ROLE}
# Roles that act only on their own claim.
PERSONAL_ROLES = frozenset({Role.VOLUNTEER, Role.LEADER})
WISH = {Kind.WISH}
MAX_PROMISE_DAYS = 365

ROWS = {
    "publish_wish": _t("publish_wish", gettext_lazy("发布到心愿墙"), [S.REGISTERED, S.SUSPENDED], S.PENDING_DISPATCH,
                       ROUTERS, public=True, kinds=WISH),
    "route_wish_as_demand": _t("route_wish_as_demand", gettext_lazy("转为诉求办理"), [S.REGISTERED], S.MERGED,
                               ROUTERS, public=True, kinds=WISH),
    "assign_wish_to_leader": _t("assign_wish_to_leader", gettext_lazy("领导包案"), [S.REGISTERED], S.IN_PROGRESS,
                                ROUTERS, public=True, kinds=WISH),
    "defer_wish": _t("defer_wish", gettext_lazy("暂缓办理并说明"), [S.REGISTERED], S.SUSPENDED, ROUTERS,
                     public=True, kinds=WISH),
    "claim_wish": _t("claim_wish", gettext_lazy("认领心愿"), [S.PENDING_DISPATCH], S.IN_PROGRESS, CLAIMERS,
                     public=True, kinds=WISH),
    "release_wish": _t("release_wish", gettext_lazy("退回心愿墙"), [S.IN_PROGRESS], S.PENDING_DISPATCH, RELEASERS,
                       public=True, kinds=WISH),
    "fulfil_wish": _t("fulfil_wish", gettext_lazy("实现心愿"), [S.IN_PROGRESS], S.RESOLVED, FULFILLERS,
                      public=True, kinds=WISH),
}


# --- registration ----------------------------------------------------------------------

def register_wish(actor, *, channel: str, title: str, description: str, region, reporter=None,
                  address: str = "", hide_name: bool = True, consent: bool = False, photos=(), note: str = "",
                  demand_type: str = "help") -> Demand:
    """Collect a wish from any channel.  The resident's identity is hidden on the wall by default."""
    with transaction.atomic():
        demand = services.register_demand(
            actor, channel=channel, demand_type=demand_type, title=title, description=description, region=region,
            reporter=reporter, address=address, hide_name=hide_name, consent=consent, photos=photos, note=note,
            kind=Kind.WISH)
        Wish.objects.get_or_create(demand=demand)
    return demand


def _wish(demand: Demand) -> Wish:
    wish, _created = Wish.objects.get_or_create(demand=demand)
    return wish


def _live_claim(demand: Demand) -> WishClaim | None:
    return demand.wish_claims.filter(released_at__isnull=True).first()


def _promise(value, field: str = "promised_by") -> date:
    today = clock.today()
    if not isinstance(value, date):
        raise ValidationFailed.for_field(field, _("请填写承诺完成日期。"))
    if value < today or value > today + timedelta(days=MAX_PROMISE_DAYS):
        raise ValidationFailed.for_field(field, _("承诺完成日期须在今天到一年之内。"))
    return value


def _own_claim(demand: Demand, grant: Grant, actor) -> WishClaim:
    """The live claim; a volunteer or a leader may act only on their own."""
    claim = _live_claim(demand)
    if claim is None:
        raise ValidationFailed(_("该心愿没有认领记录。"))
    if grant.role in PERSONAL_ROLES and claim.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能处理自己认领的心愿。"))
    return claim


# --- routing ---------------------------------------------------------------------------

def publish_wish(actor, demand_id: int, version: int, *, note: str = "") -> Demand:
    """An individual wish goes on the wall (also a deferred one that has become feasible)."""
    note = services.require_text(note, "note", _("说明")) if (note or "").strip() else ""
    with transaction.atomic():
        demand = services.perform_transition(actor, demand_id, version, "publish_wish",
                                             lambda d, g: {"wish_class": WishClass.INDIVIDUAL}, note)
        Wish.objects.filter(pk=_wish(demand).pk).update(wish_class=WishClass.INDIVIDUAL)
    return demand


def route_wish_as_demand(actor, demand_id: int, version: int, *, note: str = "", category=None) -> Demand:
    """A common problem: a plain demand (kind demand) is registered for party organisations and
    departments through the normal engine, and the wish is merged into it, so the resident follows
    that demand's outcome."""
    note = services.require_text(note, "note", _("转办说明")) if (note or "").strip() else ""

    def build(wish: Demand, grant: Grant) -> dict[str, Any]:
        plain = services.register_demand(
            actor, channel=wish.channel, demand_type=wish.demand_type, title=wish.title,
            description=wish.description, region=wish.region, reporter=wish.reporter, address=wish.address,
            hide_name=wish.hide_name, consent=True, parent=wish, category=category,
            note=_("由微心愿 %(number)s 转为诉求办理。") % {"number": wish.number})
        build.plain = plain
        return {"wish_class": WishClass.COMMON, "target_id": plain.pk, "target_number": plain.number}

    with transaction.atomic():
        demand = services.perform_transition(actor, demand_id, version, "route_wish_as_demand", build, note)
        Wish.objects.filter(pk=_wish(demand).pk).update(wish_class=WishClass.COMMON, demand_for_common=build.plain)
    return demand


def _leader(value):
    User = get_user_model()
    user = value if isinstance(value, User) else User.objects.filter(pk=value).first() if value else None
    if user is None or not user.memberships.filter(role=Role.LEADER, active=True).exists():
        raise ValidationFailed.for_field("leader", _("请选择一位包案领导。"))
    return user


def assign_wish_to_leader(actor, demand_id: int, version: int, *, leader, promised_by: date,
                          note: str = "") -> Demand:
    """A long-standing hard problem: a named leader takes it personally (领导包案) by a date."""
    leader = _leader(leader)
    promised_by = _promise(promised_by)
    name = leader.get_full_name() or leader.username
    note = services.require_text(note, "note", _("说明")) if (note or "").strip() else ""
    with transaction.atomic():
        demand = services.perform_transition(
            actor, demand_id, version, "assign_wish_to_leader",
            lambda d, g: {"wish_class": WishClass.HARD, "user_id": leader.pk, "claimer_name": name,
                          "claimer_kind": WishClaim.ClaimerKind.LEADER, "promised_by": promised_by.isoformat()},
            note)
        Wish.objects.filter(pk=_wish(demand).pk).update(wish_class=WishClass.HARD)
        WishClaim.objects.create(demand=demand, claimer_kind=WishClaim.ClaimerKind.LEADER, claimer_name=name,
                                 user=leader, claimed_by=actor, claimed_at=clock.now(), promised_by=promised_by)
    return demand


def defer_wish(actor, demand_id: int, version: int, *, explanation: str) -> Demand:
    """Not yet feasible: the resident is told why (on the tracking page and by text message), and
    the wish waits in the pending archive until it can be published."""
    explanation = services.require_text(explanation, "explanation", _("向居民的说明"))
    with transaction.atomic():
        demand = services.perform_transition(
            actor, demand_id, version, "defer_wish",
            lambda d, g: {"wish_class": WishClass.NOT_FEASIBLE, "explanation": explanation}, explanation)
        Wish.objects.filter(pk=_wish(demand).pk).update(wish_class=WishClass.NOT_FEASIBLE, explanation=explanation)
        if demand.reporter_id and not sms_opted_out(demand.reporter.phone):
            enqueue(channel="sms", address=demand.reporter.phone, source=f"wish:{demand.pk}:deferred",
                    message="wish.deferred", params={"number": demand.number, "text": explanation[:60]})
    return demand


# --- claiming and fulfilling -------------------------------------------------------------

def _person_claimer(actor) -> dict[str, Any]:
    """A volunteer claiming for themselves: as a party member when they are one."""
    member = PartyMember.objects.select_related("resident").filter(user=actor, active=True).first()
    if member is not None:
        volunteer = volunteer_for_party_member(member)
        return {"claimer_kind": WishClaim.ClaimerKind.PARTY_MEMBER, "claimer_name": member.resident.name,
                "party_member_id": member.pk, "volunteer_id": volunteer.pk, "user_id": actor.pk}
    volunteer = Volunteer.objects.select_related("resident").filter(resident__user=actor, active=True).first()
    if volunteer is None:
        raise PermissionDenied(_("你还不是注册志愿者，不能认领心愿。"))
    return {"claimer_kind": WishClaim.ClaimerKind.VOLUNTEER, "claimer_name": volunteer.resident.name,
            "volunteer_id": volunteer.pk, "user_id": actor.pk}


def _recorded_claimer(unit=None, party_organisation=None, party_member=None, volunteer=None) -> dict[str, Any]:
    """Staff record a claim made by a unit, a party organisation, or a member or volunteer in person."""
    given = [x for x in (unit, party_organisation, party_member, volunteer) if x]
    if len(given) != 1:
        raise ValidationFailed.for_field("claimer", _("请选择一个认领方：单位、党组织、党员或志愿者。"))
    if volunteer:
        person = volunteer if isinstance(volunteer, Volunteer) else \
            Volunteer.objects.select_related("resident").filter(pk=volunteer, active=True).first()
        if person is None:
            raise ValidationFailed.for_field("claimer", _("认领志愿者不存在。"))
        return {"claimer_kind": WishClaim.ClaimerKind.VOLUNTEER, "claimer_name": person.resident.name,
                "volunteer_id": person.pk, "user_id": person.resident.user_id}
    if unit:
        unit = unit if isinstance(unit, Unit) else Unit.objects.filter(pk=unit, active=True).first()
        if unit is None:
            raise ValidationFailed.for_field("claimer", _("认领单位不存在。"))
        return {"claimer_kind": WishClaim.ClaimerKind.UNIT, "claimer_name": unit.name, "unit_id": unit.pk}
    if party_organisation:
        org = party_organisation if isinstance(party_organisation, PartyOrganisation) else \
            PartyOrganisation.objects.filter(pk=party_organisation).first()
        if org is None:
            raise ValidationFailed.for_field("claimer", _("认领党组织不存在。"))
        return {"claimer_kind": WishClaim.ClaimerKind.PARTY_ORGANISATION, "claimer_name": org.name,
                "party_organisation_id": org.pk}
    member = party_member if isinstance(party_member, PartyMember) else \
        PartyMember.objects.select_related("resident").filter(pk=party_member, active=True).first()
    if member is None:
        raise ValidationFailed.for_field("claimer", _("认领党员不存在。"))
    volunteer = volunteer_for_party_member(member)
    return {"claimer_kind": WishClaim.ClaimerKind.PARTY_MEMBER, "claimer_name": member.resident.name,
            "party_member_id": member.pk, "volunteer_id": volunteer.pk, "user_id": member.user_id}


def claim_wish(actor, demand_id: int, version: int, *, promised_by: date, unit=None, party_organisation=None,
               party_member=None, volunteer=None, note: str = "") -> Demand:
    """Claim a wish on the wall with a promised date."""
    promised_by = _promise(promised_by)
    note = services.require_text(note, "note", _("说明")) if (note or "").strip() else ""

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        if grant.role == Role.VOLUNTEER and demand.assigned_team and demand.assignee_id != getattr(actor, "pk", None):
            # A wish given to a 小分队 (stations.teamwork) is for the member who claimed it there.
            raise PermissionDenied(_("该心愿已派给服务队，由认领的队员办理。"))
        who = _person_claimer(actor) if grant.role == Role.VOLUNTEER else \
            _recorded_claimer(unit, party_organisation, party_member, volunteer)
        build.who = who
        return {**who, "promised_by": promised_by.isoformat()}

    with transaction.atomic():
        demand = services.perform_transition(actor, demand_id, version, "claim_wish", build, note)
        WishClaim.objects.create(demand=demand, claimed_by=actor, claimed_at=clock.now(), promised_by=promised_by,
                                 **build.who)
    return demand


def release_wish(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    """Put a claimed wish back on the wall (the claimer gives up, or the claim is overdue)."""
    reason = services.require_text(reason, "reason", _("退回原因"), 255)

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        claim = _own_claim(demand, grant, actor)
        build.claim = claim
        return {"reason": reason, "claim_id": claim.pk, "overdue": claim.overdue_at is not None}

    with transaction.atomic():
        demand = services.perform_transition(actor, demand_id, version, "release_wish", build, reason)
        WishClaim.objects.filter(pk=build.claim.pk).update(released_at=clock.now(), release_reason=reason)
    return demand


def fulfil_wish(actor, demand_id: int, version: int, *, result: str, photos=(), hours=None) -> Demand:
    """The wish is fulfilled: a note and photos as evidence, and the service hours spent."""
    result = services.require_text(result, "result", _("实现情况"))
    photos = clean_photos(photos)
    hours = positive_hours(hours) if hours not in (None, "") else None

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        build.claim = _own_claim(demand, grant, actor)
        return {"result": result, "photos": len(photos), "hours": str(hours) if hours is not None else None,
                "claim_id": build.claim.pk}

    with transaction.atomic():
        demand = services.perform_transition(actor, demand_id, version, "fulfil_wish", build, result)
        WishClaim.objects.filter(pk=build.claim.pk).update(fulfilled_at=clock.now(), hours=hours)
        for photo in photos:
            DemandAttachment.objects.create(demand=demand, event_seq=demand.version, file=photo)
    return demand


def fulfil_own_claim(actor, claim_id: int, version: int, *, result: str, photos=(), hours=None) -> Demand:
    """A volunteer (or a leader) fulfils their own claim from 我的认领 — often from the phone's queue,
    hours after the form was filled offline.  A claim given back to the wall, already fulfilled or
    whose wish has left "in progress" meanwhile is refused with what happened to it, rather than
    as a bare stale version; the transition's own checks stay the authority."""
    claim = WishClaim.objects.select_related("demand").filter(pk=claim_id, user=actor).first()
    if claim is None:
        raise NotFound(_("没有这条认领。"))
    number = claim.demand.number
    if claim.released_at is not None:
        raise InvalidTransition(_("心愿 %(number)s 已于 %(at)s 退回心愿墙（%(reason)s），不能再提交实现情况。") % {
            "number": number, "at": timezone.localtime(claim.released_at).strftime("%Y-%m-%d %H:%M"),
            "reason": claim.release_reason or "—"})
    if claim.fulfilled_at is not None:
        raise InvalidTransition(_("心愿 %(number)s 的实现情况已经提交过了。") % {"number": number})
    if claim.demand.state != S.IN_PROGRESS:
        raise InvalidTransition(_("心愿 %(number)s 当前为“%(state)s”，不能再提交实现情况。") % {
            "number": number, "state": claim.demand.get_state_display()})
    return fulfil_wish(actor, claim.demand_id, version, result=result, photos=photos, hours=hours)


def credit_hours_on_close(demand: Demand) -> None:
    """销号: the claimer's service hours (and points) go to the ledger, once."""
    from minsheng.ledger import services as ledger

    claim = demand.wish_claims.filter(released_at__isnull=True, volunteer__isnull=False,
                                      hours__isnull=False).select_related("volunteer__resident").first()
    if claim is None or claim.hours <= Decimal(0):
        return
    ledger.credit_service(claim.volunteer, claim.hours, kind="wish_hours", wish=demand,
                          reference=f"wish:{demand.pk}",
                          memo=_("实现微心愿 %(number)s") % {"number": demand.number})


# --- the projections: what each event changes on the demand row ---------------------------

def _project_claim(d: Demand, e) -> None:
    d.assignee_id, d.accepted_at = e.payload.get("user_id"), e.created_at


def _project_release(d: Demand, e) -> None:
    d.assignee_id = d.accepted_at = None


def _project_publish(d: Demand, e) -> None:
    d.suspended_at = None


def _project_route(d: Demand, e) -> None:
    d.merged_into_id, d.closed_at = e.payload["target_id"], e.created_at


def _project_defer(d: Demand, e) -> None:
    d.suspended_at = e.created_at


def _project_fulfil(d: Demand, e) -> None:
    d.result, d.resolved_at = e.payload["result"], e.created_at


SERVICES = {
    "publish_wish": (publish_wish, _project_publish),
    "route_wish_as_demand": (route_wish_as_demand, _project_route),
    "assign_wish_to_leader": (assign_wish_to_leader, _project_claim),
    "defer_wish": (defer_wish, _project_defer),
    "claim_wish": (claim_wish, _project_claim),
    "release_wish": (release_wish, _project_release),
    "fulfil_wish": (fulfil_wish, _project_fulfil),
}


# What a wish waits for (the staff's queues): routing by the community or the street while it is
# registered or deferred, a claim from the wall by volunteers and party members (no staff member's
# step: staff only record a claim made in person), then the claimer's fulfilment.
NEXT_STEPS = {
    S.REGISTERED: ("publish_wish", "route_wish_as_demand", "assign_wish_to_leader", "defer_wish"),
    S.SUSPENDED: ("publish_wish",),
    S.PENDING_DISPATCH: (),
    S.IN_PROGRESS: ("fulfil_wish",),
}


def register() -> None:
    """Add the wish rows to the engine (from AppConfig.ready)."""
    services.register_actions(*[(ROWS[action], service, project) for action, (service, project) in SERVICES.items()])
    add_next_steps(Kind.WISH, NEXT_STEPS)
