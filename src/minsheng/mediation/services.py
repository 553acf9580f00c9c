"""Mediation cases on the demand engine: open a case (from nothing, a demand or a station case),
record sessions, conclude with a signed agreement or a referral, follow the agreement up and close.

Each step is one row of the transition table (``actions.py``) performed through
``demands.services.perform_transition``: checked (role, scope, version, state), written as one
event, and the side rows written in the same transaction.  The checks that read the side rows
run inside the event's ``build``, under the demand's lock."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.dates import check_date
from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.projection import encode_datetime
from minsheng.demands.workflow import Channel, Kind, State
from minsheng.homecare.records import clean_signature
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import SYSTEM, Grant, grants_with_roles
from minsheng.people.models import Resident
from minsheng.people.validation import normalise_phone

from . import actions
from .access import KIND_OF_ROLE, MEDIATORS
from .models import (
    AgreementSignature,
    DisputeType,
    MediationAgreement,
    MediationCase,
    MediationFollowUp,
    MediationParty,
    MediationSession,
    MediatorKind,
    Outcome,
    Referral,
)

# Days after the agreement at which its keeping is checked (settings override).
DEFAULT_FOLLOW_UP_DAYS = (7, 30)
# The mediation period from acceptance (人民调解: usually within a month), the case's first deadline.
DEFAULT_MEDIATION_DAYS = 30
# A follow-up is due by the end of the working day of its date.
DUE_TIME = time(18, 0)
MAX_PARTIES = 20


def follow_up_days() -> tuple[int, ...]:
    days = getattr(settings, "MINSHENG_MEDIATION_FOLLOW_UP_DAYS", DEFAULT_FOLLOW_UP_DAYS)
    return tuple(sorted({int(d) for d in days if int(d) > 0}))


def _due_at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, DUE_TIME))


@dataclass
class PartyInput:
    side: str
    kind: str
    name: str
    phone: str = ""
    resident_id: int | None = None


# --- opening a case -------------------------------------------------------------------

def _mediator_grant(actor, region: Region) -> Grant:
    grants = grants_with_roles(actor, MEDIATORS)
    if not grants:
        raise PermissionDenied(_("你的角色不能受理矛盾纠纷调解。"))
    for grant in grants:
        if grant.unit_id is not None and grant.covers_region(region):
            return grant
    raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})


def _clean_parties(parties: list[PartyInput]) -> list[PartyInput]:
    cleaned = []
    for i, p in enumerate(parties):
        name = (p.name or "").strip()
        if not name and not (p.phone or "").strip():
            continue  # an empty row of the form
        field = f"party-{i}"
        if not name:
            raise ValidationFailed.for_field(f"{field}-name", _("请填写当事人的姓名或名称。"))
        if len(name) > 100:
            raise ValidationFailed.for_field(f"{field}-name", _("当事人名称不能超过100个字。"))
        if p.side not in MediationParty.Side.values:
            raise ValidationFailed.for_field(f"{field}-side", _("请选择申请人或被申请人。"))
        if p.kind not in MediationParty.Kind.values:
            raise ValidationFailed.for_field(f"{field}-kind", _("请选择当事人类型。"))
        phone = ""
        if (p.phone or "").strip():
            try:
                phone = normalise_phone(p.phone)
            except ValidationFailed as exc:
                raise ValidationFailed.for_field(f"{field}-phone", exc.message) from None
        cleaned.append(PartyInput(p.side, p.kind, name, phone, p.resident_id))
    sides = {p.side for p in cleaned}
    if len(cleaned) < 2 or sides != set(MediationParty.Side.values):
        raise ValidationFailed.for_field("parties", _("调解至少要有一名申请人和一名被申请人。"))
    if len(cleaned) > MAX_PARTIES:
        raise ValidationFailed.for_field("parties", _("当事人不能超过%(n)d名。") % {"n": MAX_PARTIES})
    return cleaned


def mediator_kinds_for(role: str) -> list[str]:
    """Who may be named as mediator by an account of ``role``: itself (as the role mediates) or a
    mediation committee; an administrator may record any."""
    if role == Role.ADMINISTRATOR:
        return list(MediatorKind.values)
    return [KIND_OF_ROLE.get(role, MediatorKind.COMMUNITY_STAFF), MediatorKind.COMMITTEE]


def _community_of(region: Region) -> Region | None:
    return next((r for r in region.ancestors() if r.kind == Region.Kind.COMMUNITY), None)


def _channel(source: Demand | None, role: str) -> str:
    if source is not None:
        return source.channel
    return {Role.STATION_AGENT: Channel.STATION, Role.GRID_WORKER: Channel.PATROL}.get(role, Channel.MEETING)


def open_case(actor, *, dispute_type: str, title: str, description: str, region: Region | None,
              parties: list[PartyInput], mediator_kind: str = "", mediator_name: str = "",
              source: Demand | None = None) -> MediationCase:
    """Accept a dispute for mediation: the case is registered on the engine and accepted by the
    actor's unit (two events), its parties recorded, and — when it came from a demand or a
    station case — a ``refer_to_mediation`` event written on that source, all in one transaction."""
    if source is not None:
        region = source.region
        if source.kind != Kind.DEMAND:
            raise ValidationFailed.for_field("source", _("只有诉求或代办案件可以转人民调解。"))
    if region is None:
        raise ValidationFailed.for_field("region", _("请选择纠纷发生的区域。"))
    grant = _mediator_grant(actor, region)
    if dispute_type not in DisputeType.values:
        raise ValidationFailed.for_field("dispute_type", _("请选择纠纷类型。"))
    cleaned = _clean_parties(parties)
    own_kind = KIND_OF_ROLE.get(grant.role, MediatorKind.COMMUNITY_STAFF)
    mediator_kind = mediator_kind or own_kind
    if mediator_kind not in mediator_kinds_for(grant.role):
        raise ValidationFailed.for_field("mediator_kind", _("你只能本人调解，或以调解委员会的名义调解。"))
    if mediator_kind == MediatorKind.COMMITTEE:
        mediator_name = engine.require_text(mediator_name, "mediator_name", _("调解委员会名称"), 100)
        mediator_user = None
    else:
        mediator_user = actor
        mediator_name = (actor.get_full_name() or actor.get_username())[:100]
    now = clock.now()
    with transaction.atomic():
        if source is not None:
            source = Demand.objects.select_for_update(of=("self",)).select_related("region").get(pk=source.pk)
            if MediationCase.objects.filter(source=source).exclude(demand__state=State.CLOSED).exists():
                raise InvalidTransition(_("诉求 %(number)s 已在调解中。") % {"number": source.number})
        demand = engine.register_demand(
            actor, channel=_channel(source, grant.role), demand_type="help", kind=Kind.MEDIATION,
            title=title, description=description, region=region, consent=True,
            reporter=source.reporter if source is not None else None,
            address=source.address if source is not None else "")
        due = now + timedelta(days=getattr(settings, "MINSHENG_MEDIATION_DAYS", DEFAULT_MEDIATION_DAYS))
        demand = accept_case(actor, demand.pk, demand.version, payload={
            "unit_id": grant.unit_id, "mediator_kind": mediator_kind, "mediator_name": mediator_name,
            "mediator_user_id": mediator_user.pk if mediator_user else None,
            "handle_due": encode_datetime(timezone.localtime(due)),
            "source_id": source.pk if source else None})
        case = MediationCase.objects.create(
            demand=demand, dispute_type=dispute_type, community=_community_of(region),
            mediator_kind=mediator_kind, mediator_name=mediator_name, mediator_user=mediator_user,
            mediator_unit_id=grant.unit_id, source=source, opened_at=now)
        # A resident party (the source's reporter) keeps the phone of their record.
        residents = {r.pk: r for r in Resident.objects.filter(pk__in=[p.resident_id for p in cleaned if p.resident_id])}
        MediationParty.objects.bulk_create([
            MediationParty(case=case, side=p.side, kind=p.kind, name=p.name,
                           phone=p.phone or (residents[p.resident_id].phone if p.resident_id in residents else ""),
                           resident=residents.get(p.resident_id)) for p in cleaned])
        if source is not None:
            note = _("已转人民调解，调解案件 %(number)s（%(type)s）。") % {
                "number": demand.number, "type": case.get_dispute_type_display()}
            refer_source(actor, source.pk, source.version, payload={"case_demand_id": demand.pk}, note=note)
    return case


def accept_case(actor, demand_id: int, version: int, *, payload: dict[str, Any]) -> Demand:
    """受理调解, in ``open_case``'s transaction (the payload is built there)."""
    return engine.perform_transition(actor, demand_id, version, actions.ACCEPT.action, lambda d, g: payload)


