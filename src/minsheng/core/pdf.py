"""Printable documents as PDF (WeasyPrint), from the same templates as their HTML pages.

Static files (stylesheets, images, fonts) are read from the installed apps' static folders,
never fetched over the network: the server does not call itself and nothing leaves the machine.
"""

import base64
import functools
import mimetypes
import threading

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

# Relative addresses resolve against this made-up origin, which only the fetcher below answers.
_BASE = "http://minsheng.static/"
_PNG_DATA = "data:image/png;base64,"


@functools.cache
def _static_fetcher():
    """One fetcher per process: building one makes urllib's HTTPS handler load the system's CA
    certificates (30–60 ms of CPU per document, a fifth of a one-page PDF), although this fetcher
    never opens a connection.  It keeps no state between calls, so threads may share it."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        """Reads the product's own static files and images inlined as PNG data (a signature drawn
        on the screen); refuses everything else."""

        def fetch(self, url, headers=None):
            if url.startswith(_PNG_DATA):
                return URLFetcherResponse(url, base64.b64decode(url[len(_PNG_DATA):]), {"Content-Type": "image/png"})
            if not url.startswith(_BASE):
                raise ValueError(f"only the product's own static files may be used in a PDF, not {url!r}")
            relative = url[len(_BASE):].lstrip("/")
            prefix = settings.STATIC_URL.strip("/") + "/"
            if relative.startswith(prefix):
                relative = relative[len(prefix):]
            path = finders.find(relative)
            if not path:
                raise ValueError(f"no static file {relative!r}")
            with open(path, "rb") as handle:
                body = handle.read()
            return URLFetcherResponse(url, body, {"Content-Type": mimetypes.guess_type(path)[0] or ""})

    return StaticFetcher()


_fonts = threading.local()


def _font_config():
    """This thread's font configuration, kept from one document to the next: a new one is a new
    Pango font map whose fonts are opened and measured again (about 15 % of a document's CPU).
    Pango's font maps are not thread-safe, hence one per thread; no document declares
    ``@font-face``, so what a configuration holds is the system's fonts and their caches."""
    if (config := getattr(_fonts, "config", None)) is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def html_to_pdf(html: str) -> bytes:
    """The PDF of ``html``; absolute paths such as ``/static/web/print.css`` resolve to static files."""
    from weasyprint import HTML  # imported on use: it loads Pango, which the pages never need

    return HTML(string=html, base_url=_BASE, url_fetcher=_static_fetcher()).write_pdf(font_config=_font_config())


def pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    """Render ``template`` and send it as a PDF download named ``filename``."""
    html = render_to_string(template, context, request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response
