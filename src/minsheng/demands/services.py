"""One function per workflow transition.

Each one: checks the actor's role (workflow.TRANSITIONS) → validates the input → locks
the demand → checks version, scope and state → writes one DemandEvent and applies it to
the Demand row, all in one transaction.  A refusal raises a ``minsheng.core.errors``
exception with a message in the user's language and changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.catalogue.attributes import clean_attributes
from minsheng.catalogue.calendar import handling_deadlines
from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
from minsheng.catalogue.selectors import dispatch_rule
from minsheng.core import clock, versioned
from minsheng.core.dates import check_date
from minsheng.core.errors import (
    InvalidTransition,
    NotFound,
    OutOfScope,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
)
from minsheng.core.images import clean_photos
from minsheng.core.text import check_fits
from minsheng.core.throttle import check_not_locked, record_failure
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import Grant, grants_with_roles
from minsheng.people.models import Resident
from minsheng.people.services import find_or_register_resident
from minsheng.people.validation import normalise_phone

from .models import CoReporter, Demand, DemandAttachment, DemandEvent, DemandNumberCounter
from .projection import EXTRA_PROJECTIONS, PROJECTED_FIELDS, apply_event, encode_datetime
from .signals import demand_transitioned
from .workflow import (
    Channel,
    Kind,
    Satisfaction,
    Solved,
    State,
    Transition,
    add_transition,
    needs_another_round,
    transition,
)

MAX_TITLE = 100
MAX_DESCRIPTION = 4000
MAX_TEXT = 2000
# The demand type of a consultation (咨询): the only one a knowledge-base answer closes.
CONSULTATION = "consultation"
# Channels through which a resident may file without an account.
PUBLIC_CHANNELS = frozenset({Channel.WEB, Channel.WECHAT})
# A resident may also file without an account on a station's own page (its QR sign).
ANONYMOUS_CHANNELS = PUBLIC_CHANNELS | {Channel.STATION}
_PUBLIC_GRANT = Grant(role=Role.RESIDENT, unit_id=None, unit_path=None, region_path=None)


# --- checks shared by every transition -------------------------------------------------

def _grants_for_action(actor, spec: Transition) -> list[Grant]:
    grants = grants_with_roles(actor, spec.roles)
    if not grants:
        raise PermissionDenied(_("你的角色不能执行“%(action)s”。") % {"action": spec.label})
    return grants


def _require_text(value: str | None, field: str, label: str, max_length: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if not text:
        message = _("请填写%(label)s。") % {"label": label}
        raise ValidationFailed.for_field(field, message)
    if len(text) > max_length:
        message = _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}
        raise ValidationFailed.for_field(field, message)
    return text


def _optional_text(value: str | None, field: str, label: str, max_length: int = MAX_TEXT) -> str:
    return _require_text(value, field, label, max_length) if (value or "").strip() else ""


def _lock(demand_id: int) -> Demand:
    # The reporter is loaded only when a resident acts (scope.Grant.covers reads it lazily).
    qs = Demand.objects.select_for_update(of=("self",)).select_related("region", "handling_unit")
    try:
        return qs.get(pk=demand_id)
    except (Demand.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("诉求不存在。")) from None


def _authorise(grants: list[Grant], spec: Transition, demand: Demand) -> Grant:
    for grant in grants:
        if grant.covers(demand, spec.scope):
            return grant
    raise OutOfScope(_("该诉求不在你的管辖范围内。"))


def _check_version(demand: Demand, version: int) -> None:
    if version != demand.version:
        raise VersionConflict(
            _("诉求 %(number)s 已被他人更新（当前版本 %(current)d，你提交的版本 %(given)s），请刷新后重试。")
            % {"number": demand.number, "current": demand.version, "given": version}
        )


def _check_state(demand: Demand, spec: Transition) -> None:
    if demand.state not in spec.sources or not spec.applies_to_case(demand):
        raise InvalidTransition(
            _("诉求 %(number)s 当前为“%(state)s”，不能%(action)s。")
            % {"number": demand.number, "state": demand.get_state_display(), "action": spec.label}
        )


def _record(demand: Demand, spec: Transition, grant: Grant, actor, payload: dict[str, Any], note: str = "",
            *, public: bool | None = None, to_state: State | None = None) -> DemandEvent:
    event = DemandEvent(
        demand=demand if demand.pk else None, seq=demand.version + 1, action=spec.action,
        from_state=demand.state or "", to_state=to_state or spec.target or demand.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None, actor_role=grant.role,
        actor_unit_id=grant.unit_id, payload=payload, note=note,
        public=spec.public if public is None else public, created_at=clock.now(),
    )
    before = None
    if demand.pk is None:
        apply_event(demand, event)
        demand.save(force_insert=True)
    else:
        before = [getattr(demand, f) for f in PROJECTED_FIELDS]
        apply_event(demand, event)
        demand.save(update_fields=[f for f, old in zip(PROJECTED_FIELDS, before, strict=True)
                                   if getattr(demand, f) != old])
    event.demand = demand
    try:
        event.save(force_insert=True)
    except IntegrityError as exc:
        # Another transaction wrote the same sequence number first; the caller's
        # transaction rolls back with this exception, so no savepoint is needed.
        raise VersionConflict(_("诉求已被他人同时更新，请刷新后重试。")) from exc
    # Receivers get the projected fields as they were before the event (None for a registration):
    # the assessment counts a round's end against the deadlines it had.
    demand_transitioned.send(sender=Demand, demand=demand, event=event,
                             before=dict(zip(PROJECTED_FIELDS, before, strict=True)) if before else None)
    return event


def _transition(actor, demand_id: int, version: int, action: str,
                build: Callable[[Demand, Grant], dict[str, Any]] | None = None, note: str = "",
                *, public: bool | None = None, to_state: State | None = None) -> Demand:
    """The common path of every transition but ``register``."""
    spec = transition(action)
    grants = _grants_for_action(actor, spec)
    with transaction.atomic():
        demand = _lock(demand_id)
        # A stale version is reported first: whoever raced ahead may have moved the demand out of
        # this actor's scope or state, and "someone changed it, reload" is the true reason.
        _check_version(demand, version)
        grant = _authorise(grants, spec, demand)
        _check_state(demand, spec)
        payload = build(demand, grant) if build else {}
        _record(demand, spec, grant, actor, payload, note, public=public, to_state=to_state)
    return demand


# Other apps' transitions (supervision orders, summonses, revisit attempts) take the same path.
perform_transition = _transition
require_text = _require_text


# --- registration --------------------------------------------------------------------

# One statement instead of an update and a read (SQLite 3.35+ and PostgreSQL both have RETURNING).
_COUNT_SQL = (f'UPDATE "{DemandNumberCounter._meta.db_table}" SET "last" = "last" + %s WHERE "day" = %s '
              'RETURNING "last"')


def reserve_numbers(day: date, count: int) -> list[str]:
    """``count`` consecutive demand numbers of ``day`` from its counter; call inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, [count, connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                DemandNumberCounter.objects.create(day=day, last=count)
        except IntegrityError:  # another transaction created the day's counter first
            DemandNumberCounter.objects.filter(day=day).update(last=F("last") + count)
        last = DemandNumberCounter.objects.get(day=day).last
    else:
        last = row[0]
    prefix = f"{day:%Y%m%d}"  # formatted once: strftime per number cost more than the UPDATE
    return [f"{prefix}{n:05d}" for n in range(last - count + 1, last + 1)]


def _next_number(at: datetime) -> str:
    return reserve_numbers(timezone.localtime(at).date(), 1)[0]


def _coordinate(value, field: str, low: int, high: int, label: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not (low <= number <= high):
        message = _("%(label)s必须是%(low)d到%(high)d之间的数字。") % {"label": label, "low": low, "high": high}
        raise ValidationFailed.for_field(field, message)
    return str(number.quantize(Decimal("0.000001")))


def _optional_url(value: str | None, field: str, label: str) -> str:
    text = _optional_text(value, field, label, 500)
    if text:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except DjangoValidationError:
            message = _("%(label)s必须是 http 或 https 网址。") % {"label": label}
            raise ValidationFailed.for_field(field, message) from None
    return text


def _optional_email(value: str | None, field: str) -> str:
    text = _optional_text(value, field, _("电子邮箱"), 254)
    if text:
        try:
            validate_email(text)
        except DjangoValidationError:
            raise ValidationFailed.for_field(field, _("“%(value)s”不是有效的电子邮箱。") % {"value": text}) from None
    return text


# Looked up in this process's copy (core.versioned, reloaded when one of them changes: see
# apps.py): the catalogue and the regions, read by every registration.
_COPIED = frozenset({DemandType, Category, TimeLimitPolicy, Region})


def _lookup(model, value, field: str, label: str, **filters):
    if isinstance(value, model):
        return value
    lookup = {"code": value} if isinstance(value, str) else {"pk": value}
    try:
        if model in _COPIED:
            found = versioned.cached((model._meta.label, *lookup.items(), *sorted(filters.items())),
                                     lambda: model.objects.filter(**lookup, **filters).first())
            if found is None:
                raise model.DoesNotExist
            return found
        return model.objects.get(**lookup, **filters)
    except (model.DoesNotExist, ValueError, TypeError):
        message = _("%(label)s“%(value)s”不存在或已停用。") % {"label": label, "value": value}
        raise ValidationFailed.for_field(field, message) from None


@dataclass
class ReporterInput:
    """A resident as the intake knows them: name and phone, optionally ID and tags."""

    name: str
    phone: str
    id_number: str = ""
    address: str = ""
    tag_codes: list[str] | None = None


@dataclass
class PreparedRegistration:
    """A registration ``prepare_registration`` checked: everything ``register_demand`` decides
    before its transaction.  ``payload`` is the register event's, without the number, reporter
    and vulnerable flag (settled when it is written)."""

    actor: Any
    grant: Grant
    payload: dict[str, Any]
    extras: dict[str, Any]
    region: Region
    demand_type: DemandType
    category: Category | None
    urgency: TimeLimitPolicy
    reporter: Resident | ReporterInput | None
    address: str
    note: str = ""
    photos: list = dataclass_field(default_factory=list)


def prepare_registration(
    actor, *, channel: str, demand_type, title: str, description: str, region: Region,
    category=None, urgency="general", reporter: Resident | ReporterInput | None = None,
    address: str = "", latitude=None, longitude=None, hide_name: bool = False, consent: bool = False,
    parent: Demand | None = None, note: str = "", photos=(), attributes=None, media_url: str = "",
    reporter_email: str = "", kind: str = Kind.DEMAND, publish_consent: bool = False,
) -> PreparedRegistration:
    """The checks of ``register_demand``, without writing anything; raises what it raises.
    ``publish_consent`` (同意公开) lets the public map show the demand (maps.public)."""
    spec = transition("register")
    if actor is None or not getattr(actor, "is_authenticated", False):
        if channel not in ANONYMOUS_CHANNELS:
            raise PermissionDenied(_("未登录时只能通过网站或微信提交诉求。"))
        grants = [_PUBLIC_GRANT]
    else:
        grants = _grants_for_action(actor, spec)
    if channel not in Channel.values:
        raise ValidationFailed.for_field("channel", _("未知的渠道“%(channel)s”。") % {"channel": channel})
    if kind not in Kind.values:
        raise ValidationFailed.for_field("kind", _("未知的类别“%(kind)s”。") % {"kind": kind})
    title = _require_text(title, "title", _("标题"), MAX_TITLE)
    description = _require_text(description, "description", _("诉求内容"), MAX_DESCRIPTION)
    address = _optional_text(address, "address", _("地址"), 255)
    demand_type = _lookup(DemandType, demand_type, "demand_type", _("诉求类型"), active=True)
    category = _lookup(Category, category, "category", _("分类"), active=True) if category else None
    urgency = _lookup(TimeLimitPolicy, urgency, "urgency", _("紧急程度"))
    latitude = _coordinate(latitude, "latitude", -90, 90, _("纬度"))
    longitude = _coordinate(longitude, "longitude", -180, 180, _("经度"))
    photos = clean_photos(photos)
    answers = clean_attributes(category, attributes)
    media_url = _optional_url(media_url, "media_url", _("图片链接"))
    reporter_email = _optional_email(reporter_email, "email")
    if (latitude is None) != (longitude is None):
        raise ValidationFailed.for_field("latitude", _("经纬度必须同时填写。"))
    if not isinstance(region, Region):
        region = _lookup(Region, region, "region", _("区域"))
    if (channel in PUBLIC_CHANNELS or grants == [_PUBLIC_GRANT]) and not consent:
        raise ValidationFailed.for_field("consent", _("请阅读并同意隐私告知后再提交。"))
    grant = next((g for g in grants if g.covers_region(region)), None)
    if grant is None:
        raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})
    if grant.resident_user_id is not None:
        reporter = Resident.objects.filter(user_id=grant.resident_user_id).first()
        if reporter is None:
            raise PermissionDenied(_("你的账号没有关联居民信息。"))
    if isinstance(reporter, ReporterInput):
        normalise_phone(reporter.phone)  # what find_or_register_resident refuses, refused before writing
        check_fits(Resident, "name", reporter.name.strip(), "reporter_name")
        check_fits(Resident, "address", reporter.address, "reporter_address")
    payload = {
        "number": None, "channel": channel, "demand_type_id": demand_type.pk,
        "category_id": category.pk if category else None, "title": title, "description": description,
        "address": address, "latitude": latitude, "longitude": longitude, "region_id": region.pk,
        "reporter_id": None, "hide_name": bool(hide_name), "consent": bool(consent), "vulnerable": False,
        "urgency_id": urgency.pk, "parent_id": parent.pk if parent else None,
        "registered_by_id": actor.pk if grant is not _PUBLIC_GRANT and actor is not None else None,
    }
    # Kept only when given, so that earlier events and their replays stay as they were.
    extras = {"attributes": answers, "media_url": media_url, "reporter_email": reporter_email,
              "kind": kind if kind != Kind.DEMAND else "", "publish_consent": bool(publish_consent)}
    return PreparedRegistration(actor, grant, payload, {k: v for k, v in extras.items() if v}, region,
                                demand_type, category, urgency, reporter, address, note, photos)


