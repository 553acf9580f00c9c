"""Minsheng at scale, beside the peer django-helpdesk, in one run.

    .venv/bin/python bench/bench_scale.py                         # 1,000,000 demands on SQLite
    .venv/bin/python bench/bench_scale.py --n 200000 --data /tmp/ms-200k --peer-n 100000
    scripts/with-postgres.sh .venv/bin/python bench/bench_scale.py --db pg --n 5000000

1. Generates demands with their histories up to --n (bench/generate_demands.py) in --data
   (SQLite: MINSHENG_DATA_DIR; PostgreSQL: DATABASE_URL), reusing what is there, then ANALYZE.
   It generates --base histories (about a millisecond of Python each) and copies them in SQL
   with new keys and numbers up to --n (generate_demands.replicate, SQLite and PostgreSQL); a
   sample is rebuilt from its events; the rollups and the full-text index are rebuilt (timed);
   the database's size is printed.  Every step commits as it goes: started again on the same
   database (a kept cluster: scripts/with-postgres.sh with MINSHENG_PG_DIR), a fill goes on
   from where it stopped.
2. Times, one request at a time through Django's test client (the whole view, template and
   middleware, no network), p50/p95 over --reads requests after a warm-up: the dashboard
   (web:dashboard, when this build has it), the staff list filtered by state (leader: the whole
   district; street dispatcher: their street), one demand's page, the public tracking lookup.
3. Times the bulk import of --import-rows rows (imports.import_demands, validation included).
4. Serves the site with gunicorn (--workers processes of --threads threads, as the README
   recommends) and loads POST /api/demands with wrk (c=--conc, --secs seconds after a 2 s warm-up)
   with an API key, counting the demands really created and the server's CPU time per answer.
5. Runs the peer with ../shared/peers/django-helpdesk/helpdesk_bench.sh (override the folder
   with MINSHENG_PEERS_DIR) at --peer-n tickets on SQLite, and prints each figure beside ours
   with the ratio (peer time / ours for latencies, ours / peer for throughputs: > 1 means we
   are faster).

Figures depend on the machine's load (other jobs share its cores): ``uptime`` is printed
beside each phase.
"""

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PYTHON = sys.executable


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "uptime: n/a"


def phase(title: str) -> None:
    print(f"\n== {title}   [{uptime()}]", flush=True)


def percentiles(times_ms: list[float]) -> tuple[float, float]:
    times = sorted(times_ms)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def _send(client, request):
    """A GET of a URL, or a POST of (url, form data) — the tracking form is posted, so that the
    phone's digits stay out of query strings and logs."""
    if isinstance(request, tuple):
        url, data = request
        return client.post(url, data)
    return client.get(request)


