"""Grid work pages: the grid board, one grid, the patrol on the phone, the registers and their import."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.errors import MinshengError, PermissionDenied
from minsheng.core.exports import xlsx_response
from minsheng.organisation.models import Region
from minsheng.people.services import reveal_personal_data
from minsheng.people.validation import mask_phone
from minsheng.web import field
from minsheng.web.actions import perform, submit
from minsheng.web.forms import add_service_errors
from minsheng.web.views.staff import PAGE_SIZE, _staff_required

from . import estates, registers, selectors, services
from .estate_views import appoint_from, chiefs_context, end_from, label_places
from .forms import (
    AssignForm,
    FindingForm,
    FinishPatrolForm,
    HouseholdForm,
    ImportForm,
    NewHouseholdForm,
    StartPatrolForm,
    TrackPointForm,
)
from .models import House, RegisterChange, RegisterImport

# The resident page's household choices: the resident's building, or a grid's buildings (capped).
HOUSEHOLD_BUILDINGS_SHOWN = 50
HOUSEHOLDS_SHOWN = 300



@_staff_required
def board(request: HttpRequest) -> HttpResponse:
    day = clock.today()
    rows = selectors.grid_board(request.user, day)
    missed = list(selectors.missed_patrols_for(request.user)[:30])
    return render(request, "grids/board.html", {"rows": rows, "day": day, "missed": missed})


def _grid_for(request: HttpRequest, pk: int) -> Region:
    grid = selectors.grids_for(request.user).filter(pk=pk).first()
    if grid is None:
        raise Http404(_("网格不存在或不在你的管辖范围内。"))
    return grid


def _grid_chief_places(grid: Region):
    return label_places(estates.places_outside_estates(grid))


@_staff_required
def grid(request: HttpRequest, pk: int, chief_form=None, status: int = 200) -> HttpResponse:
    """One grid: its workers, patrols, and the chiefs of the grid and of its buildings outside any
    estate (散居楼; an estate's own are on the estate's page)."""
    grid = _grid_for(request, pk)
    form = AssignForm(request.POST if request.method == "POST" and chief_form is None else None)
    if request.method == "POST" and chief_form is None and form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"], is_active=True).first()
        if user is None:
            form.add_error("username", _("没有这个用户。"))
        else:
            try:
                services.assign_grid_worker(request.user, grid, user, form.cleaned_data["kind"],
                                            phone=form.cleaned_data["phone"])
            except MinshengError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已更新网格员分工。"))
                return redirect("grids:grid", pk=grid.pk)
    day = clock.today()
    start, end = selectors.day_bounds(day)
    places = _grid_chief_places(grid)
    return render(request, "grids/grid.html", {
        "grid": grid, "workers": selectors.assignments_of(grid), "per_day": selectors.patrols_per_day(grid),
        "today": list(grid.patrols.filter(started_at__gte=start, started_at__lt=end).select_related("worker")),
        "recent": list(grid.patrols.select_related("worker").prefetch_related("findings__demand")[:20]),
        "missed": list(grid.missed_patrols.all()[:20]), "form": form,
        "scattered": [r for r, _label in places if r.kind == Region.Kind.BUILDING],
        **chiefs_context(request, places, grid, chief_form)}, status=status)


@_staff_required
@require_POST
def appoint_chief(request: HttpRequest, pk: int) -> HttpResponse:
    """任命 from the grid's page: its 网格长 and the 楼栋长、单元长 of its buildings outside any estate
    — the estate page's form and service."""
    grid_row = _grid_for(request, pk)
    chief_form, outcome = appoint_from(request, _grid_chief_places(grid_row))
    if outcome.ok:
        return redirect(reverse("grids:grid", args=[grid_row.pk]) + "#chiefs")
    return grid(request, pk, chief_form=chief_form, status=outcome.status)


