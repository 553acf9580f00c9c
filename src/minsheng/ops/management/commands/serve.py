"""``manage.py serve`` (or ``minsheng serve``): the production server, gunicorn and the
notification worker together, in one command that a service manager can start and stop."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import minsheng

SOURCE_ROOT = str(Path(minsheng.__file__).resolve().parent.parent)


def _child_env(metrics_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Children import minsheng the way this process did (a source checkout is not installed).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SOURCE_ROOT, env.get("PYTHONPATH")]))
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    env.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    return env


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it if this process dies (even by SIGKILL), so that no
    server is left holding the port (Linux; elsewhere a no-op)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Command(BaseCommand):
    help = ("Serve for real: gunicorn (the settings of docs/architecture.md) and the notification worker "
            "together. SIGTERM or Ctrl-C stops both gracefully; exits non-zero if either dies.")

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("MINSHENG_BIND", "127.0.0.1:8000"),
                            help="address:port (or unix:PATH) to listen on (default 127.0.0.1:8000, MINSHENG_BIND)")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("MINSHENG_WEB_WORKERS", "2")),
                            help="gunicorn worker processes, one per core (default 2, MINSHENG_WEB_WORKERS)")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("MINSHENG_WEB_THREADS", "16")),
                            help="threads per worker process (default 16, MINSHENG_WEB_THREADS)")
        parser.add_argument("--no-worker", action="store_true",
                            help="serve the web only (the worker runs elsewhere: deploy/minsheng-worker.service)")
        parser.add_argument("--skip-migration-check", action="store_true",
                            help="start even if migrations are not applied")

    def handle(self, *args, bind: str, workers: int, threads: int, no_worker: bool, skip_migration_check: bool,
               **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        if not skip_migration_check:
            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                raise CommandError("The database has unapplied migrations: run `manage.py migrate` first.")
        connection.close()
        metrics_dir = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.DATA_DIR / "metrics")
        # Counts of a previous run would be added to this one's: start empty.
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env = _child_env(metrics_dir)
        web_cmd = [sys.executable, "-m", "gunicorn", "-c", "python:minsheng.gunicorn_conf", "minsheng.wsgi:application",
                   "--bind", bind, "--workers", str(workers), "--threads", str(threads),
                   "--worker-connections", str(threads), "--preload"]
        worker_cmd = [sys.executable, "-m", "minsheng", "run_worker"]
        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum, _frame) -> None:
            nonlocal stopping
            if not stopping:
                self.stderr.write(f"serve: {signal.Signals(signum).name} received, stopping gracefully")
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # Own process groups: a terminal's Ctrl-C reaches this process only, which then stops both
        # children with SIGTERM (gunicorn's graceful stop; the worker finishes its batch).
        children["web"] = subprocess.Popen(web_cmd, env=env, process_group=0, preexec_fn=_die_with_parent)
        if not no_worker:
            children["worker"] = subprocess.Popen(worker_cmd, env=env, process_group=0, preexec_fn=_die_with_parent)
        pids = ", ".join(f"{name} pid {child.pid}" for name, child in children.items())
        self.stdout.write(f"serve: listening on {bind} ({workers} workers × {threads} threads); {pids}")
        self.stdout.flush()
        died = None
        while not stopping and died is None:
            for name, child in children.items():
                if child.poll() is not None:
                    died = name
                    break
            else:
                time.sleep(0.2)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"serve: {name} did not stop within 30 s; killing it")
                child.kill()
                child.wait()
        if died is not None:
            raise CommandError(f"{died} exited with status {children[died].returncode}; stopped the rest.",
                               returncode=1)
        # Killed by our own SIGTERM before it had set up its handlers (still starting) is a clean stop too.
        codes = {name: child.returncode for name, child in children.items()}
        if any(code not in (0, -signal.SIGTERM) for code in codes.values()):
            raise CommandError(f"stopped with errors: {codes}", returncode=1)
        self.stdout.write("serve: stopped")
