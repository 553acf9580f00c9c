"""Residents' pages (no account): file a demand, track it by number, rate the result."""

import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.catalogue.selectors import search_categories
from minsheng.core import clock
from minsheng.core.clients import client_address
from minsheng.core.errors import MinshengError, NotFound
from minsheng.core.throttle import TooManyAttempts, check_rate
from minsheng.demands import selectors, services
from minsheng.demands.models import Demand, DemandAttachment
from minsheng.demands.workflow import Channel, Kind, State
from minsheng.maps.public import is_published
from minsheng.organisation.models import Region
from minsheng.routing.addresses import AddressResolution, resolve_address, resolve_point
from minsheng.routing.duplicates import find_duplicates
from minsheng.routing.services import suggest_for_text
from minsheng.supervision import revisits

from ..forms import PublicDemandForm, RatingForm, TrackForm, add_service_errors
from ..homes import home_url, resident_of_account


def home(request: HttpRequest) -> HttpResponse:
    """The public start page; a signed-in account goes on to the page it works from (also where
    signing in lands: LOGIN_REDIRECT_URL)."""
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    return render(request, "web/public/home.html")


def _client(request: HttpRequest) -> str:
    return client_address(request)


def _place(latitude, longitude, address: str) -> AddressResolution | None:
    """Where a report is: the pin when there is one, else the typed address; None for neither."""
    if latitude is not None and longitude is not None:
        found = resolve_point(latitude, longitude)
        if found.status == "resolved" or not address:
            return found
    return resolve_address(address) if address else None


def _report_region(found: AddressResolution) -> Region:
    """The region a report is filed under: its grid; when the resident's words stop above grid level
    or fit several places, the deepest place named for sure (a dispatcher settles the grid, and the
    resident is not asked to)."""
    if found.grid is not None:
        return found.grid
    if found.recognised:
        return found.recognised[-1]
    if found.community is not None:
        return found.community
    return Region.objects.filter(kind=Region.Kind.DISTRICT).order_by("path").first()


def submit(request: HttpRequest) -> HttpResponse:
    """The resident's report (no account).  A pin or an address says where; the button "我也遇到"
    on a nearby open demand posts the same form with ``join`` set, and joins that demand instead."""
    form = PublicDemandForm(request.POST or None, request.FILES or None, initial=_reporter_initial(request.user))
    if request.method == "POST" and form.is_bound:
        if request.POST.get("join"):
            return _join(request, form)
        if form.is_valid():
            data = form.cleaned_data
            found = _place(data["latitude"], data["longitude"], data["address"])
            if found is None:
                form.add_error("address", _("请在地图上点选问题所在的位置，或填写地址。"))
            elif found.status == "unresolved" and not found.recognised and data["latitude"] is not None:
                form.add_error("address", _("地图上点选的位置不在本区服务范围内，请重新点选，或填写地址。"))
            else:
                place = found.building or found.grid
                address = data["address"] or (place.full_name if place else "")
                try:
                    demand = services.register_demand(
                        None, channel=Channel.WEB, demand_type=data["demand_type"], category=data["category"] or None,
                        title=data["title"], description=data["description"], region=_report_region(found),
                        address=address, hide_name=data["hide_name"], consent=data["consent"],
                        publish_consent=data["publish_consent"], photos=data["photos"],
                        latitude=data["latitude"], longitude=data["longitude"],
                        reporter=services.ReporterInput(name=data["name"], phone=data["phone"]))
                except MinshengError as exc:
                    add_service_errors(form, exc)
                else:
                    request.session["submitted"] = demand.number
                    request.session.pop("joined", None)
                    return redirect("web:submitted")
    return render(request, "web/public/submit.html", {"form": form}, status=400 if form.errors else 200)


def _reporter_initial(user) -> dict:
    """A signed-in resident's own name and phone, filled in: they were typed again on every report,
    and a different phone files the report under another resident, so it is missing from 我的诉求."""
    resident = resident_of_account(user) if user.is_authenticated else None
    return {"name": resident.name, "phone": resident.phone} if resident else {}


def _join(request: HttpRequest, form: PublicDemandForm) -> HttpResponse:
    """我也遇到: only the name, phone and consent of the form count; the rest of it is not checked."""
    name, phone = request.POST.get("name", "").strip(), request.POST.get("phone", "").strip()
    # The form shows what was typed again; what it would say about the report itself does not
    # concern a resident who is joining another one, so its errors are set aside.
    form.is_valid()
    form._errors = {}
    join = request.POST.get("join", "")
    demand = Demand.objects.select_related("demand_type").filter(
        pk=int(join) if join.isdigit() else 0, kind=Kind.DEMAND).first()
    # Only what the look-alike list may show can be joined: joining a demand lets one follow it, and
    # a report (举报), a vulnerable resident's demand or one whose reporter did not consent is nobody
    # else's to follow.
    if demand is None or not is_published(demand):
        form.add_error(None, _("没有找到这个诉求，请刷新页面后重试。"))
    elif not name or not phone:
        form.add_error("name" if not name else "phone", _("请填写姓名和联系电话，以便告诉你办理进展。"))
    else:
        try:
            demand, _added = services.join_demand(
                demand.pk, reporter=services.ReporterInput(name=name, phone=phone), channel=Channel.WEB,
                consent=bool(request.POST.get("consent")))
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            request.session["submitted"] = demand.number
            request.session["joined"] = True
            return redirect("web:submitted")
    return render(request, "web/public/submit.html", {"form": form}, status=400)


