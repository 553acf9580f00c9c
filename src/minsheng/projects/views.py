"""Staff pages for needs, secretary projects, the yearly list and meetings, and the public board.
Thin: they parse forms, call selectors and services, and show refusals on the form."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core import clock, dates
from minsheng.core.pdf import pdf_response
from minsheng.core.qr import qr_svg
from minsheng.demands import selectors as demand_selectors
from minsheng.organisation.models import Region
from minsheng.party import selectors as party_selectors
from minsheng.web.actions import perform, submit
from minsheng.web.pagination import page_of

from . import selectors, services
from .forms import (
    CollectionForm,
    ConvertNeedForm,
    DecisionForm,
    EvaluationForm,
    MeetingForm,
    MinutesForm,
    PracticalThingForm,
    ProjectForm,
    ProjectUpdateForm,
    TickOffForm,
)
from .models import CollectedNeed, PracticalThing
from .status import colour_of, legend

PAGE_SIZE = 50  # rows a table of the yearly list shows at a time

COMMUNITY_KINDS = ("community",)
COLLECTION_KINDS = ("community", "grid", "building")



def _year(request: HttpRequest) -> int:
    return dates.parse_year(request.GET.get("year"), clock.today().year)


# --- secretary projects ------------------------------------------------------------------

@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    projects = selectors.with_colours(selectors.projects_visible_to(request.user).filter(year=year), clock.today())
    form = ProjectForm(request.POST or None, organisations=selectors.organisations_in_scope(request.user)
                       .filter(secretary__isnull=False))
    sent = submit(request, form, lambda data: services.create_project(
        request.user, organisation=int(data["organisation"]), name=data["name"], owner_title=data["owner_title"],
        deadline=data["deadline"], measures=data["measures"], milestones=data["milestones"]), _("书记项目已登记。"))
    if sent.ok:
        return redirect("projects:project", sent.result.pk)
    minimum = settings.MINSHENG_SECRETARY_PROJECTS_PER_YEAR[0]
    return render(request, "projects/project_list.html", {
        "projects": projects, "year": year, "form": form, "legend": legend(),
        "other_years": [(y, n) for y, n in selectors.project_years(request.user) if y != year],
        "communities": selectors.regions_in_scope(request.user, COMMUNITY_KINDS),
        "below_minimum": selectors.secretaries_below_minimum(request.user, year, minimum), "minimum": minimum})


def _project_for(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)


@login_required
def project_detail(request: HttpRequest, pk: int, forms: dict | None = None) -> HttpResponse:
    project = _project_for(request, pk)
    forms = forms or {}
    milestones = list(project.milestones.all())
    status = selectors.status_of(project, clock.today())
    decisions = list(project.decisions.select_related("meeting"))
    return render(request, "projects/project_detail.html", {
        "project": project, "milestones": milestones, "status": status,
        "colour": colour_of(status), "summary": selectors.evaluation_summary(project),
        "updates": project.updates.select_related("by")[:20], "evaluations": project.evaluations.all()[:20],
        "needs": project.needs.select_related("collection"), "decisions": decisions,
        "open_meetings": selectors.visible_meeting_ids(request.user, {d.meeting_id for d in decisions}),
        "update_form": forms.get("update") or ProjectUpdateForm(
            initial={"version": project.version, "progress_percent": project.progress_percent},
            milestones=milestones),
        "evaluation_form": forms.get("evaluate") or EvaluationForm()}, status=400 if forms else 200)


@login_required
@require_POST
def project_update(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk)
    form = ProjectUpdateForm(request.POST, milestones=project.milestones.all())
    sent = submit(request, form, lambda data: services.update_project(
        request.user, project.pk, data["version"], note=data["note"], progress_percent=data["progress_percent"],
        milestones_done=[int(m) for m in data["milestones_done"]]), _("进展已更新。"))
    if sent.ok:
        return redirect("projects:project", project.pk)
    return project_detail(request, pk, {"update": form})


@login_required
@require_POST
def project_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk)
    form = EvaluationForm(request.POST)
    sent = submit(request, form, lambda data: services.evaluate_project(
        request.user, project.pk, kind=data["kind"], score=data["score"], satisfaction=data["satisfaction"],
        comment=data["comment"]), _("评价已记录。"))
    if sent.ok:
        return redirect("projects:project", project.pk)
    return project_detail(request, pk, {"evaluate": form})


# --- visits and opinion forms ------------------------------------------------------------

@login_required
def needs(request: HttpRequest) -> HttpResponse:
    regions = selectors.regions_in_scope(request.user, COLLECTION_KINDS)
    form = CollectionForm(request.POST or None, regions=regions, initial={"held_on": clock.today()})
    sent = submit(request, form, lambda data: services.record_collection(
        request.user, kind=data["kind"], region=data["region"], held_on=data["held_on"], place=data["place"],
        households=data["households"], needs=form.need_inputs()), _("走访记录已登记。"))
    if sent.ok:
        return redirect("projects:needs")
    collections = list(selectors.collections_visible_to(request.user)[:30])
    projects = selectors.projects_visible_to(request.user).filter(year=clock.today().year)
    return render(request, "projects/needs.html", {
        "form": form, "collections": collections, "convert_form": ConvertNeedForm(projects=projects),
        **_open_targets(request.user, [need for c in collections for need in c.needs.all()]),
        "stats": selectors.collection_stats(request.user, clock.today().year)})


@login_required
@require_POST
def convert_need(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(CollectedNeed.objects.filter(selectors.region_q(request.user, "collection__region")),
                             pk=pk)
    form = ConvertNeedForm(request.POST, projects=selectors.projects_visible_to(request.user))
    if form.is_valid():
        data = form.cleaned_data
        perform(request, lambda: services.convert_need(
            request.user, need.pk, into=data["into"], demand_type=data["demand_type"] or "help",
            project=int(data["project"]) if data["project"] else None,
            list_item={"owner_label": data["owner_label"], "due": data["due"]}), _("需求已转办。"))
    else:
        messages.error(request, _("请检查填写的内容。"))
    return redirect("projects:needs")


# --- the yearly list ---------------------------------------------------------------------

@login_required
def practical(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    organisations = selectors.organisations_in_scope(request.user)
    form = PracticalThingForm(request.POST or None, regions=selectors.regions_in_scope(request.user, COMMUNITY_KINDS),
                              organisations=organisations)
    sent = submit(request, form, lambda data: services.add_practical_thing(
        request.user, list_kind=data["list_kind"], region=data["region"], organisation=int(data["organisation"]) if
        data["organisation"] else None, title=data["title"], owner_label=data["owner_label"], due=data["due"]),
        _("清单事项已登记。"))
    if sent.ok:
        return redirect(reverse("projects:practical") + f"?year={year}")
    items = selectors.practical_things_visible_to(request.user).filter(year=year)
    # A city's list holds hundreds of items and organisations: each table turns its own pages, and
    # the organisations short of their quota come first.
    quota = party_selectors.quota_board(request.user, year)
    met = sum(1 for _org, progress in quota if progress.met)
    return render(request, "projects/practical.html", {
        "year": year, "form": form, "tick_form": TickOffForm(),
        "community_items": page_of(request, items.filter(list_kind=PracticalThing.ListKind.COMMUNITY), PAGE_SIZE),
        "led_items": page_of(request, items.filter(list_kind=PracticalThing.ListKind.LED_BY_LEADER), PAGE_SIZE,
                             "led_page"),
        "quota": page_of(request, quota, PAGE_SIZE, "quota_page"),
        "quota_counts": {"total": len(quota), "met": met, "unmet": len(quota) - met}})


@login_required
@require_POST
def tick_off(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.practical_things_visible_to(request.user), pk=pk)
    form = TickOffForm(request.POST, request.FILES)
    if form.is_valid():
        perform(request, lambda: services.tick_off(request.user, item.pk, evidence=form.cleaned_data["evidence"],
                                                   photo=form.cleaned_data["photo"]),
                _("“%(title)s”已销号。") % {"title": item.title})
    else:
        messages.error(request, _("请填写完成佐证。"))
    return redirect(reverse("projects:practical") + f"?year={item.year}")


# --- meetings ----------------------------------------------------------------------------

@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    regions = selectors.regions_in_scope(request.user, COMMUNITY_KINDS)
    form = MeetingForm(request.POST or None, regions=regions,
                       initial={"held_on": services.next_meeting_day(clock.today())})
    sent = submit(request, form, lambda data: services.record_meeting(
        request.user, kind=data["kind"], region=data["region"], held_on=data["held_on"], place=data["place"],
        agenda=data["agenda"], attendees=data["attendees"]), _("会议已登记。"))
    if sent.ok:
        return redirect("projects:meeting", sent.result.pk)
    return render(request, "projects/meetings.html", {
        "form": form, "meetings": selectors.meetings_visible_to(request.user)[:50]})


def _meeting_for(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)


def _open_targets(user, rows) -> dict[str, set[int]]:
    """The demands and projects among these decisions' or needs' targets that ``user`` may open
    (the others are named without a link)."""
    return {"open_demands": demand_selectors.visible_ids(user, {r.demand_id for r in rows if r.demand_id}),
            "open_projects": selectors.visible_project_ids(user, {r.project_id for r in rows if r.project_id})}


@login_required
def meeting_detail(request: HttpRequest, pk: int, forms: dict | None = None) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    forms = forms or {}
    today = clock.today()
    projects = selectors.projects_visible_to(request.user).filter(region__path__startswith=meeting.region.path)
    carried = selectors.open_items_carried_into(meeting, today)
    decisions = selectors.with_states(selectors.decisions_of(meeting), today)
    return render(request, "projects/meeting_detail.html", {
        "meeting": meeting, "previous": selectors.previous_meeting(meeting), "carried": carried,
        "decisions": decisions, **_open_targets(request.user, [*carried, *decisions]),
        "minutes_form": forms.get("minutes") or MinutesForm(initial={"minutes": meeting.minutes}),
        "decision_form": forms.get("decide") or DecisionForm(projects=projects)}, status=400 if forms else 200)


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    form = MinutesForm(request.POST)
    sent = submit(request, form, lambda data: services.write_minutes(
        request.user, meeting.pk, minutes=form.cleaned_data["minutes"]), _("会议纪要已保存。"))
    if sent.ok:
        return redirect("projects:meeting", meeting.pk)
    return meeting_detail(request, pk, {"minutes": form})


@login_required
@require_POST
def meeting_decide(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    projects = selectors.projects_visible_to(request.user).filter(region__path__startswith=meeting.region.path)
    form = DecisionForm(request.POST, projects=projects)
    sent = submit(request, form, lambda data: services.record_decision(
        request.user, meeting.pk, text=data["text"], owner_label=data["owner_label"], due=data["due"],
        became=data["became"], demand_type=data["demand_type"] or "help", project=int(data["project"]) if
        data["project"] else None), _("决定事项已登记并交办。"))
    if sent.ok:
        return redirect("projects:meeting", meeting.pk)
    return meeting_detail(request, pk, {"decide": form})


# --- the public board --------------------------------------------------------------------

def _board(request: HttpRequest, code: str) -> dict:
    community = Region.objects.filter(code=code, kind="community").first()
    if community is None:
        raise Http404(_("没有这个社区。"))
    board = selectors.community_board(community, _year(request), clock.today())
    url = request.build_absolute_uri(reverse("projects:board", args=[community.code]))
    return {"board": board, "legend": legend(), "board_url": url,
            "qr": qr_svg(url, title=_("扫码查看%(name)s书记项目") % {"name": community.name})}


def board(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "projects/board.html", _board(request, code))


def poster(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "projects/poster.html", _board(request, code))


def poster_pdf(request: HttpRequest, code: str) -> HttpResponse:
    context = _board(request, code)
    board = context["board"]
    return pdf_response(request, "projects/poster.html", context | {"pdf": True},
                        f"{board.community.name}-{board.year}-书记项目.pdf")


def screen(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "projects/screen.html", _board(request, code))