def refer_source(actor, demand_id: int, version: int, *, payload: dict[str, Any], note: str) -> Demand:
    """转人民调解 on the source, in ``open_case``'s transaction."""
    return engine.perform_transition(actor, demand_id, version, actions.REFER.action, lambda d, g: payload, note)


def return_result(actor, demand_id: int, version: int, *, payload: dict[str, Any], note: str) -> Demand:
    """调解结果反馈 on the source, by the system, in the transaction of the case's outcome."""
    return engine.perform_transition(actor, demand_id, version, actions.RESULT.action, lambda d, g: payload, note)


# --- the steps of a case ----------------------------------------------------------------

def case_of(demand_id) -> MediationCase:
    case = (MediationCase.objects.select_related("demand", "source").filter(demand_id=demand_id).first()
            if isinstance(demand_id, int) else None)
    if case is None:
        raise NotFound(_("调解案件不存在。"))
    return case


def record_session(actor, demand_id: int, version: int, *, held_on: date, attendees: str, notes: str,
                   place: str = "") -> MediationSession:
    """A mediation session: when, who attended, what was said and proposed."""
    if not isinstance(held_on, date):
        raise ValidationFailed.for_field("held_on", _("请填写调解日期。"))
    check_date(held_on, "held_on")
    if held_on > clock.today():
        raise ValidationFailed.for_field("held_on", _("调解日期不能晚于今天。"))
    attendees = engine.require_text(attendees, "attendees", _("参加人员"), 300)
    notes = engine.require_text(notes, "notes", _("调解记录"), 4000)
    place = (place or "").strip()[:100]
    case = case_of(demand_id)
    holder: dict[str, MediationSession] = {}

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        if held_on < timezone.localdate(case.opened_at):
            raise ValidationFailed.for_field("held_on", _("调解日期不能早于受理日期。"))
        session = MediationSession.objects.create(case=case, held_on=held_on, place=place, attendees=attendees,
                                                  notes=notes, recorded_by=actor, recorded_at=clock.now())
        holder["session"] = session
        return {"session_id": session.pk, "held_on": held_on.isoformat()}

    with transaction.atomic():
        engine.perform_transition(actor, demand_id, version, actions.SESSION.action, build,
                                  _("%(day)s 调解：%(attendees)s") % {"day": held_on, "attendees": attendees})
    return holder["session"]


