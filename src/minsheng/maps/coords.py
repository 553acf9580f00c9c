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


def to_wgs84(lat: float, lng: float, system: CoordinateSystem | str) -> tuple[float, float]:
    """(lat, lng) given in ``system`` as WGS-84, the system the database stores."""
    system = CoordinateSystem(system)
    if system is CoordinateSystem.GCJ02:
        point = prcoords.gcj_wgs_bored((lat, lng))
    elif system is CoordinateSystem.BD09:
        point = prcoords.bd_wgs_bored((lat, lng))
    else:
        return lat, lng
    return point.lat, point.lon


def from_wgs84(lat: float, lng: float, system: CoordinateSystem | str) -> tuple[float, float]:
    """A stored WGS-84 (lat, lng) as ``system`` shows it, e.g. to place a pin on a GCJ-02 map."""
    system = CoordinateSystem(system)
    if system is CoordinateSystem.GCJ02:
        point = prcoords.wgs_gcj((lat, lng))
    elif system is CoordinateSystem.BD09:
        point = prcoords.wgs_bd((lat, lng))
    else:
        return lat, lng
    return point.lat, point.lon
