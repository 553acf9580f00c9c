import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.demands.workflow import Kind, State, actions_for
from minsheng.ledger.models import Account, Measure, Transfer
from minsheng.meals import billing, deliveries, selectors, services
from minsheng.meals.models import Meal, Tier
from minsheng.people.models import PersonalDataAccess

from .conftest import add_policy

D = Decimal


def _money(rng) -> Decimal:
    return D(rng.randrange(0, 1000)) / 100


def test_a_meal_is_priced_and_split_by_the_policy_in_force_on_its_day(world, canteens):
    """The policy changes on the 16th: a meal on the 15th keeps the old split, one on the 16th takes
    the new one, for each tier; a later policy never rewrites a meal already taken."""
    rng = random.Random()
    c1, staff = canteens["c1"], world.user("staff1")
    change = date(2026, 3, 16)
    new = {tier: add_policy(c1, tier, change, _money(rng), _money(rng), _money(rng))
           for tier in (Tier.STANDARD, Tier.DIBAO)}
    for key, tier in (("wang", Tier.STANDARD), ("li", Tier.DIBAO)):
        card = canteens["diners"][key].card_number
        before = services.take_meal(staff, c1, code=card, sitting="lunch", day=change - timedelta(days=1))
        after = services.take_meal(staff, c1, code=card, sitting="lunch", day=change)
        old = {Tier.STANDARD: ("1.00", "1.00", "5.00"), Tier.DIBAO: ("2.00", "2.00", "3.00")}[tier]
        assert (before.government, before.collective, before.elder) == tuple(D(x) for x in old)
        assert before.price == sum(D(x) for x in old)
        p = new[tier]
        assert (after.tier, after.price, after.government, after.collective, after.elder) == (
            tier, p.government + p.collective + p.elder, p.government, p.collective, p.elder)
    add_policy(c1, Tier.STANDARD, date(2026, 3, 10), "9.00", "9.00", "9.00")  # a later, retroactive row
    assert Meal.objects.get(diner=canteens["diners"]["wang"], day=change - timedelta(days=1)).elder == D("5.00")


def test_a_free_tier_costs_the_elder_nothing(world, canteens):
    meal = services.take_meal(world.user("staff2"), canteens["c2"], code="ZC0101", sitting="lunch",
                              day=date(2026, 5, 4))
    assert meal.elder == 0 and meal.price == meal.government + meal.collective == D("7.00")


def test_counter_reads_the_phone_too_and_logs_it(world, canteens):
    staff = world.user("staff1")
    meal = services.take_meal(staff, canteens["c1"], code="13900001111", sitting="dinner", day=date(2026, 5, 4))
    assert meal.diner == canteens["diners"]["li"]
    log = PersonalDataAccess.objects.get(viewer=staff)
    assert log.resident_id == meal.diner.resident_id and "1111" in log.subject and "13900001111" not in log.subject


def test_counter_refusals(world, canteens):
    staff, c1 = world.user("staff1"), canteens["c1"]
    services.take_meal(staff, c1, code="ZC0001", sitting="lunch", day=date(2026, 5, 4))
    with pytest.raises(InvalidTransition):  # one meal per sitting
        services.take_meal(staff, c1, code="ZC0001", sitting="lunch", day=date(2026, 5, 4))
    with pytest.raises(InvalidTransition):  # no breakfast here
        services.take_meal(staff, c1, code="ZC0001", sitting="breakfast", day=date(2026, 5, 4))
    c1.open_weekdays = "12345"
    c1.save()
    with pytest.raises(InvalidTransition):  # a Sunday
        services.take_meal(staff, c1, code="ZC0001", sitting="lunch", day=date(2026, 5, 3))
    with pytest.raises(NotFound):  # another street's card reads as unknown
        services.take_meal(staff, c1, code="ZC0101", sitting="lunch", day=date(2026, 5, 4))
    with pytest.raises(OutOfScope):
        services.take_meal(world.user("staff2"), c1, code="ZC0001", sitting="dinner", day=date(2026, 5, 4))
    with pytest.raises(ValidationFailed):
        services.take_meal(staff, c1, code="ZC0001", sitting="dinner", day=date.today() + timedelta(days=3))


