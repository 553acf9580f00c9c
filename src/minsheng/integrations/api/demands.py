"""/api/demands: create (once per Idempotency-Key), read, list, history, and every workflow
action with the version the caller read."""

import base64
import binascii
import inspect
import re
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from minsheng.catalogue.models import Category
from minsheng.core import clock, versioned
from minsheng.core.dates import check_date
from minsheng.core.errors import MinshengError, NotFound, ValidationFailed
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand
from minsheng.demands.registrar import registrar
from minsheng.demands.selectors import events_of, search_q, time_status
from minsheng.demands.workflow import (
    INTEGRATION_ACTIONS,
    KNOWLEDGE_ACTIONS,
    RESIDENT_ACTIONS,
    TRANSITIONS,
    Channel,
    State,
)
from minsheng.organisation.models import Region
from minsheng.people.validation import mask_phone
from minsheng.search.selectors import MAX_QUERY

from .. import services
from ..selectors import demands_for_caller
from .auth import Caller
from .schemas import ActionIn, DemandIn, DemandOut, DemandPage, Error, EventOut, InputSchema

router = Router(tags=["demands"])
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 413: Error, 415: Error, 429: Error}
MAX_PAGE = 200
NUMBER = re.compile(r"[0-9A-Za-z_-]{1,20}")



def _takes_only_action_fields(action: str) -> bool:
    parameters = inspect.signature(demand_services.SERVICE_FOR_ACTION[action]).parameters.values()
    return all(p.name in ActionIn.model_fields for p in parameters
               if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty)


# Every transition the action document can express (register has its own call).
ACTIONS = sorted(a for a in set(TRANSITIONS) - {"register"} - INTEGRATION_ACTIONS - RESIDENT_ACTIONS - KNOWLEDGE_ACTIONS
                 if _takes_only_action_fields(a))
ActionName = StrEnum("ActionName", {a: a for a in ACTIONS})


class PreconditionRequired(MinshengError):
    code = "version_required"
    status = 428


def _local(moment: datetime | None) -> datetime | None:
    """Answers carry local time with its offset (+08:00), as Open311's do."""
    return timezone.localtime(moment) if moment else None


def demand_document(d: Demand) -> dict:
    reporter = None
    if d.reporter_id:
        reporter = {"name": d.reporter.name, "phone": mask_phone(d.reporter.phone)}
    return {
        "number": d.number, "version": d.version, "state": d.state, "state_label": d.get_state_display(),
        "time_status": time_status(d, clock.now()), "channel": d.channel, "demand_type": d.demand_type.code,
        "category": d.category.code if d.category_id else None, "title": d.title, "description": d.description,
        "address": d.address, "latitude": float(d.latitude) if d.latitude is not None else None,
        "longitude": float(d.longitude) if d.longitude is not None else None,
        "region": d.region.code, "region_name": d.region.name,
        "handling_unit": d.handling_unit.code if d.handling_unit_id else None,
        "handling_unit_name": d.handling_unit.name if d.handling_unit_id else None,
        "urgency": d.urgency.code, "reporter": reporter, "contact_due": _local(d.contact_due),
        "handle_due": _local(d.handle_due), "registered_at": _local(d.registered_at),
        "updated_at": _local(d.updated_at), "resolved_at": _local(d.resolved_at), "closed_at": _local(d.closed_at),
        "result": d.result, "satisfaction": d.satisfaction, "solved": d.solved,
        "merged_into": d.merged_into.number if d.merged_into_id else None,
    }


def _queryset(caller: Caller):
    return demands_for_caller(caller.user, caller.key).select_related("merged_into")


def _find(caller: Caller, number: str) -> Demand:
    demand = _queryset(caller).filter(number=number).first() if NUMBER.fullmatch(number) else None
    if demand is None:
        raise NotFound(_("诉求不存在或不在你的管辖范围内。"))
    return demand


def _get(caller: Caller, number: str) -> Demand:
    services.check_key_allows(caller.key, services.READ)
    return _find(caller, number)


def _etag(response: HttpResponse, demand: Demand) -> None:
    response["ETag"] = f'"{demand.version}"'


