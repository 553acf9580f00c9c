"""For any sequence of meals taken (tiers changing their policy mid-month), corrections (voided
meals) and bookings never collected, a month's statement equals its meals: per funder, the sum of
its lines and the total linked to the issued statement are the sums of the served meals' splits."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import MinshengError
from minsheng.meals import billing, services
from minsheng.meals.models import Diner, Meal, Tier

from .conftest import add_policy

pytestmark = pytest.mark.django_db
MAY = date(2026, 5, 1)
money = st.integers(0, 999).map(lambda cents: Decimal(cents) / 100)
step = st.one_of(
    st.tuples(st.just("take"), st.sampled_from(["ZC0001", "ZC0002"]), st.integers(1, 31),
              st.sampled_from(["lunch", "dinner"])),
    st.tuples(st.just("void"), st.integers(0, 40)),
    st.tuples(st.just("policy"), st.sampled_from([Tier.STANDARD, Tier.DIBAO]), st.integers(2, 31), money, money,
              money),
    st.tuples(st.just("tier"), st.sampled_from(["wang", "li"]), st.sampled_from(list(Tier.values))),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=16))
def test_statement_totals_equal_its_meals(world, canteens, steps):
    from django.db import transaction

    sid = transaction.savepoint_create()
    try:
        _run(world, canteens, steps)
    finally:
        transaction.savepoint_rollback(sid)


def _run(world, canteens, steps):
    staff, c1 = world.user("staff1"), canteens["c1"]
    add_policy(c1, Tier.FREE, MAY, "3.00", "3.00", "0.00")
    for op, *args in steps:
        try:
            if op == "take":
                meal = services.take_meal(staff, c1, code=args[0], sitting=args[2], day=MAY.replace(day=args[1]))
                # priced by the policy valid on its day (a policy added later, dated back, changes nothing)
                policy = c1.policies.filter(tier=meal.tier, valid_from__lte=meal.day).order_by("-valid_from").first()
                assert (meal.policy_id, meal.government, meal.collective, meal.elder) == (
                    policy.pk, policy.government, policy.collective, policy.elder)
            elif op == "void":
                meals = list(Meal.objects.filter(canteen=c1).order_by("pk").values_list("pk", flat=True))
                if meals:
                    services.void_meal(staff, meals[args[0] % len(meals)], reason="录入错误")
            elif op == "policy":
                tier, day, g, c, e = args
                if not c1.policies.filter(tier=tier, valid_from=MAY.replace(day=day)).exists():
                    add_policy(c1, tier, MAY.replace(day=day), g, c, e)
            else:
                Diner.objects.filter(pk=canteens["diners"][args[0]].pk).update(tier=args[1])
        except MinshengError:
            pass
    served = Meal.objects.filter(canteen=c1, month=MAY, status=Meal.Status.SERVED)
    expected = {f: sum((getattr(m, f) for m in served), Decimal("0.00")) for f in ("government", "collective", "elder")}
    for funder, total in expected.items():
        assert sum((line.amount for line in billing.statement_lines(c1.pk, MAY, funder)), Decimal("0.00")) == total
        assert sum(line.meals for line in billing.statement_lines(c1.pk, MAY, funder)) == served.count()
    for meal in served:  # each meal keeps the split it was priced with
        assert (meal.government, meal.collective, meal.elder) == (
            meal.policy.government, meal.policy.collective, meal.policy.elder)
    statement = billing.issue_statement(world.user("dispatcher1"), c1, MAY)
    assert statement.meal_count == served.count()
    assert (statement.government, statement.collective, statement.elder) == (
        expected["government"], expected["collective"], expected["elder"])
    assert statement.billed_meals.count() == statement.meal_count
