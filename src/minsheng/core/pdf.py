"""Printable documents as PDF (WeasyPrint), from the same templates as their HTML pages.

Static files (stylesheets, images, fonts) are read from the installed apps' static folders,
never fetched over the network: the server does not call itself and nothing leaves the machine.

Laying a document out costs far more than rendering its HTML (a month's assessment report: about
80 ms of HTML, about a second of PDF), so a document may be kept by its content
(``pdf_response(..., reuse=True)``, ``PdfStore``): the HTML is rendered on every request, and a
PDF already made from the very same HTML is sent again instead of being laid out again.  Any
change of data, scope, filters or language changes the HTML and so gives a new document; nothing
stale can be served.  Parts of a page that change on every request without changing the document
(the time it was generated) carry ``data-pdf-volatile`` and are left out of the key.
"""

import base64
import contextlib
import functools
import hashlib
import importlib.metadata
import logging
import mimetypes
import os
import re
import secrets
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header

log = logging.getLogger("minsheng.pdf")

# Relative addresses resolve against this made-up origin, which only the fetcher below answers.
_BASE = "http://minsheng.static/"
_PNG_DATA = "data:image/png;base64,"


def _static_relative(address: str) -> str:
    """The static file's name an address of a document stands for (``/static/web/print.css``,
    ``static/…`` or the made-up origin's ``http://minsheng.static/static/…``): ``web/print.css``."""
    return address.removeprefix(_BASE).lstrip("/").removeprefix(settings.STATIC_URL.strip("/") + "/")


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
            relative = _static_relative(url)
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


# An element marked ``data-pdf-volatile`` (no element of the same name inside it) is left out of
# a document's key: ``<span data-pdf-volatile>生成于 …</span>``.
_VOLATILE = re.compile(r"<(?P<tag>[a-z][a-z0-9]*)\b[^>]*\sdata-pdf-volatile\b[^>]*>.*?</(?P=tag)>", re.S)
_REFERENCE = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"'?#]+)""")
# Part of every key: a change of how documents are made (this number, the renderer's version)
# is a change of every document.
_KEY_FORMAT = 1
_static_digests: dict[tuple, bytes] = {}


@functools.cache
def _renderer() -> str:
    return f"{_KEY_FORMAT} weasyprint {importlib.metadata.version('weasyprint')}"


def _static_digest(address: str) -> bytes:
    """The digest of a static file the HTML refers to: a new stylesheet or logo changes the PDF
    although the HTML stays the same.  Kept per process by path, size and modification time."""
    relative = _static_relative(address)
    path = finders.find(relative)
    if not path:
        return b"missing " + relative.encode()
    stat = os.stat(path)
    known = (path, stat.st_size, stat.st_mtime_ns)
    if (digest := _static_digests.get(known)) is None:
        digest = _static_digests[known] = hashlib.sha256(Path(path).read_bytes()).digest()
    return digest


def document_key(html: str) -> str:
    """What identifies the PDF of ``html``: the HTML without its volatile parts, the active
    language, the static files it refers to and the renderer's version."""
    digest = hashlib.sha256(f"{_renderer()}\0{translation.get_language()}\0".encode())
    static = "/" + settings.STATIC_URL.strip("/") + "/"
    for address in sorted({a for a in _REFERENCE.findall(html) if a.startswith((static, static[1:], _BASE))}):
        digest.update(_static_digest(address))
    digest.update(_VOLATILE.sub("", html).encode())
    return digest.hexdigest()


class PdfStore:
    """Rendered PDFs under ``root``, one file per document key, at most ``max_bytes`` in all.

    A file is written to a temporary name and renamed into place, so a reader sees a whole file or
    none, and two processes writing the same key leave one whole file.  Each file starts with a line
    holding the SHA-256 of the PDF after it; a file that does not match (cut short, damaged, made
    by hand) is deleted and never sent.  A file sent again is touched, and when the store grows
    past its bound the files used least recently go first.  Every failure of the store is logged
    and the document rendered instead: a download never fails because of it."""

    MAGIC = b"minsheng-pdf sha256="
    STALE_TEMPORARY_SECONDS = 3600

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path(self, key: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", key):
            raise ValueError(f"not a document key: {key!r}")
        return self.root / f"{key}.pdf"

    def get(self, key: str) -> bytes | None:
        """The stored PDF of ``key``, or None (none stored, or the stored file is not whole)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("PDF store: cannot read %s: %s", path, exc)
            return None
        head, _, body = data.partition(b"\n")
        if (not head.startswith(self.MAGIC) or not body.startswith(b"%PDF-")
                or head[len(self.MAGIC):] != hashlib.sha256(body).hexdigest().encode()):
            log.warning("PDF store: %s is not a whole document; removed", path)
            path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: the last to go when the store is trimmed
        return body

    def put(self, key: str, body: bytes) -> None:
        """Keep ``body`` as the PDF of ``key``, then trim the store to its bound."""
        path = self.path(key)
        data = self.MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        if len(data) > self.max_bytes:
            return
        temporary = self.root / f".{key}.{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}.tmp"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except OSError as exc:
            log.warning("PDF store: cannot write %s: %s", path, exc)
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return
        self.trim()

    def trim(self) -> None:
        """Remove the least recently used files until the store holds at most ``max_bytes``, and
        temporary files a process left behind (it died between writing and renaming)."""
        files, total, now = [], 0, time.time()
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            return
        for entry in entries:
            try:
                stat = entry.stat()
            except OSError:
                continue  # removed meanwhile by another process
            if entry.name.endswith(".tmp"):
                if now - stat.st_mtime > self.STALE_TEMPORARY_SECONDS:
                    Path(entry.path).unlink(missing_ok=True)
            elif entry.name.endswith(".pdf"):
                files.append((stat.st_mtime, stat.st_size, entry.path))
                total += stat.st_size
        for _mtime, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            Path(path).unlink(missing_ok=True)
            total -= size

    def clear(self) -> int:
        """Remove every stored document; returns how many."""
        removed = 0
        for path in self.root.glob("*.pdf"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed


def pdf_store() -> PdfStore | None:
    """The store the settings describe (``MINSHENG_PDF_CACHE_DIR``, ``MINSHENG_PDF_CACHE_MB``);
    None when it is turned off (0 MB)."""
    megabytes = settings.MINSHENG_PDF_CACHE_MB
    if megabytes <= 0:
        return None
    return PdfStore(settings.MINSHENG_PDF_CACHE_DIR, int(megabytes * 1024 * 1024))


def reused_pdf(html: str) -> bytes:
    """The PDF of ``html``: the stored one when the same document was made before, else a new
    one, stored for the next request."""
    store = pdf_store()
    if store is None:
        return html_to_pdf(html)
    key = document_key(html)
    if (body := store.get(key)) is not None:
        return body
    body = html_to_pdf(html)
    store.put(key, body)
    return body


def pdf_response(request, template: str, context: dict, filename: str, *, reuse: bool = False) -> HttpResponse:
    """Render ``template`` and send it as a PDF download named ``filename``.

    ``reuse``: send the stored PDF of the same HTML if there is one (``reused_pdf``).  Worth it for
    documents that cost much to lay out and are asked for again unchanged (the monthly assessment
    report) or that anyone may ask for (a station's public sign); not for documents that hold
    personal data, which would otherwise outlive a correction or an erasure in the store."""
    html = render_to_string(template, context, request=request)
    return pdf_response_of(reused_pdf(html) if reuse else html_to_pdf(html), filename)


def pdf_response_of(body: bytes, filename: str) -> HttpResponse:
    """``body``, a PDF, sent to be shown in the browser and saved as ``filename``."""
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response