def submitted(request: HttpRequest) -> HttpResponse:
    number = request.session.get("submitted")
    if not number:
        return redirect("web:submit")
    joined = request.session.get("joined", False)
    count = 0
    if joined:
        demand = Demand.objects.filter(number=number).first()
        count = selectors.reporter_count(demand) if demand else 0
    return render(request, "web/public/submitted.html", {"number": number, "joined": joined, "count": count})


def _coordinate(value: str | None) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _lookup_limited(scope: str) -> Callable:
    """A report-form look-up anyone may call, limited per client address (core.throttle, as the
    SMS sign-in): past the limit, a 429 in JSON with a message for the resident, which the form
    shows where it would show the answer (report.js), and Retry-After."""
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                check_rate(f"report-{scope}", _client(request), settings.MINSHENG_REPORT_LOOKUPS_PER_MINUTE)
            except TooManyAttempts as exc:
                message = _("查询太频繁了，请等 %(n)d 秒再试。已填写的内容都还在，也可以直接提交。") % {
                    "n": exc.retry_after}
                return JsonResponse({"status": "throttled", "message": message, "retry_after": exc.retry_after},
                                    status=429, headers={"Retry-After": str(exc.retry_after)})
            return view(request, *args, **kwargs)
        return limited
    return decorate


@_lookup_limited("place")
def report_place(request: HttpRequest) -> JsonResponse:
    """The form's pin or typed address → the community, grid and building, in the resident's words."""
    lat, lng = _coordinate(request.GET.get("latitude")), _coordinate(request.GET.get("longitude"))
    found = _place(lat, lng, request.GET.get("address", "").strip()[:255])
    if found is None:
        return JsonResponse({"status": "empty", "message": ""})
    place = found.building or found.grid
    point = place or (found.recognised[-1] if found.recognised else None)
    centre = _centre(point)
    pin = found.point if lat is None else None  # a typed address places the pin; a tapped one stays
    if pin is not None:
        centre = {"latitude": pin[0], "longitude": pin[1]}
    # Several places fit the words: each one, for the resident to pick (its name completes the address).
    candidates = [{"name": c.full_name, **_centre(c)} for c in found.candidates[:6]]
    return JsonResponse({"status": found.status, "message": found.resident_message,
                         "place": place.full_name if place else "", **centre,
                         "pin": {"latitude": pin[0], "longitude": pin[1]} if pin else None,
                         "candidates": candidates,
                         "zoom": 17 if found.building or pin else (16 if found.grid else 15)})


def _centre(region: Region | None) -> dict:
    """Where the map goes for a place: its point, or the middle of its boundary."""
    if region is not None and region.latitude is not None:
        return {"latitude": float(region.latitude), "longitude": float(region.longitude)}
    if region is not None and region.boundary:
        ring = region.boundary[0]
        lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
        return {"latitude": (min(lats) + max(lats)) / 2, "longitude": (min(lngs) + max(lngs)) / 2}
    return {"latitude": None, "longitude": None}


@_lookup_limited("categories")
def report_categories(request: HttpRequest) -> JsonResponse:
    """Categories for the form's search box (synonyms included: 井盖 finds 市政设施)."""
    found = search_categories(request.GET.get("q", "")[:40])
    return JsonResponse({"results": [{"code": c.code, "label": _category_label(c)} for c in found]})


@_lookup_limited("suggestions")
def report_suggestions(request: HttpRequest) -> JsonResponse:
    """The category the router reads in the description being typed, in plain words."""
    found = suggest_for_text(request.GET.get("text", "")[:1000])
    return JsonResponse({"results": [{"code": s.category.code, "label": _category_label(s.category),
                                      "percent": s.percent} for s in found]})


def _category_label(category) -> str:
    return f"{category.parent} › {category}" if category.parent_id else str(category)


@_lookup_limited("similar")
def report_similar(request: HttpRequest) -> HttpResponse:
    """Open demands nearby that look like the one being typed, each with "我也遇到": of the
    published ones only (``maps.public``), what the public list shows of them (category, state,
    distance, age, how many reported it), never their words, who reported them or where."""
    text = request.GET.get("description", "")[:1000]
    lat, lng = _coordinate(request.GET.get("latitude")), _coordinate(request.GET.get("longitude"))
    found = _place(lat, lng, request.GET.get("address", "").strip()[:255]) if len(text.strip()) >= 4 else None
    matches = []
    if found is not None and (found.grid or found.community):
        matches = find_duplicates(None, title="", description=text, region=found.grid or found.community,
                                  latitude=lat, longitude=lng, limit=3,
                                  category=request.GET.get("category", "").strip()[:64] or None)
    counts = selectors.reporter_counts([m.demand.pk for m in matches])
    rows = [{"demand": m.demand, "reporters": 1 + counts.get(m.demand.pk, 0), "days": int(m.days),
             "metres": round(m.metres) if m.metres is not None else None, "same_event": m.same_event}
            for m in matches if is_published(m.demand)]
    return render(request, "web/public/_similar.html", {"rows": rows})


