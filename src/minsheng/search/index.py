"""Keeping the full-text index current, and rebuilding it.

A demand's document is the words of its title, description, result and progress notes (the
notes of its ``record_progress`` events).  It is written in the transaction that changes them:
the receivers of ``demand_transitioned`` (every transition, registration included) and of
``demands_imported`` (the bulk import and the API's group commit) call ``on_transition`` and
``on_import``, so the index commits or rolls back with the event (a large import's documents are
cut beforehand in a second process, ``prepare_import``, and only inserted there).  ``rebuild`` computes every
document again from the demands and their events (``manage.py rebuild_search``).
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connections, router, transaction

from minsheng.demands.models import Demand, DemandEvent

from .documents import PARALLEL_MIN, Pending, stored_text
from .models import TABLE
from .segmenter import loaded_words, tokens

# The event whose note is a progress note.
PROGRESS = "record_progress"
# Fields of the demand whose change rewrites its document.
TEXT_FIELDS = ("title", "description", "result")
BATCH = 2000
# FTS5's default ``automerge`` (merge a level once it holds this many segments).
AUTOMERGE_DEFAULT = 4
# Leaf pages one step of the worker's merge writes (``('merge', N)``): about 2 MB, a short
# write transaction, so that the single writer is never held for long.
MERGE_STEP_PAGES = 500
# The structure record of an FTS5 table: its row in ``<table>_data``.
STRUCTURE_ROWID = 10


def document_words(title: str, description: str, result: str = "", notes: Iterable[str] = ()) -> list[str]:
    """The words of a demand's document, in order."""
    return tokens(title, description, result, *notes)


def _connection():
    return connections[router.db_for_write(Demand)]


def write_documents(rows: Iterable[tuple[int, Sequence[str]]], *, new: bool = False, table: str = TABLE) -> int:
    """Store the documents of ``rows`` (demand id, words), replacing those stored unless ``new``
    says that none exists yet (an import's fresh demands).  Returns how many were written.
    ``table``: another kind of document with the same structure (the knowledge base's articles)."""
    vendor = _connection().vendor
    return write_stored(((pk, stored_text(words, vendor)) for pk, words in rows), new=new, table=table)


def write_stored(rows: Iterable[tuple[int, str]], *, new: bool = False, table: str = TABLE) -> int:
    """``write_documents`` of documents already in their stored form (``documents.stored_text``)."""
    connection = _connection()
    count = 0
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            count += len(batch)
            if connection.vendor == "postgresql":
                cursor.executemany(
                    f'INSERT INTO "{table}" (rowid, document) VALUES (%s, %s::tsvector) '
                    "ON CONFLICT (rowid) DO UPDATE SET document = EXCLUDED.document", batch)
                continue
            if not new:
                ids = [pk for pk, _text in batch]
                cursor.execute(f'DELETE FROM "{table}" WHERE rowid IN ({",".join(["%s"] * len(ids))})', ids)
            cursor.executemany(f'INSERT INTO "{table}" (rowid, document) VALUES (%s, %s)', batch)
    return count


def delete_documents(ids: Sequence[int], *, table: str = TABLE) -> None:
    """Remove the documents of ``ids`` from ``table`` (an article withdrawn)."""
    if not ids:
        return
    with _connection().cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE rowid IN ({",".join(["%s"] * len(ids))})', list(ids))


def _batches(rows: Iterable[tuple[int, Sequence[str]]]) -> Iterator[list[tuple[int, Sequence[str]]]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def progress_notes(demand_id: int) -> list[str]:
    return list(DemandEvent.objects.filter(demand_id=demand_id, action=PROGRESS).exclude(note="")
                .order_by("seq").values_list("note", flat=True))


def on_transition(demand: Demand, event: DemandEvent, before: dict | None) -> None:
    """After an event (inside its transaction): rewrite the demand's document when its words may
    have changed — a registration, a progress note, a new title, description or result."""
    changed = before is None or (event.action == PROGRESS and event.note) or any(
        before.get(f) != getattr(demand, f) for f in TEXT_FIELDS)
    if not changed:
        return
    notes = [] if before is None else progress_notes(demand.pk)
    write_documents([(demand.pk, document_words(demand.title, demand.description, demand.result, notes))],
                    new=before is None)


def prepare_import(payloads: Sequence[dict]) -> Pending | None:
    """Before an import's transaction, given its validated register payloads in order: from
    ``documents.PARALLEL_MIN`` rows on, a worker process starts cutting their texts while the
    demands are written (``on_import`` then only inserts).  None for a smaller import."""
    if len(payloads) < PARALLEL_MIN:
        return None
    texts = [(p["title"], p["description"]) for p in payloads]
    return Pending(texts, _connection().vendor, loaded_words())


def on_import(events: Sequence[DemandEvent], pending: Pending | None = None) -> None:
    """A batch of registrations written in bulk (inside its transaction): each new demand's
    document, from its register event (a new demand has no result and no notes yet).
    ``pending``: the documents ``prepare_import`` started for these events, in their order (the
    chunks come in the order they are ready, each written as it comes)."""
    if pending is None:
        write_documents(((e.demand_id, document_words(e.payload["title"], e.payload["description"]))
                         for e in events if e.action == "register"), new=True)
        return
    if len(pending) != len(events):
        raise ValueError(f"{len(pending)} documents prepared for {len(events)} events")

    def rows() -> Iterator[tuple[int, str]]:
        for start, documents in pending.documents():
            for i, document in enumerate(documents, start):
                event = events[i]
                if event.action != "register" or event.payload["title"] != pending.texts[i][0]:
                    raise ValueError(f"the documents prepared are not those of the events (demand {event.demand_id})")
                yield event.demand_id, document

    with merging_postponed():
        write_stored(rows(), new=True)


def _fts5(connection) -> bool:
    return connection.vendor == "sqlite"


@contextmanager
def merging_postponed(table: str = TABLE) -> Iterator[None]:
    """Inside a large write's transaction (an import from ``PARALLEL_MIN`` rows, a rebuild): FTS5
    writes its new segments without merging them (``automerge`` 0), which halves the CPU of an
    insert; ``merge_segments`` (the worker's job, every minute) merges them afterwards, in short
    steps, off the import's path.  The setting is a row of ``<table>_config``, written in the
    same transaction: it is put back at the end, and a failed write rolls it back with the rest.
    PostgreSQL's GIN index has its own pending list: nothing to do there."""
    connection = _connection()
    if not _fts5(connection):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v FROM \"{table}_config\" WHERE k = 'automerge'")
        row = cursor.fetchone()
        before = AUTOMERGE_DEFAULT if row is None else int(row[0])
        cursor.execute(f'INSERT INTO "{table}" ("{table}", rank) VALUES (\'automerge\', 0)')
    yield
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{table}" ("{table}", rank) VALUES (\'automerge\', %s)', [before])


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's variable-length integer at ``at``: (value, the offset after it)."""
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9


