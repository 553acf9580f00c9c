"""The elder-service pages: the overview of the user's places, a place's page (elders, health
checks, rooms, rota, day care — each section with its form), an elder's health record (values
masked until revealed, the reveal logged, with the chart), and the volunteer's rota for a phone.
Views parse, call a service or a selector, and render; refusals come back on the form sent."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.audit.models import AuditEntry
from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of
from minsheng.volunteers.models import Volunteer
from minsheng.web.actions import perform, submit
from minsheng.web.forms import add_service_errors

from . import ranges, selectors, services
from .access import CARERS, OPERATORS, READERS, may
from .forms import CheckForm, CheckInForm, ElderForm, FacilityForm, MoveInForm, MoveOutForm, RoomForm, ShiftForm
from .models import DayCareVisit, Elder, Facility, HealthCheck, Room, ShiftSignup, Stay


def _may_open(user) -> bool:
    return bool(roles_of(user) & READERS) or user.elder_facilities.exists()


def _facility(request, pk: int) -> Facility:
    facility = selectors.facilities_for(request.user).filter(pk=pk).first()
    if facility is None:
        raise Http404(_("养老服务场所不存在。"))
    return facility


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not _may_open(request.user):
        raise Http404(_("没有可用的养老服务页面。"))
    day = clock.today()
    may_set_up = services.may_set_up(request.user)
    closed = selectors.facilities_for(request.user).filter(active=False).order_by("region__path", "name") \
        if may_set_up else []
    return render(request, "eldercare/home.html", {"day": day, "rows": selectors.facility_figures(request.user, day),
                                                   "may_set_up": may_set_up, "closed": closed})


def _elders(facility: Facility) -> list[Elder]:
    return list(facility.elders.filter(active=True).select_related("resident").order_by("resident__name"))


def _facility_context(request, facility: Facility, **forms) -> dict:
    user, day = request.user, clock.today()
    elders = _elders(facility)
    runs = may(user, OPERATORS, facility)
    latest = dict(HealthCheck.objects.filter(elder__facility=facility).values_list("elder_id")
                  .annotate(last=Max("measured_at")).values_list("elder_id", "last"))
    for elder in elders:
        elder.last_check = latest.get(elder.pk)
    context = {"facility": facility, "day": day, "elders": elders, "runs": runs,
               "Kind": Facility.Kind, "week_start": day}
    if runs:
        context["elder_form"] = forms.get("elder_form") or ElderForm()
        context["check_form"] = forms.get("check_form") or CheckForm(elders=elders)
        context["shift_form"] = forms.get("shift_form") or ShiftForm(initial={
            "first_day": day + timedelta(days=1), "starts": "09:00", "ends": "11:30", "capacity": 2, "hours": "2.5",
            "weeks": 4})
    if facility.kind == Facility.Kind.HAPPINESS_HOME:
        rooms = selectors.rooms_with_occupancy(facility)
        context.update(rooms=rooms, stays=selectors.open_stays(facility),
                       beds=sum(r.beds for r in rooms), taken=sum(r.taken for r in rooms))
        if runs:
            lodged = set(selectors.open_stays(facility).values_list("elder_id", flat=True))
            context["move_in_form"] = forms.get("move_in_form") or MoveInForm(
                elders=[e for e in elders if e.pk not in lodged], rooms=rooms, initial={"on": day})
    if facility.kind == Facility.Kind.DAY_CARE:
        visits = list(DayCareVisit.objects.filter(elder__facility=facility, day=day).select_related("elder__resident"))
        here = {v.elder_id for v in visits}
        context.update(visits=visits, counts=selectors.day_counts(facility, day),
                       present=sum(1 for v in visits if v.checked_out_at is None))
        if runs:
            context["check_in_form"] = forms.get("check_in_form") or CheckInForm(
                elders=[e for e in elders if e.pk not in here])
    context["shifts"] = list(selectors.shifts_of(facility, day - timedelta(days=7), days=21))
    context["may_record"] = runs
    context["may_set_up"] = services.may_set_up(user, facility)
    context["now"] = clock.now()
    return context


@login_required
def facility_page(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility(request, pk)
    return render(request, "eldercare/facility.html", _facility_context(request, facility))


def _post(request, pk: int, form_key: str, form, call, done: str, anchor: str) -> HttpResponse:
    """One shape for a place's forms: valid and accepted → back to the section with a message;
    else the page again with the form's errors (status 400)."""
    facility = _facility(request, pk)
    if form.is_valid():
        try:
            call(facility, form.cleaned_data)
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("eldercare:facility", args=[facility.pk]) + anchor)
    return render(request, "eldercare/facility.html", _facility_context(request, facility, **{form_key: form}),
                  status=400)


