"""Crash test: clients keep creating demands through the JSON API while the server process is
killed with SIGKILL again and again and restarted.

    .venv/bin/python bench/crash_api.py [--kills 20] [--clients 4]      # SQLite file (WAL) in a temp dir
    scripts/with-postgres.sh .venv/bin/python bench/crash_api.py        # a throwaway PostgreSQL cluster

Each client sends every create with its own Idempotency-Key and, like a real integration,
retries the same request with the same key until it gets an answer.  After the last kill the
server is started once more so that the retries in flight can finish.  Then:

- every create answered 201 must exist exactly once, under the number it was answered with;
- no demand may exist that no client asked for, and no key may have made two demands;
- ``manage.py verify_events`` must report 0 mismatches.

Prints the figures and, as its last line, ``kills=… answered=… lost=… duplicates=… mismatches=…``;
exits 1 when anything was lost, duplicated or inconsistent.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BODY = {"channel": "hotline", "demand_type": "complaint", "category": "construction.roads", "region": "crash-grid",
        "title": "建设路井盖缺失", "description": "建设路与光明街交叉口的井盖丢失，夜间行人很危险。"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def postgres_database(env: dict) -> None:
    """A fresh database beside the one DATABASE_URL names, so nothing else is touched."""
    import psycopg

    url = env["DATABASE_URL"]
    base, _, _name = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS minsheng_crash")
        connection.execute("CREATE DATABASE minsheng_crash")
    env["DATABASE_URL"] = f"{base}/minsheng_crash"


SETUP = """
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role
from django.contrib.auth import get_user_model
district = Region.objects.create(kind="district", name="崩溃测试区", code="crash-district")
street = Region.objects.create(kind="street", name="测试街道", code="crash-street", parent=district)
community = Region.objects.create(kind="community", name="测试社区", code="crash-community", parent=street)
Region.objects.create(kind="grid", name="测试网格", code="crash-grid", parent=community)
centre = Unit.objects.create(kind="district_centre", name="12345中心", code="crash-centre", region=district)
user = get_user_model().objects.create_user("crash-operator", password="unused-password-1")
Membership.objects.create(user=user, unit=centre, role=Role.HOTLINE_OPERATOR)
"""


class Server:
    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        began = time.monotonic()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{self.port}", "--noreload"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() - began < 60:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/openapi.json", timeout=1).read()
                return time.monotonic() - began
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                if self.process.poll() is not None:
                    raise SystemExit(f"the server exited; see {self.log}") from None
                time.sleep(0.05)
        raise SystemExit("the server did not start within 60 s")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Client(threading.Thread):
    """Creates demands one after another; retries each with the same key until answered."""

    def __init__(self, name: str, port: int, api_key: str, stop_new: threading.Event):
        super().__init__(daemon=True)
        self.name, self.port, self.api_key, self.stop_new = name, port, api_key, stop_new
        self.answered: dict[str, str] = {}  # idempotency key → number answered with 201
        self.attempts = self.failures = self.replayed = 0
        self.unexpected: list[str] = []

    def run(self) -> None:
        n = 0
        while not self.stop_new.is_set():
            n += 1
            key = f"{self.name}-{n}"
            body = json.dumps({**BODY, "title": f"井盖缺失 {key}"}).encode()
            while True:  # the same request and key until an answer comes
                self.attempts += 1
                request = urllib.request.Request(
                    f"http://127.0.0.1:{self.port}/api/demands", data=body, method="POST",
                    headers={"Content-Type": "application/json", "X-API-Key": self.api_key, "Idempotency-Key": key})
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        answer = json.loads(response.read())
                        if response.status == 201:
                            self.answered[key] = answer["number"]
                            self.replayed += response.headers.get("Idempotent-Replayed") == "true"
                            break
                        self.unexpected.append(f"{key}: {response.status}")
                        break
                except urllib.error.HTTPError as error:
                    if error.code >= 500:
                        self.failures += 1
                        time.sleep(0.05)
                        continue
                    self.unexpected.append(f"{key}: {error.code} {error.read()[:200]!r}")
                    break
                except (urllib.error.URLError, OSError, http.client.HTTPException, json.JSONDecodeError):
                    self.failures += 1  # the server is down, or was killed mid-answer: retry
                    time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.kills < 1 or args.clients < 1:
        parser.error("--kills and --clients must be at least 1")
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="minsheng-crash-"))
    env = {**os.environ, "MINSHENG_DATA_DIR": str(work), "MINSHENG_SECRET_KEY": "crash-test-only",
           "PYTHONPATH": str(ROOT / "src")}
    if env.get("DATABASE_URL"):
        postgres_database(env)
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite (WAL)"
    manage(env, "migrate", "--no-input")
    manage(env, "shell", "-c", SETUP)
    api_key = manage(env, "create_api_key", "--name", "crash", "--user", "crash-operator", "--region",
                     "crash-district", "--actions", "read,register", "--rate", "1000000").strip()

    server = Server(env, free_port(), work / "server.log")
    stop_new = threading.Event()
    clients = [Client(f"c{i}", server.port, api_key, stop_new) for i in range(args.clients)]
    began = time.monotonic()
    startups = [server.start()]
    for client in clients:
        client.start()
    for _ in range(args.kills):
        time.sleep(rng.uniform(0.3, 1.2))  # the clients write meanwhile
        server.kill()
        time.sleep(rng.uniform(0.0, 0.3))  # down for a moment: the clients' retries fail
        startups.append(server.start())
    time.sleep(0.5)
    stop_new.set()  # no new creates; the retries in flight finish against the running server
    for client in clients:
        client.join(timeout=60)
    server.stop()
    elapsed = time.monotonic() - began

    answered = {k: v for c in clients for k, v in c.answered.items()}
    check = manage(env, "shell", "-c", """
