"""A parameter fuzz of every page (issue #24): every URL pattern, its path parameters filled with
the demo's ids and with odd values, and every query parameter a page reads sent with odd values
(dates, years, pages, coordinates …), as several roles: no answer may be a 5xx.

Which query parameters a page reads is found by watching it: each page is opened once per role
with no query while every read of the query string is recorded (``request.GET.get``, ``in``,
``[]``, ``getlist``, a form bound to it), then each name read is sent with each odd value, and
the names read only once another one is present are found on those requests and fuzzed in turn.
A fixed list of the usual names is sent too, all at once, for reads that happen only deeper in
(a page that reads ``to`` only when ``from`` parses)."""

import re
import time
from collections import defaultdict
from urllib.parse import quote, urlencode

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from minsheng.demands.models import Demand
from minsheng.demo.city import DEMO_PASSWORD

from ..web.crawl import crawl

# Machine interfaces (schemathesis fuzzes the API: tests/integrations/test_api_fuzz.py; the health
# endpoint answers 503 by design when no worker runs, as here: tests/ops), Django's own admin, static
# files, signing out and the language switch are no pages of ours.
SKIPPED = ("api/", "admin/", "static/", "media/", "logout/", "i18n/", "health/", "metrics")
ROLES = ["admin", "leader", "dispatcher", "grid", "agent", "auditor", "careworker", "secretary", "resident"]
ODD_VALUES = ["0001-01", "9999-12-31", "2026-02-30", "-1", "0", "99999999999999999999", "abc", "NaN", "inf",
              "1e308", "x" * 3000, "\x00", "名字🙂"]
USUAL_NAMES = ["month", "year", "date", "day", "week", "from", "to", "start", "end", "page", "per_page", "q",
               "lat", "lng", "lon", "zoom", "z", "x", "y", "bbox", "region", "unit", "category", "state", "status",
               "sort", "kind", "figure", "by", "channel", "type", "level", "user", "id", "overdue", "grid"]
ODD_PATH_VALUES = {"int": ["0", "99999999999999999999", "9223372036854775808"],
                   "str": ["abc", "0001-01", "9999-12", "%00", quote("名字🙂"), "x" * 1000, "-1"],
                   "slug": ["abc", "0001-01", "x" * 1000, "-1"],
                   "path": ["abc", "a/b", "%00"]}
MAX_ROUNDS = 3

_read: set[str] | None = None


def _recording(method):
    def wrapper(self, key, *args, **kwargs):
        if _read is not None and isinstance(key, str):
            _read.add(key)
        return method(self, key, *args, **kwargs)

    return wrapper


@pytest.fixture
def watched_query(monkeypatch):
    """Record the query-string names read while a request is answered."""
    for name in ("get", "getlist", "__getitem__", "__contains__"):
        monkeypatch.setattr(QueryDict, name, _recording(getattr(QueryDict, name)))


@pytest.fixture
def no_lockout(settings):
    settings.AXES_ENABLED = False  # hundreds of sign-ins from one address are the test, not an attack


def _routes() -> list[tuple[str, dict[str, str]]]:
    """Every URL pattern as a route text with its parameters' converter names."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            pattern = entry.pattern
            if not isinstance(pattern, RoutePattern):
                continue  # regular expressions: Django's own (the admin's), skipped above anyway
            route = prefix + pattern._route
            if route.startswith(SKIPPED):
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                found.append((route, {name: kind or "str" for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>",
                                                                                      route)}))

    walk(get_resolver().url_patterns, "")
    return found


def _fill(route: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def _paths(real_ids: dict[str, str]) -> list[tuple[str, str, bool]]:
    """Every route with its parameters filled, as (route, path, with real values?): each with real
    values, then each parameter in turn with odd ones."""
    paths = []
    for route, params in _routes():
        real = {name: real_ids.get(name, real_ids.get(kind, "1")) for name, kind in params.items()}
        paths.append((route, _fill(route, real), True))
        for name, kind in params.items():
            for odd in ODD_PATH_VALUES.get(kind, ODD_PATH_VALUES["str"]):
                paths.append((route, _fill(route, {**real, name: odd}), False))
    return paths


def _client(username: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if username:
        assert client.post("/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
    return client


def _get(client: Client, path: str, query: dict[str, str] | None = None) -> tuple[int, set[str]]:
    global _read
    _read = set()
    try:
        url = path + ("?" + urlencode(query) if query else "")
        return client.get(url).status_code, _read
    finally:
        _read = None


@pytest.mark.slow
def test_no_page_answers_a_server_error_to_odd_parameters(demo, no_lockout, watched_query):
    started = time.monotonic()
    demand = Demand.objects.order_by("pk").first()
    real_ids = {"int": "1", "str": demand.number, "slug": "residents", "path": "1", "number": demand.number}
    clients = {name: _client(name) for name in ROLES} | {"anonymous": _client(None)}
    paths = set(_paths(real_ids))
    for name in ("leader", "grid", "resident"):  # real links with real ids, the way users reach pages
        paths |= {("", p.split("?", 1)[0], True) for p in crawl(clients[name], "/", limit=60, per_route=1).visited}
    failures: list[str] = []
    requests = 0

    def check(role: str, path: str, query: dict[str, str] | None = None) -> tuple[int, set[str]]:
        nonlocal requests
        requests += 1
        status, read = _get(clients[role], path, query)
        if status >= 500:
            failures.append(f"{status} {role} GET {path} {query or ''}"[:300])
        return status, read

    # 1. Every path as every role, recording what each reads; a path with odd parameters as the
    # (at most two) roles that opened the same route with real ones (the others stop at the door).
    readers: dict[str, dict[str, set[str]]] = defaultdict(dict)  # path → role → names read
    openers: dict[str, list[str]] = defaultdict(list)  # route → roles it let in (200, or 400: in, but refused)
    reached: dict[str, list[str]] = defaultdict(list)  # route → roles not sent away (404s too: no such id)
    for route, path, real in sorted(paths, key=lambda p: (p[0], not p[2], p[1])):
        roles = list(clients) if real else (openers[route] or reached[route])[:2]
        for role in roles:
            status, read = check(role, path)
            if real and status in (200, 400):
                openers[route].append(role)
            elif real and status not in (302, 403, 405):
                reached[route].append(role)
            if status == 200 and read:
                readers[path][role] = read
    phase_one = time.monotonic() - started
    # 2. Each name read, with each odd value, as one role that opened the page; the names read only
    # on those requests are fuzzed in the next round.  Then the usual names all at once, as a second
    # role too.
    for path, by_role in readers.items():
        first = next(iter(by_role))
        pending, done = set(by_role[first]), set()
        for _round in range(MAX_ROUNDS):
            found: set[str] = set()
            for name in sorted(pending - done):
                for value in ODD_VALUES:
                    _status, read = check(first, path, {name: value})
                    found |= read
            done |= pending
            pending = found - done
            if not pending:
                break
        for role in list(by_role)[:2]:
            for value in ODD_VALUES:
                check(role, path, dict.fromkeys(USUAL_NAMES + sorted(done), value))
    elapsed = time.monotonic() - started
    print(f"parameter fuzz: {len(paths)} paths, {len(readers)} reading a query, {requests} requests, "
          f"{phase_one:.0f} s + {elapsed - phase_one:.0f} s")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(sorted(set(failures))[:80])
    # The walk reached the pages and saw what they read.
    assert len(readers) > 20 and {"month"} <= readers["/work/dashboard/"]["leader"]
