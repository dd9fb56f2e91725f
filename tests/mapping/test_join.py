"""Points to districts in memory, on hand-made boxes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box

from mapping.errors import CRSError, MappingError
from mapping.join import assign_districts, counts_by_district_category

# A 3 x 2 grid of 1-degree boxes: codes c00 .. c21 (column, row).
GRID = gpd.GeoDataFrame(
    {"code": [f"c{i}{j}" for i in range(3) for j in range(2)]},
    geometry=[box(i, j, i + 1, j + 1) for i in range(3) for j in range(2)],
    crs=4326,
)


def resources(points, assigned=None, categories=None) -> gpd.GeoDataFrame:
    n = len(points)
    return gpd.GeoDataFrame(
        {
            "district_code": assigned or [None] * n,
            "category": categories or ["kis"] * n,
        },
        geometry=points,
        crs=4326,
    )


def test_points_land_in_the_box_that_holds_them() -> None:
    r = resources([Point(0.5, 0.5), Point(2.5, 1.5), Point(1.2, 0.1), Point(9, 9)])
    assert assign_districts(r, GRID).tolist() == ["c00", "c21", "c10", pd.NA]


def test_boundary_points_go_to_the_smallest_code() -> None:
    # On the edge between c00 and c10, and on the corner shared by c00, c01, c10, c11.
    r = resources([Point(1, 0.5), Point(1, 1)])
    assert assign_districts(r, GRID).tolist() == ["c00", "c00"]


def test_rows_without_points_keep_their_assigned_district() -> None:
    r = resources([None, None, Point(0.5, 0.5)], assigned=["c11", "nope", "c21"])
    # An unknown code counts as no district; a point wins over an assignment.
    assert assign_districts(r, GRID).tolist() == ["c11", pd.NA, "c00"]


def test_counts_keep_resources_outside_every_district() -> None:
    r = resources(
        [Point(0.5, 0.5), Point(0.6, 0.6), Point(9, 9), Point(2.5, 0.5)],
        categories=["kis", "mops", "kis", "kis"],
    )
    counts = counts_by_district_category(r, GRID)
    assert counts.to_dict("records") == [
        {"district_code": "c00", "category": "kis", "count": 1},
        {"district_code": "c00", "category": "mops", "count": 1},
        {"district_code": "c20", "category": "kis", "count": 1},
        {"district_code": None, "category": "kis", "count": 1},
    ]
    assert counts["count"].sum() == len(r)


def test_other_crs_is_reprojected_and_missing_crs_refused() -> None:
    metric = resources([Point(0.5, 0.5)]).to_crs(2180)
    assert assign_districts(metric, GRID).tolist() == ["c00"]
    with pytest.raises(CRSError, match="coordinate reference system"):
        assign_districts(resources([Point(0.5, 0.5)]).set_crs(None, allow_override=True), GRID)


def test_missing_columns_are_named() -> None:
    with pytest.raises(MappingError, match="missing district_code"):
        assign_districts(gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=4326), GRID)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.001, 2.999), st.floats(0.001, 1.999)), min_size=1, max_size=30)
)
def test_every_point_inside_the_grid_gets_its_box(coords) -> None:
    coords = [(x, y) for x, y in coords if x % 1 and y % 1]  # edges are tested above
    r = resources([Point(x, y) for x, y in coords])
    expected = [f"c{int(x)}{int(y)}" for x, y in coords]
    assert assign_districts(r, GRID).tolist() == expected
    assert counts_by_district_category(r, GRID)["count"].sum() == len(coords)