def resolve_reporter(prepared: PreparedRegistration) -> Resident | None:
    """The registration's resident, found or registered (inside the registration's transaction)."""
    reporter = prepared.reporter
    if isinstance(reporter, ReporterInput):
        reporter = find_or_register_resident(
            name=reporter.name, phone=reporter.phone, id_number=reporter.id_number,
            address=reporter.address or prepared.address, region=prepared.region, tag_codes=reporter.tag_codes,
        )
    return reporter


def registration_payload(prepared: PreparedRegistration, number: str | None, reporter: Resident | None,
                         vulnerable: bool) -> dict[str, Any]:
    """The register event's payload once its number (None: set later) and resident are known."""
    # Anyone may type a phone number on a public form, so only staff intake (who can check who is
    # calling) lets a resident's vulnerable-group tags move a demand up the queue.
    payload = {**prepared.payload, "number": number, "reporter_id": reporter.pk if reporter else None,
               "vulnerable": prepared.grant is not _PUBLIC_GRANT and vulnerable}
    payload.update(prepared.extras)
    return payload


def register_prepared(prepared: PreparedRegistration) -> Demand:
    """Write one checked registration: the demand, its register event and everything that
    follows a transition, in one transaction."""
    with transaction.atomic():
        reporter = resolve_reporter(prepared)
        at = clock.now()
        vulnerable = prepared.grant is not _PUBLIC_GRANT and bool(reporter and reporter.tags.exists())
        payload = registration_payload(prepared, _next_number(at), reporter, vulnerable)
        # The related rows in hand go on the new demand, so that what reads them next (the
        # listeners, the API's answer) does not load them again.
        demand = Demand(version=0, state="", region=prepared.region, demand_type=prepared.demand_type,
                        category=prepared.category, urgency=prepared.urgency, reporter=reporter)
        event = _record(demand, transition("register"), prepared.grant, prepared.actor, payload, prepared.note)
        _attach(demand, event.seq, prepared.photos)
    return demand


