"""SQLite writers queue for each other (minsheng.core.sqlite): a writer that arrives while
another one's transaction is open waits for it and then commits, instead of failing with
"database is locked", even when SQLite's own busy timeout is too short to cover the wait."""

import threading
import time

from django.db import OperationalError

from minsheng.core.sqlite.base import DatabaseWrapper


def _connection(path, alias: str) -> DatabaseWrapper:
    settings = {"ENGINE": "minsheng.core.sqlite", "NAME": str(path), "ATOMIC_REQUESTS": False,
                "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None,
                "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {},
                # SQLite alone would give up after 50 ms.
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.05,
                            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=50;"}}
    return DatabaseWrapper(settings, alias=alias)


def test_a_second_writer_waits_for_the_first_and_both_commit(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        _two_writers(tmp_path)


def _two_writers(tmp_path) -> None:
    path = tmp_path / "db.sqlite3"
    first, second = _connection(path, "first"), _connection(path, "second")
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n INTEGER)")
    outcome: list[str] = []

    def write_second() -> None:
        second.inc_thread_sharing()
        try:
            with _atomic(second), second.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (2)")
            outcome.append("committed")
        except OperationalError as exc:
            outcome.append(str(exc))

    with _atomic(first):
        with first.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        thread = threading.Thread(target=write_second)
        thread.start()
        time.sleep(0.3)  # six times SQLite's own timeout
        assert outcome == []  # still waiting, not failed
    thread.join(5)
    assert outcome == ["committed"]
    with first.cursor() as cursor:
        cursor.execute("SELECT n FROM t ORDER BY n")
        assert [row[0] for row in cursor.fetchall()] == [1, 2]
    first.close()
    second.dec_thread_sharing()
    second.close()




class _atomic:
    """transaction.atomic on a connection that is not in settings.DATABASES."""

    def __init__(self, connection: DatabaseWrapper) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.connection.commit()
        else:
            self.connection.rollback()
        self.connection.set_autocommit(True)
