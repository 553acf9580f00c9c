"""A breadth-first walk over the same-site links a signed-in user is shown, GET only.

Used by the crawl test (tests/web/test_crawl.py) and handy against a seeded database."""

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

# Paths never followed: signing out, the admin (its own app, with its own links), the machine
# interfaces, and files (exports, PDFs, QR images, photos) that are no pages.
SKIPPED_PREFIXES = ("/logout/", "/admin/", "/api/", "/open311/", "/static/", "/media/", "/i18n/")
SKIPPED_SUFFIXES = (".xlsx", ".pdf", ".csv", ".geojson", ".json", ".png", ".jpg", ".svg", ".ico")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str, base: str) -> list[str]:
    """The same-site paths (with their query) a page links to."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url = urldefrag(urljoin("http://testserver" + base, href))[0]
        parts = urlsplit(url)
        if parts.netloc != "testserver":
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def followable(path: str) -> bool:
    bare = path.split("?", 1)[0]
    return not bare.startswith(SKIPPED_PREFIXES) and not bare.endswith(SKIPPED_SUFFIXES)


def _shape(path: str) -> str:
    """A path with its digits blanked and only its query's names: one route, one filter."""
    bare, _sep, query = path.partition("?")
    names = sorted({pair.split("=", 1)[0] for pair in query.split("&") if pair})
    return re.sub(r"\d+", "#", bare) + "?" + "&".join(names)


@dataclass
class Crawl:
    home_status: int
    visited: dict[str, int] = field(default_factory=dict)  # path → status
    broken: list[tuple[str, int, str]] = field(default_factory=list)  # (path, status, linked from)
    seen: dict[str, str] = field(default_factory=dict)  # every followable link shown → a page showing it


def crawl(client, start: str = "/", limit: int = 300, per_route: int = 3) -> Crawl:
    """Follow links from ``start`` (redirects included) breadth-first.  ``per_route``: pages
    visited per path with its digits blanked (the tenth demand page tells no more than the third)."""
    first = client.get(start, follow=True)
    home = first.request["PATH_INFO"]
    result = Crawl(home_status=first.status_code)
    result.visited[home] = first.status_code
    queue: deque[tuple[str, str]] = deque()

    def shown(links: list[str], source: str) -> None:
        for link in links:
            if followable(link):
                result.seen.setdefault(link, source)
                queue.append((link, source))

    shown(links_of(first.content.decode(), home), home)
    shapes: dict[str, int] = {}
    while queue and len(result.visited) < limit:
        path, source = queue.popleft()
        if path in result.visited or not followable(path):
            continue
        if shapes.get(_shape(path), 0) >= per_route:
            continue
        shape = _shape(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        try:
            response = client.get(path)
        except Exception as exc:  # the test client re-raises a view's exception: a 500
            result.visited[path] = 500
            result.broken.append((path, 500, f"{source} ({type(exc).__name__}: {exc})"))
            continue
        result.visited[path] = response.status_code
        if response.status_code == 404 or response.status_code >= 500:
            result.broken.append((path, response.status_code, source))
            continue
        if response.status_code in (301, 302):
            shown([response["Location"]], path)
            continue
        if response.get("Content-Type", "").startswith("text/html"):
            shown(links_of(response.content.decode(), path), path)
    return result
