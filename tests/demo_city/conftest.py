"""The tests that read the whole demo city share one seeding of it.

Seeding the demo with all its parts takes about a minute, and eight modules read it; seeded for
each they took a large share of the suite's time. Here the city is seeded once for the package,
inside a transaction that is rolled back when the package's last test has run, so no other test
sees it. Each test runs in a savepoint inside that transaction (pytest-django's ``db``), so what
one test changes (a re-seed, a transition, a sign-in) is gone before the next.
"""

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

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


@pytest.fixture(scope="package")
def demo_city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHING):
                output = DemoCity.seed_again()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield DemoCity(output)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_city, db):
    """The seeded city, inside this test's savepoint."""
    return demo_city