@_staff_required
@require_POST
def end_chief(request: HttpRequest, pk: int, chief: int) -> HttpResponse:
    grid_row = _grid_for(request, pk)
    end_from(request, _grid_chief_places(grid_row), chief)
    return redirect(reverse("grids:grid", args=[grid_row.pk]) + "#chiefs")


# --- the patrol, on the phone ------------------------------------------------------------------

def _patrol_grids(user):
    assigned = Region.objects.filter(grid_assignments__user=user, grid_assignments__active=True)
    return (selectors.grids_for(user) | assigned).distinct().order_by("path")


@_staff_required
def patrol(request: HttpRequest) -> HttpResponse:
    current = selectors.open_patrol_of(request.user)
    context = {"current": current,
               "recent": list(request.user.patrols.select_related("grid").prefetch_related("findings__demand")[:10])}
    if current is None:
        context["start_form"] = StartPatrolForm(grids=_patrol_grids(request.user))
    else:
        context.update(_patrol_context(current))
    return render(request, "grids/patrol.html", context)


def _patrol_context(current, finding_form=None) -> dict:
    """The open patrol's page: its forms, findings, and the box of its grid for the live map."""
    rings = current.grid.boundary or []
    corners = [point for ring in rings for point in ring]
    bounds = ([[min(p[1] for p in corners), min(p[0] for p in corners)],
               [max(p[1] for p in corners), max(p[0] for p in corners)]] if corners else None)
    return {"current": current, "track_form": TrackPointForm(), "finding_form": finding_form or FindingForm(),
            "finish_form": FinishPatrolForm(), "findings": list(current.findings.select_related("demand")),
            "patrol_map": {"track": current.track, "bounds": bounds}}


def _point(form) -> list:
    lat, lng = form.cleaned_data.get("latitude"), form.cleaned_data.get("longitude")
    return [[lat, lng, clock.now().isoformat()]] if lat is not None and lng is not None else []


@_staff_required
@require_POST
def patrol_start(request: HttpRequest) -> HttpResponse:
    form = StartPatrolForm(request.POST, grids=_patrol_grids(request.user))
    if form.is_valid():
        perform(request, lambda: services.start_patrol(request.user, form.cleaned_data["grid"], track=_point(form)),
                _("巡查已开始。"))
    else:
        messages.error(request, _("请选择一个网格。"))
    return redirect("grids:patrol")


@_staff_required
@require_POST
@field.replays
def patrol_track(request: HttpRequest, pk: int) -> HttpResponse:
    form = TrackPointForm(request.POST)
    if not form.is_valid():
        return field.form_refused(form) if field.is_queued(request) else HttpResponse(_("经纬度不正确。"), status=400)
    point = (form.cleaned_data["latitude"], form.cleaned_data["longitude"], form.cleaned_data["taken_at"])
    if field.is_queued(request):
        def add() -> dict:
            patrol = services.add_track_points(request.user, pk, taken=[point])
            return {"message": _("已记录 %(n)d 个轨迹点") % {"n": len(patrol.track)}, "points": len(patrol.track)}
        return field.replayable(request, add)
    try:
        patrol = services.add_track_points(request.user, pk, taken=[point])
    except MinshengError as exc:
        return HttpResponse(exc.message, status=exc.status)
    if request.headers.get("HX-Request"):
        return HttpResponse(_("已记录 %(n)d 个轨迹点") % {"n": len(patrol.track)})
    messages.success(request, _("已记录位置。"))
    return redirect("grids:patrol")


