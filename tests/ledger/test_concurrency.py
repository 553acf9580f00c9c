"""Two counters redeem the same last item at once: exactly one gets it."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from minsheng.core.errors import InvalidTransition
from minsheng.ledger import services
from minsheng.ledger.models import Account, Measure, Redemption
from minsheng.ledger.selectors import check_ledger

from .helpers import plain_volunteer, supermarket_with

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database cannot be shared by concurrent writers; runs on PostgreSQL",
)


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_of_the_last_item_let_one_through(default_catalogue, world):
    volunteer = plain_volunteer(world)
    services.credit_service(volunteer, "10", kind="activity_hours", memo="活动", reference="a:1")
    _market, item = supermarket_with(world, stock=1, points="30")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def redeem():
        from django.db import connections

        barrier.wait()
        try:
            services.redeem(world.user("staff1"), card_number=volunteer.card_number, item_id=item.pk)
            outcomes.append("redeemed")
        except InvalidTransition:
            outcomes.append("refused")
        except Exception as exc:  # reported in the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["redeemed", "refused"]
    item.refresh_from_db()
    assert item.stock == 0 and Redemption.objects.count() == 1
    assert Account.objects.get(volunteer=volunteer, measure=Measure.POINTS).balance == Decimal("70")
    assert check_ledger().ok
