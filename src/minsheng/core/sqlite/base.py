"""Django's SQLite backend, with writers queueing on a lock file instead of SQLite's busy timeout.

Every write transaction starts with ``BEGIN IMMEDIATE`` (settings: ``transaction_mode``), so
writers wait for each other at the start instead of failing half-way.  SQLite's own wait is a
sleep-and-retry loop (1, 2, 5 … up to 100 ms between tries): under many concurrent writers the
database sits idle while they sleep, and a short transaction can wait hundreds of milliseconds
behind others just as short.  Here each connection first takes an exclusive ``flock`` on
``<database>.writer-lock`` and holds it until its transaction ends: the kernel wakes the next
waiter the moment the lock is released, in this process or another one (gunicorn's workers, a
management command).  A process that dies releases its lock with its file descriptors.

SQLite's own locking is untouched and still guards the data: the lock file only orders the
writers that use this backend (anything else writing to the file still waits on the busy
timeout).  In-memory databases (the tests) take no lock.

Checkpoints (copying the write-ahead log back into the database file, with an fsync) are taken
out of the queue too: SQLite runs them in the commit that crosses ``wal_autocheckpoint`` pages,
that is while this writer still holds the lock and every other writer waits.  Here each
connection runs a passive one (which never blocks writers) after every ``CHECKPOINT_EVERY`` of
its commits, once its lock is released; the automatic one is left only as a far safety net.
"""

import contextlib
import fcntl
import os

from django.db.backends.sqlite3 import base

CHECKPOINT_EVERY = 50


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_locked = False
    _commits = 0

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            # A safety net for a connection that writes outside transactions only (SQLite's
            # default is 1000 pages).
            conn.execute("PRAGMA wal_autocheckpoint=20000")
        return conn

    def _writer_lock_fd(self) -> int | None:
        if self._writer_fd is None and not self.is_in_memory_db():
            self._writer_fd = os.open(f"{self.settings_dict['NAME']}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        return self._writer_fd

    def _release_writer(self) -> None:
        if self._writer_locked:
            self._writer_locked = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        fd = self._writer_lock_fd()
        if fd is not None and not self._writer_locked:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._writer_locked = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _commit(self):
        locked = self._writer_locked
        try:
            result = super()._commit()
        finally:
            self._release_writer()
        if locked:
            self._commits += 1
            if self._commits % CHECKPOINT_EVERY == 0 and self.connection is not None:
                # Committed already: a failed checkpoint is left to the next one (or the last close).
                with contextlib.suppress(base.Database.Error):
                    self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        return result

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
