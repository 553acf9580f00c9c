"""Calls started at the same moment in threads, for the race tests (PostgreSQL only)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

# Concurrent writers need a real server: the in-memory SQLite test database cannot be shared by them.
postgres_only = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database cannot be shared by concurrent writers; runs on PostgreSQL",
)


def race(*calls: Callable[[], Any], timeout: float = 30) -> list[Any]:
    """Start every call at once, each in its own thread and database connection; return what each
    returned, or the exception it raised (a TimeoutError if it had not finished after ``timeout``
    seconds), in the order of the calls."""
    barrier = threading.Barrier(len(calls))
    # A call still running when the wait ends counts as this error, never as a result.
    results: list[Any] = [TimeoutError(f"did not finish within {timeout} s")] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except Exception as exc:  # reported by the caller's assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results


def outcome(result: Any, refused: type[Exception], *, won: str = "applied", lost: str = "refused") -> str:
    """``won`` for a call that returned, ``lost`` for one refused with ``refused``, and any other
    exception spelt out, so that an unexpected error shows in the assertion."""
    if isinstance(result, refused):
        return lost
    if isinstance(result, Exception):
        return repr(result)
    return won
