"""Co-building pages: the register, a member unit's page, bookings, 双报到 and the monthly list
(staff and member units); the shared resources and booking (residents)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minsheng.core import clock, dates
from minsheng.core.errors import MinshengError
from minsheng.core.exports import xlsx_response
from minsheng.core.pdf import pdf_response
from minsheng.organisation.models import Region
from minsheng.people.models import PersonalDataAccess
from minsheng.people.services import may_see_personal_data
from minsheng.volunteers.models import Activity
from minsheng.web.actions import submit
from minsheng.web.forms import add_service_errors

from . import selectors, services
from .forms import (
    BookingForm,
    JointActivityForm,
    MemberEditForm,
    MemberForm,
    OfferEditForm,
    OfferForm,
    ReportForm,
    ResourceEditForm,
    ResourceForm,
    SelfReportForm,
    kept_regions,
)
from .models import Booking, DualReport, Offer, Resource


def _cobuild_required(view):
    """Pages for staff who keep the register and for member units' contacts."""
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not selectors.has_cobuild_pages(request.user):
            raise Http404(_("没有可用的工作台页面。"))
        return view(request, *args, **kwargs)

    return wrapped


def _month(request: HttpRequest) -> date:
    text = request.GET.get("month", "")
    return dates.parse_month(text) if text else clock.today().replace(day=1)


def _render_form(request, template: str, form, context: dict) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


@_cobuild_required
def home(request: HttpRequest) -> HttpResponse:
    """The register and the figures per community of the user's territory."""
    try:
        month = _month(request)
    except MinshengError as exc:
        return render(request, "cobuild/home.html", {"error": exc.message}, status=400)
    members = selectors.members_visible_to(request.user).prefetch_related("communities").order_by(
        "alliance__region__path", "name")
    return render(request, "cobuild/home.html", {
        "members": members, "figures": selectors.figures(request.user, month), "month": month,
        "may_register": bool(kept_regions(request.user).exists()),
    })


