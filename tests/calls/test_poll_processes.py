"""Two worker processes of the site over one database, as gunicorn runs it: a call answered, a
seat handed over, a hang-up posted to one worker show in the very next poll answered by the
other, which has nothing of its own to go stale (calls.poll reads the line afresh)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from minsheng.calls.models import Seat
from minsheng.calls.poll import token_for

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    def __init__(self, env: dict):
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("poll_worker.py"))],
                                        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ready(self) -> None:
        assert "ready" in json.loads(self.process.stdout.readline())

    def send(self, **command) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> dict:
    """The environment of a worker process on this test's database: PostgreSQL's test database
    itself (the test's rows are committed), or SQLite's in-memory one copied into a file."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MINSHENG_SECRET_KEY": settings.SECRET_KEY,
           "MINSHENG_LOG_LEVEL": "WARNING", "MINSHENG_DATA_DIR": str(tmp_path)}
    if connection.vendor == "postgresql":
        url = env["DATABASE_URL"]
        env["DATABASE_URL"] = url[:url.rindex("/") + 1] + connection.settings_dict["NAME"]
    else:
        env.pop("DATABASE_URL", None)
    return env


@pytest.mark.slow  # two processes start Django: some 6 s on a quiet machine, 36 s on a loaded one
def test_two_workers_share_the_line_with_nothing_to_go_stale(world, pbx, shared_database, tmp_path):
    sessions = {}
    for name in ("operator", "dispatcher"):
        client = Client()
        client.force_login(world.users[name])
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        sessions[name] = {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={key}",
                          "HTTP_X_CALL_POLL": token_for(world.users[name].pk, key)}
    if connection.vendor == "sqlite":
        import sqlite3

        target = sqlite3.connect(tmp_path / "minsheng.sqlite3")
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
    events = {"HTTP_AUTHORIZATION": f"Bearer {pbx.token}"}
    a, b = Worker(shared_database), Worker(shared_database)
    try:
        a.ready()
        b.ready()

        def poll(name: str, version: str | None = None) -> dict:
            headers = {**sessions[name], **({"HTTP_IF_NONE_MATCH": version} if version else {})}
            return b.send(method="GET", path="/work/calls/live/", headers=headers)

        def event(**body) -> None:
            assert a.send(method="POST", path="/api/cti/events", headers=events, body=json.dumps(body))["status"] == 200

        idle = poll("operator")
        assert (idle["status"], json.loads(idle["body"])) == (200, {"call": None})
        assert poll("operator", idle["etag"])["status"] == 304
        event(event="newCall", callId="two-1", user="8001", **{"from": "13900001111"})
        event(event="answer", callId="two-1", user="8001")
        answered = poll("operator", idle["etag"])
        call = json.loads(answered["body"])["call"]
        assert answered["status"] == 200 and call
        assert poll("dispatcher", idle["etag"])["status"] == 304
        # The seat handed to the dispatcher in worker A, through the model as the admin page does.
        a.send(exec="from minsheng.calls.models import Seat\n"
                    "from django.contrib.auth import get_user_model\n"
                    "seat = Seat.objects.get(extension='8001')\n"
                    "seat.operator = get_user_model().objects.get(username='dispatcher')\n"
                    "seat.save()")
        assert json.loads(poll("operator", answered["etag"])["body"]) == {"call": None}
        assert json.loads(poll("dispatcher", idle["etag"])["body"]) == {"call": call}
        event(event="hangup", callId="two-1", duration="30")
        assert poll("dispatcher", answered["etag"])["etag"] == idle["etag"]
    finally:
        a.close()
        b.close()
    if connection.vendor == "postgresql":
        assert Seat.objects.get(extension="8001").operator == world.users["dispatcher"]
