"""The worker process: delivers the outbox, runs the periodic sweeps and Django's tasks.

Started by ``manage.py run_worker`` (``make demo`` starts one beside the server).  The
outbox table is the queue, so the worker needs no broker: any number of workers may run
against the same database, and a killed one loses nothing (see ``delivery.py``).

Django's tasks (``django.tasks``: the PDFs too costly to lay out in a request, ``core.documents``)
are kept in the database by django-tasks-db and run here too, in a thread of their own: a task
that takes a second never holds the outbox back.  The thread reads whether a task is ready
before it claims one, so an idle worker takes no write lock for them.
"""

import logging
import signal
import threading
import time
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
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
        self.tasks_runner = None  # django-tasks-db's worker while it runs a batch of tasks
        self.tasks_wake = threading.Event()

    def stop(self, *_args) -> None:
        self.stopping = True
        self.tasks_wake.set()
        if (runner := self.tasks_runner) is not None:
            runner.running = False  # ends its batch after the task it is running

    @staticmethod
    def runs_tasks() -> bool:
        """Whether tasks wait in the database for a worker (not run at once, as in the tests)."""
        from django_tasks_db.backend import DatabaseBackend

        return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)

    def run_ready_tasks(self) -> bool:
        """Run the tasks ready now, one after another, with django-tasks-db's own worker (its claim,
        its signals, its recording of each result); False when none was ready."""
        from django_tasks_db.management.commands.db_worker import Worker as TasksWorker
        from django_tasks_db.models import DBTaskResult

        if self.stopping or not DBTaskResult.objects.ready().exists():
            return False
        self.tasks_runner = TasksWorker(queue_names=["*"], excluded_queue_names=[], interval=0, batch=True,
                                        backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False,
                                        max_tasks=None, worker_id=self.name[:64])
        try:
            if not self.stopping:  # (stop() may have come while the runner was made)
                self.tasks_runner.run()
        finally:
            self.tasks_runner = None
        return True

    def run_tasks_until_stopped(self) -> None:
        """The tasks' thread: runs ready tasks, else looks again every MINSHENG_TASK_POLL_SECONDS."""
        try:
            while not self.stopping:
                try:
                    ran = self.run_ready_tasks()
                except Exception:
                    logger.exception("running Django's tasks failed")
                    ran = False
                if not ran:
                    close_old_connections()
                    self.tasks_wake.wait(settings.MINSHENG_TASK_POLL_SECONDS)
        finally:
            connections.close_all()

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
        tasks = None
        if self.runs_tasks() and not until_idle:
            tasks = threading.Thread(target=self.run_tasks_until_stopped, name="tasks", daemon=True)
            tasks.start()
        while not self.stopping:
            if self.step() == 0:
                if until_idle:
                    if self.runs_tasks() and self.run_ready_tasks():
                        continue  # a task may have queued messages
                    break
                time.sleep(self.poll_seconds)
        if tasks is not None:
            tasks.join()
        self.beat(stopped=True)
        logger.info("worker stopped")
