"""The counter, the accounts page and a volunteer's member card."""

import pytest
from django.urls import reverse

from minsheng.ledger import services
from minsheng.ledger.models import Redemption

from .helpers import plain_volunteer, supermarket_with

pytestmark = pytest.mark.django_db


def test_the_counter_reads_a_card_and_redeems(world, login):
    volunteer = plain_volunteer(world)
    services.credit_service(volunteer, "4", kind="activity_hours", memo="活动", reference="a:1")
    market, item = supermarket_with(world, stock=2, points="30")
    client = login("staff1")
    page = client.get(reverse("ledger:counter"), {"card": volunteer.card_number}).content.decode()
    assert "赵志愿" in page and 'id="points-balance">40.00' in page and "洗衣液" in page
    response = client.post(reverse("ledger:counter"), {"market": market.pk, "card": volunteer.card_number,
                                                       "item": item.pk, "quantity": 2})
    assert response.status_code == 400 and "积分不足" in response.content.decode()
    response = client.post(reverse("ledger:counter"), {"market": market.pk, "card": volunteer.card_number,
                                                       "item": item.pk, "quantity": 1})
    assert response.status_code == 302 and Redemption.objects.count() == 1
    empty = login("staff2").get(reverse("ledger:counter"))  # no supermarket in 雷锋: said so, no 404
    assert empty.status_code == 200 and 'id="no-market"' in empty.content.decode()


def test_the_accounts_page_shows_the_check(world, login):
    volunteer = plain_volunteer(world)
    services.credit_service(volunteer, "4", kind="activity_hours", memo="活动", reference="a:1")
    page = login("admin").get(reverse("ledger:accounts")).content.decode()
    assert "账目平衡" in page and "赵志愿的服务时长" in page


def test_a_volunteer_sees_their_card_with_a_qr_code(world, login):
    volunteer = plain_volunteer(world)
    services.credit_service(volunteer, "1.5", kind="activity_hours", memo="活动", reference="a:1")
    page = login("helper").get(reverse("ledger:card")).content.decode()
    assert volunteer.card_number in page and "<svg" in page and 'id="points">15.00' in page
    no_card = login("staff1").get(reverse("ledger:card"))  # not a volunteer: said so, no 404
    assert no_card.status_code == 200 and 'id="not-registered"' in no_card.content.decode()
    assert "<svg" not in no_card.content.decode()
