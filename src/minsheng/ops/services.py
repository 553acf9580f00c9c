"""Writes of the worker's heartbeat and job runs (read by ``health.py``)."""

import os
import socket
from datetime import datetime

from minsheng.core import clock

from .models import JobRun, WorkerHeartbeat


def process_name() -> str:
    """This process as the heartbeat names it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def record_heartbeat(name: str, started_at: datetime, *, stopped: bool = False) -> None:
    """Mark the worker ``name`` alive now (or stopped): one upsert, cheap enough for every loop."""
    now = clock.now()
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"started_at": started_at, "beat_at": now, "stopped_at": now if stopped else None})


def record_job_run(job: str, started_at: datetime, finished_at: datetime, error: str = "") -> None:
    """Keep the last run of a periodic job, so that a sweep that stopped running is seen."""
    JobRun.objects.update_or_create(job=job, defaults={
        "started_at": started_at, "finished_at": finished_at, "succeeded": not error, "error": error[:2000]})
