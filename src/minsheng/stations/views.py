"""Station pages: the public page behind the QR sign, the agent's phone pages, the coverage map
for street leaders, agents' record books and the yearly ranking.  Views only call selectors and
services."""


from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minsheng.core import clock, dates
from minsheng.core.errors import MinshengError, NotFound
from minsheng.core.exports import xlsx_response
from minsheng.core.pdf import pdf_response
from minsheng.core.qr import qr_svg
from minsheng.demands import selectors as demand_selectors
from minsheng.demands import services as engine
from minsheng.demands.workflow import OPEN_STATES
from minsheng.knowledge import selectors as knowledge_selectors
from minsheng.organisation.models import Region
from minsheng.organisation.roles import STAFF_ROLES, Role
from minsheng.organisation.scope import grants_for, grants_with_roles, roles_of
from minsheng.routing.addresses import resolve_address
from minsheng.web import field
from minsheng.web.actions import perform, submit
from minsheng.web.forms import add_service_errors

from . import selectors, services
from .forms import WAY_FORMS, AwardForm, CircleForm, CoverageForm, StationRequestForm
from .hours import describe, is_open
from .models import Agent, ServiceNotice, Station, Way

LEADERS = {Role.LEADER, Role.STREET_DISPATCHER, Role.COMMUNITY_STAFF, Role.ADMINISTRATOR, Role.AUDITOR}


