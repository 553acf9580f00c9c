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

    write_stored(rows(), new=True)


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
    commits).  Returns the number of documents."""
    connection = _connection()
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute(f'DELETE FROM "{TABLE}"')
        return write_documents(_source_rows(), new=True)


def stored_documents(table: str = TABLE) -> dict[int, str]:
    """The index as stored, demand id → document as text (to compare the live index with a
    rebuilt one)."""
    connection = _connection()
    column = "document::text" if connection.vendor == "postgresql" else "document"
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT rowid, {column} FROM "{table}"')
        return dict(cursor.fetchall())
