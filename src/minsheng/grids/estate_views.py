"""Estates, the property evaluation, chiefs and notices to residents (docs/estates.md).  Thin: the
rules are in ``grids.estates`` and ``notifications.notices``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.audit.models import AuditEntry
from minsheng.core.errors import MinshengError
from minsheng.core.keys import MAX_KEY
from minsheng.core.pdf import pdf_response
from minsheng.demands.models import Demand
from minsheng.demands.workflow import OPEN_STATES
from minsheng.notifications import notices
from minsheng.notifications.models import Notice, NoticeReply
from minsheng.organisation.models import Region
from minsheng.organisation.scope import demand_filter
from minsheng.people.models import Resident
from minsheng.people.validation import mask_phone
from minsheng.web.actions import perform, submit
from minsheng.web.forms import add_service_errors
from minsheng.web.views.staff import _staff_required

from . import estates
from .forms import ChiefForm, EvaluationForm, NoticeForm, ReplyForm
from .models import Chief, Estate

OPEN_DEMANDS_SHOWN = 20
RESIDENTS_SHOWN = 200
CHIEF_HISTORY_SHOWN = 20


# --- estates (office) -----------------------------------------------------------------------------

@_staff_required
def estate_list(request: HttpRequest) -> HttpResponse:
    """Every estate of the territory with its three parties and this year's evaluation."""
    year = estates.current_year()
    rows = [{"estate": e, "tally": estates.tally(e, year)} for e in estates.estates_visible_to(request.user)
            .filter(region__isnull=False)]
    others = estates.estates_visible_to(request.user).filter(region__isnull=True).count()
    return render(request, "grids/estates.html", {"rows": rows, "year": year, "others": others})


def _open_demands(user, estate: Estate):
    if estate.region_id is None:
        return []
    return list(Demand.objects.filter(demand_filter(user), region__path__startswith=estate.region.path,
                                      state__in=list(OPEN_STATES))
                .select_related("region", "handling_unit").order_by("-registered_at")[:OPEN_DEMANDS_SHOWN])


def _estate(request: HttpRequest, pk: int) -> Estate:
    estate = estates.estates_visible_to(request.user).filter(pk=pk).first()
    if estate is None:
        raise Http404(_("小区不存在或不在你的管辖范围内。"))
    return estate


def label_places(places: list[Region]) -> list[tuple[Region, str]]:
    """Each place with a chief as the appointment form names it: "3号楼 · 楼栋长", "3号楼 1单元 · 单元长"."""
    labels = {Region.Kind.GRID: _("网格长"), Region.Kind.BUILDING: _("楼栋长"), Region.Kind.ENTRANCE: _("单元长")}
    return [(r, f"{r.parent.name} {r.name} · {labels[r.kind]}" if r.kind == Region.Kind.ENTRANCE
             else f"{r.name} · {labels[r.kind]}") for r in places]


def _chief_places(estate: Estate) -> list[tuple[Region, str]]:
    """The places of an estate that have a chief: its grid, its buildings and their units."""
    if estate.region_id is None:
        return []
    places = [estate.grid] if estate.grid_id and estate.grid.kind == Region.Kind.GRID else []
    places += list(Region.objects.filter(path__startswith=estate.region.path, kind__in=[
        Region.Kind.BUILDING, Region.Kind.ENTRANCE]).select_related("parent").order_by("path"))
    return label_places(places)


def chiefs_context(request: HttpRequest, places: list[tuple[Region, str]], appointer_over: Region,
                   chief_form=None) -> dict:
    """The chiefs section (grids/_chiefs.html) for these places — the estate's page and the grid's
    page (its buildings outside any estate) show the same one: the chiefs in office with their
    phones masked and, for those who appoint over ``appointer_over``, the form and 任免记录."""
    regions = [r for r, _label in places]
    chiefs = list(Chief.objects.filter(region__in=regions, active=True).select_related("region", "user")
                  .order_by("region__path", "kind"))
    for chief in chiefs:
        chief.holder = estates.holder_name(chief)
        chief.masked_phone = mask_phone(chief.phone) if chief.phone else ""
    context = {"chiefs": chiefs}
    if estates.may_appoint(request.user, appointer_over):
        ids = [str(pk) for pk in Chief.objects.filter(region__in=regions).values_list("pk", flat=True)]
        context["chief_form"] = chief_form or ChiefForm(places=places)
        context["chief_history"] = AuditEntry.objects.filter(
            object_type="grids.chief", object_id__in=ids).order_by("-at", "-pk")[:CHIEF_HISTORY_SHOWN]
    return context