def _return_result(case: MediationCase, text: str) -> None:
    """The outcome goes back to the demand or station case the dispute came from (as the system:
    whoever mediated, the source hears of it)."""
    if case.source_id is None:
        return
    source = Demand.objects.select_for_update(of=("self",)).get(pk=case.source_id)
    if source.state in actions.RESULT.sources:
        return_result(SYSTEM, source.pk, source.version, payload={
            "case_demand_id": case.demand_id, "outcome": case.outcome}, note=text)


def _undecided(case: MediationCase) -> None:
    if case.outcome:
        raise InvalidTransition(_("调解案件 %(number)s 已有调解结果。") % {"number": case.demand.number})


def reach_agreement(actor, demand_id: int, version: int, *, matter: str, terms: str,
                    signatures: dict[int, Any], signed_on: date | None = None) -> MediationAgreement:
    """The parties agreed and signed on the screen: the agreement with every party's signature, the
    follow-up visits at the set intervals (the first one due becomes the case's deadline), and the
    result returned to the source.  Refused without a session or without every party's signature."""
    matter = engine.require_text(matter, "matter", _("纠纷事项"), 2000)
    terms = engine.require_text(terms, "terms", _("协议内容"), 4000)
    today = clock.today()
    signed_on = signed_on or today
    if signed_on > today:
        raise ValidationFailed.for_field("signed_on", _("签订日期不能晚于今天。"))
    case = case_of(demand_id)
    parties = list(case.parties.all())
    missing = [p for p in parties if not signatures.get(p.pk)]
    if missing:
        raise ValidationFailed(
            _("协议须经各方当事人签名：%(names)s 尚未签名。") % {"names": "、".join(p.name for p in missing)},
            field_errors={f"signature_{p.pk}": [_("%(name)s 尚未签名，请当事人在签名板上签名。") % {"name": p.name}]
                          for p in missing})
    images = {p.pk: clean_signature(signatures[p.pk], f"signature_{p.pk}",
                                    _("%(name)s 的签名是空白的，请当事人签名。") % {"name": p.name}) for p in parties}
    if any(image is None for image in images.values()):
        raise ValidationFailed.for_field("signatures", _("协议须经各方当事人签名。"))
    holder: dict[str, MediationAgreement] = {}

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        _undecided(case)
        if not case.sessions.exists():
            raise InvalidTransition(_("请先记录至少一次调解，再登记调解协议。"))
        now = clock.now()
        agreement = MediationAgreement.objects.create(case=case, matter=matter, terms=terms, signed_on=signed_on,
                                                      created_by=actor, created_at=now)
        for party in parties:
            signature = AgreementSignature(agreement=agreement, party=party, signed_at=now)
            signature.image.save(images[party.pk].name, images[party.pk], save=False)
            signature.save()
        follow_ups = MediationFollowUp.objects.bulk_create([
            MediationFollowUp(case=case, days=days, due_on=signed_on + timedelta(days=days))
            for days in follow_up_days()])
        MediationCase.objects.filter(pk=case.pk).update(outcome=Outcome.AGREEMENT, concluded_at=now)
        case.outcome = Outcome.AGREEMENT
        holder["agreement"] = agreement
        first = min((f.due_on for f in follow_ups), default=None)
        return {"agreement_id": agreement.pk, "signed_on": signed_on.isoformat(),
                "follow_ups": [f.due_on.isoformat() for f in follow_ups],
                "handle_due": encode_datetime(_due_at(first)) if first else None,
                "result": _("双方达成调解协议。")}

    with transaction.atomic():
        engine.perform_transition(actor, demand_id, version, actions.AGREEMENT.action, build, terms)
        _return_result(case, _("矛盾纠纷调解成功，当事人已签订调解协议（%(number)s）。") % {
            "number": case.demand.number})
    return holder["agreement"]