@_staff_required
@require_POST
@field.replays
def patrol_finding(request: HttpRequest, pk: int) -> HttpResponse:
    form = FindingForm(request.POST, request.FILES)
    if field.is_queued(request):  # from the phone's queue: the track is the phone's own, recorded apart
        if not form.is_valid():
            return field.form_refused(form)
        data = form.cleaned_data

        def report() -> dict:
            demand = services.report_finding(
                request.user, pk, title=data["title"], description=data["description"], address=data["address"],
                latitude=data["latitude"], longitude=data["longitude"], photos=data["photos"], on_track=False)
            return {"message": _("已上报问题，诉求编号 %(number)s。") % {"number": demand.number},
                    "number": demand.number}
        return field.replayable(request, report, flash=True)
    sent = submit(request, form, lambda data: services.report_finding(
        request.user, pk, title=data["title"], description=data["description"], address=data["address"],
        latitude=data["latitude"], longitude=data["longitude"], photos=data["photos"]),
        lambda demand: _("已上报问题，诉求编号 %(number)s。") % {"number": demand.number})
    if sent.ok:
        return redirect("grids:patrol")
    current = selectors.open_patrol_of(request.user)
    if current is None:
        return redirect("grids:patrol")
    return render(request, "grids/patrol.html", {**_patrol_context(current, form), "recent": []}, status=400)


@_staff_required
@require_POST
@field.replays
def patrol_finish(request: HttpRequest, pk: int) -> HttpResponse:
    form = FinishPatrolForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if field.is_queued(request):  # queued after the patrol's last points, so it is sent after them
        def finish() -> dict:
            services.finish_patrol(request.user, pk, note=note)
            return {"message": _("巡查已结束。")}
        return field.replayable(request, finish, flash=True)
    perform(request, lambda: services.finish_patrol(request.user, pk, note=note), _("巡查已结束。"))
    return redirect("grids:patrol")


# --- registers ------------------------------------------------------------------------------------

def _entity(value: str) -> str:
    return value if value in RegisterChange.Entity.values else RegisterChange.Entity.RESIDENT


@_staff_required
def register_list(request: HttpRequest) -> HttpResponse:
    entity = _entity(request.GET.get("entity", ""))
    query = request.GET.get("q", "").strip()
    error, status = "", 200
    try:
        found = registers.search_register(request.user, entity, query)
    except MinshengError as exc:  # part of a phone number, or a search by phone the role may not make
        found, error, status = RegisterChange.objects.none(), exc.message, exc.status
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "grids/registers.html", {
        "entity": entity, "q": query, "page": page, "entities": RegisterChange.Entity.choices,
        "error": error}, status=status)


@_staff_required
def register_record(request: HttpRequest, entity: str, pk: int) -> HttpResponse:
    entity = _entity(entity)
    try:
        record = registers.record_of(request.user, entity, pk)
    except MinshengError as exc:
        raise Http404(exc.message) from None
    return _record_page(request, entity, record)


def _record_page(request: HttpRequest, entity: str, record, *, household_form=None, new_household_form=None,
                 status: int = 200) -> HttpResponse:
    context = {"entity": entity, "record": record, "history": registers.readable_history(entity, record.pk),
               "masked_phone": mask_phone(getattr(record, "phone", ""))}
    if entity == RegisterChange.Entity.RESIDENT:
        context.update(_household_forms(record, household_form, new_household_form))
    return render(request, "grids/record.html", context, status=status)


def _household_forms(resident, household_form=None, new_household_form=None) -> dict:
    """The resident's household with the forms to join one of their building, start one, or leave."""
    buildings = list(estates.household_buildings(resident)[:HOUSEHOLD_BUILDINGS_SHOWN])
    houses = list(House.objects.filter(building__in=buildings).exclude(pk=resident.house_id)
                  .select_related("building", "entrance").annotate(members=Count("residents"))
                  .order_by("building__path", "room")[:HOUSEHOLDS_SHOWN])
    entrances = list(Region.objects.filter(parent__in=buildings, kind=Region.Kind.ENTRANCE)
                     .select_related("parent").order_by("path"))
    household = resident.house
    return {"household": household, "household_buildings": buildings,
            "household_members": list(household.residents.exclude(pk=resident.pk).order_by("name"))
            if household else [],
            "household_form": household_form or HouseholdForm(houses=houses),
            "new_household_form": new_household_form or NewHouseholdForm(buildings=buildings, entrances=entrances)}


def _resident_record(request: HttpRequest, pk: int):
    try:
        return registers.record_of(request.user, RegisterChange.Entity.RESIDENT, pk)
    except MinshengError as exc:
        raise Http404(exc.message) from None


