"""Insert many rows of one model fast: one prepared INSERT run with executemany (PostgreSQL: COPY).

Django's ``bulk_create`` builds one SQL string with every value per batch, which costs more
than the database's own work for wide tables (about 45 columns for a demand).  This writes the
same rows — every concrete field's ``pre_save`` and ``get_db_prep_save``, as ``save`` does —
and assigns the primary keys first, so that rows referring to these ones can be built at once.
It sends no signals (like ``bulk_create``) and must run inside a transaction.

``insert_rows`` takes model instances; ``reserve_ids``, ``row_maker`` and ``insert_values`` are
its three steps, for a caller that builds the rows of database values itself (many rows that
differ in a few columns: the bulk import) instead of an instance per row.
"""

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from operator import attrgetter
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

from .text import check_lengths


def _reserve_ids(connection, model: type[Model], count: int) -> list[int]:
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The transaction holds SQLite's write lock (transaction_mode IMMEDIATE, or an earlier
            # write), so no other writer can take these keys before the insert below.
            quoted = connection.ops.quote_name
            cursor.execute(f"SELECT COALESCE(MAX({quoted(column)}), 0) FROM {quoted(table)}")
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + count))
    raise NotImplementedError(f"insert_rows does not support {connection.vendor}")


# Values the database drivers take as they are (str, int, bool, None): no conversion needed.
_AS_IS = {"AutoField", "BigAutoField", "CharField", "TextField", "SlugField", "IntegerField", "BigIntegerField",
          "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
          "BooleanField", "ForeignKey", "OneToOneField"}


def _converter(field, connection) -> Callable[[Any], Any] | None:
    """How to turn one field's attribute into its database value, or None when it goes as it is."""
    internal = field.get_internal_type()
    if internal in ("ForeignKey", "OneToOneField"):
        internal = field.target_field.get_internal_type()
    if internal in _AS_IS:
        return None
    if field.null:  # NULL needs no conversion (most of a new demand's dates are empty)
        return lambda value: None if value is None else field.get_db_prep_save(value, connection)
    return lambda value: field.get_db_prep_save(value, connection)


def _fields(model: type[Model]) -> list:
    """The concrete fields in the order of the INSERT: the primary key first."""
    pk = model._meta.pk
    return [pk, *(f for f in model._meta.concrete_fields if not f.primary_key)]


def _writing(model: type[Model]):
    connection = connections[router.db_for_write(model)]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("bulk inserts must run inside a transaction")
    return connection


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model`` for ``insert_values``; call inside a transaction."""
    return _reserve_ids(_writing(model), model, count) if count else []


def row_maker(model: type[Model]) -> tuple[list[str], Callable[[Model], list]]:
    """The attribute names of ``model``'s columns in ``insert_values``'s order, and a function
    turning an instance into its row of database values (as ``save`` writes them, without
    ``pre_save``)."""
    connection = connections[router.db_for_write(model)]
    fields = _fields(model)
    read = attrgetter(*(f.attname for f in fields))
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f, connection)) is not None]

    def row_of(obj: Model) -> list:
        row = list(read(obj))
        for i, convert in converters:
            row[i] = convert(row[i])
        return row

    return [f.attname for f in fields], row_of


def insert_values(model: type[Model], rows: Iterable[Sequence[Any]], batch_size: int = 5000, *,
                  columns: Sequence[str] | None = None) -> None:
    """Insert rows of database values, each in the order of ``row_maker``'s columns and with
    its key from ``reserve_ids``: one prepared INSERT run with executemany per batch (PostgreSQL:
    one COPY for all of them, several times faster at bulk sizes).  With
    ``columns`` (attribute names), the rows hold those columns only, in that order, and the
    database fills in the rest (the key, for rows nothing else refers to yet)."""
    connection = _writing(model)
    fields = _fields(model) if columns is None else [model._meta.get_field(name) for name in columns]
    quoted = connection.ops.quote_name
    names = ", ".join(quoted(f.column) for f in fields)
    if connection.vendor == "postgresql":
        _copy(connection, f"COPY {quoted(model._meta.db_table)} ({names}) FROM STDIN", rows)
        return
    sql = f"INSERT INTO {quoted(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, batch_size)):
            cursor.executemany(sql, batch)


def _copy(connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL: the rows through ``COPY … FROM STDIN`` (psycopg's ``cursor.copy``), which streams
    them in one command instead of a statement per row; triggers and constraints apply as for
    INSERT, and a partitioned table routes each row to its partition.  The values are adapted by
    psycopg as for INSERT (Django's JSON values arrive as ``Jsonb``)."""
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(model: type[Model], objs: Sequence[Model], batch_size: int = 5000) -> None:
    """Insert ``objs`` (unsaved, without keys) and set their primary keys."""
    if not objs:
        return
    connection = _writing(model)
    pk = model._meta.pk
    for obj in objs:
        check_lengths(obj)  # what save's pre_save receiver checks (core.apps), as no signal is sent here
    for obj, key in zip(objs, reserve_ids(model, len(objs)), strict=True):
        setattr(obj, pk.attname, key)
        obj._state.adding, obj._state.db = False, connection.alias
    for f in _fields(model):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) or f.get_internal_type() == "FileField":
            for obj in objs:
                f.pre_save(obj, True)  # sets the attribute (now, or the stored file's name)
    _columns, row_of = row_maker(model)
    insert_values(model, map(row_of, objs), batch_size)


def instance_maker(model: type[Model], **values: Any) -> Callable[..., Model]:
    """A constructor for many new instances of ``model``, several times faster than ``model(...)``
    for wide models: each new instance copies the field values of one instance initialised once
    (its defaults and ``values``), then sets the keyword arguments it is given.  The copied
    values are shared, so they must be immutable (a dict or list default must be given anew)."""
    template = {k: v for k, v in model(**values).__dict__.items() if k != "_state"}
    shared = [k for k, v in template.items() if isinstance(v, dict | list | set)]
    if shared:
        raise ValueError(f"mutable defaults would be shared between instances: {', '.join(shared)}")

    # Plain columns and foreign key ids are set in the instance's __dict__, as their descriptors
    # do for a new instance (which has no related object cached); anything else through setattr.
    plain = frozenset(f.attname for f in model._meta.concrete_fields
                      if type(getattr(model, f.attname, None)) in (DeferredAttribute, ForeignKeyDeferredAttribute))

    def make(**fields: Any) -> Model:
        obj = model.__new__(model)
        state = obj.__dict__
        state.update(template)
        obj._state = ModelState()
        if plain.issuperset(fields):
            state.update(fields)
        else:
            for name, value in fields.items():
                setattr(obj, name, value)
        return obj

    return make


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk job.  Such a job makes a few hundred
    thousand short-lived objects (rows, payloads, instances), which reference counting frees;
    each collection they would trigger walks all of those still alive, for nothing (a fifth of
    an import's time).  The collector runs again, if it was running, when the block ends."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


@contextmanager
def page_cache(using: str, mib: int) -> Iterator[None]:
    """On SQLite, a page cache of ``mib`` MiB for this connection for the block, the previous size
    after it.  A large write transaction then keeps its pages in memory instead of writing some
    to the WAL early and reading them back (the default cache is 2 MB); durability is the same,
    the pages all reach the WAL at commit.  Other databases: nothing."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")
