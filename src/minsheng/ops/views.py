"""The machine endpoints: ``/health/`` (JSON, 200 or 503) and ``/metrics`` (Prometheus text)."""

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from minsheng.core.clients import client_address

from . import metrics
from .health import health_report


def may_read_metrics(request: HttpRequest) -> bool:
    """The scraper: the bearer token of MINSHENG_METRICS_TOKEN, or an address in MINSHENG_METRICS_ALLOWED."""
    token = settings.MINSHENG_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return True
    if settings.MINSHENG_METRICS_ALLOWED:
        try:
            address = ipaddress.ip_address(client_address(request))
        except ValueError:
            return False
        for allowed in settings.MINSHENG_METRICS_ALLOWED:
            try:
                if address in ipaddress.ip_network(allowed, strict=False):
                    return True
            except ValueError:
                continue
    return False


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Unauthenticated: each check's status for anyone; the figures (counts and ages, never
    personal data) for the metrics scraper and superusers."""
    user = getattr(request, "user", None)
    detail = may_read_metrics(request) or bool(user is not None and user.is_superuser)
    healthy, report = health_report(detail=detail)
    return JsonResponse(report, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        # Not found rather than forbidden: the endpoint's existence is nobody else's business.
        raise Http404
    return HttpResponse(metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")
