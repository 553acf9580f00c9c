"""A canteen in 玫瑰城 (street 光明) with lunch and dinner on weekdays, its tier policies, and two
diners; a second canteen in 雷锋 (street 和平) for scope checks."""

from datetime import date, time
from decimal import Decimal

import pytest

from minsheng.meals.models import Canteen, Diner, MealTime, PricePolicy, Tier
from minsheng.people.models import Resident
from minsheng.volunteers.models import Volunteer

D = Decimal


def make_canteen(world, code: str, region: str, kind=Canteen.Kind.COMMUNITY, weekdays="1234567") -> Canteen:
    canteen = Canteen.objects.create(code=code, name=f"{code}长者食堂", kind=kind, region=world.regions[region],
                                     open_weekdays=weekdays, delivery_hours=D("0.5"))
    MealTime.objects.create(canteen=canteen, sitting="lunch", starts=time(11), ends=time(13))
    MealTime.objects.create(canteen=canteen, sitting="dinner", starts=time(17), ends=time(18, 30))
    return canteen


def add_policy(canteen, tier, valid_from, government, collective, elder) -> PricePolicy:
    g, c, e = D(government), D(collective), D(elder)
    return PricePolicy.objects.create(canteen=canteen, tier=tier, valid_from=valid_from, price=g + c + e,
                                      government=g, collective=c, elder=e)


@pytest.fixture
def canteens(world):
    c1 = make_canteen(world, "meiguicheng", "c1")
    c2 = make_canteen(world, "leifeng", "c2", kind=Canteen.Kind.VILLAGE)
    for canteen in (c1, c2):
        add_policy(canteen, Tier.STANDARD, date(2026, 1, 1), "1.00", "1.00", "5.00")
        add_policy(canteen, Tier.DIBAO, date(2026, 1, 1), "2.00", "2.00", "3.00")
        add_policy(canteen, Tier.FREE, date(2026, 1, 1), "4.00", "3.00", "0.00")
    wang = Resident.objects.get(phone="13812341234")
    li = Resident.objects.get(phone="13900001111")
    lei = Resident.objects.create(name="雷大爷", phone="13700002222", region=world.regions["g2"], address="雷锋3号楼")
    diners = {
        "wang": Diner.objects.create(resident=wang, canteen=c1, card_number="ZC0001", tier=Tier.STANDARD,
                                     since=date(2026, 1, 1)),
        "li": Diner.objects.create(resident=li, canteen=c1, card_number="ZC0002", tier=Tier.DIBAO, delivery=True,
                                   since=date(2026, 1, 1)),
        "lei": Diner.objects.create(resident=lei, canteen=c2, card_number="ZC0101", tier=Tier.FREE,
                                    since=date(2026, 1, 1)),
    }
    return {"c1": c1, "c2": c2, "diners": diners}


@pytest.fixture
def volunteer(world):
    """The world's volunteer login as a registered volunteer of 玫瑰城."""
    user = world.users["volunteer"]
    resident = Resident.objects.create(name="张志愿", phone="13600003333", user=user, region=world.regions["g1"])
    return Volunteer.objects.create(resident=resident, region=world.regions["c1"], card_number="V0001",
                                    joined_on=date(2026, 1, 1), categories=["general"])


@pytest.fixture
def tiny_jpeg(settings, tmp_path):
    """A maker of small JPEG uploads, stored under a temporary media root."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path

    def make(name="check.jpg"):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 160, 60)).save(buffer, format="JPEG")
        return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")

    return make
