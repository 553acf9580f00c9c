"""Which database each request reads from when a replica is configured (core.replica)."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from minsheng.core.replica import STICKY_COOKIE, ReplicaReadMiddleware, ReplicaRouter
from minsheng.demands.models import Demand

router = ReplicaRouter()


def serve(path: str, method: str = "get", *, cookies=None, write: bool = False):
    """Run ``path``'s request through the middleware; the 'view' reports where a read of demands
    (and, after an optional write, of demands again) and of sessions would go."""
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(path)
    seen = {}

    def view(req):
        seen["demands"] = router.db_for_read(Demand)
        seen["sessions"] = router.db_for_read(Session)
        if write:
            router.db_for_write(Demand)
            seen["after_write"] = router.db_for_read(Demand)
        return HttpResponse("ok")

    def handler(req):  # as Django's handler: the middleware's process_view, then the view
        assert middleware.process_view(req, view, (), {}) is None
        return view(req)

    middleware = ReplicaReadMiddleware(handler)
    response = middleware(request)
    seen["outside"] = router.db_for_read(Demand)  # nothing leaks to the next request
    return seen, response


@pytest.fixture
def replica(settings):
    settings.MINSHENG_REPLICA = "replica"
    settings.MINSHENG_REPLICA_STICKY_SECONDS = 10


@pytest.mark.parametrize("path", ["/work/dashboard/", "/work/assessment/", "/reports/", "/work/demands/export.xlsx"])
def test_heavy_read_pages_read_from_the_replica(replica, path):
    seen, _response = serve(path)
    assert seen["demands"] == "replica" and seen["outside"] == "default"
    assert seen["sessions"] == "default"  # who the user is: always the primary


@pytest.mark.parametrize("path", ["/work/demands/", "/work/intake/", "/submit/", "/work/"])
def test_every_other_page_reads_from_the_primary(replica, path):
    assert serve(path)[0]["demands"] == "default"


def test_without_a_replica_everything_is_the_primary(settings):
    settings.MINSHENG_REPLICA = None
    seen, response = serve("/work/dashboard/")
    assert seen["demands"] == "default"
    _seen, response = serve("/work/dashboard/", "post")
    assert STICKY_COOKIE not in response.cookies


def test_a_request_that_writes_reads_its_own_writes_from_the_primary(replica):
    seen, _response = serve("/work/dashboard/", write=True)
    assert (seen["demands"], seen["after_write"], seen["outside"]) == ("replica", "default", "default")


def test_a_client_that_just_wrote_reads_from_the_primary_for_a_while(replica, settings):
    seen, response = serve("/work/dashboard/", "post")
    assert seen["demands"] == "default"  # never the replica for a write request
    stamp = response.cookies[STICKY_COOKIE].value
    assert response.cookies[STICKY_COOKIE]["max-age"] == 10
    assert serve("/work/dashboard/", cookies={STICKY_COOKIE: stamp})[0]["demands"] == "default"
    old = f"{time.time() - 11:.3f}"
    assert serve("/work/dashboard/", cookies={STICKY_COOKIE: old})[0]["demands"] == "replica"
    assert serve("/work/dashboard/", cookies={STICKY_COOKIE: "nonsense"})[0]["demands"] == "replica"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "demands") and not router.allow_migrate("replica", "demands")
