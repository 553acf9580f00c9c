"""Recording aid: validation, the campaign's balance, sensitivity, corrections."""

from datetime import timedelta
from decimal import Decimal

import pytest

from minsheng.aid import selectors, services, stock
from minsheng.aid.models import Gift, Giver, Status
from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.people.models import Resident, VulnerableTag

from .conftest import D, today

pytestmark = pytest.mark.django_db


def give(world, aid, user="staff1", **kwargs):
    fields = {"giver": aid["office"], "recipient": aid["li"], "given_on": aid["day"], "kind": "goods",
              "item": "大米", "unit": "袋", "quantity": "2", "campaign": aid["campaign"]}
    fields.update(kwargs)
    return services.record_gift(world.user(user), **fields)


def test_goods_are_valued_at_the_average_received_and_money_is_its_amount(world, aid):
    rice = give(world, aid)
    assert rice.value == D("120.00") and rice.quantity == D("2.00") and rice.region == world.regions["g1"]
    cash = give(world, aid, kind="money", item="", unit="", quantity=None, value="500.5")
    assert (cash.item, cash.unit, cash.quantity, cash.value) == ("慰问金", "元", D("500.50"), D("500.50"))


@pytest.mark.parametrize(("field", "changes"), [
    ("quantity", {"quantity": "0"}), ("quantity", {"quantity": "-3"}), ("quantity", {"quantity": "abc"}),
    ("quantity", {"quantity": "1.234"}), ("value", {"kind": "money", "value": "0"}),
    ("value", {"kind": "money", "value": "-1"}), ("item", {"item": "  "}), ("kind", {"kind": "loan"}),
    ("given_on", {"given_on": today() + timedelta(days=1)}),
    ("given_on", {"given_on": today() - timedelta(days=60)}),  # before the campaign began
    ("item", {"item": "面粉"}),  # the campaign received none and no value was typed
])
def test_bad_input_is_refused_on_its_field(world, aid, field, changes):
    with pytest.raises(ValidationFailed) as refused:
        give(world, aid, **changes)
    assert field in refused.value.field_errors
    assert not Gift.objects.exists()


def test_the_recipient_must_be_in_the_givers_and_the_actors_scope(world, aid):
    with pytest.raises(ValidationFailed) as refused:  # 和平's office gives in 和平 only
        give(world, aid, giver=aid["other"], campaign=None, value="50")
    assert "recipient" in refused.value.field_errors
    with pytest.raises(OutOfScope):  # 雷锋's staff cannot record a gift to a 玫瑰城 resident
        give(world, aid, user="staff2", campaign=None, value="50")
    with pytest.raises(ValidationFailed):  # 雷大爷 lives in 和平, outside the 光明 campaign
        give(world, aid, recipient=aid["lei"], user="admin")
    with pytest.raises(PermissionDenied):
        give(world, aid, user="leader")
    nowhere = Resident.objects.create(name="无区域", phone="13600009999")
    with pytest.raises(ValidationFailed):
        give(world, aid, recipient=nowhere, user="admin")


def test_a_campaign_never_gives_more_than_it_received(world, aid):
    give(world, aid, quantity="8")
    with pytest.raises(InvalidTransition, match="结余不足"):
        give(world, aid, quantity="3")
    give(world, aid, quantity="2")
    assert [line.quantity_left for line in stock.stock_lines(aid["campaign"]) if line.item == "大米"] == [D("0")]
    with pytest.raises(InvalidTransition, match="结余"):
        give(world, aid, kind="money", value="5000.01")
    assert Gift.objects.filter(status=Status.ACTIVE).count() == 2


def test_a_donation_already_given_out_cannot_be_voided(world, aid):
    give(world, aid, quantity="4")
    rice = aid["campaign"].donations.get(item="大米")
    with pytest.raises(InvalidTransition, match="不能为负"):
        services.void_donation(world.user("dispatcher1"), rice.pk, reason="录错了")
    rice.refresh_from_db()
    assert rice.status == Status.ACTIVE
    gift = Gift.objects.get()
    services.void_gift(world.user("staff1"), gift.pk, reason="重复登记")
    services.void_donation(world.user("dispatcher1"), rice.pk, reason="录错了")
    assert selectors.campaign_totals(aid["campaign"]).received == D("5000.00")


def test_a_correction_voids_and_replaces(world, aid):
    gift = give(world, aid, quantity="2")
    fixed = services.correct_gift(world.user("staff1"), gift.pk, reason="实为3袋", quantity="3")
    gift.refresh_from_db()
    assert gift.status == Status.VOID and fixed.replaces == gift and fixed.value == D("180.00")
    with pytest.raises(InvalidTransition):
        services.void_gift(world.user("staff1"), gift.pk, reason="again")
    assert selectors.totals(Gift.objects.all())["value"] == D("180.00")


def test_aid_to_minors_and_health_aid_is_sensitive(world, aid):
    assert not give(world, aid).sensitive
    assert give(world, aid, health_related=True).sensitive
    child = Resident.objects.create(name="小明", phone="13600001234", region=world.regions["g1"])
    child.tags.add(VulnerableTag.objects.get(code="left_behind_child"))
    assert give(world, aid, recipient=child).sensitive
    born_2015 = Resident.objects.create(name="小红", phone="13600004321", region=world.regions["g1"],
                                        id_number="11010520150101000X")
    assert services.is_minor(born_2015, today())
    assert not services.is_minor(aid["wang"], today())


def test_company_and_person_givers_need_a_phone_kept_masked(world):
    with pytest.raises(ValidationFailed) as refused:
        services.register_giver(world.user("dispatcher1"), kind=Giver.Kind.PERSON, name="张先生",
                                region=world.regions["s1"])
    assert "contact_phone" in refused.value.field_errors
    giver = services.register_giver(world.user("dispatcher1"), kind=Giver.Kind.PERSON, name="张先生",
                                    region=world.regions["s1"], contact_phone="139 0000 2222")
    assert giver.masked_contact_phone == "139****2222"
    with pytest.raises(OutOfScope):
        services.register_giver(world.user("staff2"), kind=Giver.Kind.PERSON, name="李女士",
                                region=world.regions["s1"], contact_phone="13900002223")


def test_positive_decimal_keeps_cents_exactly():
    assert services.positive_decimal("0.1", "v", "x") + services.positive_decimal("0.2", "v", "x") == Decimal("0.30")
    assert services.positive_decimal("1,234.50", "v", "x") == Decimal("1234.50")