def record_failure(actor, demand_id: int, version: int, *, referred_to: str, reason: str) -> Demand:
    """No agreement: the case ends, the parties referred on (court, arbitration, another body)."""
    if referred_to not in Referral.values:
        raise ValidationFailed.for_field("referred_to", _("请选择纠纷的去向。"))
    reason = engine.require_text(reason, "reason", _("未成功的原因"), 2000)
    case = case_of(demand_id)
    label = Referral(referred_to).label

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        _undecided(case)
        MediationCase.objects.filter(pk=case.pk).update(outcome=Outcome.FAILED, referred_to=referred_to,
                                                        outcome_note=reason, concluded_at=clock.now())
        case.outcome = Outcome.FAILED
        return {"referred_to": referred_to, "reason": reason,
                "result": _("调解未成功，%(referral)s。") % {"referral": label}}

    with transaction.atomic():
        demand = engine.perform_transition(actor, demand_id, version, actions.FAIL.action, build, reason)
        _return_result(case, _("矛盾纠纷调解未成功，%(referral)s（%(number)s）。") % {
            "referral": label, "number": case.demand.number})
    return demand


def record_follow_up(actor, demand_id: int, version: int, *, follow_up_id: int, kept: bool,
                     note: str) -> MediationFollowUp:
    """A visit: is the agreement kept?  The next visit still to make becomes the case's deadline."""
    note = engine.require_text(note, "note", _("回访情况"), 2000)
    if kept not in (True, False):
        raise ValidationFailed.for_field("kept", _("请选择协议是否履行。"))
    case = case_of(demand_id)
    holder: dict[str, MediationFollowUp] = {}

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        if case.outcome != Outcome.AGREEMENT:
            raise InvalidTransition(_("调解协议达成之前不能回访协议履行情况。"))
        follow_up = case.follow_ups.filter(pk=follow_up_id).first() if isinstance(follow_up_id, int) else None
        if follow_up is None:
            raise ValidationFailed.for_field("follow_up_id", _("回访不存在。"))
        if follow_up.done_at is not None:
            raise InvalidTransition(_("这次回访已经记录过了。"))
        follow_up.done_at, follow_up.kept, follow_up.note, follow_up.recorded_by = clock.now(), kept, note, actor
        follow_up.save(update_fields=["done_at", "kept", "note", "recorded_by"])
        holder["follow_up"] = follow_up
        following = case.follow_ups.filter(done_at__isnull=True).order_by("due_on").first()
        return {"follow_up_id": follow_up.pk, "kept": kept,
                "handle_due": encode_datetime(_due_at(following.due_on)) if following else None}

    with transaction.atomic():
        engine.perform_transition(actor, demand_id, version, actions.FOLLOW_UP.action, build, note)
    return holder["follow_up"]


