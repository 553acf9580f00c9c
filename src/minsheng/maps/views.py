"""The local tile archive over HTTP (/tiles/{z}/{x}/{y}.png, for intranets and the offline demo),
and the public reports map and list (/reports/) with its area subscriptions."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from minsheng.core.errors import NotFound
from minsheng.web.actions import submit
from minsheng.web.pagination import CappedPaginator

from . import archive, public, subscriptions
from .forms import PublicReportFilter, SubscriptionForm

# Tiles change only when the archive is rendered again; a day keeps maps fast without leaving
# a re-rendered basemap stale for long, and the ETag makes the revalidation after it cheap.
TILE_MAX_AGE = 24 * 3600


@require_safe
def tile(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    # Public like the grid map itself: the residents' report form shows it without a login.
    if not archive.valid_tile(z, x, y):
        raise Http404("no such tile")
    png = archive.read_tile(settings.MINSHENG_TILES, z, x, y)
    if png is None:
        raise Http404("tile not in the archive")
    etag = '"' + hashlib.blake2b(png, digest_size=12).hexdigest() + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(png, content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={TILE_MAX_AGE}"
    return response


# --- the public reports map and list ------------------------------------------------------

PAGE_SIZE = 20
# The list counts at most this many matches (web.pagination); the map shows at most this many
# pins, the newest, clustered: beyond that a resident narrows the filters.
LIST_CAP = 2000
MAP_LIMIT = 500


def _reports_page(request: HttpRequest, subscription: SubscriptionForm | None = None, status: int = 200):
    form = PublicReportFilter(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and form.errors:
        status = 400
    reports = public.public_reports(area=filters.get("area"), category=filters.get("category"),
                                    state=filters.get("state", ""))
    page = CappedPaginator(reports, PAGE_SIZE, LIST_CAP).get_page(request.GET.get("page"))
    page.object_list = public.as_public(page.object_list)
    pins = [r.as_pin() for r in public.as_public(reports.filter(latitude__isnull=False,
                                                                longitude__isnull=False)[:MAP_LIMIT])]
    params = request.GET.copy()
    params.pop("page", None)
    may_subscribe = subscriptions.may_subscribe(request.user)
    if subscription is None and may_subscribe:
        area = filters.get("area")
        subscription = SubscriptionForm(initial={"area": area.code} if area else None)
    return render(request, "maps/public_reports.html", {
        "form": form, "page": page, "params": params.urlencode(), "pins": pins, "map_limit": MAP_LIMIT,
        "subscription": subscription, "may_subscribe": may_subscribe,
        "subscriptions": list(subscriptions.subscriptions_of(request.user)) if may_subscribe else [],
    }, status=status)


@require_safe
def public_reports(request: HttpRequest) -> HttpResponse:
    """公开诉求: the demands their reporters let be published, on a map and in a list (maps.public)."""
    return _reports_page(request)


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path().replace("subscribe/", ""))
    form = SubscriptionForm(request.POST)
    sent = submit(request, form, lambda data: subscriptions.subscribe(
        request.user, form.cleaned_data["area"], form.cleaned_data["channel"]),
        lambda sub: _("已订阅：%(subscription)s。该区域有新的公开诉求时会通知您。") % {"subscription": sub})
    if sent.ok:
        return redirect(reverse("maps:public_reports") + "?" + urlencode({"area": sent.result.region.code}))
    return _reports_page(request, subscription=form, status=400)


@require_POST
def unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("maps:public_reports"))
    try:
        subscriptions.unsubscribe(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("已取消订阅。"))
    return redirect("maps:public_reports")
