"""Prometheus metrics (prometheus-client).  The series are listed in docs/operations.md.

Counted in the process that does the work: requests and their latency by view (the middleware
below), demand transitions by action (once their transaction commits).  Under ``manage.py
serve`` every process (gunicorn's workers and the notification worker) writes its counts into
``PROMETHEUS_MULTIPROC_DIR``, which the endpoint adds up; without it the counts are this
process's.  What the database knows (outbox depth, dead letters, overdue demands, the worker's
heartbeat and the last sweep) is read at scrape time, so that every process reports the same
figures."""

import os
import time
from collections.abc import Callable, Iterable

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

REQUESTS = Counter("minsheng_http_requests", "HTTP requests answered, by view name, method and status class",
                   ["view", "method", "status"])
LATENCY = Histogram("minsheng_http_request_duration_seconds", "Time to answer a request, by view name", ["view"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
TRANSITIONS = Counter("minsheng_demand_transitions", "Demand workflow transitions committed, by action",
                      ["action"])

# The series the endpoint always lists (docs/operations.md; the serve test checks them).
SERIES = ("minsheng_http_requests_total", "minsheng_http_request_duration_seconds",
          "minsheng_demand_transitions_total", "minsheng_outbox_pending", "minsheng_outbox_due",
          "minsheng_outbox_dead", "minsheng_demands_overdue", "minsheng_worker_heartbeat_age_seconds",
          "minsheng_sweep_age_seconds")


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    # The route's name, never the path: paths carry demand numbers and would make a series per demand.
    return match.view_name or match._func_path


class MetricsMiddleware:
    """Count and time every request by the name of the view that answered it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_name(request)
        LATENCY.labels(view).observe(time.perf_counter() - started)
        REQUESTS.labels(view, request.method or "", f"{response.status_code // 100}xx").inc()
        return response


def _count_transition(sender, event, **kwargs) -> None:
    action = event.action
    transaction.on_commit(lambda: TRANSITIONS.labels(action).inc())


def _count_batch(sender, events, **kwargs) -> None:
    # Bulk imports and the API's group commit write their register events without demand_transitioned.
    counts: dict[str, int] = {}
    for event in events:
        counts[event.action] = counts.get(event.action, 0) + 1

    def add() -> None:
        for action, n in counts.items():
            TRANSITIONS.labels(action).inc(n)

    transaction.on_commit(add)


def connect() -> None:
    from minsheng.demands.signals import demand_transitioned, demands_imported

    demand_transitioned.connect(_count_transition, dispatch_uid="ops.metrics.transition")
    demands_imported.connect(_count_batch, dispatch_uid="ops.metrics.batch")


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        from minsheng.core import clock
        from minsheng.demands.models import Demand
        from minsheng.demands.selectors import overdue_q
        from minsheng.notifications.models import OutboxMessage

        from .health import SWEEP_JOB
        from .models import JobRun, WorkerHeartbeat

        now = clock.now()
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        yield GaugeMetricFamily("minsheng_outbox_pending", "Outbox messages not yet delivered", value=pending.count())
        yield GaugeMetricFamily("minsheng_outbox_due", "Outbox messages due for delivery now",
                                value=pending.filter(next_attempt_at__lte=now).count())
        yield GaugeMetricFamily("minsheng_outbox_dead", "Dead letters (delivery given up)",
                                value=OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).count())
        yield GaugeMetricFamily("minsheng_demands_overdue", "Demands being handled past their deadline",
                                value=Demand.objects.filter(overdue_q(now)).count())
        beat = WorkerHeartbeat.objects.filter(stopped_at__isnull=True).order_by("-beat_at").values_list(
            "beat_at", flat=True).first()
        yield GaugeMetricFamily("minsheng_worker_heartbeat_age_seconds",
                                "Seconds since the freshest running worker's heartbeat (NaN: none)",
                                value=(now - beat).total_seconds() if beat else float("nan"))
        sweep = JobRun.objects.filter(job=SWEEP_JOB).values_list("finished_at", flat=True).first()
        yield GaugeMetricFamily("minsheng_sweep_age_seconds",
                                "Seconds since the deadline sweep last finished (NaN: never)",
                                value=(now - sweep).total_seconds() if sweep else float("nan"))


def render() -> bytes:
    """The text exposition of every series: all processes' counters plus the database gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
        output = generate_latest(counted)
        # A series nobody has counted yet has no file: still list it (the scraper sees it exists).
        for metric in (REQUESTS, LATENCY, TRANSITIONS):
            for family in metric.describe():
                name = family.name + ("_total" if family.type == "counter" else "")
                if f"# TYPE {name} ".encode() not in output:
                    output += f"# HELP {name} {family.documentation}\n# TYPE {name} {family.type}\n".encode()
    else:
        output = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return output + generate_latest(database)
