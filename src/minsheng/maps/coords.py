"""Coordinate systems met in China, and the conversion of everything to WGS-84 before it is stored.

The database keeps WGS-84 (what GPS and the browser's geolocation give, and what 天地图's
CGCS2000 matches to within centimetres).  Two obfuscated systems arrive from outside:

- GCJ-02 (国测局坐标, "Mars coordinates"): WeChat's ``wx.getLocation(type='gcj02')``, 高德 and 腾讯
  maps and their pickers;
- BD-09: Baidu's maps and pickers (GCJ-02 with a second shift).

The forward formulas are public; the inverses have no closed form.  ``prcoords`` (public domain)
implements both directions, the inverses by iteration to sub-millimetre agreement ("bored"
functions), and leaves points outside China unchanged as the official transform does.
"""

from enum import StrEnum

import prcoords


class CoordinateSystem(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


# prcoords' transforms each way; WGS-84 itself needs none.  The inverses ("bored") iterate to
# within a centimetre, as the tests check.
_TO_WGS84 = {CoordinateSystem.GCJ02: prcoords.gcj_wgs_bored, CoordinateSystem.BD09: prcoords.bd_wgs_bored}
_FROM_WGS84 = {CoordinateSystem.GCJ02: prcoords.wgs_gcj, CoordinateSystem.BD09: prcoords.wgs_bd}


def _convert(lat: float, lng: float, transform) -> tuple[float, float]:
    if transform is None:
        return lat, lng
    point = transform((lat, lng))
    return point.lat, point.lon


def to_wgs84(lat: float, lng: float, system: CoordinateSystem | str) -> tuple[float, float]:
    """(lat, lng) given in ``system`` as WGS-84, the system the database stores."""
    return _convert(lat, lng, _TO_WGS84.get(CoordinateSystem(system)))


def from_wgs84(lat: float, lng: float, system: CoordinateSystem | str) -> tuple[float, float]:
    """A stored WGS-84 (lat, lng) as ``system`` shows it, e.g. to place a pin on a GCJ-02 map."""
    return _convert(lat, lng, _FROM_WGS84.get(CoordinateSystem(system)))
