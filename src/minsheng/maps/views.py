"""The local tile archive over HTTP: /tiles/{z}/{x}/{y}.png, for intranets and the offline demo."""

import hashlib

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from . import archive

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