def _back_to_household(pk: int) -> HttpResponse:
    return redirect(reverse("grids:record", args=["resident", pk]) + "#household")


@_staff_required
@require_POST
def household_join(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_record(request, pk)
    forms = _household_forms(resident)
    form = HouseholdForm(request.POST, houses=forms["household_form"].houses)
    outcome = submit(request, form, lambda d: estates.link_household(
        request.user, resident, House.objects.select_related("building", "entrance").get(pk=d["house"])),
        lambda r: _("%(name)s 已加入 %(house)s。") % {"name": r.name, "house": r.house})
    if outcome.ok:
        return _back_to_household(pk)
    return _record_page(request, "resident", resident, household_form=form, status=outcome.status)


@_staff_required
@require_POST
def household_new(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_record(request, pk)
    forms = _household_forms(resident)
    blank = forms["new_household_form"]
    form = NewHouseholdForm(request.POST, buildings=blank.buildings, entrances=blank.entrances)

    def start(d):
        building = next(b for b in blank.buildings if str(b.pk) == d["building"])
        entrance = next((e for e in blank.entrances if str(e.pk) == d["entrance"]), None)
        return estates.start_household(request.user, resident, building=building, room=d["room"], entrance=entrance)

    outcome = submit(request, form, start, lambda r: _("已新建家庭户 %(house)s，%(name)s 为其成员。") % {
        "house": r.house, "name": r.name})
    if outcome.ok:
        return _back_to_household(pk)
    return _record_page(request, "resident", resident, new_household_form=form, status=outcome.status)


@_staff_required
@require_POST
def household_leave(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_record(request, pk)
    perform(request, lambda: estates.unlink_household(request.user, resident),
            lambda r: _("%(name)s 已移出家庭户。") % {"name": r.name})
    return _back_to_household(pk)


@_staff_required
@require_POST
def register_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident's full phone and ID number, logged as an unmasked view."""
    try:
        resident = registers.record_of(request.user, RegisterChange.Entity.RESIDENT, pk)
        data = reveal_personal_data(request.user, resident, purpose=_("网格台账查看居民信息"))
    except PermissionDenied as exc:
        return HttpResponse(exc.message, status=403)
    except MinshengError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "grids/_revealed.html", {"revealed": data})


@_staff_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = registers.preview_import(request.user, form.cleaned_data["entity"], upload, upload.name)
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("grids:import_preview", pk=batch.pk)
    return render(request, "grids/import.html", {"form": form, "entities": RegisterChange.Entity.choices})


def _own_import(request: HttpRequest, pk: int) -> RegisterImport:
    batch = RegisterImport.objects.filter(pk=pk, uploaded_by=request.user).first()
    if batch is None:
        raise Http404
    return batch


@_staff_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_import(request, pk)
    rows = batch.rows
    duplicates = [r for r in rows if r.get("existing")]
    return render(request, "grids/import_preview.html", {
        "batch": batch, "total": len(rows), "new": len(rows) - len(duplicates), "duplicates": duplicates[:100],
        "duplicate_count": len(duplicates), "errors": batch.errors[:registers.MAX_IMPORT_ERRORS_SHOWN],
        "bad_rows": len({e["row"] for e in batch.errors}), "sample": rows[:20]})


@_staff_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_import(request, pk)
    if not perform(request, lambda: registers.commit_import(request.user, pk),
                   lambda batch: _("导入完成：新增 %(created)d 条，更新 %(updated)d 条。") % {
                       "created": batch.created, "updated": batch.updated}):
        return redirect("grids:import_preview", pk=pk)
    return redirect(reverse("grids:registers") + f"?entity={batch.entity}")


@_staff_required
def import_template(request: HttpRequest, entity: str) -> HttpResponse:
    entity = _entity(entity)
    return xlsx_response(f"{entity}-template.xlsx", registers.headers(entity), [])

