"""Residents' own accounts: sign in by phone and a text-message code (or WeChat, then a phone once),
and a resident's own demand — its timeline, more information or photos, withdrawal, rating.

The rules are the services' (``people.signin`` for codes and accounts, ``demands.services`` for
the demand's transitions); these views only carry the input and show the refusals."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.clients import client_address
from minsheng.core.errors import MinshengError
from minsheng.demands import selectors, services
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Kind, State
from minsheng.people import signin, wechat
from minsheng.people.validation import mask_phone

from ..forms import CodeSignInForm, PhoneSignInForm, RatingForm, SupplementForm, WithdrawForm, add_service_errors
from ..homes import home_url

SESSION_PHONE = "signin_phone"
SESSION_NEXT = "signin_next"
# What a resident may do on their own demand from its page, in the order the page offers them.
RESIDENT_ACTIONS = ("supplement", "withdraw", "revisit")


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


def _finish_sign_in(request: HttpRequest, user) -> HttpResponse:
    """Sign ``user`` in (a new session key), bind a pending WeChat openid, and go on."""
    openid = request.session.pop(wechat.SESSION_OPENID, None)
    following = request.session.pop(SESSION_NEXT, "")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if openid:
        signin.bind_wechat(user, openid)
    return redirect(_safe_next(request, following) or home_url(user))


def sign_in(request: HttpRequest) -> HttpResponse:
    """登录: a phone number, then the code sent to it.  Both steps answer alike for any phone."""
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    if request.method == "GET" and (following := _safe_next(request, request.GET.get("next"))):
        request.session[SESSION_NEXT] = following
    phone = request.session.get(SESSION_PHONE, "")
    phone_form = PhoneSignInForm(initial={"phone": phone})
    code_form = CodeSignInForm()
    status = 200
    step = request.POST.get("step") if request.method == "POST" else ("code" if phone else "phone")
    if step == "resend" and phone:  # the phone the session already asked for (the page never shows it whole)
        step, phone_form = "send", PhoneSignInForm({"phone": phone})
    if step == "send":
        phone_form = phone_form if phone_form.is_bound else PhoneSignInForm(request.POST)
        if phone_form.is_valid():
            try:
                phone = signin.request_code(phone_form.cleaned_data["phone"], client=client_address(request))
            except MinshengError as exc:
                add_service_errors(phone_form, exc)
                status = exc.status
            else:
                request.session[SESSION_PHONE] = phone
                messages.success(request, _("验证码已发送至 %(phone)s，%(minutes)d 分钟内有效。") % {
                    "phone": mask_phone(phone), "minutes": int(settings.MINSHENG_SIGNIN_CODE_MINUTES)})
                return redirect("web:sign_in")
        else:
            status = 400
        step = "code" if request.session.get(SESSION_PHONE) and request.POST.get("step") == "resend" else "phone"
    elif step == "verify" and phone:
        code_form = CodeSignInForm(request.POST)
        if code_form.is_valid():
            try:
                signin.verify_code(phone, code_form.cleaned_data["code"], client=client_address(request))
                user = signin.account_for_phone(phone)
            except MinshengError as exc:
                add_service_errors(code_form, exc)
                status = exc.status
            else:
                request.session.pop(SESSION_PHONE, None)
                return _finish_sign_in(request, user)
        else:
            status = 400
        step = "code"
    elif step == "other":
        request.session.pop(SESSION_PHONE, None)
        return redirect("web:sign_in")
    elif step not in ("phone", "code") or (step == "code" and not phone):
        step = "phone"
    return render(request, "web/resident/sign_in.html", {
        "step": step, "phone_form": phone_form, "code_form": code_form, "masked_phone": mask_phone(phone),
        "wechat": wechat.enabled(), "binding_wechat": bool(request.session.get(wechat.SESSION_OPENID))},
        status=status)


def wechat_start(request: HttpRequest) -> HttpResponse:
    """Off to WeChat's authorisation page (inside WeChat's browser)."""
    if not wechat.enabled():
        raise Http404(_("未启用微信登录。"))
    adapter = wechat.WeChatSignIn(request.build_absolute_uri(reverse("web:wechat_callback")))
    return redirect(adapter.start(request.session))


def wechat_callback(request: HttpRequest) -> HttpResponse:
    """WeChat's answer: signed in when the openid is bound, else on to prove a phone once."""
    if not wechat.enabled():
        raise Http404(_("未启用微信登录。"))
    adapter = wechat.WeChatSignIn(request.build_absolute_uri(reverse("web:wechat_callback")))
    try:
        openid = adapter.openid(request.session, request.GET.get("code", ""), request.GET.get("state", ""))
    except MinshengError as exc:
        messages.error(request, exc.message)
        return redirect("web:sign_in")
    user = signin.account_for_openid(openid)
    if user is not None:
        return _finish_sign_in(request, user)
    request.session[wechat.SESSION_OPENID] = openid
    messages.info(request, _("首次使用微信登录，请验证一次手机号码，以后从微信进入即可直接登录。"))
    return redirect("web:sign_in")


