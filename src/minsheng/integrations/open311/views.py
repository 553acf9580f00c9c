"""Open311 GeoReport v2 under /open311/v2/, in XML and JSON, plus FixMyStreet's
servicerequestupdates.  The views parse and check the parameters the specification
defines and call the same services as the staff pages."""

import functools
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from minsheng.catalogue.models import ServiceAttribute
from minsheng.catalogue.selectors import service_categories
from minsheng.core import clock
from minsheng.core.clients import client_address
from minsheng.core.dates import year_in_range
from minsheng.core.errors import MinshengError
from minsheng.core.text import check_storable
from minsheng.core.throttle import check_rate
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.workflow import OPEN_STATES

from .. import services
from ..limits import check_body_size, check_key_rate, key_owner
from ..models import ApiKey, Open311Token
from ..selectors import demands_for_caller, request_rows, update_rows
from . import documents
from .formats import error_response, respond
from .requests import parse_attributes, submit_request

MAX_RESULTS = 1000
# Our services' field names, as Open311 clients know them.
OPEN311_FIELD = {"latitude": "lat", "longitude": "long", "title": "description", "category": "service_code",
                 "region": "address_id", "reporter_email": "email", "external_id": "update_id",
                 "reporter_name": "last_name/first_name"}
MAX_WINDOW = timedelta(days=90)


class Open311Error(MinshengError):
    """A refusal phrased for Open311 clients (the status is one the specification names)."""


def _fail(status: int, message: str) -> Open311Error:
    error = Open311Error(message)
    error.status = status
    return error


def open311_view(*methods: str):
    """Check the method and every parameter, and turn every refusal into the specification's
    ``errors`` document: 400, 403, 404, or 429 (with Retry-After) for a rate limit."""

    def decorate(view):
        @csrf_exempt  # keys, not sessions, authenticate these calls
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = error_response(fmt, 405, _("此地址不支持 %(method)s 请求。") % {"method": request.method})
                response["Allow"] = ", ".join(methods)
                return response
            return _answer(view, request, *args, fmt=fmt, **kwargs)

        return wrapper

    return decorate


def _answer(view, request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
    try:
        for params in (request.GET, request.POST if request.method == "POST" else {}):
            for name in params:
                check_storable(params.getlist(name), name)
                check_storable(name, name)
        jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
        if jurisdiction and jurisdiction != settings.MINSHENG_OPEN311_JURISDICTION:
            raise _fail(404, _("未知的辖区“%(value)s”。") % {"value": jurisdiction})
        return view(request, *args, fmt=fmt, **kwargs)
    except MinshengError as refusal:
        message = refusal.message
        if refusal.field_errors:
            field, messages = next(iter(refusal.field_errors.items()))
            message = f"{OPEN311_FIELD.get(field, field)}: {messages[0]}"
        # The specification names 400, 403 and 404: a conflict or a reused key is a bad request
        # to its clients; a rate limit keeps its 429 and Retry-After.
        status = refusal.status if refusal.status in (403, 404, 429) else 400
        return error_response(fmt, status, message, retry_after=getattr(refusal, "retry_after", None))


def _api_key(request: HttpRequest, *, required: bool) -> ApiKey | None:
    # A POST carries its key in the body only, so that it stays out of access logs.  A GET may send
    # it as X-API-Key (preferred: never in a log); one in the query string is still accepted, as
    # the specification allows, and the logs' filters and gunicorn_conf's access format drop it.
    if request.method == "POST":
        raw = request.POST.get("api_key")
    else:
        raw = request.headers.get("X-API-Key") or request.GET.get("api_key")
    key = services.authenticate_api_key(raw) if raw else None
    if raw and key is None:
        raise _fail(403, _("api_key 无效或已停用。"))
    if required and key is None:
        raise _fail(403, _("此操作需要 api_key。"))
    if key is not None:
        check_key_rate(key)  # one count with the JSON API's
    else:
        _public_rate(request)
    return key


def _public_rate(request: HttpRequest) -> None:
    check_rate("open311-client", client_address(request), settings.MINSHENG_OPEN311_PUBLIC_RATE)


def _reader(request: HttpRequest) -> ApiKey | None:
    """The key reading, or None for the public view; a key without "read" reads as the public."""
    key = _api_key(request, required=not settings.MINSHENG_OPEN311_PUBLIC_READ)
    if key is not None and not key.allows(services.READ):
        if not settings.MINSHENG_OPEN311_PUBLIC_READ:
            raise _fail(403, _("该接口密钥未被授权查询。"))
        return None
    return key


def _datetime_param(request: HttpRequest, name: str, *, end_of_day: bool = False) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    # A date alone (read as that day's midnight) means its whole day: from its first moment,
    # or, as an end, up to its last.
    moment = clock.parse_moment(raw)
    if moment is not None and not year_in_range(moment.year):
        raise _fail(400, _("%(name)s 超出可处理的日期范围。") % {"name": name})
    if moment is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) and end_of_day:
        moment += timedelta(days=1, microseconds=-1)
    if moment is None:
        raise _fail(400, _("%(name)s 必须是 W3C 日期时间，例如 2026-11-01T00:00:00+08:00。") % {"name": name})
    return moment


