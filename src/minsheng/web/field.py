"""The phone app of the field roles (grid worker, station agent, care worker, volunteer): which
tabs its bottom bar shows, and how a form queued offline on the phone is written exactly once.

The phone queues a form it could not send (``web/static/web/field.js``, IndexedDB) with a UUID it
made when the form was filled, and sends it again, as often as it takes, with that UUID in the
``Idempotency-Key`` header.  ``replayable`` runs the create once per (account, key) through the
API's idempotency record (``integrations.services.create_once``): a replay gets the first answer
back and writes nothing, so a form sent twice (the answer lost in a basement) is one record."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.core.errors import MinshengError
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of

# The lists a field worker opens every day: served from the phone's cache at once and refreshed
# behind it (stale-while-revalidate in /sw.js); every other page is network-first.
LIST_PATHS = ("/work/stations/cases/", "/work/care/", "/care/worker/", "/volunteer/", "/meals/deliveries/",
              "/work/inbox/")


def _care_worker(user) -> bool:
    from minsheng.homecare.access import provider_of

    return provider_of(user) is not None


def _role_tabs(user) -> tuple[list[tuple[str, str, str]], bool]:
    """The tabs of this account's field roles, in order, and whether any of them queues forms offline."""
    if not getattr(user, "is_authenticated", False):
        return [], False
    roles = roles_of(user)
    tabs: list[tuple[str, str, str]] = []
    if Role.GRID_WORKER in roles:
        tabs += [(reverse("grids:patrol"), _("巡查"), "route"), (reverse("care:home"), _("走访"), "home")]
    if Role.STATION_AGENT in roles:
        tabs += [(reverse("stations:cases"), _("代办事项"), "list"), (reverse("stations:intake"), _("受理"), "plus")]
    if Role.DEPARTMENT_HANDLER in roles and _care_worker(user):
        tabs.append((reverse("homecare:worker"), _("服务任务"), "list"))
    offline_forms = bool(tabs)
    if Role.VOLUNTEER in roles and not roles & {Role.ADMINISTRATOR, Role.STREET_DISPATCHER, Role.LEADER}:
        # A volunteer confirms a meal delivery at the door, often offline: it is queued too.  The wish
        # wall is a link on the volunteer's home (and on 更多), and kept in the phone's cache (_warm).
        tabs += [(reverse("web:volunteer_home"), _("志愿"), "heart"), (reverse("meals:deliveries"), _("送餐"), "route")]
        offline_forms = True
    return tabs, offline_forms


# A bottom bar holds five tabs at most (as a mini-program's does): the roles' own, then 待发送, 消息
# and 更多 — the page with everything else the top navigation holds on a wide screen.
_MAX_TABS = 5


def field_tabs(user) -> list[tuple[str, str, str]]:
    """(url, label, icon) of the bottom tab bar, or [] for an account with no field role.  An
    account with several field roles gets the first tabs of its roles, then 待发送 (when it can
    queue forms), 消息 and 更多."""
    return _bar(*_role_tabs(user))


def _bar(tabs: list[tuple[str, str, str]], offline_forms: bool) -> list[tuple[str, str, str]]:
    if not tabs:
        return []
    ends = ([(reverse("web:field_queue"), _("待发送"), "upload")] if offline_forms else []) + [
        (reverse("web:inbox"), _("消息"), "bell"), (reverse("web:more"), _("更多"), "more")]
    return tabs[:_MAX_TABS - len(ends)] + ends


def tabbar(request: HttpRequest) -> dict:
    """Context processor: ``field_tabs`` for base.html's bottom bar (shown below 700 px wide)."""
    user = getattr(request, "user", None)
    roles_tabs, offline_forms = _role_tabs(user) if user is not None else ([], False)
    tabs = _bar(roles_tabs, offline_forms)
    if not tabs:
        return {"field_tabs": [], "field_config": None}
    under = [url for url, _label, _icon in tabs if request.path.startswith(url)]
    active = max(under, key=len) if under else None
    return {"field_tabs": [{"url": url, "label": label, "icon": icon, "active": url == active}
                           for url, label, icon in tabs],
            "field_config": {"sw": reverse("web:service_worker"), "user": user.pk, "logout": reverse("logout"),
                             "warm": [{"url": url, "list": url in LIST_PATHS} for url in _warm(tabs, roles_tabs)],
                             "texts": _texts()}}


def _warm(tabs: list[tuple[str, str, str]], roles_tabs: list[tuple[str, str, str]]) -> list[str]:
    """The pages field.js keeps in the phone's cache: the tabs, the roles' tabs that did not fit on
    the bar, and a volunteer's wish wall and 我的认领 — a wish is fulfilled at the wisher's door,
    often without signal, from that page."""
    urls = [url for url, _label, _icon in tabs]
    urls += [url for url, _label, _icon in roles_tabs if url not in urls]
    if reverse("web:volunteer_home") in urls:
        urls += [reverse("wishes:wall"), reverse("wishes:mine")]
    return urls


