"""The tests that read the whole demo city share one seeding of it.

Seeding the demo with all its parts takes about a minute, and eight modules read it; seeded for
each they took a large share of the suite's time. Here the city is seeded and committed once for
the package, and each test runs in its own transaction that is rolled back (pytest-django's
``db``), so what one test changes (a re-seed, a transition, a sign-in) is gone before the next.
After the package's last test the database is flushed and given back exactly what it held before
(the data migrations' rows, serialized first), so no test elsewhere sees the city.

The city is committed, not kept in one transaction around the package: on PostgreSQL a
transaction that outlives thousands of savepoints overflows its cache of subtransactions, and
every later row visibility check pays for it (a query of 40 ms took 9 s by the fuzz's turn).
"""

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from ..conftest import clear_event_log_for_flush

# Large enough for a year of months in every figure and every part's share of the demands.
DEMANDS = 600
RESIDENTS = 300
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class DemoCity:
    output: str  # what seed_demo printed

    @staticmethod
    def seed_again(*extra: str) -> str:
        """Run seed_demo again with the same sizes (it must add nothing) and return its output."""
        out = io.StringIO()
        call_command("seed_demo", "--demands", str(DEMANDS), "--residents", str(RESIDENTS), *extra, stdout=out)
        return out.getvalue()


def _restore(before: str) -> None:
    clear_event_log_for_flush()
    # Without post_migrate's content types and permissions: the serialized rows bring them back
    # with their keys, as TransactionTestCase's serialized_rollback does. The sequences keep their
    # values: the rows come back with their old keys, and PostgreSQL's next key must not be one.
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True, reset_sequences=False)
    connection.creation.deserialize_db_from_string(before)


@pytest.fixture(scope="package")
def demo_city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        before = connection.creation.serialize_db_to_string()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHING):
                output = DemoCity.seed_again()
        except BaseException:
            _restore(before)
            raise
    try:
        yield DemoCity(output)
    finally:
        with django_db_blocker.unblock():
            _restore(before)


@pytest.fixture
def demo(demo_city, db):
    """The seeded city, inside this test's transaction."""
    return demo_city
