"""The query planner's statistics on SQLite, kept current (docs/operations.md, "Statistics").

SQLite chooses between a table's indexes from the row counts and spreads that ``ANALYZE`` writes
into ``sqlite_stat1``, and nothing refreshes them by itself: a database grown from empty never
has any, and a migration that remakes a table (as Django's SQLite schema editor does for many
changes) drops that table's.  Without them the planner guesses, and guesses badly at scale: on
1,000,000 demands with no statistics for the demand table the staff list's unfiltered first
page read every demand of the viewer's regions and sorted them (2.2 s) instead of walking the
registration index (25 ms).

So the worker takes them: every hour for the tables that have rows but none, every day for all
(so that they follow the tables' growth), and every ``migrate`` for the tables it left without.
``PRAGMA analysis_limit`` bounds the rows read per index: each table is
analysed in its own short write transaction (0.14 s for 1,000,000 demands, 1 s for every table
of that database) instead of a pause of 20 s for the event log read in full, and the estimates
are close enough for the planner's choices (the list above: 22 ms).

PostgreSQL's autovacuum analyses tables itself: nothing is done there.
"""

from __future__ import annotations

from django.db import connections

# Rows read per index by ANALYZE (SQLite's analysis_limit).
ANALYSIS_LIMIT = 20_000
# Tables smaller than this are left to the planner's defaults (a full scan costs nothing).
MIN_ROWS = 100


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor) -> list[str]:
    """The database's own tables: not SQLite's, nor the full-text index's virtual tables (their
    shadow tables are ordinary ones and are included)."""
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                   "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")
    return [name for (name,) in cursor.fetchall()]


def tables_without_statistics(using: str = "default") -> list[str]:
    """The tables of ``MIN_ROWS`` rows or more that have no statistics (none on PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        tables = _tables(cursor)
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        analysed: set[str] = set()
        if cursor.fetchone():
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
            analysed = {table for (table,) in cursor.fetchall()}
        missing = []
        for table in tables:
            if table in analysed:
                continue
            # Counts at most MIN_ROWS rows, however large the table.
            cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {_quote(table)} LIMIT {MIN_ROWS})")
            if cursor.fetchone()[0] >= MIN_ROWS:
                missing.append(table)
    return missing


def _analyse(connection, tables: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        for table in tables:  # one statement, so one short write transaction, per table
            cursor.execute(f"ANALYZE {_quote(table)}")
    return tables


def analyse_missing(using: str = "default") -> list[str]:
    """The worker's hourly job and ``post_migrate``'s: analyse the tables that have rows but no
    statistics (a remade table, a table grown from empty).  Returns those analysed."""
    connection = connections[using]
    return _analyse(connection, tables_without_statistics(using)) if connection.vendor == "sqlite" else []


def analyse_all(using: str = "default") -> list[str]:
    """The worker's daily job: every table again, so that the statistics follow the tables'
    growth (at 1,000,000 demands: about a second for the whole database)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        tables = _tables(cursor)
    return _analyse(connection, tables)


def refresh_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """``post_migrate``: a remade table has lost its statistics; take them again (once, from the
    last app's signal, since every app's migrations have run by then)."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if with_models and sender is with_models[-1]:
        analyse_missing(using)