def _texts() -> dict[str, str]:
    """What field.js says, in the page's language (the app has no JavaScript catalogue)."""
    return {"pending": _("等待发送"), "sending": _("正在发送…"), "failed": _("未被接受"),
            "queued": _("已保存在手机上，联网后自动发送。"), "offline": _("没有网络，联网后自动发送。"),
            "signin": _("登录已过期：重新登录后自动发送。"), "server": _("服务器暂时无法接收，稍后重试。"),
            "photos": _("%s 张附件"), "discard": _("放弃这一条"),
            "confirmDiscard": _("放弃后这条记录不会再发送，确定吗？"),
            "waiting": _("%s 条记录等待发送"), "offlineBanner": _("离线：记录会保存在手机上，联网后自动发送。"),
            "logoutWaiting": _("还有 %s 条记录没有发送，退出后它们会留在这台手机上，下次登录后发送。确定退出吗？"),
            "noPosition": _("无法获取当前位置：请允许定位后重试。"),
            "searching": _("正在定位…"), "accuracy": _("已定位，精度约 %s 米。"),
            "needSignature": _("请老人或家属在框内签名。"),
            "needCheckIn": _("请先签到，结束服务时签退。")}


def is_queued(request: HttpRequest) -> bool:
    """A form sent by the phone's queue (it answers JSON) rather than by a page's plain submit."""
    return "Idempotency-Key" in request.headers


def _fingerprint(request: HttpRequest) -> str:
    from minsheng.integrations.services import request_hash

    fields = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
    files = {key: [(f.name, f.size) for f in request.FILES.getlist(key)] for key in request.FILES}
    return request_hash({"path": request.path, "fields": fields, "files": files})


def replays(view: Callable) -> Callable:
    """Decorates a view that takes queued forms: a key already answered gets its first answer back
    before the view looks anything up — the task a visit resolved is no longer "my task", the
    patrol a finish ended is no longer open, yet the phone must hear that its item arrived."""
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if is_queued(request) and request.method == "POST":
            from minsheng.integrations.services import remembered_answer

            if request.headers.get("X-Minsheng-Account", str(request.user.pk)) != str(request.user.pk):
                return other_account()

            try:
                known = remembered_answer(f"user:{request.user.pk}", request.headers["Idempotency-Key"],
                                          _fingerprint(request))
            except MinshengError as exc:
                return refused(exc.message, exc.field_errors, exc.status)
            if known is not None:
                response = JsonResponse(known, status=200)
                response["Idempotent-Replayed"] = "true"
                return response
        return view(request, *args, **kwargs)
    return wrapper


def replayable(request: HttpRequest, create: Callable[[], dict[str, Any]], *, flash: bool = False) -> JsonResponse:
    """Run ``create`` (which calls a service and returns what the phone shows: a message and the
    record's number) once per Idempotency-Key of this account; 201 the first time, 200 with
    ``Idempotent-Replayed`` for a replay, the service's refusal as 4xx JSON (nothing is stored,
    so the phone shows why and keeps the item for the worker to discard).  ``flash``: the body's
    message is also shown on the next page (the phone shows its page afresh once the item is in)."""
    from minsheng.integrations.services import create_once

    owner = f"user:{request.user.pk}"
    try:
        body, replayed = create_once(owner, request.headers["Idempotency-Key"], _fingerprint(request), create,
                                     lambda body: body)
    except MinshengError as exc:
        return refused(exc.message, exc.field_errors, exc.status)
    if flash and not replayed and body.get("message"):
        messages.success(request, body["message"])
    response = JsonResponse(body, status=200 if replayed else 201)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def other_account() -> JsonResponse:
    """An item queued by another account than the one signed in now (a phone shared by two workers,
    or the service worker sending while someone else is signed in): kept on the phone, sent once
    its own account is signed in again, never recorded under this one."""
    return JsonResponse({"error": _("这条记录是另一个账号在这台手机上记下的，该账号登录后再发送。"), "retry": True},
                        status=409)


def refused(message: str, fields: dict | None = None, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": str(message), "fields": {k: [str(m) for m in v] if isinstance(v, list | tuple)
                                                           else [str(v)] for k, v in (fields or {}).items()}},
                        status=status)


def form_refused(form) -> JsonResponse:
    """A queued form the server cannot accept as it stands (a field the phone left wrong)."""
    errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    first = next(iter(errors.values()), [_("提交的内容不完整。")])[0]
    return refused(first, errors, 400)
