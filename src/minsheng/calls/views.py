"""The phone system's event endpoint, the operator's screen pop, and the leader's seat figures.
Thin: every rule is in services.py and selectors.py."""

import json
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.clients import client_address
from minsheng.core.errors import MinshengError
from minsheng.demands import selectors as demand_selectors
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of
from minsheng.web.actions import perform

from . import poll, selectors, services
from .models import OPERATOR_OUTCOMES, CallRecord

FIGURE_ROLES = frozenset({Role.LEADER, Role.ADMINISTRATOR})


def _error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"ok": False, "error": code, "message": message, "fields": fields or {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def events(request: HttpRequest) -> JsonResponse:
    """POST a call event (form fields or a JSON object) with the phone system's token in
    ``Authorization: Bearer cti_…`` or ``X-CTI-Token``.  200 with ``duplicate`` saying whether the
    event was already taken; ``warnings`` lists ``unknown_seat`` for an extension with no seat."""
    if request.method != "POST":
        return _error(405, "method_not_allowed", _("只接受 POST。"))
    header = request.META.get("HTTP_AUTHORIZATION", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else request.META.get("HTTP_X_CTI_TOKEN")
    try:
        system = services.authenticate_phone_system(token, client_address(request))
    except MinshengError as exc:
        return _error(exc.status, exc.code, exc.message)
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return _error(400, "invalid_json", _("请求体不是有效的 JSON。"))
        if not isinstance(data, dict):
            return _error(400, "invalid_json", _("请求体必须是 JSON 对象。"))
    else:
        data = request.POST
    try:
        event = services.parse_event(data)
        result = services.record_event(system, event)
    except MinshengError as exc:
        return _error(exc.status, exc.code, exc.message, exc.field_errors)
    body = {"ok": True, "callId": result.call_id, "event": event.event, "duplicate": result.duplicate,
            "warnings": result.warnings}
    if "unknown_seat" in result.warnings:
        body["message"] = _("分机 %(ext)s 没有登记坐席：来电已记录，但不会弹屏。") % {"ext": event.extension}
    # Plain json.dumps: the body holds only strings, booleans and lists (no DjangoJSONEncoder needed).
    return HttpResponse(json.dumps(body, ensure_ascii=False).encode(), content_type="application/json")


def live(request: HttpRequest) -> HttpResponse:
    """The screen pop's poll (every 750 ms): the id of the call on this operator's line, or null.
    Reached past the pages' middleware (calls.middleware); the checks are calls.poll's."""
    return poll.answer(request)


def _intake_roles() -> frozenset:
    from minsheng.web.views.staff import INTAKE_ROLES

    return INTAKE_ROLES


@login_required
@never_cache
def pop(request: HttpRequest, pk: int) -> HttpResponse:
    """The caller of a call answered at this operator's seat — no one else's."""
    try:
        call = services.own_call(request.user, pk)
    except MinshengError:
        raise Http404 from None
    profile = (selectors.caller_profile(request.user, call.caller, _intake_roles(), _("来电弹屏")) if call.caller
               else {"resident": None, "exists": False, "history": [], "open_demands": [], "phone": ""})
    repeats = selectors.repeat_calls(call.caller, call.offered_at)
    # Seconds on the line so far, by the server's clock: the bar's timer counts on from it.
    elapsed = max(0, int(((call.ended_at or clock.now()) - call.answered_at).total_seconds()))
    return render(request, "calls/_pop.html", {
        "call": call, **profile, "elapsed": elapsed, "repeats": repeats,
        "repeat_days": settings.MINSHENG_CTI_REPEAT_DAYS,
        "repeat_warning": repeats > settings.MINSHENG_CTI_REPEAT_CALLS,
        "outcomes": [(o.value, o.label) for o in OPERATOR_OUTCOMES], "next": request.GET.get("next", "")})


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    perform(request, lambda: services.set_outcome(request.user, pk, request.POST.get("outcome", "")),
            lambda call: _("来电 %(id)s 已记为：%(o)s") % {"id": call.call_id, "o": call.get_outcome_display()})
    return redirect(_back(request, "web:queue"))


@login_required
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    """A caller calling about an earlier demand: the call is kept on that demand."""
    demand = demand_selectors.demands_visible_to(request.user).filter(pk=request.POST.get("demand") or 0).first() \
        if (request.POST.get("demand") or "").isdigit() else None
    if demand is None:
        raise Http404
    if not perform(request, lambda: services.link_demand(request.user, pk, demand, outcome="follow_up"),
                   _("来电已关联诉求 %(n)s。") % {"n": demand.number}):
        return redirect(_back(request, "web:queue"))
    return redirect("web:demand", pk=demand.pk)


def _day(value: str | None, default: date) -> date:
    """A day of the figures' range; ValueError for a malformed one or one the calendar cannot
    step past (9999-12-31 has no next day)."""
    day = date.fromisoformat(value) if value else default
    if not date(1970, 1, 1) <= day <= date(9998, 12, 31):
        raise ValueError(value)
    return day


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """坐席统计 for the centre's leader: one day or a range of days."""
    if not roles_of(request.user) & FIGURE_ROLES:
        raise Http404
    today = timezone.localdate()
    error = None
    try:
        start_day = _day(request.GET.get("start"), today)
        end_day = _day(request.GET.get("end"), start_day)
    except ValueError:
        error = _("日期格式不正确，应为 2026-12-01 这样的格式。")
        start_day = end_day = today
    if end_day < start_day or (end_day - start_day).days > 92:
        error = _("结束日期须不早于开始日期，且最多 93 天。")
        start_day = end_day = today
    start, _unused = selectors.day_bounds(start_day)
    _unused, end = selectors.day_bounds(end_day)
    report = selectors.seat_report(start, end)
    return render(request, "calls/figures.html", {
        "report": report, "start_day": start_day, "end_day": end_day, "error": error,
        "previous_day": start_day - timedelta(days=1)}, status=400 if error else 200)


def intake_call(request: HttpRequest) -> CallRecord | None:
    """The call an intake form was opened from (``?call=`` or the posted ``call``), if any; a call
    that is not the user's, or already has its demand, is a refusal."""
    raw = request.POST.get("call") or request.GET.get("call") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return services.call_for_intake(request.user, int(raw))