def time_requests(client, urls: list, warmup: int = 2, *, expect: list[str] | None = None
                  ) -> tuple[float, float, float, int, float]:
    """p50, p95 of wall time and p50 of this process's CPU time, in ms, and the last status.
    The CPU time tells what a request costs when other jobs share the cores (wall time then
    includes waiting for a core); the last figure is the database server's CPU per request (the
    mean: /proc counts in ticks of 10 ms) on PostgreSQL, NaN when the connection changed on the
    way, 0.0 on SQLite (it runs in this process).  ``expect``: a text each answer must contain
    (the i-th for the i-th request), so that a page that answers 200 without doing the work is
    caught."""
    status = 0
    for url in urls[:warmup]:
        _send(client, url)
    times, cpu = [], []
    pid, backend = backend_cpu_seconds(with_pid=True)
    for i, url in enumerate(urls):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = _send(client, url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        status = response.status_code
        if status >= 300:  # a redirect (to a sign-in or a second factor) would time nothing
            raise RuntimeError(f"{url} answered {status}")
        if expect is not None and expect[i] not in response.content.decode():
            raise RuntimeError(f"{url} did not show {expect[i]}")
    p50, p95 = percentiles(times)
    pid_after, backend_after = backend_cpu_seconds(with_pid=True)
    db_cpu = (backend_after - backend) * 1000 / len(urls) if pid_after == pid else float("nan")
    return p50, p95, statistics.median(cpu), status, db_cpu


def import_rows(count: int, rng: random.Random) -> list[dict[str, str]]:
    from minsheng.demo.texts import category_codes, compose_demand
    from minsheng.organisation.models import Region

    grids = list(Region.objects.filter(kind="grid").values_list("code", flat=True))
    leaves = category_codes()
    texts = [(leaf, compose_demand(rng, leaf, f"建设路{i}号")) for i, leaf in enumerate(leaves * 20)]
    rows = []
    for i in range(count):
        leaf, text = texts[i % len(texts)]
        rows.append({"channel": "hotline", "demand_type": text.demand_type, "category": leaf,
                     "urgency": text.urgency, "title": text.title, "description": text.description,
                     "address": f"建设路{i % 300 + 1}号", "region": grids[i % len(grids)], "latitude": "",
                     "longitude": "", "reporter_name": "张伟", "reporter_phone": f"136{i % 200_000:08d}",
                     "hide_name": "否", "consent": "是"})
    return rows


def import_cpu() -> float:
    """CPU seconds of this process and of the child processes it has finished with (the search
    index's worker of a large import, waited for here: after the wall clock was read)."""
    import resource
    import threading

    while any(t.name == "search.documents.receive" for t in threading.enumerate()):  # it waits for the worker
        time.sleep(0.01)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process ``pid`` and its children (gunicorn's workers) so far,
    from /proc; 0.0 where /proc is not there."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, {pid}
    try:
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rpartition(")")[2].split()
                except OSError:
                    continue
                stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime+stime
    except OSError:
        return 0.0
    for child, (ppid, _ticks) in stats.items():
        if ppid == pid:
            pids.add(child)
    for one in pids:
        total += stats.get(one, (0, 0))[1]
    return total / tick


def run_wrk(url: str, body: dict, headers: dict[str, str], conc: int, secs: int,
            server_pid: int | None = None, count=None) -> dict[str, str]:
    """wrk's figures for a measured run after a 2 s warm-up; with ``count`` (a function counting
    rows), ``made`` is how many rows the measured run added, to compare with its 2xx answers."""
    text = json.dumps(json.dumps(body, ensure_ascii=False), ensure_ascii=False)  # Lua has no \\u escapes
    lua = "\n".join(['wrk.method = "POST"', f"wrk.body = {text}",
                     'wrk.headers["Content-Type"] = "application/json"',
                     *(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())]) + "\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
    try:
        subprocess.run(["wrk", "-t2", f"-c{conc}", "-d2s", "-s", f.name, url], capture_output=True, text=True)
        time.sleep(1)  # the warm-up's last requests (wrk stops waiting for them) finish
        count_before = count() if count else 0
        cpu_before = tree_cpu_seconds(server_pid) if server_pid else 0.0
        out = subprocess.run(["wrk", "-t2", f"-c{conc}", f"-d{secs}s", "--latency", "-s", f.name, url],
                             capture_output=True, text=True).stdout
        server_cpu = tree_cpu_seconds(server_pid) - cpu_before if server_pid else 0.0
        # Up to ``conc`` requests were still being served when wrk stopped: they are counted in
        # ``made`` but not in wrk's answers.
        time.sleep(1)
        made = count() - count_before if count else None
    finally:
        os.unlink(f.name)
    found = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", out), "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M),
             "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M), "bad": re.search(r"Non-2xx or 3xx responses: (\d+)", out),
             "errors": re.search(r"Socket errors: (.*)", out),
             "requests": re.search(r"(\d+) requests in", out)}
    figures = {k: (m.group(1) if m else ("0" if k == "bad" else "")) for k, m in found.items()}
    requests = int(figures["requests"] or 0)
    # The server's CPU per answered request (the workers and the master, during the measured run).
    figures["made"] = "" if made is None else str(made)
    figures["cpu_ms"] = f"{server_cpu * 1000 / requests:.2f}" if requests and server_pid else ""
    return figures


