"""Caring for people in difficulty: the register with its plans, visits by risk level, a visit's
problem turned into a demand, and the periodic flag of overdue visits."""

import logging
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import NotFound, OutOfScope, ValidationFailed
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel
from minsheng.grids.selectors import covers_region
from minsheng.notifications.services import notify_users
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident
from minsheng.people.validation import normalise_phone

from .models import CarePerson, CareVisit
from .schedule import next_due

logger = logging.getLogger(__name__)
CARERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
MAX_TEXT = 2000


def _text(value: str, field: str, label: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed.for_field(field, _("请填写%(label)s。") % {"label": label})
    if len(text) > MAX_TEXT:
        raise ValidationFailed.for_field(field, _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": MAX_TEXT})
    return text



def _check_choice(value: str, choices, field: str) -> None:
    if value not in choices.values:
        raise ValidationFailed.for_field(field, _("“%(value)s”不是可选的值。") % {"value": value})


def _may_care(actor, person: CarePerson) -> bool:
    return person.responsible_id == getattr(actor, "pk", None) or covers_region(actor, person.region, CARERS)


def register_person(actor, resident: Resident, *, category: str, risk: str, plan: str, responsible,
                    responsible_name: str = "", responsible_phone: str = "", services: str = "",
                    region: Region | None = None) -> CarePerson:
    """Put a resident on the register of people in difficulty, with a plan and a named responsible
    person; the first visit falls due one interval of the risk level after registration."""
    region = region or resident.region
    if region is None:
        raise ValidationFailed.for_field("region", _("请先为该居民填写所属网格。"))
    if region.kind in (Region.Kind.ESTATE, Region.Kind.BUILDING, Region.Kind.ENTRANCE):
        region = region.nearest(Region.Kind.GRID) or region
    if not covers_region(actor, region, CARERS):
        raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})
    _check_choice(category, CarePerson.Category, "category")
    _check_choice(risk, CarePerson.Risk, "risk")
    plan = _text(plan, "plan", _("一人一策"))
    services = _text(services, "services", _("承诺服务"), required=False)
    name = (responsible_name or responsible.get_full_name() or responsible.username).strip()[:50]
    phone = normalise_phone(responsible_phone)
    if CarePerson.objects.filter(resident=resident).exists():
        raise ValidationFailed.for_field("resident", _("该居民已在困难群体名册中。"))
    today = clock.today()
    return CarePerson.objects.create(
        resident=resident, region=region, category=category, risk=risk, plan=plan, services=services,
        responsible=responsible, responsible_name=name, responsible_phone=phone, registered_on=today,
        next_visit_due=next_due(today, risk))


def _person_for(actor, person_id: int, *, lock: bool = False) -> CarePerson:
    qs = CarePerson.objects.select_related("region", "resident")
    if lock:
        qs = qs.select_for_update(of=("self",))
    person = qs.filter(pk=person_id, active=True).first()
    if person is None:
        raise NotFound(_("走访对象不存在。"))
    if not _may_care(actor, person):
        raise OutOfScope(_("该走访对象不在你的管辖范围内。"))
    return person


def change_risk(actor, person_id: int, risk: str) -> CarePerson:
    """A new risk level reschedules the next visit from the last one (or the registration)."""
    _check_choice(risk, CarePerson.Risk, "risk")
    with transaction.atomic():
        person = _person_for(actor, person_id, lock=True)
        last = person.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
        person.risk = risk
        person.next_visit_due = next_due(last or person.registered_on, risk)
        person.save(update_fields=["risk", "next_visit_due"])
    return person


def record_visit(actor, person_id: int, *, found: str, visited_on: date | None = None, risk: str = "",
                 problem_title: str = "", problem: str = "", photos=(), demand_type: str = "help",
                 category=None) -> CareVisit:
    """Record a visit and schedule the next one.  A visit that finds a problem (``problem``) opens a
    demand for it in the same transaction, reported on behalf of the person visited."""
    found = _text(found, "found", _("走访情况"))
    visited_on = visited_on or clock.today()
    if visited_on > clock.today():
        raise ValidationFailed.for_field("visited_on", _("走访日期不能晚于今天。"))
    if risk:
        _check_choice(risk, CarePerson.Risk, "risk")
    problem = (problem or "").strip()
    with transaction.atomic():
        person = _person_for(actor, person_id, lock=True)
        risk = risk or person.risk
        demand: Demand | None = None
        if problem:
            demand = demand_services.register_demand(
                actor, channel=Channel.PATROL, demand_type=demand_type, category=category,
                title=(problem_title or "").strip() or _("走访发现：%(name)s") % {"name": person.resident.name},
                description=problem, region=person.region, reporter=person.resident,
                address=person.resident.address, photos=photos, note=_("关爱走访发现"))
        visit = CareVisit.objects.create(person=person, visitor=actor, visited_on=visited_on, risk=risk,
                                         found=found, demand=demand, created_at=clock.now())
        last = person.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
        person.risk = risk
        person.next_visit_due = next_due(last, risk)
        person.save(update_fields=["risk", "next_visit_due"])
    return visit


def flag_overdue_visits(now: datetime | None = None) -> int:
    """Tell the responsible person and the community's staff, once per missed due date, about each
    visit that is overdue."""
    today = timezone.localdate(now or clock.now())
    overdue = list(CarePerson.objects.filter(active=True, next_visit_due__lt=today)
                   .exclude(overdue_flagged_for=F("next_visit_due"))
                   .select_related("resident", "region", "responsible")[:5000])
    if not overdue:
        return 0
    community_ids = {p.region.parent_id for p in overdue}
    units = Unit.objects.filter(region_id__in=community_ids, kind=Unit.Kind.COMMUNITY_COMMITTEE, active=True)
    staff: dict[int, list] = {}
    for user in get_user_model().objects.filter(
            is_active=True, memberships__active=True, memberships__role=Role.COMMUNITY_STAFF,
            memberships__unit__in=units).annotate(community_id=F("memberships__unit__region_id")):
        staff.setdefault(user.community_id, []).append(user)
    for person in overdue:
        with transaction.atomic():
            recipients = {u.pk: u for u in [person.responsible, *staff.get(person.region.parent_id, [])]}
            notify_users(recipients.values(), message="care.visit_overdue", params={
                "name": person.resident.name, "day": person.next_visit_due.isoformat()},
                link=reverse("care:person", args=[person.pk]), source="care_overdue")
            CarePerson.objects.filter(pk=person.pk).update(overdue_flagged_for=person.next_visit_due)
    logger.info("flagged %d overdue care visits", len(overdue))
    return len(overdue)

