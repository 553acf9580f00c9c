"""Throughput of the outbox worker with a backlog, beside a year of delivered messages.

    scripts/with-postgres.sh .venv/bin/python bench/bench_outbox.py --queued 200000 --history 1000000
    scripts/with-postgres.sh .venv/bin/python bench/bench_outbox.py --queued 200000 --history 500000 --deliver 5000
    .venv/bin/python bench/bench_outbox.py --queued 20000 --history 100000     # SQLite in a temp dir

The history (delivered messages spread over the last ``--months`` months) and the backlog
(pending in-app messages written over the last hour, to ``--users`` accounts) are loaded
directly (COPY on PostgreSQL), the months' partitions first where the outbox is partitioned.
Then one worker (``Worker.step``, sweeps off, ``--batch`` messages a claim) delivers the backlog
until none is left (or ``--deliver`` messages, the rest staying queued). Printed: the claim's
plan (EXPLAIN ANALYZE BUFFERS, the first claim, the backlog untouched), the drain's wall time
and rate, the worker process's CPU time and, on PostgreSQL, the server's (the postmaster and its
backends, from /proc: the bench must run on the database's machine, as the user that may read
it).
"""

import argparse
import contextlib
import json
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

COLUMNS = ("delivery_id", "channel", "recipient_id", "address", "key", "params", "subject", "body", "link", "source",
           "status", "attempts", "next_attempt_at", "lease_token", "last_error", "created_at", "delivered_at")


def _rows(count: int, users: list[int], *, start, span: timedelta, delivered: bool, rng: random.Random):
    params = json.dumps({"number": "B2026000001", "link": "https://example.org/track/?number=B2026000001"})
    for _ in range(count):
        created = start + span * rng.random()
        yield (uuid.UUID(int=rng.getrandbits(128), version=4), "in_app", rng.choice(users), "", "demand.received",
               params, "已受理您的诉求 B2026000001", "我们已受理您的诉求，将尽快办理。", "/track/?number=B2026000001",
               "demand:1", "delivered" if delivered else "pending", 1 if delivered else 0, created, "", "",
               created, created + timedelta(seconds=rng.randint(1, 30)) if delivered else None)


def _load(rows) -> int:
    from django.db import connection

    from minsheng.notifications.models import OutboxMessage

    made = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur, cur.cursor.copy(
                f"COPY notifications_outboxmessage ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                made += 1
        return made
    batch = []
    for row in rows:
        batch.append(OutboxMessage(**dict(zip(COLUMNS, row, strict=True)) | {"params": json.loads(row[5])}))
        if len(batch) == 10_000:
            made += len(OutboxMessage.objects.bulk_create(batch))
            batch = []
    return made + len(OutboxMessage.objects.bulk_create(batch))


def _server_cpu() -> float | None:
    """CPU seconds of the PostgreSQL server (postmaster, live backends, and the exited backends the
    postmaster has reaped), or None where /proc cannot be read."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    tick = os.sysconf("SC_CLK_TCK")
    try:
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        total = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        for child in Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split():
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None
    return total / tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queued", type=int, default=200_000, help="pending messages to deliver")
    parser.add_argument("--history", type=int, default=1_000_000, help="delivered messages of earlier months")
    parser.add_argument("--months", type=int, default=12, help="months the history spans")
    parser.add_argument("--users", type=int, default=200, help="accounts the messages go to")
    parser.add_argument("--batch", type=int, default=50, help="messages a claim takes (MINSHENG_OUTBOX_BATCH)")
    parser.add_argument("--deliver", type=int, default=0,
                        help="stop after this many are delivered (0: the whole backlog); the rest stays queued")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from _django import start_django

    start_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from minsheng.core import clock
    from minsheng.notifications import delivery
    from minsheng.notifications.models import InAppNotification, OutboxMessage
    from minsheng.notifications.worker import Worker
    from minsheng.ops import partitions

    call_command("migrate", "--no-input", verbosity=0)
    if OutboxMessage.objects.exists():
        sys.exit("the outbox already holds messages: run the bench on a fresh database")
    rng = random.Random(args.seed)
    now = clock.now()
    started = time.perf_counter()
    User = get_user_model()
    User.objects.bulk_create([User(username=f"bench-{i}") for i in range(args.users)])
    users = list(User.objects.filter(username__startswith="bench-").values_list("pk", flat=True))
    first = now - timedelta(days=30 * args.months)
    created = partitions.create_months(timezone.localdate(first), timezone.localdate(now))
    history = _load(_rows(args.history, users, start=first, span=now - timedelta(hours=1) - first, delivered=True,
                          rng=rng))
    queued = _load(_rows(args.queued, users, start=now - timedelta(hours=1), span=timedelta(hours=1), delivered=False,
                         rng=rng))
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE notifications_outboxmessage")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    outbox_parts = [name for name in created if name.startswith("notifications_outboxmessage")]
    print(f"database: {connection.vendor}; outbox partitioned: "
          f"{partitions.is_partitioned('notifications_outboxmessage')} ({len(outbox_parts)} months made for the load)")
    print(f"loaded {history} delivered + {queued} pending messages in {time.perf_counter() - started:.1f} s")

    # The first claim's plan, rolled back so that the backlog is untouched.
    from django.db import transaction

    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            delivery.claim_batch(args.batch)
        # The claim: FOR UPDATE on PostgreSQL; on SQLite (no row locks) the select by next_attempt_at.
        claim = next(q["sql"] for q in queries if "FOR UPDATE" in q["sql"]
                     or ("next_attempt_at" in q["sql"] and q["sql"].startswith("SELECT")))
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {claim}")
            else:
                cur.execute(f"EXPLAIN QUERY PLAN {claim}")
            plan = [" ".join(str(c) for c in row) for row in cur.fetchall()]
        transaction.set_rollback(True)
    print("the claim's plan:")
    for line in plan:
        print("   ", line)

    worker = Worker(batch=args.batch, poll_seconds=0, sweeps=False)
    server_before, cpu_before, wall_before = _server_cpu(), time.process_time(), time.perf_counter()
    steps = delivered = 0
    while (not args.deliver or delivered < args.deliver) and (claimed := worker.step()):
        delivered += claimed
        steps += 1
        if steps % 200 == 0:
            print(f"  … {delivered} delivered", end="\r", flush=True)
    wall, cpu, server_after = time.perf_counter() - wall_before, time.process_time() - cpu_before, _server_cpu()
    left = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
    print(f"\ndelivered {delivered} in {wall:.1f} s wall: {delivered / wall:.0f} messages/s "
          f"({steps} claims of {args.batch}); worker CPU {cpu:.1f} s ({1e3 * cpu / delivered:.2f} ms/message)"
          + (f"; server CPU {server_after - server_before:.1f} s "
             f"({1e3 * (server_after - server_before) / delivered:.2f} ms/message)"
             if server_before is not None and server_after is not None else "")
          + f"; pending left {left}; inbox {InAppNotification.objects.count()}")
    with contextlib.suppress(OSError):
        print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