@login_required
@require_POST
def register_elder(request, pk: int) -> HttpResponse:
    return _post(request, pk, "elder_form", ElderForm(request.POST),
                 lambda f, d: services.register_elder(request.user, f, name=d["name"], phone=d["phone"],
                                                      address=d["address"]),
                 _("老人已登记。"), "#elders")


@login_required
@require_POST
def record_check(request, pk: int) -> HttpResponse:
    facility = _facility(request, pk)
    return _post(request, pk, "check_form", CheckForm(request.POST, elders=_elders(facility)),
                 lambda f, d: services.record_check(
                     request.user, f, elder_id=d["elder"], systolic=d["systolic"], diastolic=d["diastolic"],
                     blood_sugar=d["blood_sugar"], fasting=d["fasting"], heart_rate=d["heart_rate"],
                     weight=d["weight"], notes=d["notes"]),
                 _("健康检测已记入老人的健康档案。"), "#checks")


@login_required
@require_POST
def move_in(request, pk: int) -> HttpResponse:
    facility = _facility(request, pk)
    rooms = selectors.rooms_with_occupancy(facility)
    return _post(request, pk, "move_in_form", MoveInForm(request.POST, elders=_elders(facility), rooms=rooms),
                 lambda f, d: services.move_in(request.user, f, elder_id=d["elder"], room_id=d["room"], on=d["on"]),
                 _("已办理入住。"), "#rooms")


@login_required
@require_POST
def move_out(request, pk: int) -> HttpResponse:
    stay = Stay.objects.filter(pk=pk, room__facility__in=selectors.facilities_for(request.user)).first()
    if stay is None:
        raise Http404(_("入住记录不存在。"))
    form = MoveOutForm(request.POST)
    try:
        if not form.is_valid():
            raise MinshengError(_("请填写退住日期。"))
        services.move_out(request.user, stay.pk, on=form.cleaned_data["on"], note=form.cleaned_data["note"])
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已办理退住。"))
    return redirect(reverse("eldercare:facility", args=[stay.room.facility_id]) + "#rooms")


@login_required
@require_POST
def add_shifts(request, pk: int) -> HttpResponse:
    def call(f, d):
        shifts = services.add_shifts(request.user, f, first_day=d["first_day"], starts=d["starts"], ends=d["ends"],
                                     duty=d["duty"], capacity=d["capacity"], hours=d["hours"], weeks=d["weeks"])
        return shifts
    return _post(request, pk, "shift_form", ShiftForm(request.POST), call, _("排班已发布，志愿者可以报名。"), "#rota")


@login_required
@require_POST
def attendance(request, pk: int) -> HttpResponse:
    signup = ShiftSignup.objects.filter(pk=pk, shift__facility__in=selectors.facilities_for(request.user)).first()
    if signup is None:
        raise Http404(_("报名记录不存在。"))
    try:
        signup = services.record_attendance(request.user, signup.pk, attended=request.POST.get("attended") == "1")
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认到岗，服务时长已记入志愿者账户。") if signup.attendance == "attended"
                         else _("已记为未到岗。"))
    return redirect(reverse("eldercare:facility", args=[signup.shift.facility_id]) + "#rota")