def appoint_from(request: HttpRequest, places: list[tuple[Region, str]]):
    """任命 from a page's chiefs section: the form and what became of it (a refusal — the current
    holder, the territory, a phone — comes back under the field)."""
    form = ChiefForm(request.POST, places=places)
    by_pk = {str(r.pk): r for r, _label in places}
    outcome = submit(request, form, lambda d: estates.appoint_resident_as_chief(
        request.user, region=by_pk[d["region"]], name=d["name"], phone=d["phone"]),
        lambda c: _("已任命%(name)s为%(region)s%(kind)s，其可用手机号验证码登录。") % {
            "name": estates.holder_name(c), "region": c.region.name, "kind": c.get_kind_display()})
    return form, outcome


def end_from(request: HttpRequest, places: list[tuple[Region, str]], chief: int) -> None:
    """免去职务 of a chief of one of these places (another place's post is a 404)."""
    post = get_object_or_404(Chief, pk=chief, region__in=[r for r, _label in places])
    perform(request, lambda: estates.end_chief(request.user, post.pk),
            lambda c: _("已免去%(name)s的%(region)s%(kind)s职务。") % {
                "name": estates.holder_name(c), "region": c.region.name, "kind": c.get_kind_display()})


def _estate_page(request: HttpRequest, estate: Estate, chief_form=None, status: int = 200) -> HttpResponse:
    year = estates.current_year()
    context = {
        "estate": estate, "buildings": list(estates.buildings_of(estate)),
        "open_demands": _open_demands(request.user, estate), "tally": estates.tally(estate, year),
        "last_tally": estates.tally(estate, year - 1), "year": year, "chiefs": []}
    if estate.region_id:
        context.update(chiefs_context(request, _chief_places(estate), estate.region, chief_form))
    return render(request, "grids/estate.html", context, status=status)


@_staff_required
def estate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _estate_page(request, _estate(request, pk))


@_staff_required
@require_POST
def appoint_chief(request: HttpRequest, pk: int) -> HttpResponse:
    """任命 from the estate's page."""
    estate = _estate(request, pk)
    form, outcome = appoint_from(request, _chief_places(estate))
    if outcome.ok:
        return redirect(reverse("estates:detail", args=[estate.pk]) + "#chiefs")
    return _estate_page(request, estate, chief_form=form, status=outcome.status)


@_staff_required
@require_POST
def end_chief(request: HttpRequest, pk: int, chief: int) -> HttpResponse:
    estate = _estate(request, pk)
    end_from(request, _chief_places(estate), chief)
    return redirect(reverse("estates:detail", args=[estate.pk]) + "#chiefs")


# --- the resident's estate and evaluation (phone) --------------------------------------------------

@login_required(login_url="web:sign_in")
def my_estate(request: HttpRequest) -> HttpResponse:
    resident = Resident.objects.filter(user=request.user).first()
    estate = estates.estate_of(resident) if resident else None
    year = estates.current_year()
    done = bool(estate and resident.property_evaluations.filter(estate=estate, year=year).exists())
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        comment = data.pop("comment", "")
        try:
            estates.evaluate_property(request.user, answers=data, comment=comment)
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("estates:my_estate")
    return render(request, "grids/my_estate.html", {"resident": resident, "estate": estate, "form": form,
                                                    "done": done, "year": year})


# --- chiefs (phone) -------------------------------------------------------------------------------

@login_required
def chief_home(request: HttpRequest) -> HttpResponse:
    """A chief's start: their posts, the residents of each (masked) and the notices sent there."""
    posts = list(estates.chief_posts(request.user))
    if not posts:
        raise Http404(_("你不是网格长、楼栋长或单元长。"))
    for post in posts:
        residents = estates.residents_in(post.region).select_related("house__building", "house__entrance")
        post.resident_count = residents.count()
        post.residents = list(residents.order_by("house__entrance__name", "house__room", "name")[:RESIDENTS_SHOWN])
    return render(request, "grids/chief.html", {
        "posts": posts, "sent": list(notices.notices_visible_to(request.user)[:10])})