import json
from collections import Counter
from minsheng.demands.models import Demand
from minsheng.integrations.models import IdempotencyRecord
records = {r.key: r.demand.number for r in IdempotencyRecord.objects.select_related("demand")}
per_demand = Counter(records.values())
print(json.dumps({"records": records, "demands": list(Demand.objects.values_list("number", flat=True)),
                  "shared": [n for n, c in per_demand.items() if c > 1]}))
""")
    stored = json.loads(check.strip().splitlines()[-1])
    numbers = stored["demands"]
    lost = [k for k, n in answered.items() if stored["records"].get(k) != n or n not in numbers]
    duplicates = len(numbers) - len(set(numbers)) + len(stored["shared"])
    unasked = set(numbers) - set(stored["records"].values())
    verify = manage(env, "verify_events").strip().splitlines()[-1]
    mismatches = int(verify.split()[0].split("=")[1])
    unexpected = [u for c in clients for u in c.unexpected]

    print(f"database: {database}")
    print(f"clients: {args.clients}, kills: {args.kills}, elapsed: {elapsed:.1f} s")
    print(f"server start: median {sorted(startups)[len(startups) // 2]:.2f} s, max {max(startups):.2f} s")
    print(f"requests sent: {sum(c.attempts for c in clients)}, failed and retried: {sum(c.failures for c in clients)}, "
          f"answered from a stored first answer (the create had committed before the kill): "
          f"{sum(c.replayed for c in clients)}")
    unanswered = set(numbers) - set(answered.values())
    print(f"answered 201: {len(answered)}, demands stored: {len(numbers)}, stored but never answered: "
          f"{len(unanswered)}")
    print(f"demands nobody asked for: {len(unasked)}, unexpected answers: {len(unexpected)} {unexpected[:3]}")
    print(f"verify_events: {verify}")
    print(f"kills={args.kills} answered={len(answered)} lost={len(lost)} duplicates={duplicates} "
          f"mismatches={mismatches}")
    failed = lost or duplicates or unasked or unanswered or mismatches or unexpected or not answered
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
