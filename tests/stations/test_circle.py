"""The 8-minute circle: nearest open stations and the buildings outside every circle, on a
hand-built map whose distances are known."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from minsheng.organisation.models import Region
from minsheng.stations import selectors
from minsheng.stations.circle import StationIndex, haversine_m
from minsheng.stations.hours import clean_hours, describe, is_open

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
# 0.001° of latitude is 111.2 m everywhere; the family station is at 39.9050 N 116.4050 E.
METRES_PER_MILLIDEGREE = 111.195


def building(world, code, lat, lng, grid="g1"):
    return Region.objects.create(kind="building", name=code, code=code, parent=world.regions[grid],
                                 latitude=Decimal(str(lat)), longitude=Decimal(str(lng)))


def test_the_tree_finds_the_same_nearest_station_and_distance_as_haversine():
    rng = np.random.default_rng(7)
    lats, lngs = 41.8 + rng.random(300) * 0.2, 123.8 + rng.random(300) * 0.3
    index = StationIndex.build(np.arange(300), lats, lngs)
    points = (41.8 + rng.random(500) * 0.2, 123.8 + rng.random(500) * 0.3)
    metres, nearest = index.distance_to_nearest(*points)
    brute = haversine_m(points[0][:, None], points[1][:, None], lats[None, :], lngs[None, :])
    assert (nearest == brute.argmin(axis=1)).all()
    assert np.allclose(metres, brute.min(axis=1), atol=0.01)


def test_nearest_stations_with_walking_distance_and_time(world, stations, settings):
    settings.MINSHENG_WALK_METRES_PER_MINUTE = 80
    found = selectors.nearest_stations(39.9060, 116.4050, count=2)
    assert [r.station for r in found] == [stations["family"], stations["community"]]
    assert found[0].metres == pytest.approx(METRES_PER_MILLIDEGREE, rel=1e-3)
    assert found[0].minutes == pytest.approx(METRES_PER_MILLIDEGREE / 80, rel=1e-3)


def test_a_closed_station_is_left_out_unless_asked_for(world, stations):
    stations["family"].hours = [{"days": [0, 1, 2, 3, 4], "start": "08:30", "end": "11:30"}]
    stations["family"].save()
    sunday_noon = datetime(2026, 11, 22, 12, 0, tzinfo=BEIJING)
    monday_nine = datetime(2026, 11, 23, 9, 0, tzinfo=BEIJING)
    assert selectors.nearest_stations(39.9050, 116.4050, at=sunday_noon, count=1)[0].station == stations["community"]
    assert selectors.nearest_stations(39.9050, 116.4050, at=monday_nine, count=1)[0].station == stations["family"]
    found = selectors.nearest_stations(39.9050, 116.4050, at=sunday_noon, count=1, open_only=False)
    assert found[0].station == stations["family"] and not found[0].open_now


def test_coverage_lists_the_buildings_beyond_the_walk_farthest_first(world, stations, settings):
    settings.MINSHENG_WALK_METRES_PER_MINUTE = 75  # 8 minutes: 600 m
    near = building(world, "b-near", 39.9080, 116.4050)   # 333 m north of the family station
    edge = building(world, "b-edge", 39.9000, 116.4050)   # 556 m south of it: inside
    far = building(world, "b-far", 39.8980, 116.4050)     # 778 m south: outside
    farther = building(world, "b-farther", 39.8900, 116.4050, grid="g2")  # 1668 m: outside
    result = selectors.coverage()
    assert result.buildings == 4 and result.covered == 2
    assert [u.building for u in result.uncovered] == [farther, far]
    assert result.uncovered[1].nearest == stations["family"]
    assert result.uncovered[1].minutes == pytest.approx(7 * METRES_PER_MILLIDEGREE / 75, rel=1e-3)
    # A longer walk covers the nearer gap; one region is looked at alone.
    assert [u.building for u in selectors.coverage(minutes=12).uncovered] == [farther]
    assert [u.building for u in selectors.coverage(world.regions["g1"]).uncovered] == [far]
    assert {near, edge}.isdisjoint(u.building for u in result.uncovered)


def test_without_any_station_every_building_is_a_gap(world):
    building(world, "b-alone", 39.9, 116.4)
    result = selectors.coverage()
    assert result.covered == 0 and result.uncovered[0].nearest is None


def test_opening_hours_are_checked_and_described():
    hours = clean_hours([{"days": [0, 1, 2, 3, 4], "start": "08:30", "end": "11:30"},
                         {"days": [5], "start": "18:00", "end": "20:30"}])
    assert describe(hours) == "周一至周五 08:30–11:30；周六 18:00–20:30"
    assert is_open(hours, datetime(2026, 11, 28, 19, 0, tzinfo=BEIJING))  # Saturday evening (延时)
    assert not is_open(hours, datetime(2026, 11, 28, 10, 0, tzinfo=BEIJING))
    for bad in ([{"days": [7], "start": "08:00", "end": "09:00"}], [{"days": [1], "start": "10:00", "end": "09:00"}],
                "08:00-17:00"):
        with pytest.raises(Exception) as err:
            clean_hours(bad)
        assert "hours" in err.value.field_errors


def test_a_station_profile_checks_its_unit_and_hours(world, stations):
    from django.core.exceptions import ValidationError

    station = stations["family"]
    station.hours = [{"days": [1], "start": "18:00", "end": "08:00"}]
    with pytest.raises(ValidationError) as err:
        station.full_clean()
    assert "hours" in err.value.message_dict
    station.hours, station.unit = [], world.units["cc1"]
    with pytest.raises(ValidationError) as err:
        station.full_clean()
    assert "unit" in err.value.message_dict
