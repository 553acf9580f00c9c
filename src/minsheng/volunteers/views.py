"""Volunteer pages: the registry and teams, activities and attendance (staff); open activities and
sign-up (volunteers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.organisation.scope import grants_with_roles
from minsheng.people.models import Resident
from minsheng.web.actions import submit
from minsheng.web.views.staff import _staff_required

from . import selectors, services
from .forms import ActivityForm, TeamForm, VolunteerForm
from .models import ServiceCategory


@_staff_required
def registry(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    qs = selectors.volunteers_visible_to(request.user).order_by("region__path", "pk")
    if category in ServiceCategory.values:
        # Categories are a JSON list; a filter in Python keeps this working on SQLite and PostgreSQL alike.
        qs = [v for v in qs if category in v.categories]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "volunteers/registry.html", {
        "page": page, "category": category, "categories": ServiceCategory.choices,
        "teams": selectors.teams_visible_to(request.user).order_by("region__path", "kind", "name"),
        "params": f"category={category}" if category else "",
        "may_organise": bool(grants_with_roles(request.user, services.ORGANISER_ROLES)),
    })


@_staff_required
def activities(request: HttpRequest) -> HttpResponse:
    rows = selectors.activities_visible_to(request.user).order_by("-starts_at")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "volunteers/activities.html", {
        "page": page, "may_organise": bool(grants_with_roles(request.user, services.ORGANISER_ROLES)),
        "served": selectors.served_figures(request.user)})


def _organiser_required(view):
    """Staff pages for those who keep the registry (services.ORGANISER_ROLES); others are refused
    like any workbench page they have no use for."""
    @_staff_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not grants_with_roles(request.user, services.ORGANISER_ROLES):
            raise Http404(_("没有可用的工作台页面。"))
        return view(request, *args, **kwargs)

    return wrapped


@_organiser_required
def new_volunteer(request: HttpRequest) -> HttpResponse:
    """Register a resident of the organiser's area: search by name or phone, pick, fill in."""
    query = request.GET.get("q", "").strip()
    search_error = ""
    try:
        candidates = selectors.residents_to_register(request.user, query)
    except MinshengError as exc:  # part of a phone number, or a search by phone the role may not make
        candidates, search_error = Resident.objects.none(), exc.message
    form = VolunteerForm(request.POST or None, user=request.user, candidates=candidates)
    sent = submit(request, form, lambda data: services.register_volunteer(
        request.user, resident=data["resident"], region=data["region"], categories=data["categories"],
        skills=data["skills"], availability=data["availability"], teams=data["teams"]),
        lambda volunteer: _("已登记志愿者 %(name)s，爱心卡号 %(card)s。") % {
            "name": volunteer.resident.name, "card": volunteer.card_number})
    if sent.ok:
        return redirect("volunteers:registry")
    return render(request, "volunteers/new_volunteer.html", {
        "form": form, "query": query, "candidates": candidates, "search_error": search_error,
    }, status=400 if form.errors or search_error else 200)


@_organiser_required
def new_team(request: HttpRequest) -> HttpResponse:
    """Create a team of "1+8+N": the committee, a service-category team or one of the N teams."""
    form = TeamForm(request.POST or None, user=request.user)
    sent = submit(request, form, lambda data: services.create_team(
        request.user, kind=data["kind"], name=data["name"], region=data["region"], category=data["category"],
        parent=data["parent"]), lambda team: _("已建立队伍“%(name)s”。") % {"name": team.name})
    if sent.ok:
        return redirect(reverse("volunteers:registry") + "#teams")
    return render(request, "volunteers/new_team.html", {"form": form}, status=400 if form.errors else 200)


@_organiser_required
def new_activity(request: HttpRequest) -> HttpResponse:
    """Publish an activity: volunteers of the street sign up until it starts."""
    form = ActivityForm(request.POST or None, user=request.user)
    sent = submit(request, form, lambda data: services.create_activity(
        request.user, title=data["title"], category=data["category"], region=data["region"],
        starts_at=data["starts_at"], ends_at=data["ends_at"], capacity=data["capacity"], hours=data["hours"],
        team=data["team"], place=data["place"], description=data["description"]),
        lambda item: _("已发布志愿活动“%(title)s”。") % {"title": item.title})
    if sent.ok:
        return redirect("volunteers:activity", pk=sent.result.pk)
    return render(request, "volunteers/new_activity.html", {"form": form}, status=400 if form.errors else 200)


@_staff_required
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """One activity and its sign-ups; after it ends, the organiser confirms who came."""
    item = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.confirm_attendance(request.user, item.pk, request.POST.getlist("attended"))
        except MinshengError as exc:
            error = exc.message
        else:
            messages.success(request, _("已确认服务时长并计入志愿者账户。"))
            return redirect("volunteers:activity", pk=item.pk)
    return render(request, "volunteers/activity.html", {
        "activity": item, "signups": item.signups.select_related("volunteer__resident"), "error": error,
        "ended": item.ends_at <= clock.now(), **_beneficiaries_context(request, item),
    }, status=400 if error else 200)


