"""The site's URLs and one whose view fails, for the server-error logging test (the error page
links back to the site's home, so the site's URLs are there too)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from minsheng import urls as site_urls


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), *site_urls.urlpatterns]
