"""The bulk helpers leave the process and the connection as they found them."""

import gc

import pytest
from django.db import connection

from minsheng.core.bulk import collector_paused, page_cache


def test_the_collector_runs_again_after_a_bulk_job_and_stays_off_if_it_was_off():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("a failed import")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_the_page_cache_is_restored_after_the_block():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        with page_cache(connection.alias, 64):
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -64 * 1024
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before


@pytest.mark.django_db
def test_insert_rows_copies_on_postgresql_and_every_value_reads_back():
    """PostgreSQL writes the rows with COPY (no INSERT statement at all); JSON, times, UUIDs, NULLs,
    quotes, tabs and newlines read back exactly as given (COPY's text format escapes them)."""
    import random
    import uuid
    from datetime import timedelta

    from django.db import transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from minsheng.core.bulk import insert_rows
    from minsheng.notifications.models import OutboxMessage

    rng = random.Random()
    now = timezone.now()
    texts = ["普通文本", "tab\there", "line\nbreak", "back\\slash", "quote ' \" end", "\\N", ""]
    made = [OutboxMessage(channel="sms", address=rng.choice(texts), subject=rng.choice(texts) or "s",
                          body=rng.choice(texts), params={"n": rng.randint(0, 10**9), "t": rng.choice(texts),
                                                          "list": [1, None, "二"]},
                          next_attempt_at=now + timedelta(seconds=rng.randint(0, 10**6)), created_at=now,
                          lease_until=rng.choice([None, now]), delivery_id=uuid.uuid4())
            for _ in range(rng.randint(5, 40))]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        insert_rows(OutboxMessage, made)
    inserts = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    if connection.vendor == "postgresql":
        assert inserts == []
    stored = OutboxMessage.objects.in_bulk([m.pk for m in made])
    for message in made:
        back = stored[message.pk]
        for field in ("address", "subject", "body", "params", "next_attempt_at", "created_at", "lease_until",
                      "delivery_id"):
            assert getattr(back, field) == getattr(message, field), field
