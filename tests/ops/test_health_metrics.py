"""The health report and the metrics endpoint, in process (the served version: test_serve.py)."""

import json
import random
from datetime import timedelta

import pytest
from django.db import connection
from prometheus_client import REGISTRY

from minsheng.core import clock
from minsheng.demands.models import Demand
from minsheng.notifications.models import OutboxMessage
from minsheng.notifications.services import enqueue
from minsheng.notifications.worker import Worker
from minsheng.ops import services as ops
from minsheng.ops.health import SWEEP_JOB
from minsheng.ops.metrics import SERIES
from minsheng.ops.models import JobRun, WorkerHeartbeat
from tests.demands.helpers import bring_to

TOKEN = "metrics-token-for-tests"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture
def scraper(settings):
    settings.MINSHENG_METRICS_TOKEN = TOKEN
    settings.MINSHENG_METRICS_ALLOWED = []


def _alive(now=None) -> None:
    now = now or clock.now()
    ops.record_heartbeat("host:1", now - timedelta(minutes=5))
    ops.record_job_run(SWEEP_JOB, now - timedelta(seconds=2), now - timedelta(seconds=1))


def _health(client, **headers):
    response = client.get("/health/", **headers)
    return response.status_code, json.loads(response.content)


def test_healthy_with_a_live_worker_and_a_recent_sweep(db, client, scraper):
    _alive()
    status, report = _health(client, **BEARER)
    assert status == 200 and report["status"] == "ok"
    assert report["checks"]["worker"]["alive"] == 1 and report["checks"]["sweep"]["succeeded"] is True


@pytest.mark.parametrize("broken", ["no_worker", "stale_worker", "stopped_worker", "no_sweep", "stale_sweep",
                                    "stuck_outbox"])
def test_unhealthy_503_names_the_failing_check(db, client, scraper, settings, broken):
    now = clock.now()
    _alive(now)
    failing = {"no_worker": "worker", "stale_worker": "worker", "stopped_worker": "worker", "no_sweep": "sweep",
               "stale_sweep": "sweep", "stuck_outbox": "outbox"}[broken]
    if broken == "no_worker":
        WorkerHeartbeat.objects.all().delete()
    elif broken == "stale_worker":
        WorkerHeartbeat.objects.update(beat_at=now - timedelta(seconds=settings.MINSHENG_HEALTH_WORKER_STALE_SECONDS
                                                              + random.randint(1, 600)))
    elif broken == "stopped_worker":
        ops.record_heartbeat("host:1", now, stopped=True)
    elif broken == "no_sweep":
        JobRun.objects.all().delete()
    elif broken == "stale_sweep":
        JobRun.objects.update(finished_at=now - timedelta(seconds=settings.MINSHENG_HEALTH_SWEEP_STALE_SECONDS + 5))
    else:
        message = enqueue(channel="sms", message="demand.received", params={"number": "X", "link": ""},
                          address="13812345678")
        OutboxMessage.objects.filter(pk=message.pk).update(
            next_attempt_at=now - timedelta(seconds=settings.MINSHENG_HEALTH_OUTBOX_LAG_SECONDS + 30))
    status, report = _health(client, **BEARER)
    assert status == 503 and report["status"] == "fail"
    assert [name for name, check in report["checks"].items() if check["status"] == "fail"] == [failing]


def test_dead_letters_warn_without_failing_and_anonymous_callers_get_no_figures(db, client, scraper):
    _alive()
    dead = random.randint(1, 4)
    for i in range(dead):
        message = enqueue(channel="sms", message="demand.received", params={"number": f"N{i}", "link": ""},
                          address=f"1381234567{i}")
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.DEAD)
    status, report = _health(client, **BEARER)
    assert status == 200 and report["status"] == "warn"
    assert report["checks"]["dead_letters"] == {"status": "warn", "count": dead}
    response = client.get("/health/")
    assert response.status_code == 200
    assert json.loads(response.content)["checks"] == {
        "database": {"status": "ok"}, "worker": {"status": "ok"}, "outbox": {"status": "ok"},
        "dead_letters": {"status": "warn"}, "sweep": {"status": "ok"},
        **({"partitions": {"status": "ok"}} if connection.vendor == "postgresql" else {})}
    for body in (response.content, client.get("/health/", **BEARER).content):
        assert b"1381234567" not in body and b"host:1" not in body


