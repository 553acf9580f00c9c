"""Call events under load, and the screen pop reaching the browser.

    .venv/bin/python bench/bench_calls.py                      # 200 events/s for 20 s, SQLite in a temp dir
    .venv/bin/python bench/bench_calls.py --rate 300 --seconds 30 --pops 20
    scripts/with-postgres.sh .venv/bin/python bench/bench_calls.py   # the same on PostgreSQL

Builds the demo district's organisation (its printed logins), a phone system with --seats seats
(8001 is the printed ``operator``'s), and first plays --in-process calls through the WSGI
application in this process (middleware and all, no network): CPU time and queries per event of
each kind, the figure no other load on the machine changes; and --polls polls of the workbench
the same way (``in_process_polls``: the unchanged poll, a bodiless 304, and the changed one).
Then it serves the site with
gunicorn as docs/architecture.md does (-w 2 --threads 16 --worker-connections 16 --preload),
signs Chromium in as ``operator`` with the workbench open, and at the same time:

- **load**: newCall, answer and hangup events of calls spread over the other seats, posted at
  --rate events per second on a fixed schedule (open loop: a slow answer does not slow the
  sending), each on its own connection, from --senders threads; how late each post left against
  its schedule is kept too (the sender's own lag on a busy machine);
- **pop**: every few seconds a call is answered at 8001 and the time from posting its ``answer``
  to its card showing in the page is taken (the page polls every 750 ms).

Prints the machine's load average at the start and the end, the rate achieved, the answers'
p50/p95/p99/max and any non-200, the pops' p50/p99/max, and the server's CPU time per event
(gunicorn's processes, from /proc, counted from after the browser signed in: the events, the
pop's polls and cards).
"""

import argparse
import contextlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "bench"))
from bench_scale import tree_cpu_seconds  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def serve(port: int, env: dict[str, str]) -> subprocess.Popen:
    env = {**env, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "minsheng.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", "2", "--threads", "16", "--worker-connections", "16", "--preload",
         "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def post(port: int, token: str, body: dict) -> tuple[int, float]:
    """One event on a new connection; (status, seconds)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/api/cti/events", json.dumps(body), {
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def load_events(rate: float, seconds: float, extensions: list[str], prefix: str = "bench") -> list[dict]:
    """Events of calls over these seats: each call's three events a few slots apart, calls interleaved."""
    total = int(rate * seconds)
    events: list[dict | None] = [None] * (total + 12)
    n, slot = 0, 0
    while slot < total:
        call_id = f"{prefix}-{os.getpid()}-{n}"
        ext = extensions[n % len(extensions)]
        for offset, body in ((0, {"event": "newCall", "from": f"139{n:08d}"[-11:], "to": "12345", "user": ext}),
                             (4, {"event": "answer", "user": ext}),
                             (11, {"event": "hangup", "duration": "120", "cause": "normalClearing",
                                   "recordingUrl": f"https://pbx.example.invalid/rec/{call_id}.wav"})):
            at = slot + offset
            while at < len(events) and events[at] is not None:
                at += 1
            if at < len(events):
                events[at] = {**body, "callId": call_id}
        n += 1
        while slot < total and events[slot] is not None:
            slot += 1
    return [e for e in events[:total] if e is not None]


def run_load(port: int, token: str, events: list[dict], rate: float, senders: int, results: list, stop_at: list):
    start = time.perf_counter() + 0.5
    lock = threading.Lock()
    cursor = [0]

    def worker() -> None:
        while True:
            with lock:
                i = cursor[0]
                cursor[0] += 1
            if i >= len(events):
                return
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            lag = max(time.perf_counter() - due, 0.0)
            try:
                status, took = post(port, token, events[i])
            except OSError:
                status, took = 0, float("nan")
            results.append((status, took, lag, time.perf_counter()))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(senders)]
    for t in threads:
        t.start()
    return threads, start


