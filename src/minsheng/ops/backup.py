"""Backups a running site can take and a stopped one can be restored from.

A backup is a directory:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the site keeps
  writing) or ``database.pgdump`` (``pg_dump -Fc``, restored with ``pg_restore``);
- ``media.tar``: the uploaded files (demand photos, attachments) under ``MEDIA_ROOT``, unless
  left out (``--no-media``);
- ``manifest.json``: when, from which engine, and the row count of every table *in the copied
  snapshot*, which ``restore`` compares with what it restored.

It is written beside its final place and renamed into it when complete, so that a failed
backup never leaves a directory that looks like a good one."""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from minsheng.core.errors import MinshengError

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_FILE = "media.tar"
MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(MinshengError):
    """A backup or restore refused or failed, with the reason in one sentence."""


@dataclass
class Manifest:
    engine: str
    created_at: str
    counts: dict[str, int]
    media: bool

    def as_json(self) -> str:
        return json.dumps({"format": FORMAT, "engine": self.engine, "created_at": self.created_at,
                           "counts": self.counts, "media": self.media}, indent=1, sort_keys=True)

    @classmethod
    def read(cls, directory: Path) -> "Manifest":
        try:
            data = json.loads((directory / MANIFEST).read_text())
        except FileNotFoundError:
            raise BackupError(f"{directory} is not a backup: it has no {MANIFEST}.") from None
        except json.JSONDecodeError as exc:
            raise BackupError(f"{directory / MANIFEST} is damaged: {exc}") from None
        if data.get("format") != FORMAT:
            raise BackupError(f"{directory} was written in backup format {data.get('format')}, not {FORMAT}.")
        return cls(engine=data["engine"], created_at=data["created_at"], counts=data["counts"], media=data["media"])


def _engine() -> str:
    if connection.vendor == "sqlite":
        return "sqlite"
    if connection.vendor == "postgresql":
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")