def serve(port: int, workers: int, env: dict[str, str], threads: int = 1) -> subprocess.Popen:
    # The server imports this checkout's code, not whatever the venv's editable install points at.
    env = {**env, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)}
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "minsheng.wsgi:application", "-b", f"127.0.0.1:{port}",
         # --preload: the app is imported once, before the workers fork, so that every worker
         # serves from the first request (otherwise the load starts while some still import it).
         # --worker-connections: a gthread worker accepts a new connection whenever it polls, and
         # wrk's kept-alive connections stay where they landed: measured at c=32 on 2 workers, a
         # 31/1 split served 311 req/s, 16/16 640.  With no more connections than threads a worker
         # keeps none alive: each answer closes its connection and wrk's next one lands on
         # whichever worker accepts first (as the README serves).
         "-w", str(workers), "--threads", str(threads),
         "--worker-connections", str(threads), "--preload",
         "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/track/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def run_peer(n: int, work: Path, conc: int, secs: int, reads: int) -> dict[str, str]:
    """The peer's figures by name, from helpdesk_bench.sh's output."""
    peers = Path(os.environ.get("MINSHENG_PEERS_DIR", ROOT.parent / "shared" / "peers"))
    script = peers / "django-helpdesk" / "helpdesk_bench.sh"
    if not script.is_file():
        print(f"peer: {script} not found (set MINSHENG_PEERS_DIR)")
        return {}
    env = {**os.environ, "NS": str(n), "DBS": "sqlite", "WORK": str(work), "CONC": str(conc), "SECS": str(secs),
           "READS": str(reads), "PORT": os.environ.get("MINSHENG_PEER_PORT", "18471"), "READ_BUDGET": "120"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    started = time.perf_counter()
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env).stdout
    print(out.rstrip())
    print(f"(peer run took {time.perf_counter() - started:.0f} s)")
    figures = {}
    if m := re.search(r"seeded \d+ tickets .*?: (\d+) tickets/s", out):
        figures["seed"] = m.group(1)
    for name in ("dashboard", "ticket_list_data", "ticket_list_page", "api_list_page1"):
        if m := re.search(rf"read\s+{name}\s+n=\s*\d+\s+p50=\s*([\d.]+) ms", out):
            figures[name] = m.group(1)
    for name in ("public_form", "api_post"):
        if m := re.search(rf"create {name}\s+c=\d+ req/s=([\d.]+)", out):
            figures[name] = m.group(1)
    return figures


def backend_cpu_seconds(*, with_pid: bool = False):
    """PostgreSQL: the CPU time (user + system) of this connection's server process so far, from
    /proc (the server runs on this machine in the benchmarks), so that the work done in the
    database (a copy, a rebuild) is told apart from the wait for a core.  0.0 elsewhere.
    ``with_pid``: (the server process's id, seconds), to tell whether the connection changed."""
    from django.db import connection

    pid, seconds = None, 0.0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return (pid, seconds) if with_pid else seconds