def _structure(table: str) -> tuple[int, int]:
    """(segments, segments ever written) of the FTS5 table, from its structure record: a cookie
    of 4 bytes, FTS5's 4-byte mark of its second format where present, then the number of
    levels, of segments, and the write counter (which only grows)."""
    with _connection().cursor() as cursor:
        cursor.execute(f'SELECT block FROM "{table}_data" WHERE id = %s', [STRUCTURE_ROWID])
        row = cursor.fetchone()
    if row is None:
        return 0, 0
    data = bytes(row[0])
    at = 8 if data[4:8] == b"\xff\x00\x00\x01" else 4
    _levels, at = _varint(data, at)
    segments, at = _varint(data, at)
    return segments, _varint(data, at)[0]


def segment_count(table: str = TABLE) -> int:
    """How many b-tree segments the FTS5 table holds: a search reads every one, so this is what
    merging lowers.  0 on PostgreSQL."""
    connection = _connection()
    return _structure(table)[0] if _fts5(connection) else 0


# The write counter of each table after the last merge: the worker's job merges only when a
# segment was written since.
_merged: dict[str, int] = {}


def merge_segments(table: str = TABLE, pages: int = MERGE_STEP_PAGES) -> int:
    """Merge the FTS5 table's segments in steps of ``pages`` leaf pages, each step its own short
    write transaction, until FTS5 reports nothing left to merge (the step changed fewer than two
    rows: FTS5's documented test).  Returns the number of steps that did work.  The worker runs
    it every minute (``MINSHENG_PERIODIC_JOBS``); with no segment written since its last run it
    reads one row and returns.  0 on PostgreSQL."""
    connection = _connection()
    if not _fts5(connection):
        return 0
    if _structure(table)[1] == _merged.get(table):
        return 0
    steps = 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            raw = connection.connection
            before = raw.total_changes
            cursor.execute(f'INSERT INTO "{table}" ("{table}", rank) VALUES (\'merge\', %s)', [pages])
            if raw.total_changes - before < 2:
                break
        steps += 1
    _merged[table] = _structure(table)[1]
    return steps


def merge_all() -> int:
    """The worker's job: ``merge_segments`` for the demands' index and the knowledge base's."""
    from minsheng.knowledge.models import SEARCH_TABLE

    return merge_segments(TABLE) + merge_segments(SEARCH_TABLE)


def _source_rows() -> Iterator[tuple[int, list[str]]]:
    """Every demand's words, computed from the demands and their events, by ranges of ids."""
    last = 0
    while True:
        chunk = list(Demand.objects.filter(pk__gt=last).order_by("pk")
                     .values_list("pk", "title", "description", "result")[:BATCH])
        if not chunk:
            return
        notes: dict[int, list[str]] = {}
        for demand_id, note in (DemandEvent.objects.filter(demand_id__gte=chunk[0][0], demand_id__lte=chunk[-1][0],
                                                           action=PROGRESS).exclude(note="")
                                .order_by("demand_id", "seq").values_list("demand_id", "note")):
            notes.setdefault(demand_id, []).append(note)
        for pk, title, description, result in chunk:
            yield pk, document_words(title, description, result, notes.get(pk, ()))
        last = chunk[-1][0]


def rebuild() -> int:
    """Compute the whole index again, in one transaction (searches see the old one until it
    commits), its segments written unmerged and merged after it in short steps, so that it leaves
    a merged index.  Returns the number of documents."""
    connection = _connection()
    with transaction.atomic(using=connection.alias), merging_postponed():
        with connection.cursor() as cursor:
            cursor.execute(f'DELETE FROM "{TABLE}"')
        count = write_documents(_source_rows(), new=True)
    merge_segments()
    return count


def stored_documents(table: str = TABLE) -> dict[int, str]:
    """The index as stored, demand id → document as text (to compare the live index with a
    rebuilt one)."""
    connection = _connection()
    column = "document::text" if connection.vendor == "postgresql" else "document"
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT rowid, {column} FROM "{table}"')
        return dict(cursor.fetchall())
