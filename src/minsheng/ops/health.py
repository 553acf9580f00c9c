"""The health report: is the database answering, is a worker alive, is the outbox moving, did
the deadline sweep run lately.  Read by load balancers and monitors (``/health/``), so it holds
counts and ages only: never a name, phone number or message text.

Each check is ``ok``, ``warn`` (200: someone should look, e.g. dead letters) or ``fail``
(503: take the instance out of rotation or page someone)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from minsheng.core import clock

OK, WARN, FAIL = "ok", "warn", "fail"
SWEEP_JOB = "minsheng.supervision.sweeps.run_sweeps"


@dataclass
class Check:
    status: str
    detail: dict = field(default_factory=dict)


def _age(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else round((now - moment).total_seconds(), 1)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the same thing here
        return Check(FAIL, {"error": exc.__class__.__name__})
    return Check(OK, {"vendor": connection.vendor})


def check_worker(now: datetime) -> Check:
    from .models import WorkerHeartbeat

    stale_after = settings.MINSHENG_HEALTH_WORKER_STALE_SECONDS
    beats = list(WorkerHeartbeat.objects.filter(stopped_at__isnull=True).values_list("beat_at", flat=True)[:50])
    alive = [b for b in beats if (now - b).total_seconds() <= stale_after]
    latest = max(beats, default=None)
    detail = {"alive": len(alive), "last_beat_age_seconds": _age(latest, now), "stale_after_seconds": stale_after}
    return Check(OK if alive else FAIL, detail)


def check_outbox(now: datetime) -> Check:
    from minsheng.notifications.models import OutboxMessage

    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    due = pending.filter(next_attempt_at__lte=now)
    oldest = due.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    lag = _age(oldest, now) or 0.0
    limit = settings.MINSHENG_HEALTH_OUTBOX_LAG_SECONDS
    detail = {"pending": pending.count(), "due": due.count(), "oldest_due_age_seconds": lag,
              "lag_limit_seconds": limit}
    return Check(FAIL if lag > limit else OK, detail)


def check_dead_letters() -> Check:
    from minsheng.notifications.models import OutboxMessage

    dead = OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).count()
    return Check(WARN if dead else OK, {"count": dead})


def check_sweep(now: datetime) -> Check:
    from .models import JobRun

    run = JobRun.objects.filter(job=SWEEP_JOB).first()
    limit = settings.MINSHENG_HEALTH_SWEEP_STALE_SECONDS
    if run is None or run.finished_at is None:
        return Check(FAIL, {"last_run_age_seconds": None, "stale_after_seconds": limit})
    age = _age(run.finished_at, now)
    status = FAIL if age > limit else (OK if run.succeeded else WARN)
    return Check(status, {"last_run_age_seconds": age, "succeeded": run.succeeded, "stale_after_seconds": limit})


def check_partitions() -> Check:
    """PostgreSQL: next month's partition of every partitioned table exists (the worker's
    ``create_ahead`` keeps it so); otherwise next month's rows would pile up in the default
    partition.  A warning, not a failure: nothing is lost, the job splits them out when it runs."""
    from . import partitions

    specs = partitions.partitioned_tables()
    following = partitions.add_months(partitions.current_month(), 1)
    missing = [spec.table for spec in specs
               if partitions.partition_name(spec, following) not in partitions.attached_partitions(spec)]
    return Check(WARN if missing else OK, {"tables": len(specs), "next_month_missing": len(missing)})


def health_report(*, detail: bool) -> tuple[bool, dict]:
    """(healthy, report).  Anonymous callers get each check's status; ``detail`` adds the figures."""
    now = clock.now()
    checks = {"database": check_database()}
    if checks["database"].status == OK:
        checks |= {"worker": check_worker(now), "outbox": check_outbox(now),
                   "dead_letters": check_dead_letters(), "sweep": check_sweep(now)}
        if connection.vendor == "postgresql":
            checks["partitions"] = check_partitions()
    healthy = all(c.status != FAIL for c in checks.values())
    status = FAIL if not healthy else (WARN if any(c.status == WARN for c in checks.values()) else OK)
    report = {"status": status, "time": timezone.localtime(now).isoformat(timespec="seconds"),
              "checks": {name: ({"status": c.status, **c.detail} if detail else {"status": c.status})
                         for name, c in checks.items()}}
    return healthy, report