def _beneficiaries_context(request: HttpRequest, item, error: str = "") -> dict:
    """The activity's beneficiaries (受益居民) and people served, and for its organiser the form
    to record them: the residents named so far, ticked, and those a search found."""
    named = list(item.beneficiaries.select_related("region").order_by("name", "pk"))
    may_record = (item.starts_at <= clock.now() and item.state != item.State.CANCELLED
                  and any(g.region_path is not None and g.covers_region(item.region)
                          for g in grants_with_roles(request.user, services.ORGANISER_ROLES)))
    query, found = request.GET.get("q", "").strip(), []
    if may_record and query:
        try:
            found = [r for r in selectors.beneficiary_candidates(request.user, item, query) if r not in named]
        except MinshengError as exc:
            error = error or exc.message
    return {"beneficiaries": named, "may_record": may_record, "found": found, "query": query,
            "beneficiary_error": error}


@_organiser_required
def beneficiaries(request: HttpRequest, pk: int) -> HttpResponse:
    """Record who the activity served (POST): the ticked residents and the count of people served."""
    item = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    if request.method != "POST":
        return redirect("volunteers:activity", pk=item.pk)
    try:
        services.record_beneficiaries(request.user, item.pk, request.POST.getlist("beneficiary"),
                                      request.POST.get("people_served", ""))
    except MinshengError as exc:
        return render(request, "volunteers/activity.html", {
            "activity": item, "signups": item.signups.select_related("volunteer__resident"),
            "ended": item.ends_at <= clock.now(), **_beneficiaries_context(request, item, exc.message)}, status=400)
    messages.success(request, _("已登记受益居民和服务人次。"))
    return redirect(reverse("volunteers:activity", args=[item.pk]) + "#beneficiaries")


@login_required
def open_activities(request: HttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:  # an account not (yet) registered as a volunteer: say so, no 404
        return render(request, "volunteers/open_activities.html", {"activities": [], "mine": set(),
                                                                   "not_registered": True})
    error = None
    if request.method == "POST":
        try:
            services.sign_up(volunteer, int(request.POST.get("activity", 0)))
        except (MinshengError, ValueError) as exc:
            error = getattr(exc, "message", _("活动不存在。"))
        else:
            messages.success(request, _("报名成功。"))
            return redirect("volunteers:open_activities")
    mine = set(volunteer.signups.values_list("activity_id", flat=True))
    return render(request, "volunteers/open_activities.html", {
        "activities": selectors.open_activities_for(volunteer), "mine": mine, "error": error,
    }, status=400 if error else 200)


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    """A signed-in resident applies to volunteer, or recommends a neighbour; below, their applications
    and how the community decided."""
    from minsheng.web.homes import resident_of_account

    from . import recruitment
    from .forms import ApplicationForm

    resident = resident_of_account(request.user)
    form = ApplicationForm(request.POST or None, resident=resident)

    def take(data: dict):
        if resident is None:
            raise MinshengError(_("这个账号没有关联居民信息，请先用手机号登录。"))
        recommended = {"name": data["name"], "phone": data["phone"]} if data["who"] == "recommend" else None
        return recruitment.apply(request.user, applicant=resident, region=data["region"],
                                 categories=data["categories"], skills=data["skills"],
                                 availability=data["availability"], statement=data["statement"],
                                 consent=data["consent"], recommended=recommended)
    if submit(request, form, take, _("申请已提交，社区审核后会通知你。")).ok:
        return redirect("volunteers:apply")
    from minsheng.people.validation import mask_name

    applications = list(selectors.applications_of(request.user)[:20])
    for a in applications:  # a recommended person's name as the recommender typed it is not shown back
        a.shown_name = a.applicant.name if a.applicant.user_id == request.user.pk else mask_name(a.applicant.name)
    return render(request, "volunteers/apply.html", {
        "form": form, "applications": applications,
        "volunteer": selectors.volunteer_of(request.user),
    }, status=400 if form.errors else 200)


@_organiser_required
def applications(request: HttpRequest) -> HttpResponse:
    """The applications to the organiser's communities: pending first, then the decided ones."""
    from .models import VolunteerApplication

    state = request.GET.get("state", VolunteerApplication.State.PENDING)
    if state not in VolunteerApplication.State.values:
        state = VolunteerApplication.State.PENDING
    rows = selectors.applications_visible_to(request.user).filter(state=state).order_by("created_at", "pk")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "volunteers/applications.html", {
        "page": page, "state": state, "states": VolunteerApplication.State.choices, "params": f"state={state}"})


@_organiser_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: approve (the applicant joins the registry) or refuse with a reason."""
    from . import recruitment
    from .forms import DecisionForm

    item = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.POST.get("decision") == "approve":
        sent = submit(request, form, lambda data: recruitment.approve(request.user, item.pk),
                      _("已通过，%(name)s 已登记为志愿者。") % {"name": item.applicant.name})
    else:
        sent = submit(request, form, lambda data: recruitment.refuse(request.user, item.pk, reason=data["reason"]),
                      _("已退回 %(name)s 的申请，并通知申请人。") % {"name": item.applicant.name})
    if sent.ok:
        return redirect("volunteers:applications")
    from minsheng.people.validation import mask_phone

    return render(request, "volunteers/application.html", {
        "item": item, "form": form, "masked_phone": mask_phone(item.applicant.phone)},
                  status=400 if form.errors else 200)
