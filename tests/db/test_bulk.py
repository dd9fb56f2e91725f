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


def test_spatialite_point_blobs_equal_what_spatialite_builds(tmp_path) -> None:
    from mapping.db.bulk import spatialite_points
    from mapping.db.engine import create_engine

    rng = np.random.default_rng(5)
    points = shapely.points(rng.uniform(-180, 180, 200), rng.uniform(-90, 90, 200))
    wkb = [*shapely.to_wkb(points), shapely.to_wkb(shapely.Point(-0.0, 0.0))]
    engine = create_engine(f"sqlite:///{tmp_path / 'blob.sqlite'}")
    with engine.connect() as conn:
        expected = [
            conn.exec_driver_sql("SELECT ST_GeomFromWKB(?, ?)", (w, SRID)).scalar() for w in wkb
        ]
    engine.dispose()
    assert spatialite_points(wkb) == expected
    # Anything but little-endian 2D points (or a missing one) is left to ST_GeomFromWKB.
    line = shapely.to_wkb(shapely.LineString([(0, 0), (1, 1)]))
    big = shapely.to_wkb(shapely.Point(1, 2), byte_order=0)
    for other in ([wkb[0], None], [wkb[0], line], [big], []):
        assert spatialite_points(other) is None