@router.post("/demands", response={201: DemandOut, 409: Error, 422: Error, **ERRORS}, summary="Register a demand")
def create_demand(request: HttpRequest, response: HttpResponse, payload: DemandIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Registers a demand through the same service as the intake page.  Send an
    ``Idempotency-Key`` (any unique string per demand) and a retried request returns the
    first answer instead of registering a second demand."""
    caller: Caller = request.auth
    region = _region(payload.region)
    if region is None:
        raise ValidationFailed.for_field("region", _("区域“%(value)s”不存在。") % {"value": payload.region})
    services.check_key_allows(caller.key, services.REGISTER, region)
    data = payload.dict()
    fingerprint = services.request_hash(data)
    owner = caller.owner
    if idempotency_key:
        services.check_idempotency_key(idempotency_key)
        known = services.remembered_answer(owner, idempotency_key, fingerprint)
        if known is not None:
            return _created(response, known, replayed=True)
    reporter = data.pop("reporter")
    prepared = demand_services.prepare_registration(
        caller.user, **{**data, "region": region},
        reporter=demand_services.ReporterInput(**reporter) if reporter else None)

    def render(demand: Demand) -> dict:
        return DemandOut.model_validate(demand_document(demand)).model_dump(mode="json")

    def alone() -> tuple[dict, bool]:
        return services.create_once(owner, idempotency_key, fingerprint,
                                    lambda: demand_services.register_prepared(prepared), render)

    # Written with the other registrations of this process waiting at that moment, in one
    # transaction (demands.registrar); answered once committed.
    if not settings.MINSHENG_GROUP_COMMIT:
        body, replayed = alone()
    elif idempotency_key:
        def remembered(demand: Demand) -> tuple[dict, bool]:
            body = render(demand)
            services.remember_answer(owner, idempotency_key, fingerprint, body, demand)
            return body, False

        body, replayed = registrar.register(prepared, remembered, alone)
    else:
        # Nothing to remember: the document goes out as it is (ninja does not validate it again).
        document = DemandOut.model_validate(demand_document(registrar.register(prepared)))
        response["ETag"] = f'"{document.version}"'
        return Status(201, document)
    return _created(response, body, replayed=replayed)


def _created(response: HttpResponse, body: dict, *, replayed: bool):
    response["ETag"] = f'"{body["version"]}"'
    if replayed:
        response["Idempotent-Replayed"] = "true"  # the first answer again; nothing new was registered
    return Status(201, body)


def _region(code: str) -> Region | None:
    """This process's copy of the region (reloaded when a region changes: core.versioned)."""
    return versioned.cached(("api-region", code), lambda: Region.objects.filter(code=code).first())


class DemandFilters(InputSchema):
    state: list[State] = []
    channel: list[Channel] = []
    category: str | None = None
    region: str | None = None
    registered_after: str | None = None
    registered_before: str | None = None
    cursor: str | None = None
    limit: int = 50
    # Words of the title, description, result or progress notes (all of them), or a demand number.
    q: str | None = None


def _decode_cursor(cursor: str) -> int:
    try:
        value = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        value = ""
    if not re.fullmatch(r"d\d{1,18}", value):
        raise ValidationFailed.for_field("cursor", _("cursor 无效，请使用上一页返回的 next_cursor。"))
    return int(value[1:])


def _encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"d{pk}".encode()).decode().rstrip("=")


def _moment(value: str, field: str) -> datetime:
    moment = clock.parse_moment(value)
    if moment is None:
        raise ValidationFailed.for_field(field, _("%(field)s 必须是 ISO 8601 日期时间。") % {"field": field})
    return check_date(moment, field)


@router.get("/demands", response={200: DemandPage, **ERRORS}, summary="List demands")
def list_demands(request: HttpRequest, filters: Query[DemandFilters]):
    """Newest first, ``limit`` (1–200) at a time; follow ``next_cursor`` for the rest.  The
    cursor stays right while new demands arrive.  ``q`` keeps the demands whose title,
    description, result or progress notes hold every word of it (or the demand of that number)."""
    caller: Caller = request.auth
    services.check_key_allows(caller.key, services.READ)
    if not 1 <= filters.limit <= MAX_PAGE:
        raise ValidationFailed.for_field("limit", _("limit 必须在 1 到 %(n)d 之间。") % {"n": MAX_PAGE})
    demands = _queryset(caller)
    if filters.state:
        demands = demands.filter(state__in=filters.state)
    if filters.channel:
        demands = demands.filter(channel__in=filters.channel)
    if filters.category:
        demands = demands.filter(category__path__startswith=_category_path(filters.category))
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise ValidationFailed.for_field("region", _("区域“%(value)s”不存在。") % {"value": filters.region})
        demands = demands.filter(region__path__startswith=region.path)
    if filters.registered_after:
        demands = demands.filter(registered_at__gte=_moment(filters.registered_after, "registered_after"))
    if filters.registered_before:
        demands = demands.filter(registered_at__lt=_moment(filters.registered_before, "registered_before"))
    if filters.q and len(filters.q) > MAX_QUERY:
        raise ValidationFailed.for_field("q", _("q 不能超过 %(n)d 个字符。") % {"n": MAX_QUERY})
    if filters.q and filters.q.strip():
        demands = demands.filter(search_q(filters.q))
    if filters.cursor:
        demands = demands.filter(pk__lt=_decode_cursor(filters.cursor))
    page = list(demands.order_by("-pk")[:filters.limit + 1])
    more = len(page) > filters.limit
    page = page[:filters.limit]
    return {"items": [demand_document(d) for d in page],
            "next_cursor": _encode_cursor(page[-1].pk) if more else None}


