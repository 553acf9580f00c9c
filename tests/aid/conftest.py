"""Aid in the shared world: the 光明 street office and a company as givers (street-wide), the 和平
street office (its own street), a street campaign in 光明 with rice and money received, and the
world's residents of 玫瑰城 (王奎, 李秀英) plus one of 雷锋 (和平)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from minsheng.aid import services
from minsheng.aid.models import Giver
from minsheng.people.models import Resident

D = Decimal


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def aid(world):
    dispatcher1 = world.user("dispatcher1")
    office = services.register_giver(dispatcher1, kind=Giver.Kind.UNIT, name="", region=world.regions["s1"],
                                     unit=world.units["so1"])
    company = services.register_giver(dispatcher1, kind=Giver.Kind.COMPANY, name="光明粮油有限公司",
                                      region=world.regions["s1"], contact_name="赵经理", contact_phone="13512345678")
    other = services.register_giver(world.user("dispatcher2"), kind=Giver.Kind.UNIT, name="",
                                    region=world.regions["s2"], unit=world.units["so2"])
    campaign = services.create_campaign(dispatcher1, name="春节慰问", region=world.regions["s1"],
                                        starts_on=today() - timedelta(days=30), budget="10000")
    services.record_donation(dispatcher1, donor=company, campaign=campaign, received_on=today() - timedelta(days=20),
                             kind="goods", item="大米", unit="袋", quantity="10", value="600")
    services.record_donation(dispatcher1, donor=office, campaign=campaign, received_on=today() - timedelta(days=20),
                             kind="money", value="5000")
    wang = Resident.objects.get(phone="13812341234")
    li = Resident.objects.get(phone="13900001111")
    lei = Resident.objects.create(name="雷大爷", phone="13700002222", region=world.regions["g2"])
    return {"office": office, "company": company, "other": other, "campaign": campaign, "wang": wang, "li": li,
            "lei": lei, "day": today() - timedelta(days=5)}
