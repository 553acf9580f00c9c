"""A counter finds only the cards it may serve: the operator must be entitled to the counter, and
the card must be a volunteer's of the supermarket's street.  A card from another street reads as
unknown, on the page and at redemption, whoever works the counter."""

import pytest
from django.urls import reverse

from minsheng.core.errors import NotFound, OutOfScope, PermissionDenied
from minsheng.ledger import services
from minsheng.ledger.models import Redemption
from minsheng.organisation.models import Region
from minsheng.people.models import Resident
from minsheng.volunteers.services import register_volunteer

from .helpers import plain_volunteer, supermarket_with

pytestmark = pytest.mark.django_db


def _volunteer_of_street_two(world):
    """A volunteer of 雷锋社区 (和平街道), with points to spend."""
    resident = Resident.objects.create(name="钱和平", phone="13655550777", region=world.regions["g2"])
    volunteer = register_volunteer(world.user("staff2"), resident=resident, region=world.regions["c2"],
                                   categories=["general"])
    services.credit_service(volunteer, "4", kind="activity_hours", memo="活动", reference="b:1")
    return volunteer


def test_a_card_from_another_street_is_not_found_at_the_counter(world, client):
    ours = plain_volunteer(world)
    theirs = _volunteer_of_street_two(world)
    _market, item = supermarket_with(world, stock=5, points="10")
    client.force_login(world.users["staff1"])
    url = reverse("ledger:counter")
    assert "赵志愿" in client.get(url, {"card": ours.card_number}).content.decode()
    page = client.get(url, {"card": theirs.card_number}).content.decode()
    assert "没有找到这张爱心卡" in page and "钱和平" not in page
    response = client.post(url, {"card": theirs.card_number, "item": item.pk, "quantity": 1})
    assert response.status_code == 400 and "没有找到这张爱心卡" in response.content.decode()
    assert not Redemption.objects.exists()


def test_even_an_administrator_at_a_street_one_counter_cannot_serve_a_street_two_card(world):
    theirs = _volunteer_of_street_two(world)
    market, item = supermarket_with(world, stock=5, points="10")
    admin = world.user("admin")
    with pytest.raises(NotFound):
        services.volunteer_by_card(admin, theirs.card_number, market)
    with pytest.raises(NotFound):
        services.redeem(admin, card_number=theirs.card_number, item_id=item.pk)
    item.refresh_from_db()
    assert item.stock == 5 and not Redemption.objects.exists()


def test_the_counter_serves_its_whole_streets_cards_to_those_entitled_to_it(world):
    ours = plain_volunteer(world)
    # A volunteer of the street's other community: the street's supermarket serves them too.
    neighbours = Region.objects.create(kind="community", name="丁香社区", code="c1x", parent=world.regions["s1"])
    resident = Resident.objects.create(name="丁香芹", phone="13655550888", region=neighbours)
    neighbour = register_volunteer(world.user("dispatcher1"), resident=resident, region=neighbours,
                                   categories=["culture"])
    market, _item = supermarket_with(world)
    for name in ("staff1", "dispatcher1", "admin"):
        assert services.volunteer_by_card(world.user(name), ours.card_number.lower(), market) == ours
        assert services.volunteer_by_card(world.user(name), neighbour.card_number, market) == neighbour
    # Those not entitled to this counter are refused before any card is looked at.
    with pytest.raises(OutOfScope):
        services.volunteer_by_card(world.user("dispatcher2"), ours.card_number, market)
    for name in ("handler_cg", "volunteer"):
        with pytest.raises(PermissionDenied):
            services.volunteer_by_card(world.user(name), ours.card_number, market)