def test_a_delivery_is_claimed_delivered_and_credited_as_hours(world, canteens, volunteer):
    staff = world.user("staff1")
    li = canteens["diners"]["li"]
    meal = services.book_meal(staff, li.pk, day=date.today(), sitting="lunch", channel="phone", deliver=True)
    delivery = meal.delivery
    demand = delivery.demand
    assert demand.kind == Kind.MEAL_DELIVERY and demand.state == State.REGISTERED and meal.status == "booked"
    offered = {t.action for t in actions_for(demand)}
    assert "claim_meal_delivery" in offered and not offered & {"verify", "dispatch", "resolve_on_spot", "accept"}
    assert list(selectors.claimable_deliveries(world.user("volunteer"))) == [delivery]

    demand = deliveries.claim_delivery(world.user("volunteer"), demand.pk, demand.version)
    assert demand.state == State.IN_PROGRESS and demand.assignee_id == world.users["volunteer"].pk
    demand = deliveries.deliver(world.user("volunteer"), demand.pk, demand.version, note="老人已收到，饭菜温热")
    assert demand.state == State.CLOSED
    meal.refresh_from_db()
    assert meal.status == Meal.Status.SERVED and meal.served_at is not None
    account = Account.objects.get(volunteer=volunteer, measure=Measure.HOURS)
    assert account.balance_cents == 50
    assert Transfer.objects.get(reference=f"meal-delivery:{delivery.pk}").kind == "meal_hours"
    with pytest.raises(InvalidTransition):
        deliveries.deliver(world.user("volunteer"), demand.pk, demand.version)
    assert Account.objects.get(pk=account.pk).balance_cents == 50


def test_only_the_claimer_confirms_a_delivery(world, canteens, volunteer):
    from django.contrib.auth import get_user_model

    from minsheng.organisation.models import Membership
    from minsheng.people.models import Resident
    from minsheng.volunteers.models import Volunteer

    other = get_user_model().objects.create_user(username="v2", password="x")
    Membership.objects.create(user=other, unit=world.units["cc1"], role="volunteer")
    Volunteer.objects.create(resident=Resident.objects.create(name="赵", phone="13600004444", user=other),
                             region=world.regions["c1"], card_number="V0002", joined_on=date(2026, 1, 1))
    meal = services.book_meal(world.user("staff1"), canteens["diners"]["li"].pk, day=date.today(),
                              sitting="dinner", channel="group", deliver=True)
    demand = deliveries.claim_delivery(world.user("volunteer"), meal.delivery.demand_id, 1)
    with pytest.raises(PermissionDenied):
        deliveries.deliver(get_user_model().objects.get(pk=other.pk), demand.pk, demand.version)
    with pytest.raises(PermissionDenied):  # a resident who is no volunteer cannot claim
        deliveries.claim_delivery(world.user("resident"), demand.pk, demand.version)


def test_a_voided_meal_cancels_its_delivery_and_leaves_the_statement(world, canteens, volunteer):
    staff = world.user("staff1")
    meal = services.book_meal(staff, canteens["diners"]["li"].pk, day=date.today(), sitting="lunch",
                              channel="phone", deliver=True)
    services.void_meal(staff, meal.pk, reason="老人住院，不需送餐")
    meal.refresh_from_db()
    assert meal.status == "void" and meal.delivery.demand.state == State.CLOSED
    assert billing.totals(canteens["c1"].pk, meal.month).meals == 0


def test_issued_month_takes_no_correction_and_is_issued_once(world, canteens):
    staff, c1 = world.user("staff1"), canteens["c1"]
    meal = services.take_meal(staff, c1, code="ZC0001", sitting="lunch", day=date(2026, 4, 8))
    with pytest.raises(PermissionDenied):  # community staff do not issue statements
        billing.issue_statement(staff, c1, date(2026, 4, 1))
    with pytest.raises(OutOfScope):
        billing.issue_statement(world.user("dispatcher2"), c1, date(2026, 4, 1))
    statement = billing.issue_statement(world.user("dispatcher1"), c1, date(2026, 4, 1))
    assert statement.meal_count == 1 and statement.elder == D("5.00")
    with pytest.raises(InvalidTransition):
        billing.issue_statement(world.user("dispatcher1"), c1, date(2026, 4, 1))
    with pytest.raises(InvalidTransition):
        services.void_meal(staff, meal.pk, reason="录错")


def test_lists_are_scoped(world, canteens, volunteer):
    services.take_meal(world.user("staff1"), canteens["c1"], code="ZC0001", sitting="lunch", day=date(2026, 5, 4))
    services.take_meal(world.user("staff2"), canteens["c2"], code="ZC0101", sitting="lunch", day=date(2026, 5, 4))
    services.book_meal(world.user("staff1"), canteens["diners"]["li"].pk, day=date.today(), sitting="lunch",
                       channel="phone", deliver=True)
    for name, codes in (("staff1", {"meiguicheng"}), ("staff2", {"leifeng"}), ("dispatcher1", {"meiguicheng"}),
                        ("admin", {"meiguicheng", "leifeng"}), ("auditor", {"meiguicheng", "leifeng"}),
                        ("handler_cg", set()), ("resident", set())):
        user = world.user(name)
        assert {c.code for c in selectors.canteens_for(user)} == codes, name
        assert {m.canteen.code for m in selectors.meals_for(user)} == codes, name
        assert {d.canteen.code for d in selectors.diners_for(user)} == codes, name
        assert {d.meal.canteen.code for d in selectors.deliveries_for(user)} <= codes, name
        assert {r["canteen"].code for r in selectors.daily_counts(user, date(2026, 5, 4))} == codes, name
    assert not selectors.claimable_deliveries(world.user("staff2")).exists()
