"""Two counters redeem the same last item at once: exactly one gets it."""

from decimal import Decimal

import pytest

from minsheng.core.errors import InvalidTransition
from minsheng.ledger import services
from minsheng.ledger.models import Account, Measure, Redemption
from minsheng.ledger.selectors import check_ledger

from ..races import outcome, postgres_only, race
from .helpers import plain_volunteer, supermarket_with

pytestmark = postgres_only


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_of_the_last_item_let_one_through(default_catalogue, world):
    volunteer = plain_volunteer(world)
    services.credit_service(volunteer, "10", kind="activity_hours", memo="活动", reference="a:1")
    _market, item = supermarket_with(world, stock=1, points="30")
    staff = world.user("staff1")

    def redeem():
        return services.redeem(staff, card_number=volunteer.card_number, item_id=item.pk)

    results = race(redeem, redeem)
    assert sorted(outcome(r, InvalidTransition, won="redeemed") for r in results) == ["redeemed", "refused"]
    item.refresh_from_db()
    assert item.stock == 0 and Redemption.objects.count() == 1
    assert Account.objects.get(volunteer=volunteer, measure=Measure.POINTS).balance == Decimal("70")
    assert check_ledger().ok