@_cobuild_required
def new_member(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.register_member(request.user, **form.cleaned_data)
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记共建单位“%(name)s”。") % {"name": member.name})
            return redirect("cobuild:member", pk=member.pk)
    return _render_form(request, "cobuild/form.html", form, {"title": _("登记共建单位")})


def _member(request: HttpRequest, pk: int):
    member = selectors.members_visible_to(request.user).filter(pk=pk).first()
    if member is None:
        raise Http404(_("共建单位不存在或不在你的管辖范围内。"))
    return member


@_cobuild_required
def member(request: HttpRequest, pk: int) -> HttpResponse:
    item = _member(request, pk)
    may_manage = services.may_manage(request.user, item)
    bookings = (selectors.bookings_visible_to(request.user).filter(resource__member=item)
                .order_by("-starts_at")[:30])
    return render(request, "cobuild/member.html", {
        "member": item, "communities": item.communities.order_by("path"),
        "resources": item.resources.order_by("-active", "kind", "name"),
        "offers": item.offers.order_by("-active", "category", "name"),
        "counts": selectors.member_counts(item), "activities": selectors.joint_activities_of(item)[:20],
        "bookings": [(b, services.available_booking_actions(request.user, b)) for b in bookings],
        "may_manage": may_manage, "may_edit": services.may_edit_member(request.user, item),
        "history": selectors.history_of(item) if may_manage else [],
        "may_reveal": may_see_personal_data(request.user), "phone": request.session.pop(f"cobuild-phone-{pk}", None),
        "reports": item.dual_reports.filter(active=True).count(),
    })


@_cobuild_required
@require_POST
def reveal_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact's whole number, for a role that needs it; every reveal is logged."""
    item = _member(request, pk)
    if not may_see_personal_data(request.user):
        raise Http404(_("你的角色无权查看完整联系方式。"))
    PersonalDataAccess.objects.create(viewer=request.user, resident=None, subject=f"{item.name} {item.contact_name}",
                                      fields="phone", purpose=_("联系共建单位"))
    request.session[f"cobuild-phone-{pk}"] = item.contact_phone
    return redirect("cobuild:member", pk=pk)


def _member_form(request, pk: int, form_class, create, title: str, done: str) -> HttpResponse:
    item = _member(request, pk)
    if not services.may_manage(request.user, item):
        raise Http404(_("只有该共建单位的联系人或社区工作人员可以修改。"))
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            create(request.user, item, **form.cleaned_data)
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("cobuild:member", pk=item.pk)
    return _render_form(request, "cobuild/form.html", form, {"title": title, "member": item})


@_cobuild_required
def new_resource(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_form(request, pk, ResourceForm, services.add_resource, _("登记共享资源"), _("已登记共享资源。"))


@_cobuild_required
def new_offer(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_form(request, pk, OfferForm, services.add_offer, _("登记服务项目"), _("已登记服务项目。"))


@_cobuild_required
def edit_member(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's particulars, by the staff who keep one of its communities; the change goes to the
    configuration history shown on its page."""
    item = _member(request, pk)
    if not services.may_edit_member(request.user, item):
        raise PermissionDenied(_("只有该单位所在社区、街道的工作人员可以修改单位信息。"))
    initial = {"name": item.name, "kind": item.kind, "party_organisation": item.party_organisation,
               "communities": list(item.communities.all()), "contact_name": item.contact_name,
               "email": item.email, "agreement_start": item.agreement_start, "agreement_end": item.agreement_end,
               "active": item.active}
    form = MemberEditForm(request.POST or None, user=request.user, member=item, initial=initial)
    outcome = submit(request, form, lambda d: services.update_member(request.user, item, **d),
                     lambda m: _("已保存“%(name)s”的单位信息。") % {"name": m.name})
    if outcome.ok:
        return redirect("cobuild:member", pk=item.pk)
    return render(request, "cobuild/form.html", {"form": form, "title": _("修改单位信息"), "member": item},
                  status=outcome.status)


def _edit_part(request, pk: int, part: int, model, form_class, update, fields: tuple[str, ...], title: str,
               anchor: str) -> HttpResponse:
    """A resource's or a service's edit form, for the unit itself or the staff of its communities."""
    item = _member(request, pk)
    row = get_object_or_404(model, pk=part, member=item)
    if not services.may_manage(request.user, item):
        raise PermissionDenied(_("只有该共建单位的联系人或社区工作人员可以修改。"))
    form = form_class(request.POST or None, initial={f: getattr(row, f) for f in fields})
    outcome = submit(request, form, lambda d: update(request.user, row, **d),
                     lambda r: _("已保存“%(name)s”。") % {"name": r.name})
    if outcome.ok:
        return redirect(reverse("cobuild:member", args=[item.pk]) + anchor)
    return render(request, "cobuild/form.html", {"form": form, "title": f"{title}：{row.name}", "member": item},
                  status=outcome.status)


@_cobuild_required
def edit_resource(request: HttpRequest, pk: int, resource: int) -> HttpResponse:
    return _edit_part(request, pk, resource, Resource, ResourceEditForm, services.update_resource,
                      ("kind", "name", "quantity", "measure", "availability", "description", "bookable", "active"),
                      _("修改共享资源"), "#resources")


@_cobuild_required
def edit_offer(request: HttpRequest, pk: int, offer: int) -> HttpResponse:
    return _edit_part(request, pk, offer, Offer, OfferEditForm, services.update_offer,
                      ("category", "name", "schedule", "description", "active"), _("修改服务项目"), "#offers")


@_cobuild_required
def new_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """A member unit (a department included) organises an activity in a community it serves."""
    item = _member(request, pk)
    form = JointActivityForm(request.POST or None, member=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.create_joint_activity(
                request.user, item, title=data["title"], category=data["category"], community=data["region"],
                starts_at=data["starts_at"], ends_at=data["ends_at"], capacity=data["capacity"], hours=data["hours"],
                place=data["place"], description=data["description"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已发布共建活动“%(title)s”。") % {"title": activity.title})
            return redirect("cobuild:activity", pk=activity.pk)
    return _render_form(request, "cobuild/form.html", form, {"title": _("发布共建活动"), "member": item})


@_cobuild_required
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """A joint activity with its sign-ups; after it ends, the unit confirms who came."""
    item = get_object_or_404(Activity.objects.select_related("joint__member", "region"), pk=pk, joint__isnull=False)
    _member(request, item.joint.member_id)
    error = None
    if request.method == "POST":
        try:
            services.confirm_joint_attendance(request.user, item.pk, request.POST.getlist("attended"))
        except MinshengError as exc:
            error = exc.message
        else:
            messages.success(request, _("已确认服务时长并计入志愿者账户。"))
            return redirect("cobuild:activity", pk=item.pk)
    return render(request, "cobuild/activity.html", {
        "activity": item, "member": item.joint.member, "signups": item.signups.select_related("volunteer__resident"),
        "error": error, "ended": item.ends_at <= clock.now()}, status=400 if error else 200)


@_cobuild_required
def bookings(request: HttpRequest) -> HttpResponse:
    rows = selectors.bookings_visible_to(request.user).order_by("-starts_at")[:100]
    return render(request, "cobuild/bookings.html", {
        "bookings": [(b, services.available_booking_actions(request.user, b)) for b in rows]})


@login_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    booking = selectors.bookings_visible_to(request.user).filter(pk=pk).first()
    if booking is None:
        raise Http404(_("预约不存在。"))
    try:
        services.decide(request.user, booking.pk, action, request.POST.get("note", ""))
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("预约已%(action)s。") % {"action": services.ACTION_LABELS[action]})
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else reverse("cobuild:bookings"))


# --- 双报到 and the monthly list --------------------------------------------------------------

@_cobuild_required
def reports(request: HttpRequest) -> HttpResponse:
    rows = selectors.dual_reports_visible_to(request.user).order_by("community__path", "home_organisation", "pk")
    return render(request, "cobuild/reports.html", {
        "reports": rows, "month": clock.today().replace(day=1),
        "may_register": bool(kept_regions(request.user).exists())})


@_cobuild_required
def new_report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, user=request.user,
                      members=selectors.members_visible_to(request.user).order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_in(request.user, data["member"], community=data["community"],
                               home_member=data["home_member"], home_organisation=data["home_organisation"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记双报到。"))
            return redirect("cobuild:reports")
    return _render_form(request, "cobuild/form.html", form, {"title": _("登记在职党员双报到")})


MONTHLY_HEADERS = [gettext_lazy("所在单位党组织"), gettext_lazy("姓名"), gettext_lazy("报到社区"), gettext_lazy("日期"),
                   gettext_lazy("服务内容"), gettext_lazy("服务时长（小时）")]


@_cobuild_required
def monthly(request: HttpRequest) -> HttpResponse:
    """The monthly list of in-service members' hours per own organisation; Excel (?format=xlsx)
    and PDF (?format=pdf), as the agents' 喜报 and record book are."""
    try:
        month = _month(request)
    except MinshengError as exc:
        return render(request, "cobuild/monthly.html", {"error": exc.message, "lists": []}, status=400)
    reports = selectors.dual_reports_visible_to(request.user)
    organisation = request.GET.get("organisation", "")
    if organisation:
        reports = reports.filter(home_organisation=organisation)
    lists = selectors.monthly_lists(reports, month)
    fmt = request.GET.get("format")
    stamp = f"{month:%Y-%m}"
    if fmt == "xlsx":
        rows = ([ol.organisation, m.report.member.resident.name, m.report.community.name,
                 timezone.localtime(e.transfer.created_at).date(), e.transfer.memo, e.amount]
                for ol in lists for m in ol.members for e in m.entries)
        return xlsx_response(f"dual-report-{stamp}.xlsx", [str(h) for h in MONTHLY_HEADERS], rows, sheet_title=stamp)
    context = {"lists": lists, "month": month, "organisation": organisation, "today": clock.today()}
    if fmt == "pdf":
        return pdf_response(request, "cobuild/monthly_print.html", {**context, "printing": True},
                            f"dual-report-{stamp}.pdf")
    return render(request, "cobuild/monthly.html", context)


# --- residents ----------------------------------------------------------------------------

def _resident_community(user) -> Region | None:
    resident = services._resident_of(user)
    if resident is None or resident.region is None:
        return None
    return next((r for r in resident.region.ancestors() if r.kind == Region.Kind.COMMUNITY), None)


def resources(request: HttpRequest) -> HttpResponse:
    """资源共享: what the member units share, by community and kind; a signed-in resident books."""
    own = _resident_community(request.user)
    communities = Region.objects.filter(kind=Region.Kind.COMMUNITY, cobuild_members__isnull=False).distinct() \
        .order_by("path")
    community = None
    picked = request.GET.get("community", "")
    if picked.isdigit():
        community = communities.filter(pk=int(picked)).first()
    elif own is not None and "community" not in request.GET:
        community = own
    kind = request.GET.get("kind", "")
    return render(request, "cobuild/resources.html", {
        "resources": selectors.shared_resources(community, kind)[:200], "communities": communities,
        "community": community, "kind": kind, "kinds": Resource.Kind.choices, "own": own})


@login_required
def book(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(selectors.shared_resources(), pk=pk)
    served = resource.member.communities.all()
    communities = [c for c in served.order_by("path") if services.may_book_for(request.user, c)]
    form = BookingForm(request.POST or None, communities=served.filter(pk__in=[c.pk for c in communities]))
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.book(request.user, resource, **form.cleaned_data)
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交预约，待%(member)s或社区审批。") % {"member": resource.member.name})
            return redirect(reverse("cobuild:my_bookings") + f"#booking-{booking.pk}")
    upcoming = resource.bookings.filter(state__in=[Booking.State.PENDING, Booking.State.APPROVED],
                                        ends_at__gt=clock.now()).order_by("starts_at")[:10]
    return render(request, "cobuild/book.html", {"resource": resource, "form": form, "upcoming": upcoming,
                                                 "may_book": bool(communities)},
                  status=400 if form.errors else 200)


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    rows = Booking.objects.filter(booked_by=request.user).select_related("resource__member", "community") \
        .order_by("-starts_at")[:50]
    return render(request, "cobuild/my_bookings.html", {
        "bookings": [(b, services.available_booking_actions(request.user, b)) for b in rows]})


@login_required
def report_myself(request: HttpRequest) -> HttpResponse:
    """双报到 by an in-service party member with an account: their home community and their own
    organisation; then they sign up for the community's activities as a volunteer."""
    member = selectors.party_member_of(request.user)
    report = DualReport.objects.filter(member=member, active=True).select_related("community").first() \
        if member else None
    form = SelfReportForm(request.POST or None, home=_resident_community(request.user))
    if member is not None and report is None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_in(request.user, member, community=data["community"], home_member=data["home_member"],
                               home_organisation=data["home_organisation"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已到%(community)s报到，可以报名社区的志愿活动了。") % {
                "community": data["community"].name})
            return redirect("cobuild:report_myself")
    return render(request, "cobuild/report_myself.html", {"member": member, "report": report, "form": form},
                  status=400 if form.errors else 200)
