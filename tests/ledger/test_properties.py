"""Hypothesis: whatever transfers happen, each transfer and all balances sum to zero, and every
balance equals the sum of its entries."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import MinshengError
from minsheng.ledger import services
from minsheng.ledger.models import Account, Entry, Measure
from minsheng.ledger.selectors import check_ledger
from minsheng.people.models import Resident
from minsheng.volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("-5"), max_value=Decimal("500"), places=2, allow_nan=False,
                      allow_infinity=False)
moves = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), amounts), max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=moves)
def test_random_transfers_keep_the_ledger_balanced(world, moves):
    from django.db import transaction

    with transaction.atomic():
        accounts = []
        for i in range(3):
            resident, _ = Resident.objects.get_or_create(phone=f"1360000000{i}", defaults={"name": f"志愿者{i}"})
            volunteer, _ = Volunteer.objects.get_or_create(
                resident=resident, defaults={"region": world.regions["c1"], "card_number": f"AX000000000{i}",
                                             "joined_on": "2026-01-01", "categories": ["general"]})
            accounts += [services.volunteer_account(volunteer, m) for m in Measure.values]
        accounts += [services.issuer_account(Measure.HOURS), services.issuer_account(Measure.POINTS)]
        written = 0
        for source, target, amount in moves:
            try:
                services.transfer(source=accounts[source], target=accounts[target], amount=amount,
                                  kind="correction", memo="随机")
                written += 1
            except MinshengError:
                # Refused (same account, hours into points, not positive): nothing written.
                pass
        result = check_ledger()
        assert result.ok, result
        assert result.transfers == written and Entry.objects.count() == 2 * written
        for account in Account.objects.all():
            assert account.balance == sum((e.amount for e in account.entries.all()), Decimal(0))
        transaction.set_rollback(True)
