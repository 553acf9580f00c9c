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
