"""The demo district's streets as roads for its generated basemap.

The demo city is a lattice (city.py): streets are columns of grid cells, communities blocks of
five rows.  Its roads run along the lattice lines: the edges of streets and communities are
main roads, named from ``ROADS`` (north–south first, then east–west), the other rows' edges lanes.
"""

from minsheng.maps.scene import Road

from .city import CELL, GRIDS_PER_COMMUNITY, ORIGIN, ROADS, STREETS


def demo_roads() -> list[Road]:
    rows = GRIDS_PER_COMMUNITY * len(STREETS[0][2])
    lat0, lng0 = float(ORIGIN[0]), float(ORIGIN[1])
    cell_lat, cell_lng = float(CELL[0]), float(CELL[1])
    south, north = lat0, lat0 + cell_lat * rows
    west, east = lng0, lng0 + cell_lng * len(STREETS)
    names = iter(ROADS)
    roads = []
    for column in range(len(STREETS) + 1):
        lng = lng0 + cell_lng * column
        roads.append(Road([(lng, south), (lng, north)], "main", next(names, "")))
    for row in range(rows + 1):
        lat = lat0 + cell_lat * row
        if row % GRIDS_PER_COMMUNITY == 0:
            roads.append(Road([(west, lat), (east, lat)], "main", next(names, "")))
        else:
            roads.append(Road([(west, lat), (east, lat)], "lane"))
    return roads