def close_case(actor, demand_id: int, version: int, *, summary: str = "") -> Demand:
    """结案 once the agreement's follow-ups are all made."""
    summary = (summary or "").strip()[:255]
    case = case_of(demand_id)

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        if case.outcome != Outcome.AGREEMENT:
            raise InvalidTransition(_("调解协议达成之后才能结案；未成功的调解请登记去向。"))
        pending = case.follow_ups.filter(done_at__isnull=True).count()
        if pending:
            raise InvalidTransition(_("还有 %(n)d 次协议履行回访未完成，不能结案。") % {"n": pending})
        kept = not case.follow_ups.filter(kept=False).exists()
        return {"reason": summary or (_("协议已履行，结案。") if kept else _("协议未完全履行，结案。")),
                "kept": kept}

    return engine.perform_transition(actor, demand_id, version, actions.CLOSE.action, build, summary)


ACTIONS = [
    (actions.ACCEPT, accept_case, actions.project_accept),
    (actions.SESSION, record_session, None),
    (actions.AGREEMENT, reach_agreement, actions.project_agreement),
    (actions.FAIL, record_failure, actions.project_end),
    (actions.FOLLOW_UP, record_follow_up, actions.project_follow_up),
    (actions.CLOSE, close_case, actions.project_end),
    (actions.REFER, refer_source, None),
    (actions.RESULT, return_result, None),
]


def reveal_party_phone(viewer, party: MediationParty) -> str:
    """A party's full phone, for a viewer whose role needs it on this case; each reveal is logged
    (people.PersonalDataAccess: the resident when the party is one, else the party named)."""
    from minsheng.people.models import PersonalDataAccess
    from minsheng.people.services import may_see_personal_data

    if not may_see_personal_data(viewer, party.case.demand):
        raise PermissionDenied(_("你的角色无权查看当事人的完整联系方式。"))
    PersonalDataAccess.objects.create(
        viewer=viewer, resident=party.resident, subject=_("调解当事人 %(name)s") % {"name": party.name[:80]},
        fields="phone", purpose=(_("矛盾纠纷调解 %(number)s") % {"number": party.case.demand.number})[:200])
    return party.phone