# --- notices --------------------------------------------------------------------------------------

def _sender_required(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not notices.may_send(request.user):
            raise Http404(_("没有可用的通知页面。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


@_sender_required
def notice_list(request: HttpRequest) -> HttpResponse:
    rows = [{"notice": n, "counts": notices.counts(n)} for n in notices.notices_visible_to(request.user)[:50]]
    return render(request, "grids/notices.html", {"rows": rows})


@_sender_required
def notice_new(request: HttpRequest) -> HttpResponse:
    regions = notices.target_regions(request.user)
    initial = {}
    if request.GET.get("region", "").isdigit():
        initial["region"] = int(request.GET["region"])
    if request.GET.get("tag", "").isdigit():
        initial["tag"] = int(request.GET["tag"])
    form = NoticeForm(request.POST or None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = notices.send_notice(request.user, region=data["region"], tag=data.get("tag"),
                                         title=data["title"], body=data["body"], by_sms=data["by_sms"],
                                         by_letter=data["by_letter"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("通知已发送给 %(n)d 位居民。") % {"n": notice.recipients.count()})
            return redirect("estates:notice", pk=notice.pk)
    return render(request, "grids/notice_new.html", {"form": form})


def _visible_notice(request: HttpRequest, pk: int) -> Notice:
    notice = notices.notices_visible_to(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404(_("通知不存在或不在你的管辖范围内。"))
    return notice


@_sender_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice's counts; its replies for staff and for its own sender (a chief sees the replies to
    the notices they sent, not to the community's), each demand linked only where it may be opened."""
    from minsheng.organisation.roles import STAFF_ROLES
    from minsheng.organisation.scope import may_see, roles_of

    notice = _visible_notice(request, pk)
    staff = bool(roles_of(request.user) & STAFF_ROLES)
    replies = []
    if staff or notice.sender_id == request.user.pk:
        replies = list(NoticeReply.objects.filter(recipient__notice=notice)
                       .select_related("recipient__resident", "demand__region", "demand__reporter",
                                       "demand__handling_unit").order_by("-created_at"))
        for reply in replies:
            reply.demand_openable = reply.demand is not None and may_see(request.user, reply.demand)
    return render(request, "grids/notice.html", {
        "notice": notice, "counts": notices.counts(notice), "replies": replies, "may_file": staff,
        "replies_shown": staff or notice.sender_id == request.user.pk})


@_sender_required
def notice_letter(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _visible_notice(request, pk)
    return pdf_response(request, "grids/notice_letter.html", {
        "notice": notice, "pages": notices.letter_pages(notice),
        "sender": notices.sender_name(notice.sender, notice.region)}, f"notice-{notice.pk}.pdf")


@_staff_required
@require_POST
def reply_to_demand(request: HttpRequest, pk: int) -> HttpResponse:
    answer = get_object_or_404(NoticeReply.objects.select_related("recipient__notice"), pk=pk)
    notice = _visible_notice(request, answer.recipient.notice_id)
    try:
        demand = notices.reply_to_demand(request.user, answer.pk)
    except MinshengError as exc:
        messages.error(request, exc.message)
        return redirect("estates:notice", pk=notice.pk)
    messages.success(request, _("已转为诉求 %(number)s。") % {"number": demand.number})
    return redirect("web:demand", pk=demand.pk)


# --- residents: their notices (phone) ---------------------------------------------------------------

@login_required(login_url="web:sign_in")
def my_notices(request: HttpRequest) -> HttpResponse:
    return render(request, "grids/my_notices.html", {"rows": list(notices.notices_of(request.user)[:50])})


@login_required(login_url="web:sign_in")
def my_notice(request: HttpRequest, pk: int) -> HttpResponse:
    if pk > MAX_KEY:  # a key no row can have (the database would overflow comparing it)
        raise Http404
    try:
        row = notices.open_notice(request.user, pk)
    except MinshengError as exc:
        raise Http404(exc.message) from None
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notices.reply(request.user, pk, form.cleaned_data["body"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("回复已送达社区。"))
            return redirect("estates:my_notice", pk=pk)
    return render(request, "grids/my_notice.html", {
        "row": row, "notice": row.notice, "form": form, "replies": list(row.replies.all()),
        "sender": notices.sender_name(row.notice.sender, row.notice.region)})
