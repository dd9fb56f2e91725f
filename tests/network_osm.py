"""A small OpenStreetMap extract written by the tests: a street grid with a river and one bridge.

The grid, in EPSG:2180 metres from (X0, Y0): streets every 100 m, 11 x 11 crossings from 0 to
1,000 m each way. A river runs east-west at y = 550 m: the north-south streets stop at it (rows
y = 500 and y = 600 are its banks), except the west one (x = 0), which crosses on a bridge. Lines
that must not be walked cross the river too: a motorway at x = 1,000 m, a footbridge with
``foot=no`` at x = 500 m, a private service road at x = 200 m; and the river itself. So from
(500, 500) on the south bank to (500, 600) on the north bank is 100 m straight and
500 + 100 + 500 = 1,100 m walked.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely import Point

X0, Y0 = 307_800.0, 325_600.0  # the centre of Wałbrzych (the demo city)
STEP = 100.0
SIZE = 11  # crossings per side
RIVER_ROW = 5  # the south bank is row 5 (y = 500), the north bank row 6 (y = 600)


def node_id(col: int, row: int) -> int:
    return 1 + row * SIZE + col


def lonlat(x: float, y: float) -> tuple[float, float]:
    point = gpd.GeoSeries([Point(X0 + x, Y0 + y)], crs=2180).to_crs(4326).iloc[0]
    return point.x, point.y


def _way(way_id: int, refs: list[int], tags: dict[str, str]) -> str:
    nds = "".join(f'<nd ref="{r}"/>' for r in refs)
    tag = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'  <way id="{way_id}" version="1">{nds}{tag}</way>\n'


def grid_osm(path: Path, *, bridge: bool = True) -> Path:
    """Write the grid to ``path`` (.osm) and return it."""
    nodes = []
    for row in range(SIZE):
        for col in range(SIZE):
            lon, lat = lonlat(col * STEP, row * STEP)
            nodes.append(
                f'  <node id="{node_id(col, row)}" lat="{lat:.8f}" lon="{lon:.8f}" version="1"/>\n'
            )
    # The river's own nodes, west and east of the grid (not shared with any street).
    extra = 10_000
    for i, x in enumerate((-100.0, 1100.0)):
        lon, lat = lonlat(x, 550.0)
        nodes.append(f'  <node id="{extra + i}" lat="{lat:.8f}" lon="{lon:.8f}" version="1"/>\n')
    ways = []
    way = 100
    for row in range(SIZE):  # east-west streets
        ways.append(_way(way, [node_id(c, row) for c in range(SIZE)], {"highway": "residential"}))
        way += 1
    for col in range(SIZE):  # north-south streets, cut by the river
        ways.append(
            _way(way, [node_id(col, r) for r in range(RIVER_ROW + 1)], {"highway": "residential"})
        )
        ways.append(
            _way(
                way + 1,
                [node_id(col, r) for r in range(RIVER_ROW + 1, SIZE)],
                {"highway": "footway"},
            )
        )
        way += 2
    south, north = RIVER_ROW, RIVER_ROW + 1
    if bridge:
        ways.append(
            _way(
                way, [node_id(0, south), node_id(0, north)], {"highway": "footway", "bridge": "yes"}
            )
        )
    ways.append(_way(way + 1, [node_id(10, south), node_id(10, north)], {"highway": "motorway"}))
    ways.append(
        _way(
            way + 2,
            [node_id(5, south), node_id(5, north)],
            {"highway": "footway", "bridge": "yes", "foot": "no"},
        )
    )
    ways.append(
        _way(
            way + 3,
            [node_id(2, south), node_id(2, north)],
            {"highway": "service", "access": "private"},
        )
    )
    ways.append(_way(way + 4, [extra, extra + 1], {"waterway": "river", "name": "Pełcznica"}))
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="palmap tests">\n'
        + "".join(nodes)
        + "".join(ways)
        + "</osm>\n",
        encoding="utf-8",
    )
    return path
