"""A counter finds only the cards it may serve: volunteers of its supermarket's street and of the
operator's own territory.  A card from elsewhere reads as unknown, on the page and at redemption."""

import pytest
from django.urls import reverse

from minsheng.core.errors import NotFound
from minsheng.ledger import services
from minsheng.ledger.models import Redemption
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


def test_the_counter_serves_its_own_streets_cards_within_the_operators_territory(world):
    ours = plain_volunteer(world)
    market, _item = supermarket_with(world)
    # The street's dispatcher and an administrator serve the card at the street's counter …
    assert services.volunteer_by_card(world.user("dispatcher1"), ours.card_number.lower(), market) == ours
    assert services.volunteer_by_card(world.user("admin"), ours.card_number, market) == ours
    # … another street's dispatcher does not find it, nor does anyone without a counter role.
    for name in ("dispatcher2", "handler_cg", "volunteer"):
        with pytest.raises(NotFound):
            services.volunteer_by_card(world.user(name), ours.card_number, market)