def register_demand(actor, **fields) -> Demand:
    """Register a new demand from any channel (the arguments of ``prepare_registration``).
    ``actor`` is None for a resident filing through a public channel without an account.
    ``attributes`` answers the category's extra questions (catalogue.attributes);
    ``media_url`` links a photo held elsewhere."""
    return register_prepared(prepare_registration(actor, **fields))


def _attach(demand: Demand, event_seq: int, photos: list) -> None:
    for photo in photos:
        DemandAttachment.objects.create(demand=demand, event_seq=event_seq, file=photo)


# --- triage --------------------------------------------------------------------------

def verify_demand(actor, demand_id: int, version: int, *, category=None, note: str = "") -> Demand:
    """The demand is real and complete; it waits for dispatch.  A category may be corrected."""
    category = _lookup(Category, category, "category", _("分类"), active=True) if category else None
    return _transition(actor, demand_id, version, "verify",
                       lambda d, g: {"category_id": category.pk if category else None}, note)


def reject_invalid(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    reason = _require_text(reason, "reason", _("无效原因"), 255)
    return _transition(actor, demand_id, version, "reject_invalid", lambda d, g: {"reason": reason}, reason)


def resolve_on_spot(actor, demand_id: int, version: int, *, result: str) -> Demand:
    """立接立办: the first receiver settles it at once and answers for it."""
    result = _require_text(result, "result", _("办理结果"))

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        if grant.unit_id is None:
            raise PermissionDenied(_("立接立办需要以所在单位的身份办理。"))
        return {"unit_id": grant.unit_id, "result": result}

    return _transition(actor, demand_id, version, "resolve_on_spot", build, result)


def answer_directly(actor, demand_id: int, version: int, *, article_id: int, article_version: int,
                    result: str) -> Demand:
    """直接答复: a consultation answered on the call from a published knowledge-base article and
    closed at once.  The event cites the article and the version read out, so that what the resident
    was told can be found again after the article changes (knowledge.services calls this)."""
    result = _require_text(result, "result", _("答复内容"), MAX_DESCRIPTION)

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        if grant.unit_id is None:
            raise PermissionDenied(_("直接答复需要以所在单位的身份办理。"))
        if demand.demand_type.code != CONSULTATION:
            raise ValidationFailed.for_field("demand_type", _("只有咨询类诉求可以直接答复。"))
        return {"unit_id": grant.unit_id, "result": result, "article_id": int(article_id),
                "article_version": int(article_version)}

    return _transition(actor, demand_id, version, "answer_directly", build, result)


def refer_to_expert(actor, demand_id: int, version: int, *, unit, article_id: int, article_version: int,
                    note: str = "") -> Demand:
    """转专家座席: a consultation whose article is kept by an expert seat goes straight to that unit's
    queue under the usual deadlines, the article and its version on the event."""
    unit = _lookup(Unit, unit, "unit", _("承办单位"), active=True)

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        return {"unit_id": unit.pk, "urgency_id": demand.urgency_id, "article_id": int(article_id),
                "article_version": int(article_version), **_deadline_payload(demand.urgency, clock.now())}

    return _transition(actor, demand_id, version, "refer_to_expert", build, note)


def _deadline_payload(policy: TimeLimitPolicy, start: datetime) -> dict[str, str]:
    contact_due, handle_due = handling_deadlines(policy, start)
    return {"contact_due": encode_datetime(timezone.localtime(contact_due)),
            "handle_due": encode_datetime(timezone.localtime(handle_due))}


def _stricter(policy: TimeLimitPolicy, limit: TimeLimitPolicy | None, start: datetime) -> TimeLimitPolicy:
    """The demand's urgency, or the catalogue's time limit for the matter (权责清单) when that
    one falls due earlier: the list binds the unit, and an urgent call stays urgent."""
    if limit is None or limit.pk == policy.pk:
        return policy
    return limit if handling_deadlines(limit, start)[1] < handling_deadlines(policy, start)[1] else policy


def dispatch_demand(actor, demand_id: int, version: int, *, unit=None, urgency=None, category=None,
                    note: str = "", routing: dict[str, Any] | None = None) -> Demand:
    """Assign the handling unit (by default the dispatch catalogue's) and set the deadlines.
    ``routing`` records an automatic decision on the event (the model version and its score)."""
    unit = _lookup(Unit, unit, "unit", _("承办单位"), active=True) if unit else None
    urgency = _lookup(TimeLimitPolicy, urgency, "urgency", _("紧急程度")) if urgency else None
    category = _lookup(Category, category, "category", _("分类"), active=True) if category else None

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        rule = dispatch_rule(category or demand.category, demand.region)
        target = unit or (rule.unit if rule else None)
        if target is None:
            raise ValidationFailed.for_field(
                "unit", _("派单目录中没有该分类和区域对应的承办单位，请选择承办单位。"))
        now = clock.now()
        policy = urgency or _stricter(demand.urgency, rule.time_limit if rule else None, now)
        payload = {"unit_id": target.pk, "urgency_id": policy.pk,
                   "category_id": category.pk if category else None, **_deadline_payload(policy, now)}
        if routing:
            payload["routing"] = routing
        return payload

    return _transition(actor, demand_id, version, "dispatch", build, note)


# --- handling ------------------------------------------------------------------------

def accept_demand(actor, demand_id: int, version: int, *, note: str = "") -> Demand:
    return _transition(actor, demand_id, version, "accept", None, note)


def return_demand(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    """退单: the unit is not responsible; back to the dispatcher with the reason."""
    reason = _require_text(reason, "reason", _("退单原因"))
    return _transition(actor, demand_id, version, "return", lambda d, g: {"reason": reason}, reason)


def record_progress(actor, demand_id: int, version: int, *, note: str, contact: bool = False,
                    public: bool = False) -> Demand:
    """A progress note; ``contact`` marks a contact with the resident (the first one is timed)."""
    note = _require_text(note, "note", _("进展说明"))
    return _transition(actor, demand_id, version, "record_progress", lambda d, g: {"contact": bool(contact)},
                       note, public=public)


def _no_pending(demand: Demand) -> None:
    if demand.pending_request:
        raise InvalidTransition(_("诉求 %(number)s 已有待审批的申请。") % {"number": demand.number})


def _pending(demand: Demand, kind: str) -> dict[str, Any]:
    request = demand.pending_request or {}
    if request.get("kind") != kind:
        message = _("诉求 %(number)s 没有待审批的延期申请。") if kind == "extension" else \
            _("诉求 %(number)s 没有待审批的挂账申请。")
        raise InvalidTransition(message % {"number": demand.number})
    return request


def extension_bound(demand: Demand) -> datetime | None:
    """The latest deadline an extension may set: the current deadline plus at most
    ``MINSHENG_EXTENSION_MAX_DAYS`` days and, when ``MINSHENG_EXTENSION_POLICY_MULTIPLE`` is set,
    at most that many times the time-limit policy's own limit again, whichever is earlier.  An
    unbounded extension would take a demand out of supervision for good."""
    if demand.handle_due is None:
        return None
    bound = demand.handle_due + timedelta(days=settings.MINSHENG_EXTENSION_MAX_DAYS)
    if settings.MINSHENG_EXTENSION_POLICY_MULTIPLE and demand.urgency_id:
        by_policy = demand.handle_due
        for _step in range(settings.MINSHENG_EXTENSION_POLICY_MULTIPLE):
            by_policy = handling_deadlines(demand.urgency, by_policy)[1]
        bound = min(bound, by_policy)
    return bound


def _check_extension_bound(demand: Demand, until: datetime) -> None:
    bound = extension_bound(demand)
    if bound is not None and until > bound:
        raise ValidationFailed.for_field("until", _("延期后的时限不能晚于 %(bound)s（按时限规定可延期的最长期限）。")
                                         % {"bound": f"{timezone.localtime(bound):%Y-%m-%d %H:%M}"})


def request_extension(actor, demand_id: int, version: int, *, until: datetime, reason: str) -> Demand:
    reason = _require_text(reason, "reason", _("延期理由"))
    if not isinstance(until, datetime) or timezone.is_naive(until):
        raise ValidationFailed.for_field("until", _("请填写延期后的办理时限。"))
    check_date(until, "until")

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        _no_pending(demand)
        if demand.handle_due and until <= demand.handle_due:
            raise ValidationFailed.for_field("until", _("延期后的时限必须晚于当前办理时限。"))
        _check_extension_bound(demand, until)
        return {"until": encode_datetime(timezone.localtime(until)), "reason": reason}

    return _transition(actor, demand_id, version, "request_extension", build, reason)


def approve_extension(actor, demand_id: int, version: int, *, note: str = "") -> Demand:
    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        until = _pending(demand, "extension")["until"]
        # A request filed before the bound existed (or under a longer one) is checked again:
        # the approver is told to deny it instead.
        _check_extension_bound(demand, datetime.fromisoformat(until))
        return {"handle_due": until}

    return _transition(actor, demand_id, version, "approve_extension", build, note)


def deny_extension(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    reason = _require_text(reason, "reason", _("驳回理由"))

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        _pending(demand, "extension")
        return {"reason": reason}

    return _transition(actor, demand_id, version, "deny_extension", build, reason)


def request_suspension(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    """挂账: the demand cannot be handled for now (暂不具备条件); needs approval."""
    reason = _require_text(reason, "reason", _("挂账说明"))

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        _no_pending(demand)
        return {"reason": reason}

    return _transition(actor, demand_id, version, "request_suspension", build, reason)


def approve_suspension(actor, demand_id: int, version: int, *, note: str = "") -> Demand:
    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        return {"reason": _pending(demand, "suspension")["reason"]}

    return _transition(actor, demand_id, version, "approve_suspension", build, note)


def deny_suspension(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    reason = _require_text(reason, "reason", _("驳回理由"))

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        _pending(demand, "suspension")
        return {"reason": reason}

    return _transition(actor, demand_id, version, "deny_suspension", build, reason)


def resume_demand(actor, demand_id: int, version: int, *, note: str = "") -> Demand:
    """End a suspension; the clock stood still while suspended, so the deadline moves by
    the time spent suspended."""
    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        paused = clock.now() - demand.suspended_at
        return {"handle_due": encode_datetime(timezone.localtime(demand.handle_due + paused)),
                "suspended_seconds": int(paused.total_seconds())}

    return _transition(actor, demand_id, version, "resume", build, note)


def escalate_demand(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    """上报: hand the demand to the unit one level above the one holding it."""
    reason = _require_text(reason, "reason", _("上报原因"))

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        holder = demand.handling_unit if demand.handling_unit_id else None
        if holder is None and grant.unit_id is not None:
            holder = Unit.objects.get(pk=grant.unit_id)
        upper = holder.parent if holder else None
        if upper is None or not upper.active:
            raise InvalidTransition(_("已是最高层级，无法继续上报。"))
        return {"unit_id": upper.pk, "from_unit_id": holder.pk, "reason": reason}

    return _transition(actor, demand_id, version, "escalate", build, reason)


def resolve_demand(actor, demand_id: int, version: int, *, result: str, photos=()) -> Demand:
    result = _require_text(result, "result", _("办理结果"))
    photos = clean_photos(photos)
    with transaction.atomic():  # the photos commit with the event or not at all
        demand = _transition(actor, demand_id, version, "resolve",
                             lambda d, g: {"result": result, "photos": len(photos)}, result)
        _attach(demand, demand.version, photos)  # the resolve event's sequence number
    return demand


# --- feedback and closing ------------------------------------------------------------

def _check_satisfaction(satisfaction: str) -> None:
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed.for_field("satisfaction", _("请选择满意度（满意、基本满意或不满意）。"))


def _revisit_answers(demand: Demand, satisfaction: str, solved: str | None) -> dict[str, str]:
    """The two questions of a revisit: 是否解决 (asked of every 诉求; other kinds of case may skip
    it) and 满意度."""
    _check_satisfaction(satisfaction)
    if solved in (None, "") and demand.kind != Kind.DEMAND:
        return {"satisfaction": satisfaction}
    if solved not in Solved.values:
        raise ValidationFailed.for_field("solved", _("请选择问题是否解决（已解决、部分解决或未解决）。"))
    return {"solved": solved, "satisfaction": satisfaction}


def revisit_demand(actor, demand_id: int, version: int, *, satisfaction: str, solved: str | None = None,
                   comment: str = "") -> Demand:
    """回访: ask the resident whether the problem is solved and how satisfied they are."""
    _check_satisfaction(satisfaction)
    comment = _optional_text(comment, "comment", _("回访意见"))
    return _transition(actor, demand_id, version, "revisit",
                       lambda d, g: {**_revisit_answers(d, satisfaction, solved), "comment": comment}, comment)


def close_demand(actor, demand_id: int, version: int, *, reason: str = "") -> Demand:
    """结案/销号.  Without a satisfied revisit, the reason for closing must be written down."""
    reason = _optional_text(reason, "reason", _("结案说明"), 255)

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        satisfied = demand.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
        if not satisfied and not reason:
            raise ValidationFailed.for_field("reason", _("未取得满意评价的诉求结案时必须填写结案说明。"))
        return {"reason": reason}

    return _transition(actor, demand_id, version, "close", build, reason)


def reopen_demand(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    """A dissatisfied revisit sends the demand back to its unit with new deadlines."""
    reason = _require_text(reason, "reason", _("重办原因"))

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        if not needs_another_round(demand):
            raise InvalidTransition(_("只有回访不满意或未解决的诉求才能重新办理。"))
        return {"reason": reason, **_deadline_payload(demand.urgency, clock.now())}

    return _transition(actor, demand_id, version, "reopen", build, reason)


def record_external_update(actor, demand_id: int, version: int, *, external_id: str, status: str,
                           description: str, occurred_at: datetime, media_url: str = "") -> Demand:
    """An update sent by another system about a demand it passed on (Open311
    servicerequestupdates): kept in the history for the handlers, the state untouched."""
    external_id = _require_text(external_id, "update_id", _("外部更新编号"), 64)
    status = _require_text(status, "status", _("外部状态"), 32)
    description = _require_text(description, "description", _("更新内容"), MAX_DESCRIPTION)
    media_url = _optional_url(media_url, "media_url", _("图片链接"))
    payload = {"external_id": external_id, "status": status, "occurred_at": encode_datetime(occurred_at),
               "media_url": media_url}
    return _transition(actor, demand_id, version, "external_update", lambda d, g: payload, description)


def merge_demand(actor, demand_id: int, version: int, *, into: Demand | int | str) -> Demand:
    """Merge a duplicate into another demand; its resident follows the other one's outcome."""
    if isinstance(into, Demand):
        target_pk = into.pk
    else:
        lookup = {"number": into} if isinstance(into, str) else {"pk": into}
        target_pk = Demand.objects.filter(**lookup).values_list("pk", flat=True).first()

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        # Read after the lock below, so the checks see the target as it is now.
        target = Demand.objects.select_related("region", "handling_unit", "reporter").filter(pk=target_pk).first()
        if target is None:
            raise ValidationFailed.for_field("into", _("要合并到的诉求不存在。"))
        if target.pk == demand.pk:
            raise ValidationFailed.for_field("into", _("不能把诉求合并到它自己。"))
        if target.state in (State.MERGED, State.INVALID):
            raise ValidationFailed.for_field(
                "into", _("诉求 %(number)s 已合并或无效，不能作为合并目标。") % {"number": target.number})
        if not grant.covers(target, "territory"):
            raise OutOfScope(_("要合并到的诉求不在你的管辖范围内。"))
        return {"target_id": target.pk, "target_number": target.number}

    with transaction.atomic():
        # Lock both demands in one order, so that A→B and B→A at the same moment queue up
        # (the second then finds its target merged) instead of deadlocking.
        list(Demand.objects.select_for_update().filter(pk__in=[demand_id, target_pk or demand_id]).order_by("pk"))
        return _transition(actor, demand_id, version, "merge", build)


# --- the resident, signed in (我的诉求) -----------------------------------------------

def supplement_demand(actor, demand_id: int, version: int, *, text: str, photos=()) -> Demand:
    """The resident who filed an open demand adds words and photos (补充信息): its handling unit
    and the tracking timeline see them; nothing about the demand's state or deadlines changes."""
    text = _optional_text(text, "text", _("补充内容"))
    photos = clean_photos(photos)
    if not text and not photos:
        raise ValidationFailed.for_field("text", _("请填写补充内容或添加照片。"))
    with transaction.atomic():  # the photos commit with the event or not at all
        demand = _transition(actor, demand_id, version, "supplement",
                             lambda d, g: {"text": text, "photos": len(photos)}, text)
        _attach(demand, demand.version, photos)  # the supplement event's sequence number
    return demand


def withdraw_demand(actor, demand_id: int, version: int, *, reason: str = "") -> Demand:
    """The resident who filed a demand withdraws it before any unit handles it (registered or
    waiting for dispatch); it is closed with the resident's reason."""
    reason = _optional_text(reason, "reason", _("撤回原因"), 200) or _("居民撤回")
    return _transition(actor, demand_id, version, "withdraw", lambda d, g: {"reason": reason}, reason)


def rate_as_account(actor, demand_id: int, *, satisfaction: str, solved: str | None = None,
                    comment: str = "") -> Demand:
    """The signed-in resident rates their own resolved demand, as the tracking page's rating does
    (``rate_as_resident``), once the resident role's grant shows the demand is theirs."""
    grants = _grants_for_action(actor, transition("revisit"))
    demand = Demand.objects.select_related("reporter").filter(pk=demand_id).first()
    if demand is None or not any(g.resident_user_id is not None and g.covers(demand) for g in grants):
        raise NotFound(_("没有找到该诉求。"))
    return rate_as_resident(demand.pk, satisfaction=satisfaction, solved=solved, comment=comment)


SERVICE_FOR_ACTION: dict[str, Callable[..., Demand]] = {
    "verify": verify_demand, "reject_invalid": reject_invalid, "resolve_on_spot": resolve_on_spot,
    "dispatch": dispatch_demand, "accept": accept_demand, "return": return_demand,
    "record_progress": record_progress, "request_extension": request_extension,
    "approve_extension": approve_extension, "deny_extension": deny_extension,
    "request_suspension": request_suspension, "approve_suspension": approve_suspension,
    "deny_suspension": deny_suspension, "resume": resume_demand, "escalate": escalate_demand,
    "resolve": resolve_demand, "revisit": revisit_demand, "close": close_demand, "reopen": reopen_demand,
    "merge": merge_demand, "external_update": record_external_update,
    "supplement": supplement_demand, "withdraw": withdraw_demand,
    "answer_directly": answer_directly, "refer_to_expert": refer_to_expert,
}


def register_actions(*actions: tuple[Transition, Callable[..., Demand], Callable | None]) -> None:
    """Add another app's actions to the engine, from its ``AppConfig.ready``.

    Each is (row of the transition table, the service function that performs it through
    ``perform_transition``, and the projection: a function ``(demand, event)`` that applies the
    event's payload to the demand's fields, or None when the event changes no field beyond the
    state).  Wishes and care tasks run on the engine this way, with no twin of it."""
    for spec, service, project in actions:
        add_transition(spec)
        SERVICE_FOR_ACTION[spec.action] = service
        EXTRA_PROJECTIONS[spec.action] = project


# --- the resident, without an account ------------------------------------------------

def find_demand_for_reporter(number: str, phone_last4: str, *, client: str = "") -> Demand:
    """The demand with this number whose reporter's phone ends in these 4 digits.

    A wrong number and wrong digits answer the same NotFound, so that tracking reveals
    nothing about demands one did not file; after a few misses on one number from one client,
    or many from one client, that client's tries are refused for a while (4 digits are otherwise
    guessable).  Numbers are sequential, so a count per number alone would let anyone lock any
    resident out of their own demand."""
    number, digits = (number or "").strip(), (phone_last4 or "").strip()
    limit, window = settings.MINSHENG_TRACK_MAX_FAILURES, settings.MINSHENG_TRACK_LOCK_SECONDS
    client = client or "unknown"
    check_not_locked("track-client", client, limit * 6)
    check_not_locked("track-number-client", f"{number}|{client}", limit)
    demand = Demand.objects.select_related("reporter", "region", "handling_unit").filter(number=number).first()
    # The reporter, or a resident who joined the demand (我也遇到): both follow its progress.
    if (demand is None or demand.reporter is None or len(digits) != 4 or not digits.isdigit()
            or not (demand.reporter.phone.endswith(digits)
                    or demand.co_reporters.filter(resident__phone__endswith=digits).exists())):
        record_failure("track-number-client", f"{number}|{client}", window)
        record_failure("track-client", client, window)
        raise NotFound(_("没有找到该诉求，请核对编号和手机号后四位。"))
    return demand


def rate_as_reporter(number: str, phone_last4: str, *, satisfaction: str, solved: str | None = None,
                     comment: str = "", client: str = "") -> Demand:
    """The resident rates a resolved demand from the tracking page."""
    demand = find_demand_for_reporter(number, phone_last4, client=client)
    return rate_as_resident(demand.pk, satisfaction=satisfaction, solved=solved, comment=comment)


def rate_as_resident(demand_id: int, *, satisfaction: str, solved: str | None = None, comment: str = "",
                     by: str = "reporter") -> Demand:
    """The resident, identified by the caller (tracking number and phone digits, or a signed
    revisit link), rates a resolved demand.  A dissatisfied rating within the configured window
    sends it back to its unit (reopen), as a revisit would."""
    grant, spec = _PUBLIC_GRANT, transition("revisit")
    _check_satisfaction(satisfaction)
    comment = _optional_text(comment, "comment", _("评价意见"))
    with transaction.atomic():
        demand = _lock(demand_id)
        _check_state(demand, spec)
        answers = _revisit_answers(demand, satisfaction, solved)
        _record(demand, spec, grant, None, {**answers, "comment": comment, "by": by}, comment)
        window = timedelta(days=settings.MINSHENG_RATING_REOPEN_DAYS)
        if (needs_another_round(demand) and demand.handling_unit_id
                and demand.resolved_at and clock.now() - demand.resolved_at <= window):
            reason = _("居民评价不满意，重新办理。")
            _record(demand, transition("reopen"), grant, None,
                    {"reason": reason, **_deadline_payload(demand.urgency, clock.now())}, reason)
    return demand


def join_demand(demand_id: int, *, reporter: Resident | ReporterInput, channel: str = Channel.WEB,
                consent: bool = False) -> tuple[Demand, bool]:
    """我也遇到: a resident who met the same problem joins an open demand instead of filing another
    one, so that the demand counts one more reporter and everyone following it hears of its progress
    (``selectors.residents_following``).  Without an account the resident gives a name and phone, as
    on the report form, and is found or registered the same way ``register_demand`` does.

    Returns the demand and whether the resident was added (False: they already reported or joined
    it, which is not an error for them).  The ``join`` event and the co-reporter row are written in
    one transaction."""
    spec = transition("join")
    if channel not in ANONYMOUS_CHANNELS:
        raise ValidationFailed.for_field("channel", _("未知的渠道“%(channel)s”。") % {"channel": channel})
    if isinstance(reporter, ReporterInput):
        if not consent:
            raise ValidationFailed.for_field("consent", _("请阅读并同意隐私告知后再提交。"))
        _require_text(reporter.name, "name", _("姓名"), 50)
        normalise_phone(reporter.phone)
    with transaction.atomic():
        demand = _lock(demand_id)
        if demand.state not in spec.sources or not spec.applies_to_case(demand):
            raise InvalidTransition(_("这个问题已经办结或关闭，不能再加入；如问题仍在，请提交新的诉求。"))
        resident = reporter
        if isinstance(reporter, ReporterInput):
            resident = find_or_register_resident(name=reporter.name, phone=reporter.phone, region=demand.region)
        if demand.reporter_id == resident.pk or CoReporter.objects.filter(demand=demand, resident=resident).exists():
            return demand, False
        at = clock.now()
        _record(demand, spec, _PUBLIC_GRANT, None, {"resident_id": resident.pk, "channel": channel})
        CoReporter.objects.create(demand=demand, resident=resident, channel=channel, joined_at=at)
    return demand, True