def track(request: HttpRequest) -> HttpResponse:
    # POST only: the phone's last four digits in a query string would land in every access log.
    # A link may still carry the number (?number=…) to fill the form in.
    if request.method == "POST":
        form = TrackForm(request.POST)
    else:
        form = TrackForm(initial={"number": request.GET.get("number", "")[:20]})
    demand = merged_into = None
    rating = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            demand = services.find_demand_for_reporter(form.cleaned_data["number"], form.cleaned_data["phone_last4"],
                                                       client=_client(request))
        except (NotFound, TooManyAttempts) as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            if demand.state == State.RESOLVED:
                rating = RatingForm(kind=demand.kind)
            merged_into = selectors.merge_target(demand)
    timeline = _with_photo_links(selectors.public_timeline(demand)) if demand else []
    # The demand this one was merged into was reported by someone else: only its results are shown.
    merged_timeline = _with_photo_links(selectors.public_timeline(merged_into, photos_after_only=True)) \
        if merged_into else []
    return render(request, "web/public/track.html", {
        "form": form, "demand": demand, "rating": rating, "merged_into": merged_into,
        "time_status": selectors.time_status(demand, clock.now()) if demand else "",
        "timeline": timeline, "merged_timeline": merged_timeline,
    }, status=status)


# A photo on the tracking page is fetched by a signed link that the page's answer carries: the
# page opens only with the demand's number and the phone's last digits, and the link works for
# a while after that answer, for this one photo, without an account.
TRACK_PHOTO_SALT = "minsheng.web.track-photo"
TRACK_PHOTO_MAX_AGE = 3600


def _with_photo_links(events: list) -> list:
    for event in events:
        for photo in event.photos:
            photo.link = reverse("web:track_photo", args=[signing.dumps(photo.pk, salt=TRACK_PHOTO_SALT)])
    return events


def track_photo(request: HttpRequest, token: str) -> FileResponse:
    """A photo shown on the tracking page, by the signed link that page gave (see TRACK_PHOTO_SALT)."""
    try:
        pk = signing.loads(token, salt=TRACK_PHOTO_SALT, max_age=TRACK_PHOTO_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired included
        raise Http404 from exc
    item = DemandAttachment.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = f"private, max-age={TRACK_PHOTO_MAX_AGE}"
    return response


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    track_form = TrackForm(request.POST)
    rating = RatingForm(request.POST, kind=None)
    if not (track_form.is_valid() and rating.is_valid()):
        return render(request, "web/public/track.html", {"form": track_form, "rating": rating, "demand": None,
                                                         "timeline": [], "language_next": "/track/"}, status=400)
    try:
        services.rate_as_reporter(track_form.cleaned_data["number"], track_form.cleaned_data["phone_last4"],
                                  client=_client(request), **rating.cleaned_data)
    except MinshengError as exc:
        track_form.add_error(None, exc.message)
        return render(request, "web/public/track.html", {"form": track_form, "rating": None, "demand": None,
                                                         "timeline": [], "language_next": "/track/"},
                      status=exc.status)
    return render(request, "web/public/rated.html", {"number": track_form.cleaned_data["number"],
                                                     "phone_last4": track_form.cleaned_data["phone_last4"],
                                                     "language_next": "/track/"})


def grids_geojson(request: HttpRequest) -> JsonResponse:
    """The grids' boundaries as GeoJSON, for the map pin (names and codes only, nothing personal)."""
    features = [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": r.boundary},
         "properties": {"code": r.code, "name": r.full_name}}
        for r in Region.objects.filter(kind=Region.Kind.GRID, boundary__isnull=False).order_by("path")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def revisit(request: HttpRequest, token: str) -> HttpResponse:
    """The page a revisit text message links to: the resident rates the result, no login."""
    try:
        demand = revisits.demand_for_link(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = RatingForm(request.POST or None, kind=demand.kind)
    if request.method == "POST" and form.is_valid():
        try:
            revisits.revisit_by_link(token, **form.cleaned_data)
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "web/public/revisited.html", {"demand": demand})
    return render(request, "web/public/revisit.html", {"demand": demand, "form": form},
                  status=400 if form.is_bound else 200)


# 适老化: the large-text, high-contrast mode, kept per browser in a cookie so that the server
# renders every page in it from the first byte (no flash of small text, no script needed).
ELDER_COOKIE = "minsheng_elder"
ELDER_COOKIE_AGE = 365 * 24 * 3600


@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    """Turn the elder-friendly mode on (``on=1``) or off for this browser, back to the page."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = redirect(target)
    if request.POST.get("on") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=ELDER_COOKIE_AGE, samesite="Lax", httponly=True,
                            secure=request.is_secure())
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response