def _staff(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not roles_of(request.user) & STAFF_ROLES:
            raise Http404(_("没有可用的工作台页面。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _public_station(pk: int) -> Station:
    return get_object_or_404(Station.objects.select_related("unit__region").prefetch_related("service_items"),
                             pk=pk, unit__active=True)


def _station_context(request: HttpRequest, station: Station) -> dict:
    url = request.build_absolute_uri(reverse("stations:public", args=[station.pk]))
    return {"station": station, "hours_text": describe(station.hours), "public_url": url,
            "qr": qr_svg(url, title=station.name), "open_now": is_open(station.hours, clock.now())}


# --- residents ------------------------------------------------------------------------

def _register(actor, station: Station, data: dict):
    return services.take_in(
        actor, station, service_item=data["service_item"] or None, title=data["title"],
        description=data["description"], address=data["address"], hide_name=data["hide_name"],
        consent=data["consent"], photos=data["photos"],
        reporter=engine.ReporterInput(name=data["name"], phone=data["phone"]))


def _take_in(actor, station: Station, form: StationRequestForm):
    """Register the request of a valid form at the station (a resident's own when ``actor`` is None,
    else taken by the agent); None, with the service's reasons on the form, when it is refused."""
    try:
        return _register(actor, station, form.cleaned_data)
    except MinshengError as exc:
        add_service_errors(form, exc)
        return None


def public_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The page a station's QR code opens: who, where, when, what, and the request form."""
    station = _public_station(pk)
    form = StationRequestForm(request.POST or None, request.FILES or None, station=station)
    if request.method == "POST" and form.is_valid() and (demand := _take_in(None, station, form)):
        request.session["submitted"] = demand.number
        return redirect("stations:public_done", pk=station.pk)
    return render(request, "stations/public.html", {**_station_context(request, station), "form": form},
                  status=400 if form.errors else 200)


def public_done(request: HttpRequest, pk: int) -> HttpResponse:
    station = _public_station(pk)
    number = request.session.get("submitted")
    if not number:
        return redirect("stations:public", pk=station.pk)
    return render(request, "stations/public_done.html", {"station": station, "number": number})


def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable sign with the QR code (?format=pdf for the PDF)."""
    station = _public_station(pk)
    context = _station_context(request, station)
    if request.GET.get("format") == "pdf":
        # Public (anyone may ask) and unchanging: made once per station and language, then sent again.
        return pdf_response(request, "stations/sign.html", {**context, "printing": True},
                            f"station-{station.pk}-sign.pdf", reuse=True)
    return render(request, "stations/sign.html", context)


def _point_of(form: CircleForm):
    data = form.cleaned_data
    if data.get("latitude") is not None and data.get("longitude") is not None:
        return float(data["latitude"]), float(data["longitude"]), ""
    if data.get("address"):
        found = resolve_address(data["address"])
        place = found.building or found.grid
        if found.status == "resolved" and place is not None and place.latitude is not None:
            return float(place.latitude), float(place.longitude), place.full_name
        form.add_error("address", found.message if found.status != "resolved" else _("该地址没有坐标。"))
    elif form.is_bound:
        form.add_error(None, _("请输入地址，或填写经纬度。"))
    return None


def nearby(request: HttpRequest) -> HttpResponse:
    """The nearest open stations to an address or a point, with the walk (straight line)."""
    form = CircleForm(request.GET or None)
    results, place = [], ""
    if form.is_bound and form.is_valid():
        point = _point_of(form)
        if point:
            lat, lng, place = point
            results = selectors.nearest_stations(lat, lng, open_only=not form.cleaned_data["include_closed"])
    return render(request, "stations/nearby.html", {
        "form": form, "results": results, "place": place, "speed": selectors.walk_speed(),
        "limit": selectors.circle_minutes()}, status=400 if form.errors else 200)


# --- agents ---------------------------------------------------------------------------

@_staff
def station_list(request: HttpRequest) -> HttpResponse:
    stations = selectors.stations_for(request.user).prefetch_related("service_items", "agents")
    for s in stations:
        s.hours_text = describe(s.hours)
    return render(request, "stations/list.html", {"stations": stations, "may_recruit": _may_recruit(request.user)})


def _may_recruit(user) -> bool:
    """Whether the user selects and approves agents (the nomination pages open for them)."""
    from .recruitment import SELECTORS

    return bool(grants_with_roles(user, SELECTORS))


@_staff
def agent_cases(request: HttpRequest) -> HttpResponse:
    cases = list(selectors.agent_queue(request.user)[:200])
    now = clock.now()
    for d in cases:
        d.time_status = demand_selectors.time_status(d, now)
    return render(request, "stations/cases.html", {"cases": cases, "station": selectors.station_of(request.user)})


def _case_demand(request: HttpRequest, pk: int):
    try:
        demand = demand_selectors.get_demand_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not hasattr(demand, "station_case"):
        raise Http404(_("代办案件不存在。"))
    return demand


def _case_context(request: HttpRequest, demand, forms=None) -> dict:
    forms = forms or {}
    available = {spec.action for spec in demand_selectors.available_actions(request.user, demand)}
    ways = []
    # The four ways are offered once, while no way has been chosen and the agent may still take it on.
    if not demand.station_case.way and "station_undertake" in available:
        for way, form_class in WAY_FORMS.items():
            ways.append((way, Way(way).label, forms.get(way) or form_class(initial={"version": demand.version})))
    resolve_form = None
    if "resolve" in available:
        resolve_form = forms.get("resolve") or WAY_FORMS[Way.ON_SPOT](initial={"version": demand.version})
    return {"demand": demand, "case": demand.station_case, "steps": selectors.case_steps(demand), "ways": ways,
            "resolve_form": resolve_form, "time_status": demand_selectors.time_status(demand, clock.now()),
            "events": demand_selectors.events_of(demand),
            # The knowledge base at the desk: the answers matching the case, while it is open.
            "articles": knowledge_selectors.demand_suggestions(demand) if demand.state in OPEN_STATES else [],
            "language_next": reverse("stations:case", args=[demand.pk])}


@_staff
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _case_demand(request, pk)
    return render(request, "stations/case.html", _case_context(request, demand))


@_staff
@require_POST
def case_handle(request: HttpRequest, pk: int, way: str) -> HttpResponse:
    """One of the four ways, or ``resolve`` (代办 done: the result for the 反馈)."""
    demand = _case_demand(request, pk)
    if way not in (*Way.values, "resolve"):
        raise Http404(_("未知的操作。"))
    form = WAY_FORMS[Way.ON_SPOT if way == "resolve" else way](request.POST)

    def act(cleaned: dict):
        data, version = form.service_kwargs(), cleaned["version"]
        if way == Way.ON_SPOT:
            return services.handle_on_spot(request.user, demand.pk, version, result=data["result"])
        if way in (Way.TIMED, Way.GUIDED):
            return services.undertake_case(request.user, demand.pk, version, way=way, note=data["note"],
                                           promised_at=data["promised_at"])
        if way == Way.JOINT:
            return services.report_up(request.user, demand.pk, version, reason=data["reason"])
        return engine.resolve_demand(request.user, demand.pk, version, result=data["result"])

    outcome = submit(request, form, act, _("已保存。"))
    if outcome.ok:
        return redirect("stations:case", pk=demand.pk)
    demand.refresh_from_db()  # a refusal shows the case as it now stands (a newer version, a new state)
    return render(request, "stations/case.html", _case_context(request, demand, {way: form}), status=outcome.status)


@_staff
@field.replays
def agent_intake(request: HttpRequest) -> HttpResponse:
    station = selectors.station_of(request.user)
    if station is None:
        raise Http404(_("你不是代办站的代办员。"))
    form = StationRequestForm(request.POST or None, request.FILES or None, station=station)
    if field.is_queued(request) and request.method == "POST":  # taken in offline, from the phone's queue
        if not form.is_valid():
            return field.form_refused(form)

        def take_in() -> dict:
            demand = _register(request.user, station, form.cleaned_data)
            return {"message": _("已受理，编号 %(number)s。") % {"number": demand.number}, "number": demand.number}
        return field.replayable(request, take_in, flash=True)
    if request.method == "POST" and form.is_valid() and (demand := _take_in(request.user, station, form)):
        return redirect("stations:case", pk=demand.pk)
    return render(request, "stations/intake.html", {"form": form, "station": station},
                  status=400 if form.errors else 200)


# --- street leaders: the coverage map ----------------------------------------------------

def _territory(user) -> Region | None:
    """The widest region the user answers for (None: the whole district)."""
    paths = [g.narrowed_to or g.region_path for g in grants_for(user) if g.region_path is not None]
    if "" in paths or any(g.unit_path == "" for g in grants_for(user)):
        return None
    if not paths:
        raise Http404(_("你没有可查看的辖区。"))
    return Region.objects.get(path=min(paths, key=len))


def _coverage(request: HttpRequest):
    form = CoverageForm(request.GET or None)
    speed = minutes = None
    if form.is_bound and form.is_valid():
        speed, minutes = form.cleaned_data["speed"], form.cleaned_data["minutes"]
    region = _territory(request.user)
    return form, region, selectors.coverage(region, speed=speed, minutes=minutes)


@_staff
def coverage_map(request: HttpRequest) -> HttpResponse:
    form, region, result = _coverage(request)
    if not (roles_of(request.user) & LEADERS):
        raise Http404(_("没有可用的工作台页面。"))
    stations = selectors.stations_for(request.user) if region is not None else Station.objects.select_related("unit")
    map_data = {
        "radius": result.speed * result.limit_minutes,
        "stations": [{"name": s.name, "tier": s.get_tier_display(), "lat": float(s.latitude),
                      "lng": float(s.longitude)} for s in stations],
        "gaps": [{"name": u.building.name, "lat": float(u.building.latitude), "lng": float(u.building.longitude),
                  "minutes": round(u.minutes, 1)} for u in result.uncovered],
    }
    return render(request, "stations/coverage.html", {
        "form": form, "region": region, "result": result, "map_data": map_data,
        "gaps": result.uncovered[:500]}, status=400 if form.errors else 200)


@_staff
def coverage_geojson(request: HttpRequest):
    from django.http import JsonResponse

    if not (roles_of(request.user) & LEADERS):
        raise Http404(_("没有可用的工作台页面。"))
    _form, _region, result = _coverage(request)
    return JsonResponse({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(u.building.longitude),
                                                                          float(u.building.latitude)]},
         "properties": {"code": u.building.code, "name": u.building.name, "minutes": round(u.minutes, 1)}}
        for u in result.uncovered]})


# --- agents, record books, 喜报 ------------------------------------------------------------

@_staff
def agent_list(request: HttpRequest) -> HttpResponse:
    year = clock.today().year
    return render(request, "stations/agents.html", {"agents": selectors.agents_for(request.user), "year": year,
                                                    "may_recruit": _may_recruit(request.user)})


def _agent(request: HttpRequest, pk: int) -> Agent:
    agent = selectors.agents_for(request.user).filter(pk=pk).first()
    if agent is None:
        raise Http404(_("代办员不存在或不在你的管辖范围内。"))
    return agent


RECORD_HEADERS = [gettext_lazy("受理时间"), gettext_lazy("诉求编号"), gettext_lazy("服务事项"), gettext_lazy("事项"),
                  gettext_lazy("办理方式"), gettext_lazy("诉求人"), gettext_lazy("状态"), gettext_lazy("办结时间"),
                  gettext_lazy("满意度")]


@_staff
def record_book_page(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """纪实簿: every case the agent handled in the year; Excel (?format=xlsx) and PDF (?format=pdf)."""
    agent = _agent(request, pk)
    dates.check_year(year)
    cases = selectors.record_book(agent, year)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        rows = ([c.taken_at, c.demand.number, c.service_item.name if c.service_item else "", c.demand.title,
                 c.get_way_display(), c.demand.reporter.masked_phone if c.demand.reporter else "",
                 c.demand.get_state_display(), c.demand.resolved_at, c.demand.get_satisfaction_display()]
                for c in cases)
        return xlsx_response(f"record-book-{agent.pk}-{year}.xlsx", [str(h) for h in RECORD_HEADERS], rows,
                             sheet_title=str(year))
    context = {"agent": agent, "year": year, "cases": cases, "trainings": agent.trainings.all(),
               "notices": agent.notices.filter(year=year), "today": clock.today()}
    if fmt == "pdf":
        return pdf_response(request, "stations/record_book.html", {**context, "printing": True},
                            f"record-book-{agent.pk}-{year}.pdf")
    return render(request, "stations/record_book.html", context)


@_staff
def notice(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """喜报: POST reports the year's service to the member's organisation; GET prints the last one."""
    agent = _agent(request, pk)
    dates.check_year(year)
    if request.method == "POST":
        perform(request, lambda: services.send_service_notice(request.user, agent, year), _("喜报已报送。"))
        return redirect("stations:record_book", pk=agent.pk, year=year)
    sent = ServiceNotice.objects.filter(agent=agent, year=year).first()
    if sent is None:
        raise Http404(_("尚未报送喜报。"))
    return pdf_response(request, "stations/notice.html", {"notice": sent, "printing": True},
                        f"notice-{agent.pk}-{year}.pdf")


# --- the yearly ranking and awards ---------------------------------------------------------

@_staff
def ranking(request: HttpRequest) -> HttpResponse:
    year = dates.parse_year(request.GET.get("year") or request.POST.get("year"), clock.today().year)
    form = AwardForm(request.POST or None)
    sent = submit(request, form, lambda data: services.select_awards(request.user, year, **data),
                  lambda awards: _("已评定%(n)d个表彰站点。") % {"n": len(awards)})
    if sent.ok:
        return redirect(f"{reverse('stations:ranking')}?year={year}")
    stations = selectors.stations_for(request.user)
    rows = selectors.yearly_ranking(year, Station.objects.filter(pk__in=stations.values("pk")))
    awards = {a.station_id: a for a in selectors.awards_of(year)}
    for row in rows:
        row.award = awards.get(row.station.pk)
    may_award = bool(roles_of(request.user) & {Role.LEADER, Role.ADMINISTRATOR})
    return render(request, "stations/ranking.html", {"rows": rows, "year": year, "form": form,
                                                     "may_award": may_award}, status=sent.status)