@login_required
@require_POST
def check_in(request, pk: int) -> HttpResponse:
    facility = _facility(request, pk)
    return _post(request, pk, "check_in_form", CheckInForm(request.POST, elders=_elders(facility)),
                 lambda f, d: services.check_in(request.user, f, elder_id=d["elder"]), _("已签到。"), "#day-care")


@login_required
@require_POST
def check_out(request, pk: int) -> HttpResponse:
    visit = DayCareVisit.objects.filter(pk=pk, elder__facility__in=selectors.facilities_for(request.user)).first()
    if visit is None:
        raise Http404(_("签到记录不存在。"))
    try:
        services.check_out(request.user, visit.pk)
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已签退。"))
    return redirect(reverse("eldercare:facility", args=[visit.elder.facility_id]) + "#day-care")


# --- health checks: masked lists, the record with its reveal and chart ---------------------------

@login_required
def checks(request: HttpRequest, pk: int) -> HttpResponse:
    """A place's checks, newest first, searchable by name.  Values never show here, and no filter
    reads them: "只看异常" is honoured only for a viewer who may see the values, and logged per
    elder listed; for anyone else it is ignored (a filter on values would leak them)."""
    facility = _facility(request, pk)
    rows = selectors.checks_for(request.user).filter(elder__facility=facility)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        rows = rows.filter(elder__resident__name__contains=q)
    may_values = may(request.user, OPERATORS, facility)
    abnormal = may_values and request.GET.get("abnormal") == "1"
    if abnormal:
        rows = rows.filter(out_of_range=True)
    page = list(rows[:100])
    if abnormal:
        services.log_abnormal_filter(request.user, [c.elder.resident for c in page])
    return render(request, "eldercare/checks.html", {
        "facility": facility, "checks": page, "q": q, "abnormal": abnormal, "may_values": may_values})


def _elder(request, pk: int) -> Elder:
    elder = selectors.elders_for(request.user).filter(pk=pk).first()
    if elder is None:
        raise Http404(_("老人不存在。"))
    return elder


def _chart(rows: list[HealthCheck]) -> dict:
    """The chart's series: each point with its value and whether it lies outside the normal range."""
    series = {m: [] for m in ranges.MEASURES}
    for c in rows:
        at = timezone.localtime(c.measured_at).strftime("%Y-%m-%d %H:%M")
        for m in ranges.MEASURES:
            value = getattr(c, m)
            if value is not None:
                bounds = ranges.normal_for(m, fasting=c.fasting)
                series[m].append({"at": at, "value": float(value),
                                  "out": bool(bounds and not bounds.holds(value))})
    return {"series": series, "labels": {m: str(ranges.LABELS[m]) for m in ranges.MEASURES},
            "normal": {"systolic": [90, 139], "diastolic": [60, 89], "heart_rate": [60, 100]},
            "units": {m: str(ranges.UNITS[m]) for m in ranges.MEASURES}, "out_label": _("超出正常范围")}