def fill_step_done(step: str, demands: int | None = None) -> int | None:
    """The number of demands for which a fill's step (a rebuild) last finished, or, with
    ``demands``, record that it just finished for them.  Kept in the benchmark's database, so a
    run started again after one stopped mid-rebuild does that rebuild again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_fill_step (step varchar(40) PRIMARY KEY, demands bigint)")
        if demands is None:
            cursor.execute("SELECT demands FROM bench_fill_step WHERE step = %s", [step])
            row = cursor.fetchone()
            return row[0] if row else None
        cursor.execute("DELETE FROM bench_fill_step WHERE step = %s", [step])
        cursor.execute("INSERT INTO bench_fill_step (step, demands) VALUES (%s, %s)", [step, demands])
    return demands


def database_sizes(top: int = 8) -> dict[str, int]:
    """Print and return the database's size and its largest tables in bytes (PostgreSQL: a
    partitioned table with all its partitions and indexes; SQLite: the file, and its tables and
    indexes from dbstat), and the machine's memory and free disk."""
    from django.db import connection

    sizes: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            sizes["database"] = cursor.fetchone()[0]
            cursor.execute("""
                SELECT COALESCE(parent.relname, c.relname), SUM(pg_total_relation_size(c.oid))
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
                LEFT JOIN pg_class parent ON parent.oid = i.inhparent
                WHERE c.relkind = 'r' GROUP BY 1 ORDER BY 2 DESC""")
        else:
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
            sizes["database"] = cursor.fetchone()[0]
            cursor.execute("SELECT COALESCE(m.tbl_name, d.name), SUM(d.pgsize) FROM dbstat d "
                           "LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1 ORDER BY 2 DESC")
        tables = cursor.fetchall()
    for name, size in tables[:top]:
        sizes[name] = int(size)
    print(f"database: {sizes['database'] / 2**30:.2f} GiB; largest tables (with their indexes): " +
          ", ".join(f"{name} {size / 2**20:.0f} MiB" for name, size in tables[:top]), flush=True)
    free = shutil.disk_usage(os.environ.get("MINSHENG_PG_DIR") or os.environ.get("MINSHENG_DATA_DIR") or "/")
    print(f"disk: {free.free / 2**30:.1f} GiB free of {free.total / 2**30:.0f} GiB", flush=True)
    with contextlib.suppress(OSError):
        print(subprocess.run(["free", "-m"], capture_output=True, text=True).stdout.strip(), flush=True)
    return sizes


SEARCHES = [("two characters", "噪音"), ("four characters", "噪音扰民"), ("no demand has it", "火星基地")]


