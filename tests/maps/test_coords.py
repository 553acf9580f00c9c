"""The coordinate transforms on known points: eviltransform's published WGS-84 → GCJ-02 test
vectors (an implementation independent of prcoords) and Baidu's documented GCJ-02 → BD-09 example."""

import math
import warnings

import pytest

from minsheng.maps.coords import CoordinateSystem, from_wgs84, to_wgs84

# (WGS-84 lat, lng), (GCJ-02 lat, lng): Shanghai, Shenzhen, Beijing (googollee/eviltransform's tests).
KNOWN_GCJ = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]
GCJ_TIANANMEN, BD_TIANANMEN = (39.915, 116.404), (39.92133699351021, 116.41036949371029)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlng = math.radians(b[1] - a[1]) * math.cos(math.radians(a[0]))
    return 6_371_000 * math.hypot(dlat, dlng)


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN_GCJ)
def test_wgs84_to_gcj02_on_known_points(wgs, gcj):
    assert metres(from_wgs84(*wgs, CoordinateSystem.GCJ02), gcj) < 0.01


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN_GCJ)
def test_gcj02_back_to_wgs84_within_a_centimetre(wgs, gcj):
    assert metres(to_wgs84(*gcj, "gcj02"), wgs) < 0.01


def test_bd09_on_the_documented_point_and_back():
    wgs = to_wgs84(*GCJ_TIANANMEN, "gcj02")
    assert metres(from_wgs84(*wgs, "bd09"), BD_TIANANMEN) < 0.01
    assert metres(to_wgs84(*BD_TIANANMEN, "bd09"), wgs) < 0.01
    # The shifts are hundreds of metres: a test that passed with no transform at all would prove nothing.
    assert 400 < metres(wgs, BD_TIANANMEN) < 1500


def test_wgs84_is_left_alone_and_points_outside_china_are_not_shifted():
    assert to_wgs84(41.86, 123.9, "wgs84") == (41.86, 123.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # prcoords warns that it returns a foreign point as it is
        assert from_wgs84(48.8584, 2.2945, "gcj02") == pytest.approx((48.8584, 2.2945))


def test_an_unknown_system_is_refused():
    with pytest.raises(ValueError):
        to_wgs84(41.86, 123.9, "mars")