def in_process(token: str, calls: int, extensions: list[str]) -> None:
    """``calls`` calls' three events through the WSGI application in this process: CPU ms and
    queries per event of each kind (after a warm-up of 20 calls)."""
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minsheng.wsgi import application

    def send(body: dict) -> None:
        data = json.dumps(body).encode()
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/cti/events", "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
                   "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(data)),
                   "HTTP_AUTHORIZATION": f"Bearer {token}", "wsgi.input": io.BytesIO(data), "wsgi.url_scheme": "http",
                   "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.errors": sys.stderr, "wsgi.multithread": True,
                   "wsgi.multiprocess": True, "wsgi.run_once": False}
        status = []
        response = application(environ, lambda code, headers, exc_info=None: status.append(code))
        b"".join(response)
        response.close()
        if not status[0].startswith("200"):
            raise RuntimeError(f"in-process event answered {status[0]}")

    kinds = ("newCall", "answer", "hangup")
    plan = load_events(3 * (calls + 21), 1, extensions, prefix="inproc")
    by_kind = {k: [e for e in plan if e["event"] == k] for k in kinds}
    for n in range(20):
        for k in kinds:
            send(by_kind[k][n])
    queries = {}
    for k in kinds:
        with CaptureQueriesContext(connection) as captured:
            send(by_kind[k][20])
        queries[k] = len(captured.captured_queries)
    cpu = {}
    for k in kinds:  # every newCall first, then the answers, then the hang-ups: each kind on its own
        bodies = by_kind[k][21:21 + calls]
        started = time.process_time()
        for body in bodies:
            send(body)
        cpu[k] = (time.process_time() - started) * 1000 / len(bodies)
    print("in process (WSGI application, middleware and all), CPU per event and queries: "
          + ", ".join(f"{k} {cpu[k]:.2f} ms {queries[k]} q" for k in kinds)
          + f"; mean {sum(cpu.values()) / 3:.2f} ms")