def _window(request: HttpRequest) -> tuple[datetime, datetime]:
    start, end = _datetime_param(request, "start_date"), _datetime_param(request, "end_date", end_of_day=True)
    if start and end:
        if end < start:
            raise _fail(400, _("end_date 不能早于 start_date。"))
        if end - start > MAX_WINDOW:
            raise _fail(400, _("start_date 与 end_date 之间不能超过90天。"))
    elif start:
        end = start + MAX_WINDOW
    elif end:
        start = end - MAX_WINDOW
    else:
        end = clock.now()
        start = end - MAX_WINDOW
    return start, end


def _list_param(request: HttpRequest, name: str) -> list[str]:
    return [v.strip() for raw in request.GET.getlist(name) for v in raw.split(",") if v.strip()]


def _page(request: HttpRequest) -> tuple[int, int]:
    def number(name: str, default: int, high: int | None) -> int:
        raw = request.GET.get(name, "").strip()
        if not raw:
            return default
        if not re.fullmatch(r"[0-9]{1,6}", raw) or int(raw) < 1 or (high and int(raw) > high):
            limit = f"1–{high}" if high else "1–999999"
            raise _fail(400, _("%(name)s 必须是整数（%(limit)s）。") % {"name": name, "limit": limit})
        return int(raw)

    return number("page", 1, None), number("page_size", MAX_RESULTS, MAX_RESULTS)


def _demands_for(key: ApiKey | None):
    return Demand.objects.all() if key is None else demands_for_caller(key.user, key)


# --- the specification's methods -------------------------------------------------------

@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    _public_rate(request)
    base = request.build_absolute_uri("/open311/v2/")
    data = documents.discovery(base, settings.MINSHENG_OPEN311_CONTACT)
    return respond(fmt, "discovery", data)


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _public_rate(request)
    categories = list(service_categories())
    with_questions = set(ServiceAttribute.objects.filter(active=True).values_list("category_id", flat=True))
    return respond(fmt, "services", [documents.service(c, c.pk in with_questions) for c in categories])


