"""A real worker process, killed with SIGKILL in the middle of a batch, then restarted:
every outbox message ends delivered, and each lands exactly once in the inbox.

Runs against a scratch database of its own (a file SQLite database, or a scratch
PostgreSQL database beside the test database when DATABASE_URL is set), because the
worker is another process and cannot see pytest's in-memory or uncommitted test data.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 20

SETUP = f"""
from django.contrib.auth import get_user_model
from minsheng.notifications.services import enqueue
user = get_user_model().objects.create_user(username="recipient")
for i in range({MESSAGES}):
    enqueue(channel="slow", message="demand.received", params={{"number": f"T{{i}}", "link": ""}}, recipient=user)
"""

REPORT = """
import json
from minsheng.notifications.models import InAppNotification, OutboxMessage
print(json.dumps({
    "outbox": {str(m.delivery_id): m.status for m in OutboxMessage.objects.all()},
    "inbox": [str(d) for d in InAppNotification.objects.values_list("delivery_id", flat=True)],
}))
"""


@pytest.fixture
def scratch_env(tmp_path):
    env = {**os.environ, "MINSHENG_DATA_DIR": str(tmp_path), "MINSHENG_SECRET_KEY": "kill-test",
           "MINSHENG_EXTRA_CHANNELS": "slow=tests.notifications.slow_channel.SlowChannel",
           "MINSHENG_KILLTEST_LOG": str(tmp_path / "attempts.log"), "MINSHENG_OUTBOX_LEASE_SECONDS": "3",
           "MINSHENG_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    name = f"minsheng_kill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=300, **kwargs)


def _worker(env):
    return subprocess.Popen([sys.executable, "manage.py", "run_worker", "--no-sweeps", "--batch", "10",
                             "--poll", "0.2"], cwd=ROOT, env=env)


def _attempts(env) -> list[str]:
    log = Path(env["MINSHENG_KILLTEST_LOG"])
    return log.read_text().split() if log.exists() else []


def _report(env) -> dict:
    return json.loads(_manage(env, "shell", "-c", REPORT).stdout.strip().splitlines()[-1])


def _wait_for(condition, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(scratch_env):
    env = scratch_env
    _manage(env, "migrate", "--no-input")
    _manage(env, "shell", "-c", SETUP)

    worker = _worker(env)
    try:
        # The 3rd message of the first batch has reached the inbox and is waiting for its slow
        # acknowledgement; the other 7 of the batch are leased but not sent.
        _wait_for(lambda: len(_attempts(env)) >= 3)
        time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL
    killed_at = _report(env)
    in_flight = _attempts(env)[-1]
    assert killed_at["outbox"][in_flight] == "pending" and in_flight in killed_at["inbox"]
    assert list(killed_at["outbox"].values()).count("delivered") < MESSAGES

    worker = _worker(env)
    try:
        _wait_for(lambda: set(_report(env)["outbox"].values()) == {"delivered"}, timeout=120)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    final = _report(env)
    assert len(final["outbox"]) == MESSAGES
    assert sorted(final["inbox"]) == sorted(final["outbox"])  # each message exactly once in the inbox
    attempts = _attempts(env)
    assert attempts.count(in_flight) == 2  # sent again after the restart; the delivery id absorbed it
    assert set(attempts) == set(final["outbox"])
