"""A large import writes its FTS5 segments unmerged (``automerge`` 0 inside its transaction, put
back at its end) and the worker's job merges them afterwards in short steps (SQLite only:
PostgreSQL's GIN index has its own pending list)."""

import pytest
from django.db import connection

from minsheng.demands.imports import import_demands
from minsheng.search import index
from minsheng.search.models import DemandDocument

from .test_import_worker import _rows, a_later_listener_failing, small_chunks  # noqa: F401

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5's merging (SQLite)")


def _automerge() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT v FROM search_demand_config WHERE k = 'automerge'")
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def _found(word: str) -> set[int]:
    return set(DemandDocument.objects.filter(document__matches=[word]).values_list("demand_id", flat=True))


def test_large_imports_leave_segments_the_job_merges_and_searches_find_them_throughout(world, small_chunks,  # noqa: F811
                                                                                      monkeypatch):
    index._merged.clear()
    settings_seen = []
    write_stored = index.write_stored

    def recording(*args, **kwargs):
        settings_seen.append(_automerge())
        return write_stored(*args, **kwargs)

    monkeypatch.setattr(index, "write_stored", recording)
    operator = world.user("operator")
    imports = small_chunks.randint(5, 7)
    for _ in range(imports):
        import_demands(operator, _rows(small_chunks, small_chunks.randint(5, 9)))
    assert settings_seen == ["0"] * imports  # the documents were written with merging postponed
    assert _automerge() in (None, str(index.AUTOMERGE_DEFAULT))
    unmerged = index.segment_count()
    assert unmerged >= imports  # one segment per import, none merged (FTS5 merges 4 by default)
    found = _found("漏水") | _found("噪音扰民")
    assert found
    assert index.merge_segments(pages=1) > 0
    assert index.segment_count() < unmerged
    assert _found("漏水") | _found("噪音扰民") == found
    assert index.merge_segments() == 0  # nothing written since: one read, no write
    index._merged.clear()
    assert index.merge_segments() == 0  # and FTS5 agrees that nothing is left


def test_a_failed_large_import_rolls_the_setting_back(world, small_chunks):  # noqa: F811
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_demand (search_demand, rank) VALUES ('automerge', 7)")
    with a_later_listener_failing():
        import_demands(world.user("operator"), _rows(small_chunks, 9))
    assert _automerge() == "7"
    import_demands(world.user("operator"), _rows(small_chunks, 9))
    assert _automerge() == "7"  # an operator's own setting is put back, not the default


def test_rebuild_leaves_a_merged_index(world, small_chunks, monkeypatch):  # noqa: F811
    for _ in range(6):
        import_demands(world.user("operator"), _rows(small_chunks, 6))
    merge_segments = index.merge_segments
    calls = []
    monkeypatch.setattr(index, "merge_segments", lambda *a, **k: calls.append(1) or merge_segments(*a, **k))
    live = index.stored_documents()
    assert index.rebuild() == len(live)
    assert calls  # the rebuilt index's segments are merged after it
    assert index.stored_documents() == live
    words = {"漏水", "噪音扰民"}
    assert _found("漏水") | _found("噪音扰民") == {pk for pk, text in live.items() if words & set(text.split())}