@open311_view("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    _public_rate(request)
    category = service_categories().filter(code=code).first()
    if category is None:
        raise _fail(404, _("服务代码“%(code)s”不存在。") % {"code": code})
    return respond(fmt, "service_definition", documents.service_definition(category))


@open311_view("GET", "POST")
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    key = _reader(request)
    demands = _demands_for(key)
    ids = _list_param(request, "service_request_id")
    if ids:  # the specification: this overrides every other argument
        demands = demands.filter(number__in=ids[:MAX_RESULTS])
    else:
        codes = _list_param(request, "service_code")
        if codes:
            known = set(service_categories().filter(code__in=codes).values_list("code", flat=True))
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise _fail(400, _("服务代码“%(code)s”不存在。") % {"code": unknown[0]})
            demands = demands.filter(category__code__in=codes)
        statuses = set(_list_param(request, "status"))
        if statuses - {"open", "closed"}:
            raise _fail(400, _("status 只能是 open 或 closed。"))
        if statuses == {"open"}:
            demands = demands.filter(state__in=OPEN_STATES)
        elif statuses == {"closed"}:
            demands = demands.exclude(state__in=OPEN_STATES)
        start, end = _window(request)
        demands = demands.filter(registered_at__gte=start, registered_at__lte=end)
    page, size = _page(request)
    rows = request_rows(demands.order_by("-registered_at", "-pk")[(page - 1) * size:page * size], public=key is None)
    return respond(fmt, "service_requests", [documents.service_request(r, full=key is not None) for r in rows])


@open311_view("GET")
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    key = _reader(request)
    rows = request_rows(_demands_for(key).filter(number=request_id), public=key is None)
    if not rows:
        raise _fail(404, _("诉求“%(id)s”不存在。") % {"id": request_id})
    return respond(fmt, "service_requests", [documents.service_request(rows[0], full=key is not None)])


@open311_view("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    _public_rate(request)
    found = Open311Token.objects.select_related("demand").filter(token=token).first()
    if found is None:
        raise _fail(404, _("令牌“%(token)s”不存在。") % {"token": token})
    return respond(fmt, "service_requests", [{"service_request_id": found.demand.number, "token": found.token}])


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    _check_form_encoded(request)
    key = _api_key(request, required=True)
    services.check_key_allows(key, services.REGISTER)
    data = request.POST
    attributes = parse_attributes(data)
    fields = {name: data.get(name, "") for name in (
        "service_code", "lat", "long", "address_string", "address_id", "email", "device_id", "account_id",
        "first_name", "last_name", "phone", "description", "media_url")}

    def create():
        demand = submit_request(key, fields, attributes)
        token = Open311Token.objects.create(token=secrets.token_urlsafe(16), demand=demand, api_key=key)
        return demand, token

    def render(created):
        demand, token = created
        return [{"service_request_id": demand.number, "token": token.token, "service_notice": "",
                 "account_id": fields["account_id"] or None}]

    fingerprint = services.request_hash({"fields": fields, "attributes": attributes})
    body, _replayed = services.create_once(key_owner(key), request.headers.get("Idempotency-Key"), fingerprint,
                                           create, render)
    return respond(fmt, "service_requests", body, status=201)


def _check_form_encoded(request: HttpRequest) -> None:
    check_body_size(request)  # answered 400, as Open311 names no 413
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise _fail(400, _("请求必须以表单编码提交（application/x-www-form-urlencoded）。"))


# --- FixMyStreet's service request updates --------------------------------------------

@open311_view("GET", "POST")
def updates_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_update(request, fmt)
    key = _reader(request)
    start, end = _window(request)
    demands = _demands_for(key)
    events = (DemandEvent.objects.filter(demand__in=demands.values("pk"), public=True,
                                         created_at__gte=start, created_at__lte=end)
              .exclude(action="register").order_by("created_at", "pk"))
    page, size = _page(request)
    rows = update_rows(events[(page - 1) * size:page * size])
    full = key is not None
    return respond(fmt, "service_request_updates", [documents.service_request_update(r, full=full) for r in rows])


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    _check_form_encoded(request)
    key = _api_key(request, required=True)
    data = request.POST
    number = data.get("service_request_id", "").strip()
    demand = _demands_for(key).filter(number=number).first() if number else None
    if demand is None:
        raise _fail(404, _("诉求“%(id)s”不存在。") % {"id": number})
    services.check_key_allows(key, "external_update", demand.region)
    occurred = data.get("updated_datetime", "").strip()
    moment = clock.parse_moment(occurred, naive_is_local=False) if occurred else None
    if moment is None:
        raise _fail(400, _("updated_datetime 必须是带时区的 W3C 日期时间。"))
    status = data.get("status", "").strip().upper()
    if status not in set(documents.UPDATE_STATUS.values()) | {"OPEN", "CLOSED"}:
        raise _fail(400, _("status 必须是 OPEN、CLOSED 或 FixMyStreet 扩展状态之一。"))
    external_id = data.get("update_id", "").strip()
    if not external_id:
        raise _fail(400, _("请提供 update_id。"))
    fields = {"service_request_id": number, "update_id": external_id, "status": status,
              "updated_datetime": occurred, "description": data.get("description", ""),
              "media_url": data.get("media_url", "")}

    def create() -> DemandEvent:
        updated = services.apply_with_current_version(
            lambda version: demand_services.record_external_update(
                key.user, demand.pk, version, external_id=external_id, status=status,
                description=fields["description"], occurred_at=moment, media_url=fields["media_url"]),
            demand.pk)
        return updated.events.order_by("-seq").first()

    body, _replayed = services.create_once(
        key_owner(key) + ":updates", external_id, services.request_hash(fields), create,
        lambda event: [{"update_id": documents.update_id(number, event.seq)}],
        reused_message=_("这个 update_id 已用于另一条不同的更新。"))
    return respond(fmt, "service_request_updates", body, status=201)

