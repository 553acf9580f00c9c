"""The hours-and-points ledger: balanced transfers only, redemptions at the love supermarket,
refunds and corrections as new transfers, and verify_ledger."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, ValidationFailed
from minsheng.ledger import services
from minsheng.ledger.models import Account, Entry, Measure, Transfer
from minsheng.ledger.selectors import check_ledger

from .helpers import plain_volunteer, supermarket_with

pytestmark = pytest.mark.django_db


def points_of(volunteer) -> Decimal:
    return Account.objects.get(volunteer=volunteer, measure=Measure.POINTS).balance


def test_service_hours_earn_points_in_balanced_transfers(world):
    volunteer = plain_volunteer(world)
    hours, points = services.credit_service(volunteer, "3", kind="activity_hours", memo="测试", reference="t:1")
    assert hours.amount == Decimal("3.00") and points.amount == Decimal("30.00")
    for t in (hours, points):
        assert sorted(e.amount for e in t.entries.all()) == [-t.amount, t.amount]
    assert services.issuer_account(Measure.HOURS).balance == Decimal("-3")
    with pytest.raises(InvalidTransition):  # once per reference
        services.credit_service(volunteer, "3", kind="activity_hours", memo="测试", reference="t:1")
    assert check_ledger().ok and Transfer.objects.count() == 2


def test_hours_and_points_never_mix_and_amounts_are_positive(world):
    volunteer = plain_volunteer(world)
    with pytest.raises(ValidationFailed):
        services.transfer(source=services.issuer_account(Measure.HOURS),
                          target=services.volunteer_account(volunteer, Measure.POINTS), amount=1,
                          kind="correction", memo="错")
    with pytest.raises(ValidationFailed):
        services.transfer(source=services.issuer_account(Measure.POINTS),
                          target=services.volunteer_account(volunteer, Measure.POINTS), amount="-5",
                          kind="correction", memo="错")
    assert not Transfer.objects.exists()


def test_redeeming_at_the_counter_moves_points_and_stock(world):
    volunteer = plain_volunteer(world)
    services.credit_service(volunteer, "5", kind="activity_hours", memo="参加活动", reference="a:1")
    market, item = supermarket_with(world, stock=3, points="20")
    redemption = services.redeem(world.user("staff1"), card_number=volunteer.card_number.lower(), item_id=item.pk,
                                 quantity=2)
    item.refresh_from_db()
    assert item.stock == 1 and points_of(volunteer) == Decimal("10")
    assert services.supermarket_account(market).balance == Decimal("40")
    with pytest.raises(InvalidTransition):  # 10 points left, 20 needed
        services.redeem(world.user("staff1"), card_number=volunteer.card_number, item_id=item.pk)
    with pytest.raises(OutOfScope):  # another community's staff
        services.redeem(world.user("staff2"), card_number=volunteer.card_number, item_id=item.pk)
    with pytest.raises(NotFound):
        services.redeem(world.user("staff1"), card_number="AX0000000000", item_id=item.pk)

    back = services.refund(world.user("staff1"), redemption.pk, reason="物品有破损，退还")
    item.refresh_from_db()
    assert back.reverses == redemption.transfer and item.stock == 3 and points_of(volunteer) == Decimal("50")
    with pytest.raises(InvalidTransition):
        services.refund(world.user("staff1"), redemption.pk, reason="再退一次")
    assert check_ledger().ok


def test_an_empty_shelf_refuses(world):
    volunteer = plain_volunteer(world)
    services.credit_service(volunteer, "5", kind="activity_hours", memo="参加活动", reference="a:1")
    _market, item = supermarket_with(world, stock=0)
    with pytest.raises(InvalidTransition):
        services.redeem(world.user("staff1"), card_number=volunteer.card_number, item_id=item.pk)


def test_entries_are_never_edited_and_a_correction_is_a_new_transfer(world):
    volunteer = plain_volunteer(world)
    hours, _points = services.credit_service(volunteer, "2", kind="activity_hours", memo="记错", reference="a:9")
    entry = hours.entries.first()
    entry.amount_cents = 9900
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        Entry.objects.filter(pk=entry.pk).update(amount_cents=1)
    with pytest.raises(TypeError):
        hours.delete()
    fix = services.correct(world.user("admin"), hours.pk, reason="活动未实际参加")
    assert fix.kind == "correction" and fix.reverses == hours
    assert Account.objects.get(volunteer=volunteer, measure=Measure.HOURS).balance == 0
    assert Transfer.objects.count() == 3 and check_ledger().ok


def test_verify_ledger_reports_a_balance_that_does_not_match_its_entries(world):
    volunteer = plain_volunteer(world)
    services.credit_service(volunteer, "2", kind="activity_hours", memo="活动", reference="a:2")
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("ok=yes")
    # Tampering behind the services' back (a raw update of the kept balance) is caught.
    account = Account.objects.get(volunteer=volunteer, measure=Measure.HOURS)
    Account.objects.filter(pk=account.pk).update(balance_cents=700)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_ledger", stdout=out)
    assert f"account {account.pk}: balance 7.00 but entries sum to 2.00" in out.getvalue()