def pg_tool(name: str) -> str | None:
    """``pg_dump`` or ``pg_restore``: MINSHENG_PG_BIN, else the newest Debian server's, else the PATH's."""
    candidates = []
    if configured := os.environ.get("MINSHENG_PG_BIN"):
        candidates.append(Path(configured) / name)
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                         key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
                         reverse=True)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def _pg_args_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = []
    if s.get("HOST"):
        args += ["-h", str(s["HOST"])]
    if s.get("PORT"):
        args += ["-p", str(s["PORT"])]
    if s.get("USER"):
        args += ["-U", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    if sslmode := (s.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return [*args, "-d", str(s["NAME"])], env


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def live_counts() -> dict[str, int]:
    """Row counts of every table of the database the site uses now."""
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        return _counts(cursor, tables)


def _backup_sqlite(work: Path) -> dict[str, int]:
    connection.ensure_connection()
    target = sqlite3.connect(work / SQLITE_FILE)
    try:
        # pages=-1: the whole database in one step, under one read transaction: a consistent snapshot
        # while writers carry on (WAL lets them), instead of a copy restarted by every commit.
        connection.connection.backup(target, pages=-1)
        # The copy carries the site's WAL mode; one self-contained file is what a backup should be.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    return _sqlite_counts(work / SQLITE_FILE)


def _backup_postgresql(work: Path) -> dict[str, int]:
    pg_dump = pg_tool("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump was not found: install the PostgreSQL client (Debian: postgresql-client) "
                          "or set MINSHENG_PG_BIN.")
    args, env = _pg_args_env()
    # The counts and the dump read one snapshot: exported by this transaction, handed to pg_dump.
    reader = connections.create_connection("default")
    try:
        reader.set_autocommit(False)
        with reader.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = reader.introspection.table_names(cursor)
            counts = _counts(cursor, tables)
            done = subprocess.run([pg_dump, "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                                   "-f", str(work / PG_FILE), *args], env=env, capture_output=True, text=True)
        reader.rollback()
    finally:
        reader.close()
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise BackupError(f"pg_dump failed: {lines[-1] if lines else done.returncode}")
    return counts


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def take_backup(target: Path, *, force: bool = False, media: bool = True) -> Manifest:
    """Back the database (and the uploaded files) up into the directory ``target``."""
    target = Path(target).resolve()
    if target.exists() and not force:
        raise BackupError(f"{target} already exists: choose a new name, or pass --force to replace it.")
    engine = _engine()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        created_at = timezone.now().isoformat(timespec="seconds")
        counts = _backup_sqlite(work) if engine == "sqlite" else _backup_postgresql(work)
        with_media = media and _media_root().is_dir()
        if with_media:
            with tarfile.open(work / MEDIA_FILE, "w") as tar:
                tar.add(_media_root(), arcname=".")
        manifest = Manifest(engine=engine, created_at=created_at, counts=counts, media=with_media)
        (work / MANIFEST).write_text(manifest.as_json())
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _holds_data() -> bool:
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("auth_user", "demands_demand"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def restore_backup(source: Path, *, force: bool = False, media: bool = True) -> Manifest:
    """Replace the database (and the uploaded files) with the backup in ``source``; the site's
    server and worker must be stopped.  Refuses a database that already has users or demands
    unless ``force``; checks afterwards that every table has the rows the backup counted."""
    source = Path(source).resolve()
    if not source.is_dir():
        raise BackupError(f"{source} does not exist or is not a backup directory.")
    manifest = Manifest.read(source)
    engine = _engine()
    if manifest.engine != engine:
        raise BackupError(f"This backup is of a {manifest.engine} database; the site uses {engine}.")
    if not force and _holds_data():
        raise BackupError("The database already has users or demands: restoring would replace them. "
                          "Pass --force to do so (stop the server and the worker first).")
    if engine == "sqlite":
        _restore_sqlite(source / SQLITE_FILE)
    else:
        _restore_postgresql(source / PG_FILE)
    if media and manifest.media:
        root = _media_root()
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / MEDIA_FILE) as tar:
            tar.extractall(root, filter="data")
    restored = live_counts()
    wrong = {t: (n, restored.get(t)) for t, n in manifest.counts.items() if restored.get(t) != n}
    if wrong:
        listed = ", ".join(f"{t}: {n} in the backup, {got} now" for t, (n, got) in sorted(wrong.items())[:5])
        raise BackupError(f"The restored database differs from the backup ({listed}).")
    return manifest


def _restore_sqlite(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"{path} is missing from the backup.")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        # Page by page into the open database (its WAL and locks respected), replacing all of it.
        source.backup(connection.connection, pages=-1)
    finally:
        source.close()
    connection.close()


def _restore_postgresql(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"{path} is missing from the backup.")
    pg_restore = pg_tool("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore was not found: install the PostgreSQL client (Debian: postgresql-client) "
                          "or set MINSHENG_PG_BIN.")
    psql = pg_tool("psql")
    if psql is None:
        raise BackupError("psql was not found: install the PostgreSQL client (Debian: postgresql-client) "
                          "or set MINSHENG_PG_BIN.")
    args, env = _pg_args_env()
    connection.close()
    # pg_restore --clean cannot drop the keys a partition inherits from its parent (the event log
    # and the other partitioned tables), so the restoring transaction empties the schema itself and
    # then runs the dump's SQL: one transaction, so a restore that fails half-way leaves the
    # database as it was.
    script = subprocess.Popen([pg_restore, "--no-owner", "--no-privileges", "-f", "-", str(path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    apply = subprocess.Popen([psql, "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                              *args], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=env)
    failed = None
    try:
        apply.stdin.write(_EMPTY_PUBLIC_SCHEMA.encode())
        shutil.copyfileobj(script.stdout, apply.stdin, 1 << 20)
    except BrokenPipeError:
        failed = "psql stopped reading"
    finally:
        apply.stdin.close()
    errors = apply.stderr.read().decode(errors="replace")
    read_errors = script.stderr.read().decode(errors="replace")
    if script.wait() != 0:
        failed = (read_errors.strip().splitlines() or [f"pg_restore exited {script.returncode}"])[-1]
    if apply.wait() != 0:
        lines = errors.strip().splitlines()
        failed = next((line for line in lines if "ERROR" in line),
                      lines[-1] if lines else f"psql exited {apply.returncode}")
    if failed:
        raise BackupError(f"restore failed: {failed}")


# Everything of the application in the public schema, dropped inside the restoring transaction:
# tables (a partitioned parent takes its partitions), sequences, views and functions (the
# append-only triggers' functions), so the dump's CREATE statements meet an empty schema.
_EMPTY_PUBLIC_SCHEMA = """
DO $$
DECLARE r record;
BEGIN
  -- Tables and views first (a table takes the sequences it owns), then what is left.
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND NOT c.relispartition
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
           ORDER BY c.relkind = 'S' LOOP
    EXECUTE format(CASE r.relkind WHEN 'v' THEN 'DROP VIEW IF EXISTS public.%I CASCADE'
                                  WHEN 'm' THEN 'DROP MATERIALIZED VIEW IF EXISTS public.%I CASCADE'
                                  WHEN 'S' THEN 'DROP SEQUENCE IF EXISTS public.%I CASCADE'
                                  ELSE 'DROP TABLE IF EXISTS public.%I CASCADE' END, r.relname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.signature);
  END LOOP;
END $$;
"""
