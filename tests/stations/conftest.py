"""A station world on top of tests/conftest.py's: the 玫瑰城 station (unit st1) as a family
station with an agent profile for the ``agent`` user, a community station and a street centre."""

from decimal import Decimal

import pytest

from minsheng.organisation.models import Unit
from minsheng.people.models import Resident
from minsheng.stations.defaults import load_service_items
from minsheng.stations.models import Agent, ServiceItem, Station

ALWAYS = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "23:59"}]


def make_station(unit, tier, lat, lng, *, hours=None, place_type="home") -> Station:
    station = Station.objects.create(unit=unit, tier=tier, place_type=place_type, address=f"{unit.name}地址",
                                     latitude=Decimal(str(lat)), longitude=Decimal(str(lng)),
                                     hours=ALWAYS if hours is None else hours)
    station.service_items.set(ServiceItem.objects.all())
    return station


@pytest.fixture
def stations(world):
    if not ServiceItem.objects.exists():
        from django.apps import apps

        load_service_items(apps)
    family = make_station(world.units["st1"], "family", 39.9050, 116.4050)
    community_unit = Unit.objects.create(kind="station", name="玫瑰城社区代办总站", code="st-c1",
                                         region=world.regions["c1"], parent=world.units["cc1"])
    community = make_station(community_unit, "community", 39.9100, 116.4100, place_type="office")
    street_unit = Unit.objects.create(kind="station", name="光明街道代办服务中心", code="st-s1",
                                      region=world.regions["s1"], parent=world.units["so1"])
    street = make_station(street_unit, "street_centre", 39.9200, 116.4200, place_type="office")
    resident = Resident.objects.create(name="刘建国", phone="13600001111", region=world.regions["g1"])
    agent = Agent.objects.create(resident=resident, station=family, kind="party_member", user=world.users["agent"])
    return {"family": family, "community": community, "street": street, "agent": agent}
