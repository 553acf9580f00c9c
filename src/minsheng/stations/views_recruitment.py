"""Pages of agent nomination (self, recommendation, selection; the street's approval, the reserve
pool and appointment) and of teams taking cases (the members' queue, the staff's list).  Views only
call selectors and services (``recruitment``, ``teamwork``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.core.errors import MinshengError
from minsheng.demands.workflow import Kind, State
from minsheng.organisation.models import Region
from minsheng.organisation.scope import grants_with_roles, region_filter
from minsheng.people.validation import mask_name, mask_phone
from minsheng.web.forms import add_service_errors
from minsheng.web.homes import resident_of_account

from . import recruitment, selectors, teamwork
from .forms import AppointForm, NominationDecisionForm, NominationForm, SelectionForm
from .models import AgentNomination
from .views import _staff


def _nomination_staff(view):
    """For those who select or approve agents (community and street staff, administrators)."""
    @_staff
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not grants_with_roles(request.user, recruitment.SELECTORS):
            raise Http404(_("没有可用的工作台页面。"))
        return view(request, *args, **kwargs)

    return wrapped


def nominations_visible_to(user):
    return (AgentNomination.objects.filter(region_filter(user, "region", roles=recruitment.SELECTORS))
            .select_related("nominee", "recommender", "region", "agent__station__unit"))


@login_required
def nominate(request: HttpRequest) -> HttpResponse:
    """A resident puts themselves forward as an agent, or recommends a neighbour."""
    resident = resident_of_account(request.user)
    form = NominationForm(request.POST or None, resident=resident)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recruitment.nominate(request.user, way=data["way"], region=data["region"], kind=data["kind"],
                                 statement=data["statement"], resident=resident,
                                 nominee={"name": data["name"], "phone": data["phone"]})
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("提名已提交，街道审批后会通知你。"))
            return redirect("stations:nominate")
    mine = list(AgentNomination.objects.filter(submitted_by=request.user).select_related("nominee", "region")
                .order_by("-created_at")[:20])
    for n in mine:  # the registered name behind a phone the resident typed is not shown back
        n.shown_name = n.nominee.name if n.nominee.user_id == request.user.pk else mask_name(n.nominee.name)
    return render(request, "stations/nominate.html", {"form": form, "mine": mine},
                  status=400 if form.errors else 200)


@_nomination_staff
def nominations(request: HttpRequest) -> HttpResponse:
    """Nominations in the user's territory by state (the reserve pool is one of them); community
    and street staff select someone here (组织选聘)."""
    state = request.GET.get("state", AgentNomination.State.PENDING)
    if state not in AgentNomination.State.values:
        state = AgentNomination.State.PENDING
    communities = Region.objects.filter(region_filter(request.user, "", roles=recruitment.SELECTORS),
                                        kind=Region.Kind.COMMUNITY)
    form = SelectionForm(request.POST or None, regions=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recruitment.nominate(request.user, way=AgentNomination.Way.SELECTED, region=data["region"],
                                 kind=data["kind"], statement=data["statement"],
                                 nominee={"name": data["name"], "phone": data["phone"]})
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交选聘，等待街道审批。"))
            return redirect(reverse("stations:nominations") + "?state=pending")
    rows = nominations_visible_to(request.user).filter(state=state).order_by("created_at", "pk")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "stations/nominations.html", {
        "page": page, "state": state, "states": AgentNomination.State.choices, "form": form,
        "params": f"state={state}", "may_approve": bool(grants_with_roles(request.user, recruitment.APPROVERS)),
    }, status=400 if form.errors else 200)


@_nomination_staff
def nomination(request: HttpRequest, pk: int) -> HttpResponse:
    """One nomination: the street approves it into the pool or refuses it; from the pool, appoints."""
    item = get_object_or_404(nominations_visible_to(request.user), pk=pk)
    stations = selectors.stations_for(request.user).filter(unit__region__path__startswith=item.region.parent.path
                                                           if item.region.parent_id else item.region.path)
    decision = NominationDecisionForm(request.POST if request.POST.get("decision") else None)
    appoint = AppointForm(request.POST if request.POST.get("appoint") else None, stations=stations)
    if request.method == "POST":
        try:
            if request.POST.get("appoint") and appoint.is_valid():
                agent = recruitment.appoint(request.user, item.pk, station=appoint.cleaned_data["station"])
                messages.success(request, _("已任命 %(name)s 为%(station)s代办员。") % {
                    "name": agent.resident.name, "station": agent.station.name})
                return redirect("stations:agents")
            if request.POST.get("decision") and decision.is_valid():
                if request.POST["decision"] == "approve":
                    recruitment.approve(request.user, item.pk)
                    messages.success(request, _("已通过，%(name)s 进入代办员储备。") % {"name": item.nominee.name})
                else:
                    recruitment.refuse(request.user, item.pk, reason=decision.cleaned_data["reason"])
                    messages.success(request, _("已退回该提名。"))
                return redirect(reverse("stations:nominations") + f"?state={item.state}")
        except MinshengError as exc:
            add_service_errors(appoint if request.POST.get("appoint") else decision, exc)
    status = 400 if decision.errors or appoint.errors else 200
    return render(request, "stations/nomination.html", {
        "item": item, "decision": decision, "appoint": appoint, "masked_phone": mask_phone(item.nominee.phone),
        "may_approve": bool(grants_with_roles(request.user, recruitment.APPROVERS)),
    }, status=status)


@login_required
def team_cases(request: HttpRequest) -> HttpResponse:
    """A team member's queue (agents of a skills team, volunteers of a 小分队): cases given to their
    teams waiting for a claim, and those they claimed; the first claim wins."""
    error = None
    if request.method == "POST":
        try:
            demand = teamwork.claim_team_case(request.user, int(request.POST.get("demand", 0)))
        except (MinshengError, ValueError) as exc:
            error = getattr(exc, "message", _("案件不存在。"))
        else:
            messages.success(request, _("已认领 %(number)s，请尽快办理。") % {"number": demand.number})
            return redirect("stations:team_cases")
    rows = list(teamwork.team_queue(request.user)[:100])
    names = {key: teamwork.team_name(key) for key in {d.assigned_team for d in rows}}
    for d in rows:
        d.team_label = names.get(d.assigned_team, "")
        d.mine = d.assignee_id == request.user.pk
        d.next_link = _next_link(d) if d.mine else ""
    return render(request, "stations/team_cases.html", {
        "rows": rows, "error": error, "member": bool(teamwork.keys_of(request.user))}, status=400 if error else 200)


def _next_link(demand) -> str:
    """Where a member who claimed a case goes on with it: the wish's claim page (or their claims),
    the station case page, or the staff demand page."""
    if demand.kind == Kind.WISH:  # on the wall: take it with a promised date; taken: fulfil it
        if demand.state == State.PENDING_DISPATCH:
            return reverse("wishes:claim", args=[demand.pk])
        return reverse("wishes:mine")
    if hasattr(demand, "station_case"):
        return reverse("stations:case", args=[demand.pk])
    return reverse("web:demand", args=[demand.pk])


@_staff
def team_list(request: HttpRequest) -> HttpResponse:
    """Staff: open cases given to teams in their territory, who claimed them."""
    rows = Paginator(teamwork.team_cases_for(request.user), 30).get_page(request.GET.get("page"))
    names = {key: teamwork.team_name(key) for key in {d.assigned_team for d in rows}}
    for d in rows:
        d.team_label = names.get(d.assigned_team, "")
    return render(request, "stations/team_list.html", {"page": rows})