def _category_path(code: str) -> str:
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise ValidationFailed.for_field("category", _("分类“%(value)s”不存在。") % {"value": code})
    return category.path


@router.get("/demands/{number}", response={200: DemandOut, **ERRORS}, summary="Read a demand")
def read_demand(request: HttpRequest, response: HttpResponse, number: str):
    """The demand as it is now; its ``ETag`` is its version."""
    demand = _get(request.auth, number)
    _etag(response, demand)
    return demand_document(demand)


@router.get("/demands/{number}/events", response={200: list[EventOut], **ERRORS}, summary="A demand's history")
def demand_events(request: HttpRequest, number: str):
    demand = _get(request.auth, number)
    return [{"seq": e.seq, "action": e.action, "action_label": e.action_label, "from_state": e.from_state,
             "to_state": e.to_state, "actor_role": e.actor_role,
             "actor_unit": e.actor_unit.code if e.actor_unit_id else None, "note": e.note, "public": e.public,
             "created_at": _local(e.created_at)} for e in events_of(demand)]


def _version(body_version: int | None, if_match: str | None) -> int:
    header = None
    if if_match:
        match = re.fullmatch(r'\s*(?:W/)?"?(\d{1,9})"?\s*', if_match)
        if match is None:
            raise ValidationFailed.for_field("If-Match", _("If-Match 必须是读取时得到的 ETag，例如 \"3\"。"))
        header = int(match.group(1))
    if header is not None and body_version is not None and header != body_version:
        raise ValidationFailed.for_field("version", _("If-Match 与 version 不一致。"))
    version = header if header is not None else body_version
    if version is None:
        raise PreconditionRequired(_("请提供读取时的版本（If-Match 请求头或 version 字段），以免覆盖他人的更新。"))
    return version


def _kwargs_for(action: str, payload: ActionIn) -> dict:
    """The payload's fields the action's service takes; unknown ones and missing required
    ones are refused by name."""
    signature = inspect.signature(demand_services.SERVICE_FOR_ACTION[action])
    parameters = {name: p for name, p in signature.parameters.items()
                  if p.kind is inspect.Parameter.KEYWORD_ONLY and name != "photos"}
    given = {name: value for name, value in payload.dict().items() if value is not None and name != "version"}
    for name in given:
        if name not in parameters:
            accepted = ", ".join(sorted(parameters)) or "—"
            raise ValidationFailed.for_field(name, _("“%(action)s”不使用 %(field)s（可用：%(accepted)s）。")
                                             % {"action": action, "field": name, "accepted": accepted})
    for name, parameter in parameters.items():
        if parameter.default is inspect.Parameter.empty and name not in given:
            raise ValidationFailed.for_field(name, _("请提供 %(field)s。") % {"field": name})
    for name, value in given.items():
        if isinstance(value, datetime) and timezone.is_naive(value):
            given[name] = timezone.make_aware(value)  # a time without an offset is local time
    return given


@router.post("/demands/{number}/actions/{action}", response={200: DemandOut, 409: Error, 428: Error, **ERRORS},
             summary="Take a workflow action")
def act_on_demand(request: HttpRequest, response: HttpResponse, number: str, action: ActionName, payload: ActionIn,
                  if_match: str | None = Header(None, alias="If-Match")):
    """One workflow transition (``verify``, ``dispatch``, ``accept``, ``resolve``, ``revisit``,
    ``close``…), through the same service as the staff pages.  A version other than the
    demand's current one answers 409: read it again and decide again."""
    caller: Caller = request.auth
    action = action.value
    demand = _find(caller, number)
    services.check_key_allows(caller.key, action, demand.region)
    version = _version(payload.version, if_match)
    kwargs = _kwargs_for(action, payload)
    demand_services.SERVICE_FOR_ACTION[action](caller.user, demand.pk, version, **kwargs)
    # Read back unscoped: the action may have moved the demand out of the actor's scope (a
    # return, an escalation), and the actor is owed the outcome of what they just did.
    demand = Demand.objects.select_related("region", "handling_unit", "demand_type", "category", "urgency",
                                           "reporter", "merged_into").get(pk=demand.pk)
    _etag(response, demand)
    return demand_document(demand)
