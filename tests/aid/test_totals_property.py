"""For any sequence of gifts (random givers, recipients, goods and money), donations, voids and
corrections, the totals per recipient, per giver, per month and per campaign are the sums of the
rows in force behind them, and a campaign's balance never goes negative."""

from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.aid import selectors, services, stock
from minsheng.aid.models import Gift, Status
from minsheng.core.errors import MinshengError

pytestmark = pytest.mark.django_db
amount = st.integers(1, 50000).map(lambda cents: str(Decimal(cents) / 100))
step = st.one_of(
    st.tuples(st.just("gift"), st.sampled_from(["office", "company"]), st.sampled_from(["wang", "li"]),
              st.sampled_from(["goods", "money"]), st.integers(1, 4), amount, st.integers(0, 25)),
    st.tuples(st.just("donate"), st.sampled_from(["goods", "money"]), st.integers(1, 6), amount),
    st.tuples(st.just("void"), st.integers(0, 30)),
    st.tuples(st.just("correct"), st.integers(0, 30), st.integers(1, 3)),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_totals_equal_the_rows_behind_them(world, aid, steps):
    from django.db import transaction

    sid = transaction.savepoint_create()
    try:
        _run(world, aid, steps)
    finally:
        transaction.savepoint_rollback(sid)


def _run(world, aid, steps):
    from datetime import timedelta

    staff, organiser, campaign = world.user("staff1"), world.user("dispatcher1"), aid["campaign"]
    for s in steps:
        try:
            if s[0] == "gift":
                _, giver, who, kind, qty, value, back = s
                services.record_gift(staff, giver=aid[giver], recipient=aid[who], kind=kind, item="大米", unit="袋",
                                     quantity=qty, value=value if kind == "money" or back % 2 else None,
                                     given_on=aid["day"] - timedelta(days=back), campaign=campaign)
            elif s[0] == "donate":
                _, kind, qty, value = s
                services.record_donation(organiser, donor=aid["company"], campaign=campaign, kind=kind, item="大米",
                                         unit="袋", quantity=qty, value=value, received_on=aid["day"])
            elif s[0] == "void":
                rows = list(Gift.objects.order_by("pk"))
                if rows:
                    services.void_gift(staff, rows[s[1] % len(rows)].pk, reason="录入错误")
            else:
                rows = list(Gift.objects.order_by("pk"))
                if rows:
                    services.correct_gift(staff, rows[s[1] % len(rows)].pk, reason="更正数量", quantity=s[2])
        except MinshengError:
            pass  # a refused step (balance, void twice) writes nothing
        lines = stock.stock_lines(campaign)
        assert all(line.quantity_left >= 0 for line in lines)
        assert sum(x.given_value for x in lines) <= sum(x.received_value for x in lines)

    active = list(Gift.objects.filter(status=Status.ACTIVE))
    by_recipient, by_giver, by_month = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    counts = defaultdict(int)
    for g in active:
        by_recipient[g.recipient_id] += g.value
        counts[g.recipient_id] += 1
        by_giver[g.giver_id] += g.value
        by_month[g.given_on.replace(day=1)] += g.value
    rows = selectors.per_recipient(staff, selectors.gifts_for(staff))
    assert {r.resident_id: (r.value, r.gifts) for r in rows} == {
        k: (v, counts[k]) for k, v in by_recipient.items()}
    assert {r["giver_id"]: r["total"] for r in selectors.per_giver(selectors.gifts_for(staff))} == dict(by_giver)
    assert {(r["month"].date() if hasattr(r["month"], "date") else r["month"]): r["total"]
            for r in selectors.per_month(selectors.gifts_for(staff))} == dict(by_month)
    totals = selectors.campaign_totals(campaign)
    assert totals.given == sum((g.value for g in active), Decimal("0")) == selectors.totals(Gift.objects.all())["value"]
    assert totals.gifts == len(active) and totals.recipients == len(by_recipient)
    assert totals.balance >= 0