def search_phase(client, user, reads: int, results: dict[str, str]) -> None:
    """The staff list searched as the leader (the whole district), first page: the full-text
    index (the page itself, through the test client) beside the title search it replaced
    (``title LIKE '%…%'`` with the page's count and first 25 rows, timed in the ORM, since no
    page runs it any more), then the index's size."""
    from django.db import connection
    from django.urls import reverse

    from minsheng.demands.selectors import demands_visible_to
    from minsheng.web.pagination import CappedPaginator
    from minsheng.web.views.staff import LIST_COUNT_CAP, PAGE_SIZE

    phase("search: staff list first page, full-text index beside the former title search, p50/p95 ms")
    url = reverse("web:demands")
    for label, text in SEARCHES:
        p50, p95, cpu, status, db_cpu = time_requests(client, [f"{url}?q={text}"] * reads)
        results[f"search {label}"] = f"{p50:.1f}"
        print(f"full-text {label:<17} {text:<6} p50={p50:8.1f} ms  p95={p95:8.1f} ms  cpu p50={cpu:7.1f} ms  "
              f"db cpu mean={db_cpu:6.1f} ms  "
              f"n={reads} status={status}", flush=True)
        times, found = [], 0
        for _ in range(min(reads, 5) if label == "no demand has it" else reads):
            started = time.perf_counter()
            qs = demands_visible_to(user).filter(title__icontains=text).order_by("-registered_at", "-pk")
            paginator = CappedPaginator(qs, PAGE_SIZE, LIST_COUNT_CAP)
            found = paginator.count
            list(paginator.page(1))
            times.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(times)
        results[f"title search {label}"] = f"{p50:.1f}"
        print(f"title LIKE {label:<16} {text:<6} p50={p50:8.1f} ms  p95={p95:8.1f} ms  matches (capped)={found}",
              flush=True)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_demand%'")
            size = cursor.fetchone()[0] or 0
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('search_demand')")
            size = cursor.fetchone()[0]
    results["search index MiB"] = f"{size / 2**20:.0f}"
    print(f"search index: {size / 2**20:.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="demands in the database (default 1,000,000)")
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--data", type=Path, help="SQLite data directory (default: a temp dir per N)")
    parser.add_argument("--base", type=int, default=60_000,
                        help="generate this many histories in Python, then copy them in SQL up to --n")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--no-generate", action="store_true", help="time the database as it is")
    parser.add_argument("--no-rebuild", action="store_true",
                        help="leave the rollups and the full-text index as they are even when rows were added "
                             "(the dashboard, assessment table and search figures are then of stale tables)")
    parser.add_argument("--reads", type=int, default=30)
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--conc", type=int, default=32)
    parser.add_argument("--secs", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (one per core)")
    parser.add_argument("--threads", type=int, default=16,
                        help="threads per worker (gthread): the API creates of one process share a transaction")
    parser.add_argument("--port", type=int, default=18470)
    parser.add_argument("--peer-n", type=int, default=100_000,
                        help="peer tickets (its seeding and list at 1M take far longer than ours; say which)")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--import-without-search", action="store_true",
                        help="import the rows once more with the search index's receiver disconnected (its cost)")
    parser.add_argument("--phases", default="reads,search,import,create",
                        help="which of our phases to run (comma-separated: reads, track, demand, search, import, "
                             "create; default reads,search,import,create)")
    args = parser.parse_args()
    if "create" in args.phases.split(",") and shutil.which("wrk") is None:
        sys.exit("the create phase loads the served site with wrk, which is not installed here: install it "
                 "(Debian: apt-get install wrk) or leave the phase out (--phases reads,search,import)")

    if args.db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        data = args.data or Path(tempfile.gettempdir()) / f"minsheng-scale-{args.n}"
        data.mkdir(parents=True, exist_ok=True)
        os.environ["MINSHENG_DATA_DIR"] = str(data)
    elif not os.environ.get("DATABASE_URL"):
        sys.exit("--db pg needs DATABASE_URL (scripts/with-postgres.sh sets it)")
    else:
        data = args.data or Path(tempfile.mkdtemp(prefix="minsheng-scale-pg-"))
        os.environ["MINSHENG_DATA_DIR"] = str(data)
    # The test client's host, beside the served one.
    os.environ["MINSHENG_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    # The pages are timed, not the second factor their demo accounts would be asked for.
    os.environ["MINSHENG_2FA_ROLES"] = ""
    os.environ["MINSHENG_2FA_SUPERUSERS"] = "0"
    import generate_demands

    generate_demands.setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from minsheng.demands.imports import import_demands
    from minsheng.demands.models import Demand, DemandEvent

    phase(f"database: {connection.vendor}, data in {data}")
    call_command("migrate", "--no-input", verbosity=0)
    have = Demand.objects.count()
    generated = have < args.n and not args.no_generate
    if generated:
        # Histories in Python up to --base (each batch commits: a stopped run keeps its batches),
        # then copies in SQL up to exactly --n (each chunk commits).  Started again on the same
        # database, a fill goes on from where it stopped.
        fresh = min(args.n, args.base) - have
        if fresh > 0:
            print(f"generating {fresh} demands (have {have}) …", flush=True)
            cpu = time.process_time()
            made, events, seconds = generate_demands.generate(
                fresh, progress=lambda d, e: print(f"  … {d} demands, {e} events", end="\r", flush=True))
            print(f"\ngenerated {made} demands and {events} events in {seconds:.0f} s "
                  f"({made / seconds:.0f} demands/s wall, {made / (time.process_time() - cpu):.0f} per CPU-second "
                  f"of this process)")
            have += made
        while have < args.n:
            # Each round copies what is there (or just enough of it) in SQL, up to exactly --n.
            rows = min(have, args.n - have)
            backend = backend_cpu_seconds()
            made, events, seconds = generate_demands.replicate(1, rows=rows)
            have += made
            db_cpu = backend_cpu_seconds() - backend
            print(f"copied {made} demands ({events} events) in SQL in {seconds:.0f} s "
                  f"({made / seconds:.0f} demands/s wall{f', database CPU {db_cpu:.0f} s' if db_cpu else ''}): "
                  f"{have} in all   [{uptime()}]", flush=True)
        bad, checked = generate_demands.verify_sample()
        print(f"a sample rebuilt from its events: mismatches={bad} of {checked}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    generate_demands.move_day_counters()  # in case an earlier fill stopped half-way
    # The generator and the SQL copies bypass the rollups and the full-text index kept with each
    # live event, so both are rebuilt from the whole history (timed) whenever rows were added,
    # and again when a run stopped before a rebuild finished (``fill_steps`` remembers which
    # finished, for how many demands).  The bulk import and the creates of a timing run keep both
    # up to date as they go (live events), so only the demands the fill wrote count ("filled").
    if generated:
        fill_step_done("filled", Demand.objects.count())
    filled = fill_step_done("filled") or Demand.objects.count()
    for step, command, title in (("rollups", "rebuild_rollups", "rollups: rebuild_rollups over the whole event log"),
                                 ("search", "rebuild_search",
                                  "search index: rebuild_search over every demand and its progress notes")):
        if (fill_step_done(step) or -1) >= filled:
            continue
        if args.no_rebuild:
            print(f"{command}: not run (--no-rebuild): the figures that read it are of a stale table", flush=True)
            continue
        phase(title)
        started, backend, cpu = time.perf_counter(), backend_cpu_seconds(), time.process_time()
        call_command(command)
        db_cpu = backend_cpu_seconds() - backend
        print(f"rebuilt in {time.perf_counter() - started:.0f} s (CPU of this process "
              f"{time.process_time() - cpu:.0f} s{f', of the database server {db_cpu:.0f} s' if db_cpu else ''})",
              flush=True)
        fill_step_done(step, filled)
    phase("size on disk")
    database_sizes()
    if args.generate_only:
        return
    total, events = Demand.objects.count(), DemandEvent.objects.count()
    print(f"demands: {total}, events: {events}")
    results: dict[str, str] = {}

    User = get_user_model()
    phases = set(args.phases.split(","))
    leader, dispatcher, admin = (User.objects.get(username=u) for u in ("leader", "dispatcher", "admin"))
    rng = random.Random(3)
    reads = args.reads

    def client_for(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def report(name: str, client, urls: list, expect: list[str] | None = None) -> None:
        p50, p95, cpu, status, db_cpu = time_requests(client, urls, expect=expect)
        results[name] = f"{p50:.1f}"
        print(f"{name:<36} p50={p50:8.1f} ms  p95={p95:8.1f} ms  cpu p50={cpu:7.1f} ms  db cpu mean={db_cpu:6.1f} ms "
              f"n={len(urls)} "
              f"status={status}", flush=True)

    def track_reads(top: int, states=("in_progress", "resolved", "closed")) -> None:
        """The public tracking page (number + last four digits of the phone): demands picked at
        random, then, per state in ``states``, demands in that state (a resolved one renders the
        two-question rating, a closed one the longest timeline)."""
        tracked = list(Demand.objects.filter(pk__in=[rng.randint(1, top) for _ in range(reads * 3)],
                                             reporter__isnull=False).values_list("number", "reporter__phone")[:reads])
        report("tracking lookup (resident)", client_for(None),
               [(reverse("web:track"), {"number": n, "phone_last4": p[-4:]}) for n, p in tracked],
               expect=[n for n, _p in tracked])
        for state in states:
            picked: dict[str, str] = {}
            for _try in range(reads * 5):
                if len(picked) >= reads:
                    break
                # A window of keys read through the primary key, the state checked here: a filter on
                # the state would let the planner walk a state index and sort (minutes at 1M).
                start = rng.randint(1, top)
                for number, phone, found in Demand.objects.filter(
                        pk__gte=start, pk__lt=start + 300, reporter__isnull=False).values_list(
                        "number", "reporter__phone", "state"):
                    if found == state:
                        picked[number] = phone
                        break
            if not picked:
                print(f"tracking ({state}): no such demand")
                continue
            expect = "id=\"rating\"" if state == "resolved" else "id=\"timeline\""
            report(f"tracking, {state} (resident)", client_for(None),
                   [(reverse("web:track"), {"number": n, "phone_last4": p[-4:]}) for n, p in picked.items()],
                   expect=[expect] * len(picked))

    if "track" in phases:
        phase("tracking page: one request at a time, Django test client, p50/p95 ms")
        track_reads(Demand.objects.order_by("-pk").values_list("pk", flat=True).first())

    if "demand" in phases:
        # The staff demand page of an open demand with a pin, as the street dispatcher who decides
        # on it: its actions, duplicates, the open demands around the pin, photos on the timeline.
        phase("demand page: one request at a time, Django test client, p50/p95 ms")
        from minsheng.demands.selectors import demands_visible_to
        from minsheng.demands.workflow import OPEN_STATES

        top = Demand.objects.order_by("-pk").values_list("pk", flat=True).first()
        visible = demands_visible_to(dispatcher).select_related(None)
        picked: list[int] = []
        for _try in range(reads * 20):
            if len(picked) >= reads:
                break
            start = rng.randint(1, top)
            found = visible.filter(pk__gte=start, pk__lt=start + 300, latitude__isnull=False).values_list(
                "pk", "state")
            picked += [pk for pk, state in found if state in OPEN_STATES][:1]
        report("open demand's page, pins around (street)", client_for(dispatcher),
               [reverse("web:demand", args=[pk]) for pk in picked], expect=['id="nearby"'] * len(picked))

    if "reads" in phases:
        phase("reads: one request at a time, Django test client, p50/p95 ms")
        try:
            dashboard = reverse("web:dashboard")
        except NoReverseMatch:
            print("dashboard: not in this build")
        else:
            report("dashboard (leader)", client_for(leader), [dashboard] * reads)
            table = reverse("web:assessment_table")
            last_month = (timezone.localdate() - timedelta(days=timezone.localdate().day)).strftime("%Y-%m")
            report("assessment table by unit (leader)", client_for(leader),
                   [f"{table}?by=unit&month={last_month}"] * reads)
            report("assessment table by street (street)", client_for(dispatcher),
                   [f"{table}?by=community&month={last_month}"] * reads)
        demands_url = reverse("web:demands")
        states = ["in_progress", "dispatched", "closed", "registered", "resolved"]
        report("list filtered, first page (leader)", client_for(leader),
               [f"{demands_url}?state={states[i % len(states)]}" for i in range(reads)])
        report("list filtered, first page (street)", client_for(dispatcher),
               [f"{demands_url}?state={states[i % len(states)]}" for i in range(reads)])
        report("list unfiltered, first page (leader)", client_for(leader), [demands_url] * reads)
        # The queues (selectors.queue_for): the bound is 100 ms at a million demands.
        queue_url = reverse("web:queue")
        report("queue (street dispatcher)", client_for(dispatcher), [queue_url] * reads)
        report("queue (hotline operator)", client_for(User.objects.get(username="operator")), [queue_url] * reads)
        report("queue (admin)", client_for(admin), [queue_url] * reads)
        top = Demand.objects.order_by("-pk").values_list("pk", flat=True).first()
        picks = [rng.randint(1, top) for _ in range(reads)]
        report("one demand's page (admin)", client_for(admin), [reverse("web:demand", args=[pk]) for pk in picks])
        track_reads(top, states=())

    if "search" in phases:
        search_phase(client_for(leader), leader, reads, results)

    if "import" in phases:
        phase(f"bulk import of {args.import_rows} rows (validation, residents, demands, register events)")
        rows = import_rows(args.import_rows, rng)
        operator = User.objects.get(username="operator")
        if args.import_without_search:
            # The same rows once with the full-text index's receivers disconnected: what the index costs.
            from minsheng.demands.signals import demands_imported, demands_validated
            demands_imported.disconnect(dispatch_uid="search.index.batch")
            demands_validated.disconnect(dispatch_uid="search.index.prepare")
            started, cpu = time.perf_counter(), import_cpu()
            bare = import_demands(operator, import_rows(args.import_rows, rng))
            seconds, cpu = time.perf_counter() - started, import_cpu() - cpu
            print(f"without the search index: {len(bare.demands)} demands in {seconds:.2f} s: "
                  f"{len(bare.demands) / seconds:.0f} demands/s wall, {len(bare.demands) / cpu:.0f} per CPU-second"
                  f"   [{uptime()}]")
            from minsheng.search import receivers
            demands_imported.connect(receivers._on_import, dispatch_uid="search.index.batch")
            demands_validated.connect(receivers._prepare_import, dispatch_uid="search.index.prepare")
        started, own, cpu = time.perf_counter(), time.process_time(), import_cpu()
        result = import_demands(operator, rows)
        seconds, own = time.perf_counter() - started, time.process_time() - own
        cpu = import_cpu() - cpu
        rate = len(result.demands) / seconds
        results["import"] = f"{rate:.0f}"
        print(f"imported {len(result.demands)} demands + {len(result.events)} events in {seconds:.2f} s: "
              f"{rate:.0f} demands/s wall, {len(result.demands) / own:.0f} demands per CPU-second of this process, "
              f"{len(result.demands) / cpu:.0f} with the search index's worker process   [{uptime()}]")

    if "create" in phases:
        phase(f"demand create under load: POST /api/demands, gunicorn -w {args.workers} --threads {args.threads} "
              f"--worker-connections {args.threads}, "
              f"wrk c={args.conc}")
        from io import StringIO

        out = StringIO()
        call_command("create_api_key", "--name", "bench", "--user", "operator", "--region", "XC",
                     "--actions", "register", "--rate", "10000000", stdout=out)
        key = out.getvalue().strip().splitlines()[-1]
        env = {**os.environ, "MINSHENG_LOG_LEVEL": "WARNING"}
        server = serve(args.port, args.workers, env, args.threads)
        try:
            body = {"channel": "api", "demand_type": "complaint", "category": "construction.roads",
                    "title": "建设路井盖缺失", "description": "建设路与光明街交叉口的井盖丢失两天了，请尽快处理。",
                    "region": "XC-GM-01-G1", "reporter": {"name": "张伟", "phone": "13700001234"}}
            figures = run_wrk(f"http://127.0.0.1:{args.port}/api/demands", body, {"X-API-Key": key}, args.conc,
                              args.secs, server.pid, Demand.objects.count)
        finally:
            server.terminate()
            server.wait()
        results["create"] = figures["rps"]
        print(f"create api_post c={args.conc} req/s={figures['rps']} p50={figures['p50']} p99={figures['p99']} "
              f"requests={figures['requests']} non2xx3xx={figures['bad']} demands_created={figures['made']} "
              f"server_cpu_ms_per_request={figures['cpu_ms']} "
              f"{figures['errors']}", flush=True)

    peer: dict[str, str] = {}
    if not args.no_peer:
        phase(f"peer: django-helpdesk at {args.peer_n} tickets on SQLite (helpdesk_bench.sh)")
        work = data / "hd-work"
        peer = run_peer(args.peer_n, work, args.conc, args.secs, min(args.reads, 20))

    phase("side by side")
    print(f"ours: {total} demands ({connection.vendor}); peer: "
          f"{args.peer_n if peer else 'not run'} tickets (sqlite)")
    rows = [("dashboard p50 ms", "dashboard (leader)", "dashboard", "lower"),
            ("assessment table p50 ms", "assessment table by unit (leader)", None, "lower"),
            ("filtered list first page p50 ms", "list filtered, first page (leader)", "ticket_list_data", "lower"),
            ("single demand page p50 ms", "one demand's page (admin)", None, "lower"),
            ("tracking lookup p50 ms", "tracking lookup (resident)", None, "lower"),
            ("bulk import rows/s", "import", "seed", "higher"),
            (f"create req/s at c={args.conc}", "create", "api_post", "higher")]
    print(f"{'figure':<34}{'ours':>12}{'peer':>12}{'ratio':>10}")
    for label, ours_key, peer_key, better in rows:
        ours = results.get(ours_key)
        theirs = peer.get(peer_key) if peer_key else None
        ratio = ""
        if ours and theirs and float(ours) > 0 and float(theirs) > 0:
            value = float(theirs) / float(ours) if better == "lower" else float(ours) / float(theirs)
            ratio = f"{value:.1f}x"
        print(f"{label:<34}{ours or 'n/a':>12}{theirs or '—':>12}{ratio:>10}")
    print("ratio > 1: ours is better (peer time / ours; ours throughput / peer). The peer's import figure is "
          "its seeding with bulk_create (tickets + one follow-up each, no validation); ours validates every row.")
    print(uptime())


if __name__ == "__main__":
    main()