def test_metrics_are_refused_without_the_token_or_an_allowed_address(db, client, settings):
    settings.MINSHENG_METRICS_TOKEN = ""
    settings.MINSHENG_METRICS_ALLOWED = []
    assert client.get("/metrics").status_code == 404
    settings.MINSHENG_METRICS_TOKEN = TOKEN
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", **BEARER).status_code == 200
    # By address: the proxy's header is what counts once it is trusted, not the proxy's own address.
    settings.MINSHENG_METRICS_TOKEN = ""
    settings.MINSHENG_METRICS_ALLOWED = ["10.1.0.0/16"]
    settings.MINSHENG_TRUSTED_PROXY_HEADER = "X-Real-IP"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_REAL_IP="203.0.113.9").status_code == 404


def _sample(name: str, labels: dict) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_requests_by_view_transitions_by_action_and_overdue_demands(
        world, client, scraper, django_capture_on_commit_callbacks):
    health_before = _sample("minsheng_http_requests_total", {"view": "health", "method": "GET", "status": "2xx"})
    seconds_before = _sample("minsheng_http_request_duration_seconds_count", {"view": "health"})
    dispatch_before = _sample("minsheng_demand_transitions_total", {"action": "dispatch"})
    overdue = random.randint(1, 3)
    with django_capture_on_commit_callbacks(execute=True):
        demands = [bring_to(world, "dispatched") for _ in range(overdue + 1)]
    Demand.objects.filter(pk__in=[d.pk for d in demands[:overdue]]).update(
        handle_due=clock.now() - timedelta(hours=1))
    _alive()
    calls = random.randint(1, 3)
    for _ in range(calls):
        client.get("/health/")
    text = client.get("/metrics", **BEARER).content.decode()
    for series in SERIES:
        assert f"# TYPE {series} " in text, series
    assert _sample("minsheng_http_requests_total", {"view": "health", "method": "GET", "status": "2xx"}) \
        == health_before + calls
    assert _sample("minsheng_http_request_duration_seconds_count", {"view": "health"}) == seconds_before + calls
    assert _sample("minsheng_demand_transitions_total", {"action": "dispatch"}) == dispatch_before + overdue + 1
    assert f"minsheng_demands_overdue {float(overdue)}" in text
    # The endpoint shows this process's counter (no multiprocess directory outside `serve`).
    assert f'minsheng_demand_transitions_total{{action="dispatch"}} {dispatch_before + overdue + 1}' in text


def test_the_worker_records_its_heartbeat_its_job_runs_and_its_stop(db, settings, monkeypatch):
    # The worker drops connections left outside autocommit; the test's transaction is one.
    monkeypatch.setattr("minsheng.notifications.worker.close_old_connections", lambda: None)
    settings.MINSHENG_PERIODIC_JOBS = [(SWEEP_JOB, 60), ("tests.ops.test_health_metrics.failing_job", 60)]
    worker = Worker(poll_seconds=0)
    worker.run(until_idle=True)
    beat = WorkerHeartbeat.objects.get(name=ops.process_name())
    assert beat.stopped_at is not None
    runs = {run.job: run for run in JobRun.objects.all()}
    assert runs[SWEEP_JOB].succeeded and runs[SWEEP_JOB].finished_at is not None
    failed = runs["tests.ops.test_health_metrics.failing_job"]
    assert not failed.succeeded and "RuntimeError: the job broke" in failed.error


def failing_job() -> None:
    raise RuntimeError("the job broke")