def _own_demand(request: HttpRequest, pk: int) -> Demand:
    """The signed-in resident's own demand (filed by the resident behind the account), else 404."""
    demand = (Demand.objects.select_related("region", "reporter", "category", "handling_unit")
              .filter(pk=pk, kind=Kind.DEMAND, reporter__user=request.user).first())
    if demand is None:
        raise Http404(_("没有找到该诉求。"))
    return demand


def _offered(user, demand: Demand) -> set[str]:
    return {t.action for t in selectors.available_actions(user, demand)} & set(RESIDENT_ACTIONS)


def _detail(request: HttpRequest, demand: Demand, *, supplement=None, withdraw=None, rating=None,
            status: int = 200) -> HttpResponse:
    offered = _offered(request.user, demand)
    if "supplement" in offered and supplement is None:
        supplement = SupplementForm(initial={"version": demand.version})
    if "withdraw" in offered and withdraw is None:
        withdraw = WithdrawForm(initial={"version": demand.version})
    if "revisit" in offered and demand.state == State.RESOLVED and rating is None:
        rating = RatingForm(kind=demand.kind)
    merged_into = selectors.merge_target(demand)
    return render(request, "web/resident/demand.html", {
        "demand": demand, "time_status": selectors.time_status(demand, clock.now()),
        "timeline": selectors.public_timeline(demand), "merged_into": merged_into,
        "withdrawn": demand.state == State.CLOSED and demand.events.filter(action="withdraw").exists(),
        "merged_timeline": selectors.public_timeline(merged_into) if merged_into else [],
        "supplement": supplement if "supplement" in offered else None,
        "withdraw": withdraw if "withdraw" in offered else None,
        "rating": rating if "revisit" in offered else None}, status=status)


# A resident whose session ended signs in again by phone, not on the staff sign-in page.
resident_login_required = login_required(login_url="web:sign_in")


@resident_login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _own_demand(request, pk))


def _act(request: HttpRequest, pk: int, slot: str, make_form, take, done: str) -> HttpResponse:
    """One resident action on their own demand: a valid form → ``take(demand, data)`` (the
    service) → a message and back to the demand's page; otherwise the page again with the form's
    errors in its ``slot`` (supplement, withdraw, rating)."""
    demand = _own_demand(request, pk)
    form = make_form(demand)
    if form.is_valid():
        try:
            take(demand, form.cleaned_data)
        except MinshengError as exc:
            add_service_errors(form, exc)
            return _detail(request, _own_demand(request, pk), **{slot: form}, status=exc.status)
        messages.success(request, done)
        return redirect("web:my_demand", pk=pk)
    return _detail(request, demand, **{slot: form}, status=400)


@resident_login_required
@require_POST
def demand_supplement(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "supplement", lambda demand: SupplementForm(request.POST, request.FILES),
                lambda demand, data: services.supplement_demand(request.user, demand.pk, data["version"],
                                                                text=data["text"], photos=data["photos"]),
                _("补充信息已提交，办理单位可以看到。"))


@resident_login_required
@require_POST
def demand_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "withdraw", lambda demand: WithdrawForm(request.POST),
                lambda demand, data: services.withdraw_demand(request.user, demand.pk, data["version"],
                                                              reason=data["reason"]),
                _("诉求已撤回。"))


@resident_login_required
@require_POST
def demand_rate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "rating", lambda demand: RatingForm(request.POST, kind=demand.kind),
                lambda demand, data: services.rate_as_account(request.user, demand.pk, **data),
                _("感谢您的评价。"))
