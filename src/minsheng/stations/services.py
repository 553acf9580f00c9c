"""State-changing work of the stations: taking a case in (at the counter or through the QR
sign), handling it in one of the four ways on the demand engine, agents' 喜报 and the yearly
awards.  Every case change goes through the engine's services, in one transaction with the side
table, so a refusal leaves nothing half-written."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import NotFound, PermissionDenied, ValidationFailed
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel, State
from minsheng.notifications.services import enqueue
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_with_roles, roles_of

from . import actions
from .models import Agent, Award, ServiceItem, ServiceNotice, Station, StationCase, Way


def _service_item(station: Station, code: str | None) -> ServiceItem | None:
    if not code:
        return None
    item = station.service_items.filter(code=code, active=True).first()
    if item is None:
        raise ValidationFailed.for_field("service_item", _("本站不提供该服务事项。"))
    return item


def _agent_of(actor) -> Agent | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return Agent.objects.filter(user=actor).first()


def take_in(actor, station: Station, *, service_item: str | None = None, demand_type="help",
            urgency="general", **demand_fields) -> Demand:
    """受理: a new station case.  ``actor`` is the agent at the counter, or None for a resident
    filing through the station's QR page.  ``demand_fields`` are ``register_demand``'s (title,
    description, reporter, address, consent, photos…); the region is the station's own."""
    if not station.unit.active:
        raise NotFound(_("代办站不存在或已停用。"))
    item = _service_item(station, service_item)
    demand_fields.setdefault("latitude", station.latitude)
    demand_fields.setdefault("longitude", station.longitude)
    with transaction.atomic():
        demand = engine.register_demand(actor, channel=Channel.STATION, demand_type=demand_type, urgency=urgency,
                                        region=station.unit.region, **demand_fields)
        StationCase.objects.create(demand=demand, station=station, service_item=item,
                                   agent=_agent_of(actor), taken_at=demand.registered_at)
    return demand


def _case(demand_id: int) -> StationCase:
    case = StationCase.objects.select_related("demand").filter(demand_id=demand_id).first()
    if case is None:
        raise NotFound(_("代办案件不存在。"))
    return case


def _record_way(case: StationCase, actor, way: str, promised_at: datetime | None = None) -> None:
    case.way, case.promised_at = way, promised_at
    case.agent = _agent_of(actor) or case.agent
    case.save(update_fields=["way", "promised_at", "agent"])


def _verified(actor, demand: Demand, version: int) -> tuple[Demand, int]:
    """核实: a registered case is verified first (the engine's own row, which checks the version)."""
    if demand.state == State.REGISTERED:
        demand = engine.verify_demand(actor, demand.pk, version, note=_("代办员核实"))
        return demand, demand.version
    return demand, version


def handle_on_spot(actor, demand_id: int, version: int, *, result: str) -> Demand:
    """立接立办: done on the spot (the engine's resolve_on_spot)."""
    with transaction.atomic():
        case = _case(demand_id)
        demand = engine.resolve_on_spot(actor, demand_id, version, result=result)
        _record_way(case, actor, Way.ON_SPOT)
    return demand


def undertake_case(actor, demand_id: int, version: int, *, way: str, note: str,
                   promised_at: datetime | None = None) -> Demand:
    """限时代办 (``promised_at`` required: the case's deadline is the promise) or 指引协办 (the agent
    goes through it with the resident; ``promised_at`` is the appointment, optional)."""
    with transaction.atomic():
        case = _case(demand_id)
        demand, version = _verified(actor, case.demand, version)
        demand = actions.undertake(actor, demand.pk, version, way=way, promised_at=promised_at, note=note)
        _record_way(case, actor, way, promised_at)
    return demand


def report_up(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    """上报联办: verified and reported up; the street dispatches it through the engine."""
    with transaction.atomic():
        case = _case(demand_id)
        demand, version = _verified(actor, case.demand, version)
        demand = actions.report(actor, demand.pk, version, reason=reason)
        _record_way(case, actor, Way.JOINT)
    return demand


def register_station_actions() -> None:
    """The station's rows, their services (these, which keep the side table in step) and
    projections, added to the engine (from ``StationsConfig.ready``)."""
    engine.register_actions((actions.UNDERTAKE_ROW, undertake_case, actions.PROJECTIONS[actions.UNDERTAKE]),
                            (actions.REPORT_ROW, report_up, actions.PROJECTIONS[actions.REPORT]))


# --- 喜报 and awards -----------------------------------------------------------------------

def send_service_notice(actor, agent: Agent, year: int) -> ServiceNotice:
    """喜报: report an in-service member's year of station service to their own organisation,
    by email through the outbox (the printable notice is the page of the returned row)."""
    from .selectors import record_book

    if not grants_with_roles(actor, {Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR}):
        raise PermissionDenied(_("只有社区、街道工作人员可以报送喜报。"))
    if agent.kind != "in_service":
        raise ValidationFailed.for_field("agent", _("只有双报到的在职党员才报送喜报。"))
    if not agent.home_organisation_email:
        raise ValidationFailed.for_field("agent", _("请先登记该党员所在单位党组织的邮箱。"))
    cases = len(record_book(agent, year))
    if cases == 0:
        raise ValidationFailed.for_field("year", _("%(year)d年没有代办记录，无需报送。") % {"year": year})
    with transaction.atomic():
        notice = ServiceNotice.objects.create(agent=agent, year=year, cases=cases,
                                              sent_to=agent.home_organisation or agent.home_organisation_email,
                                              sent_by=actor, sent_at=clock.now())
        enqueue(channel="email", address=agent.home_organisation_email, source="stations.notice",
                message="stations.service_notice",
                params={"name": agent.resident.name, "station": agent.station.name, "year": year, "n": cases})
    return notice


def select_awards(actor, year: int, *, count: int, funds_each) -> list[Award]:
    """评选表彰: the top ``count`` stations of the year's ranking get an award with these funds.
    Selecting again for the same year replaces the earlier selection."""
    from .selectors import yearly_ranking

    if Role.ADMINISTRATOR not in roles_of(actor) and Role.LEADER not in roles_of(actor):
        raise PermissionDenied(_("只有领导或管理员可以评定年度表彰。"))
    if not isinstance(count, int) or count < 1:
        raise ValidationFailed.for_field("count", _("表彰数量必须是正整数。"))
    try:
        funds = Decimal(str(funds_each)).quantize(Decimal("0.01"))
    except InvalidOperation:
        funds = Decimal(-1)
    if not funds.is_finite() or funds < 0:
        raise ValidationFailed.for_field("funds_each", _("奖励资金必须是不小于0的金额。"))
    ranking = [row for row in yearly_ranking(year) if row.cases > 0][:count]
    now = clock.now()
    with transaction.atomic():
        Award.objects.filter(year=year).delete()
        return Award.objects.bulk_create([
            Award(station=row.station, year=year, rank=row.rank, score=Decimal(f"{row.score:.2f}"), funds=funds,
                  decided_by=actor, decided_at=now) for row in ranking])
