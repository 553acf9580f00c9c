"""The 8-minute service circle: nearest stations and the buildings outside every circle.

Distances are great-circle distances on the map's coordinates (straight lines, not walking
routes: the demo city has no street network), and the pages say so.  Points are placed on the
unit sphere, where the straight chord between two points grows with their great-circle distance;
a k-d tree over the stations' chords therefore finds the truly nearest station of each of 50,000
buildings in milliseconds, and the chord converts exactly to the haversine distance."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # SciPy is imported when a circle is first drawn, not by every process at start
    from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8


def unit_vectors(latitudes, longitudes) -> np.ndarray:
    lat = np.radians(np.asarray(latitudes, dtype=float))
    lng = np.radians(np.asarray(longitudes, dtype=float))
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lng), cos_lat * np.sin(lng), np.sin(lat)))


def chord_to_metres(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_RADIUS_M * np.arcsin(np.clip(np.asarray(chord) / 2, 0, 1))


def metres_to_chord(metres: float) -> float:
    return float(2 * np.sin(min(metres / EARTH_RADIUS_M, np.pi) / 2))


def haversine_m(lat1, lng1, lat2, lng2) -> np.ndarray:
    """The great-circle distance in metres (the textbook formula, used to check the tree)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


@dataclass
class StationIndex:
    """Stations' positions in a k-d tree; ``ids[i]`` is the station of row ``i``."""

    ids: np.ndarray
    tree: "cKDTree | None"

    @classmethod
    def build(cls, ids, latitudes, longitudes) -> "StationIndex":
        from scipy.spatial import cKDTree

        ids = np.asarray(ids)
        return cls(ids=ids, tree=cKDTree(unit_vectors(latitudes, longitudes)) if len(ids) else None)

    def nearest(self, latitude: float, longitude: float, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest stations as (id, metres), nearest first."""
        if self.tree is None or k < 1:
            return []
        k = min(k, len(self.ids))
        chords, rows = self.tree.query(unit_vectors([latitude], [longitude])[0], k=k)
        chords, rows = np.atleast_1d(chords), np.atleast_1d(rows)
        return [(int(self.ids[r]), float(m)) for r, m in zip(rows, chord_to_metres(chords), strict=True)]

    def distance_to_nearest(self, latitudes, longitudes) -> tuple[np.ndarray, np.ndarray]:
        """For each point: the metres to its nearest station and that station's id (inf / -1 when
        there is no station at all)."""
        n = len(latitudes)
        if self.tree is None or n == 0:
            return np.full(n, np.inf), np.full(n, -1)
        chords, rows = self.tree.query(unit_vectors(latitudes, longitudes), k=1)
        return chord_to_metres(chords), self.ids[rows]
