"""The installable app: its manifest, its service worker (at the site's root, so that it
controls every page) and the page listing what the phone still has to send."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from minsheng.web.field import LIST_PATHS


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, in the visitor's language; the app opens on the account's home."""
    icons = [{"src": static(f"web/icons/{name}"), "sizes": size, "type": "image/png", "purpose": purpose}
             for name, size, purpose in (("icon-192.png", "192x192", "any"), ("icon-512.png", "512x512", "any"),
                                         ("icon-maskable-512.png", "512x512", "maskable"))]
    response = JsonResponse({
        "name": _("民生 · 接诉即办"), "short_name": _("民生"), "lang": request.LANGUAGE_CODE,
        "description": _("网格员、代办员、护理员和志愿者的外勤应用：离线也能记录，联网后自动发送。"),
        "start_url": reverse("web:home"), "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#b22222", "icons": icons,
    }, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: the service worker, served from the root so its scope is the whole site
    (``Service-Worker-Allowed: /``); never cached by HTTP, so a new version is picked up at once."""
    config = {"workbox": static("web/vendor/workbox/").rstrip("/"), "outbox": static("web/outbox.js"),
              "lists": list(LIST_PATHS), "static": static(""), "queue": reverse("web:field_queue"),
              "csrfCookie": settings.CSRF_COOKIE_NAME}
    response = render(request, "web/sw.js", {"config": json.dumps(config)},
                      content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def field_queue(request: HttpRequest) -> HttpResponse:
    """待发送: what this phone holds in its queue (read from IndexedDB by field.js) and the state of
    each item; the page itself has nothing of the server's, so it works offline from the cache."""
    return render(request, "web/field_queue.html")
