"""Residents' pages (no account): file a demand, track it by number, rate the result."""

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.clients import client_address
from minsheng.core.errors import MinshengError, NotFound
from minsheng.core.throttle import TooManyAttempts
from minsheng.demands import selectors, services
from minsheng.demands.models import DemandAttachment
from minsheng.demands.workflow import Channel, State
from minsheng.organisation.models import Region
from minsheng.supervision import revisits

from ..forms import PublicDemandForm, RatingForm, TrackForm, add_service_errors
from ..homes import home_url


def home(request: HttpRequest) -> HttpResponse:
    """The public start page; a signed-in account goes on to the page it works from (also where
    signing in lands: LOGIN_REDIRECT_URL)."""
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    return render(request, "web/public/home.html")


def _client(request: HttpRequest) -> str:
    return client_address(request)


def submit(request: HttpRequest) -> HttpResponse:
    form = PublicDemandForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand = services.register_demand(
                None, channel=Channel.WEB, demand_type=data["demand_type"], category=data["category"] or None,
                title=data["title"], description=data["description"], region=Region.objects.get(code=data["region"]),
                address=data["address"], hide_name=data["hide_name"], consent=data["consent"],
                photos=data["photos"], latitude=data["latitude"], longitude=data["longitude"],
                reporter=services.ReporterInput(name=data["name"], phone=data["phone"]))
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            request.session["submitted"] = demand.number
            return redirect("web:submitted")
    return render(request, "web/public/submit.html", {"form": form}, status=400 if form.errors else 200)


def submitted(request: HttpRequest) -> HttpResponse:
    number = request.session.get("submitted")
    if not number:
        return redirect("web:submit")
    return render(request, "web/public/submitted.html", {"number": number})


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