def in_process_polls(system, polls: int) -> None:
    """The workbench's poll through the WSGI application in this process, signed in as the
    ``operator`` of seat 8001: CPU ms and queries of an unchanged poll (no new call since the
    page's last answer) and of a changed one (a call answered at 8001 since), after a warm-up."""
    import io
    import re

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from minsheng.calls import services
    from minsheng.wsgi import application

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="operator"))
    page = client.get("/work/").content.decode()
    token = re.search(r'data-poll-token="([^"]*)"', page)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    known = [""]

    def poll() -> str:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/work/calls/live/", "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
                   "REMOTE_ADDR": "127.0.0.1", "HTTP_COOKIE": cookie, "wsgi.input": io.BytesIO(b""),
                   "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.errors": sys.stderr,
                   "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False}
        if token:
            environ["HTTP_X_CALL_POLL"] = token[1]
        if known[0]:
            environ["HTTP_IF_NONE_MATCH"] = known[0]
        status, headers = [], []
        response = application(environ, lambda code, hdrs, exc_info=None: (status.append(code), headers.extend(hdrs)))
        body = b"".join(response)
        response.close()
        if status[0][:3] not in ("200", "304"):
            raise RuntimeError(f"in-process poll answered {status[0]}")
        known[0] = dict(headers).get("ETag", "")
        return status[0][:3] + " " + body.decode()

    def answer(n: int) -> None:
        services.record_event(system, services.CallEvent(event="answer", call_id=f"poll-{os.getpid()}-{n}",
                                                         extension="8001"))

    def hang_up(n: int) -> None:
        services.record_event(system, services.CallEvent(event="hangup", call_id=f"poll-{os.getpid()}-{n}",
                                                         duration=30))

    for _ in range(20):
        poll()
    with CaptureQueriesContext(connection) as captured:
        unchanged = poll()
    unchanged_queries = len(captured.captured_queries)
    started = time.process_time()
    for _ in range(polls):
        poll()
    unchanged_cpu = (time.process_time() - started) * 1000 / polls
    answer(-1)
    with CaptureQueriesContext(connection) as captured:
        changed = poll()
    changed_queries = len(captured.captured_queries)
    hang_up(-1)
    poll()
    spent = 0.0
    rounds = max(polls // 10, 10)
    for n in range(rounds):
        answer(n)
        started = time.process_time()
        poll()
        spent += time.process_time() - started
        hang_up(n)
        poll()
    print(f"in process, the workbench's poll: unchanged {unchanged_cpu:.3f} ms CPU {unchanged_queries} q "
          f"({unchanged}); changed {spent * 1000 / rounds:.3f} ms CPU {changed_queries} q ({changed})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200, help="events per second (default 200)")
    parser.add_argument("--seconds", type=float, default=20, help="length of the load (default 20)")
    parser.add_argument("--seats", type=int, default=40, help="seats taking the load's calls (default 40)")
    parser.add_argument("--senders", type=int, default=48, help="sending threads (default 48)")
    parser.add_argument("--pops", type=int, default=10, help="calls popped at the operator's seat (default 10)")
    parser.add_argument("--in-process", type=int, default=300,
                        help="calls played in process first, for CPU and queries per event (default 300; 0: none)")
    parser.add_argument("--polls", type=int, default=500,
                        help="workbench polls played in process, for CPU and queries per poll (default 500; 0: none)")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--no-browser", action="store_true", help="skip the pop (no Chromium)")
    args = parser.parse_args()

    load_at_start = os.getloadavg()
    os.environ.setdefault("MINSHENG_DATA_DIR", tempfile.mkdtemp(prefix="minsheng-bench-calls-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "minsheng.settings"
    os.environ.setdefault("MINSHENG_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from minsheng.calls.models import CallRecord, Seat
    from minsheng.calls.services import create_phone_system
    from minsheng.demo.city import DEMO_PASSWORD, build_city

    call_command("migrate", "--no-input", verbosity=0)
    with transaction.atomic():
        build_city()
        system, token = create_phone_system(name=f"bench {os.getpid()}")
        Seat.objects.create(phone_system=system, extension="8001",
                            operator=get_user_model().objects.get(username="operator"))
        extensions = [str(8100 + i) for i in range(args.seats)]
        Seat.objects.bulk_create(Seat(phone_system=system, extension=e) for e in extensions)
    print(f"database: {connection.vendor}; load average at start: " + " ".join(f"{x:.1f}" for x in load_at_start))
    if args.in_process:
        in_process(token, args.in_process, extensions)
    if args.polls:
        in_process_polls(system, args.polls)
    connection.close()
    print(f"served: {args.rate:.0f} events/s for {args.seconds:.0f} s over {args.seats} seats")

    server = serve(args.port, dict(os.environ))
    try:
        events = load_events(args.rate, args.seconds, extensions)
        results: list = []
        pops: list[float] = []
        with browser_page(args.port, DEMO_PASSWORD, args.no_browser) as page:
            cpu_before = tree_cpu_seconds(server.pid)
            threads, start = run_load(args.port, token, events, args.rate, args.senders, results, [])
            if page is not None:
                pops = time_pops(page, args.port, token, args.pops, start, args.seconds)
            for t in threads:
                t.join()
            server_cpu = tree_cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)

    times = [took * 1000 for status, took, _lag, _done in results if status == 200]
    lags = [lag * 1000 for _status, _took, lag, _done in results]
    bad = sum(1 for status, _took, _lag, _done in results if status != 200)
    # From the first event's slot to the last answer (the pops may go on after the load).
    elapsed = max(done for *_rest, done in results) - start
    print(f"events sent {len(results)} in {elapsed:.1f} s = {len(results) / elapsed:.0f}/s; non-200: {bad}; "
          f"sender lag behind schedule p50={percentile(lags, 50):.0f} ms p99={percentile(lags, 99):.0f} ms")
    print(f"answer ms: p50={percentile(times, 50):.1f} p95={percentile(times, 95):.1f} "
          f"p99={percentile(times, 99):.1f} max={max(times):.1f}")
    if pops:
        print("pop ms (answer posted → card shown): " + ", ".join(f"{p:.0f}" for p in pops)
              + f"; p50={percentile(pops, 50):.0f} p99={percentile(pops, 99):.0f} max={max(pops):.0f}")
    if server_cpu:  # what the machine's load does not change: the server's own CPU time per event
        per_event = server_cpu * 1000 / max(len(results) + 3 * len(pops), 1)
        print(f"server CPU per event: {per_event:.2f} ms (gunicorn master and workers; the pop's polls and cards"
              f" included) = {1000 / per_event:.0f} events/s per core")
    print("load average at end: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    stored = CallRecord.objects.filter(phone_system=system).count()
    print(f"calls stored: {stored}")


@contextlib.contextmanager
def browser_page(port: int, password: str, skip: bool):
    """Chromium signed in as the operator of seat 8001, the workbench open (None with ``skip``)."""
    if skip:
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/login/")
        page.fill("#id_username", "operator")
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        if page.locator("#call-pop").count() == 0:
            raise RuntimeError(f"no screen pop on {page.url} after signing in as operator")
        try:
            yield page
        finally:
            browser.close()


def time_pops(page, port: int, token: str, count: int, load_start: float, seconds: float) -> list[float]:
    """Calls answered at 8001 during the load; the time from each answer's post to its card."""
    pops = []
    while time.perf_counter() < load_start:
        time.sleep(0.05)
    gap = max(seconds / (count + 1), 1.5)
    for n in range(count):
        time.sleep(gap * 0.6)
        call_id = f"pop-{os.getpid()}-{n}"
        post(port, token, {"event": "newCall", "callId": call_id, "from": "13900001111", "user": "8001"})
        sent = time.perf_counter()
        status, _took = post(port, token, {"event": "answer", "callId": call_id, "user": "8001"})
        assert status == 200, status
        page.locator("#call-pop").get_by_text(call_id).wait_for(timeout=10000)
        pops.append((time.perf_counter() - sent) * 1000)
        time.sleep(gap * 0.4)
        post(port, token, {"event": "hangup", "callId": call_id, "duration": "30"})
    return pops


if __name__ == "__main__":
    main()