@login_required
def health_record(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the record masked ("已测").  POST 查看数值: the values and the chart, the view logged."""
    elder = _elder(request, pk)
    rows = list(selectors.health_record(request.user, elder))
    revealed = False
    if request.method == "POST":
        try:
            services.reveal_values(request.user, elder, purpose=_("查看老人健康档案数值"))
        except MinshengError as exc:
            messages.error(request, exc.message)
        else:
            revealed = True
    elif request.method != "GET":
        raise Http404()
    for c in rows:
        c.abnormal = ranges.abnormal({m: getattr(c, m) for m in ranges.MEASURES}, fasting=c.fasting) \
            if revealed else []
    return render(request, "eldercare/health_record.html", {
        "elder": elder, "rows": list(reversed(rows)), "revealed": revealed,
        "may_values": services.may_see_values(request.user, elder),
        "may_follow_up": may(request.user, CARERS, elder.facility, as_staff=False),
        "chart": _chart(rows) if revealed else None, "measures": ranges.MEASURES})


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.checks_for(request.user).filter(pk=pk).first()
    if check is None:
        raise Http404(_("健康检测记录不存在。"))
    try:
        person = services.raise_follow_up(request.user, check.pk)
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已转关爱走访：%(name)s 列为高风险，下次走访 %(due)s。") % {
            "name": person.resident.name, "due": person.next_visit_due})
    return redirect("eldercare:health_record", pk=check.elder_id)


# --- the volunteer's rota (a phone) -------------------------------------------------------------

@login_required
def rota(request: HttpRequest) -> HttpResponse:
    if Role.VOLUNTEER not in roles_of(request.user):
        raise Http404(_("只有志愿者可以报名排班。"))
    volunteer = Volunteer.objects.select_related("region").filter(resident__user=request.user, active=True).first()
    mine = list(selectors.my_signups(volunteer)[:30])
    taken = {s.shift_id: s for s in mine}
    shifts = list(selectors.open_shifts_for(volunteer, clock.today()))
    now = clock.now()
    for shift in shifts:
        shift.mine = taken.get(shift.pk)
        shift.started = services.starts_at(shift) <= now
    return render(request, "eldercare/rota.html", {"volunteer": volunteer, "shifts": shifts, "mine": mine,
                                                   "today": clock.today()})


@login_required
@require_POST
def sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        signup = services.sign_up(request.user, pk)
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已报名 %(facility)s %(day)s %(starts)s 的班次，请按时到岗。") % {
            "facility": signup.shift.facility.name, "day": signup.shift.day,
            "starts": f"{signup.shift.starts:%H:%M}"})
    return redirect("eldercare:rota")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.cancel_signup(request.user, pk)
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消报名。"))
    return redirect("eldercare:rota")


# --- setting up places and rooms (community and street staff) -----------------------------------

HISTORY_SHOWN = 30


def _history(facility: Facility):
    """The place's configuration history, with its rooms'."""
    rooms = [str(pk) for pk in facility.rooms.values_list("pk", flat=True)]
    return AuditEntry.objects.filter(
        Q(object_type="eldercare.facility", object_id=str(facility.pk))
        | Q(object_type="eldercare.room", object_id__in=rooms)).order_by("-at", "-pk")[:HISTORY_SHOWN]


def _set_up_facility(request, pk: int) -> Facility:
    facility = _facility(request, pk)
    if not services.may_set_up(request.user, facility):
        raise PermissionDenied(_("只有场所所在社区、街道的工作人员可以修改场所信息。"))
    return facility


def _facility_initial(facility: Facility) -> dict:
    return {"name": facility.name, "kind": facility.kind, "region": facility.region_id, "address": facility.address,
            "phone": facility.phone, "opening_hours": facility.opening_hours, "services": facility.services,
            "capacity": facility.capacity, "active": facility.active,
            "staff": ", ".join(sorted(facility.staff.values_list("username", flat=True)))}


def _set_up_page(request, facility: Facility | None, form, *, room_forms=None, new_room=None, status=200):
    context = {"facility": facility, "form": form, "Kind": Facility.Kind}
    if facility is not None:
        context["history"] = _history(facility)
        context["open_work"] = services.open_work(facility)
        context["kept_records"] = services.kept_records(facility)
        if facility.kind == Facility.Kind.HAPPINESS_HOME:
            rooms = selectors.rooms_with_occupancy(facility, closed_too=True)
            room_forms = room_forms or {}
            context["rooms"] = [(r, room_forms.get(r.pk) or RoomForm(initial={"name": r.name, "beds": r.beds},
                                                                     prefix=f"room{r.pk}")) for r in rooms]
            context["new_room"] = new_room or RoomForm(initial={"beds": 1}, prefix="new")
    return render(request, "eldercare/set_up.html", context, status=status)


@login_required
def new_facility(request: HttpRequest) -> HttpResponse:
    """新建场所: a station, a 幸福院 or a day-care centre in a community of the user's territory."""
    if not services.may_set_up(request.user):
        raise PermissionDenied(_("只有社区、街道的工作人员可以设置养老服务场所。"))
    form = FacilityForm(request.POST or None, regions=services.place_regions(request.user),
                        initial={"active": True, "capacity": 0})
    outcome = submit(request, form, lambda d: services.save_facility(request.user, None, **d),
                     lambda f: _("已新建“%(name)s”。") % {"name": f.name})
    if outcome.ok:
        return redirect("eldercare:edit_facility", pk=outcome.result.pk)
    return _set_up_page(request, None, form, status=outcome.status)


@login_required
def edit_facility(request: HttpRequest, pk: int) -> HttpResponse:
    """A place's particulars, its rooms and beds (a 幸福院) and their history."""
    facility = _set_up_facility(request, pk)
    form = FacilityForm(request.POST or None, regions=services.place_regions(request.user),
                        initial=_facility_initial(facility))
    if facility.kind == Facility.Kind.HAPPINESS_HOME:
        form.fields["capacity"].disabled = True  # its rooms' beds, set below
    outcome = submit(request, form, lambda d: services.save_facility(request.user, facility, **d),
                     lambda f: _("已保存“%(name)s”。") % {"name": f.name})
    if outcome.ok:
        return redirect("eldercare:edit_facility", pk=facility.pk)
    return _set_up_page(request, facility, form, status=outcome.status)


@login_required
@require_POST
def save_room(request: HttpRequest, pk: int, room: int | None = None) -> HttpResponse:
    """Add a room (``room`` None) or change one's name and beds; a refusal shows the page again
    with the message under the field of that room's row."""
    facility = _set_up_facility(request, pk)
    existing = get_object_or_404(Room, pk=room, facility=facility) if room is not None else None
    form = RoomForm(request.POST, prefix=f"room{existing.pk}" if existing else "new")
    outcome = submit(request, form, lambda d: services.save_room(request.user, facility, existing, **d),
                     lambda r: _("已保存 %(room)s（%(beds)d 张床位）。") % {"room": r.name, "beds": r.beds})
    if outcome.ok:
        return redirect(reverse("eldercare:edit_facility", args=[facility.pk]) + "#rooms")
    facility.refresh_from_db()
    return _set_up_page(request, facility, FacilityForm(regions=services.place_regions(request.user),
                                                        initial=_facility_initial(facility)),
                        room_forms={existing.pk: form} if existing else None,
                        new_room=None if existing else form, status=outcome.status)


@login_required
@require_POST
def remove_facility(request: HttpRequest, pk: int) -> HttpResponse:
    """删除 a place nothing points at, or 停用 one with records; refused while work is open there."""
    facility = _set_up_facility(request, pk)
    name, outcome = facility.name, []

    def remove() -> str:
        outcome.append(services.remove_facility(request.user, facility))
        return outcome[0]

    def said(what: str) -> str:
        if what == "deleted":
            return _("已删除“%(name)s”。") % {"name": name}
        return _("“%(name)s”有需要保留的记录，已停用（不再列出，记录可查）。") % {"name": name}

    perform(request, remove, said)
    if outcome == ["deleted"]:
        return redirect("eldercare:home")
    return redirect(reverse("eldercare:edit_facility", args=[pk]) + "#remove")


@login_required
@require_POST
def remove_room(request: HttpRequest, pk: int, room: int) -> HttpResponse:
    """删除 a room nobody ever lived in, 停用 one with stays on record; refused while someone lives there."""
    facility = _set_up_facility(request, pk)
    name = get_object_or_404(Room, pk=room, facility=facility).name
    perform(request, lambda: services.remove_room(request.user, facility, room),
            lambda what: (_("已删除 %(room)s。") if what == "deleted" else
                          _("%(room)s 有入住记录，已停用（床位不再计入）。")) % {"room": name})
    return redirect(reverse("eldercare:edit_facility", args=[pk]) + "#rooms")


@login_required
@require_POST
def reopen_room(request: HttpRequest, pk: int, room: int) -> HttpResponse:
    facility = _set_up_facility(request, pk)
    perform(request, lambda: services.reopen_room(request.user, facility, room),
            lambda r: _("%(room)s 已重新启用。") % {"room": r.name})
    return redirect(reverse("eldercare:edit_facility", args=[pk]) + "#rooms")
