"""The worker process: delivers the outbox and runs the periodic sweeps.

Started by ``manage.py run_worker`` (``make demo`` starts one beside the server).  The
outbox table is the queue, so the worker needs no broker: any number of workers may run
against the same database, and a killed one loses nothing (see ``delivery.py``).
"""

import logging
import signal
import time
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

from minsheng.core import clock
from minsheng.ops import services as ops

from .delivery import claim_since, deliver_batch

logger = logging.getLogger("minsheng.notifications")


class Worker:
    def __init__(self, *, batch: int | None = None, poll_seconds: float | None = None, sweeps: bool = True):
        self.batch = batch or settings.MINSHENG_OUTBOX_BATCH
        self.poll_seconds = settings.MINSHENG_WORKER_POLL_SECONDS if poll_seconds is None else poll_seconds
        self.jobs: list[tuple[str, Callable[[], object], float]] = (
            [(path, import_string(path), float(every)) for path, every in settings.MINSHENG_PERIODIC_JOBS]
            if sweeps else [])
        self.last_run: dict[int, float] = {}
        self.stopping = False
        # The heartbeat (ops.WorkerHeartbeat) the health endpoint reads: written at start, every
        # MINSHENG_HEARTBEAT_SECONDS while running, and at a clean stop.
        self.name = ops.process_name()
        self.started_at = clock.now()
        self.last_beat = float("-inf")
        # The first month the claim reads (PostgreSQL's partitions; delivery.claim_since), looked up
        # again every MINSHENG_OUTBOX_RESCAN_SECONDS rather than before every batch.
        self.since = None
        self.since_checked = float("-inf")

    def stop(self, *_args) -> None:
        self.stopping = True

    def beat(self, *, stopped: bool = False) -> None:
        if not stopped and time.monotonic() - self.last_beat < settings.MINSHENG_HEARTBEAT_SECONDS:
            return
        try:
            ops.record_heartbeat(self.name, self.started_at, stopped=stopped)
            self.last_beat = time.monotonic()
        except Exception:
            logger.exception("recording the worker's heartbeat failed")

    def run_due_jobs(self) -> None:
        for i, (path, job, every) in enumerate(self.jobs):
            if time.monotonic() - self.last_run.get(i, float("-inf")) >= every:
                self.last_run[i] = time.monotonic()
                started, error = clock.now(), ""
                try:
                    job()
                except Exception:
                    logger.exception("periodic job %s failed", job.__name__)
                    error = traceback.format_exc(limit=3)
                try:
                    ops.record_job_run(path, started, clock.now(), error)
                except Exception:
                    logger.exception("recording the run of %s failed", path)

    def step(self) -> int:
        close_old_connections()
        self.beat()
        try:
            if time.monotonic() - self.since_checked >= settings.MINSHENG_OUTBOX_RESCAN_SECONDS:
                self.since, self.since_checked = claim_since(), time.monotonic()
            claimed = deliver_batch(self.batch, since=self.since)
        except Exception:
            logger.exception("delivering the outbox failed")
            claimed = 0
        self.run_due_jobs()
        return claimed

    def run(self, *, until_idle: bool = False) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        logger.info("worker started (batch %d, poll %.1fs, %d periodic jobs)", self.batch, self.poll_seconds,
                    len(self.jobs))
        while not self.stopping:
            if self.step() == 0:
                if until_idle:
                    break
                time.sleep(self.poll_seconds)
        self.beat(stopped=True)
        logger.info("worker stopped")
