"""The PostgreSQL insert path's geometry text: hex EWKB with palmap's SRID."""

from __future__ import annotations

import numpy as np
import shapely

from mapping.db.bulk import ewkb_hex, ewkb_hex_column
from mapping.db.models import SRID


def _reference(geometry: shapely.Geometry) -> str:
    return shapely.to_wkb(shapely.set_srid(geometry, SRID), hex=True, include_srid=True).lower()


def test_points_column_equals_shapely_ewkb_row_by_row() -> None:
    rng = np.random.default_rng(3)
    points = shapely.points(rng.uniform(-180, 180, 500), rng.uniform(-90, 90, 500))
    wkb = list(shapely.to_wkb(points))
    assert ewkb_hex_column(wkb) == [_reference(p) for p in points]


def test_other_geometries_missing_values_and_big_endian_go_row_by_row() -> None:
    line = shapely.LineString([(0, 0), (1, 1)])
    point = shapely.Point(16.28, 50.77)
    big = shapely.to_wkb(point, byte_order=0)
    values = [shapely.to_wkb(point), None, shapely.to_wkb(line), big]
    hexed = ewkb_hex_column(values)
    assert hexed[:3] == [_reference(point), None, _reference(line)]
    assert shapely.from_wkb(bytes.fromhex(hexed[3])).equals(point)
    assert shapely.get_srid(shapely.from_wkb(bytes.fromhex(hexed[3]))) == SRID
    assert ewkb_hex(bytes.fromhex(hexed[0])) == hexed[0]  # already EWKB: unchanged
    assert ewkb_hex_column([]) == []
