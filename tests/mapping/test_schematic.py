"""Tests of mapping.schematic: outline and Voronoi districts on hand-made points."""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, Polygon, box

from mapping.crs import METRIC_CRS, WEB_CRS
from mapping.errors import CRSError, ValidationError
from mapping.schematic import schematic_outline, voronoi_districts

# A 4 km x 2 km box in EPSG:2180 (easting 305-309 km, northing 325-327 km), inside Wałbrzych.
BOX_METRIC = box(305_000, 325_000, 309_000, 327_000)


def metric_points(coords: list[tuple[float, float]], **columns: list[object]) -> gpd.GeoDataFrame:
    """Points given as (easting, northing) in EPSG:2180, returned in EPSG:4326."""
    frame = gpd.GeoDataFrame(
        columns, geometry=[Point(x, y) for x, y in coords], crs=METRIC_CRS
    ).to_crs(WEB_CRS)
    return frame


def to_web(geom: shapely.Geometry) -> shapely.Geometry:
    return gpd.GeoSeries([geom], crs=METRIC_CRS).to_crs(WEB_CRS).iloc[0]


def metric_areas(frame: gpd.GeoDataFrame) -> np.ndarray:
    return frame.to_crs(METRIC_CRS).area.to_numpy()


def assert_coverage(cells: gpd.GeoDataFrame, outline: shapely.Geometry) -> None:
    """Valid cells, pairwise non-overlapping, together covering the outline."""
    assert cells.crs == WEB_CRS
    assert list(cells.geom_type) == ["MultiPolygon"] * len(cells)
    assert cells.is_valid.all()
    metric = cells.to_crs(METRIC_CRS)
    for a, b in itertools.combinations(metric.geometry, 2):
        assert a.intersection(b).area < 1e-3  # square metres
    assert shapely.coverage_is_valid(cells.geometry.to_numpy())
    union = cells.union_all()
    assert abs(union.area - outline.area) / outline.area < 1e-3
    assert union.symmetric_difference(outline).area / outline.area < 1e-3
    coords = shapely.get_coordinates(cells.geometry.to_numpy())
    np.testing.assert_allclose(coords, np.round(coords, 6), rtol=0, atol=1e-12)


def test_two_points_split_the_box_in_half() -> None:
    points = metric_points([(306_000, 326_000), (308_000, 326_000)], code=["west", "east"])
    outline = to_web(BOX_METRIC)
    cells = voronoi_districts(points, outline)
    assert list(cells["code"]) == ["west", "east"]
    # Each half of the 8 km2 box is 4 km2; the bisector is the line easting = 307 km.
    np.testing.assert_allclose(metric_areas(cells), [4e6, 4e6], rtol=1e-4)
    west = cells.to_crs(METRIC_CRS).geometry.iloc[0]
    assert west.bounds[2] == pytest.approx(307_000, abs=0.5)
    assert_coverage(cells, outline)


def test_grid_of_points_with_cocircular_vertices() -> None:
    # Nine points on a regular grid: four cells meet at each inner Voronoi vertex.
    coords = [(305_000 + x, 325_000 + y) for y in (333, 1000, 1667) for x in (667, 2000, 3333)]
    points = metric_points(coords, n=list(range(9)))
    outline = to_web(BOX_METRIC)
    cells = voronoi_districts(points, outline)
    assert_coverage(cells, outline)
    areas = metric_areas(cells)
    # Bisectors at about a third of the box each way: cells of about 1333 m x 667 m.
    np.testing.assert_allclose(areas, 8e6 / 9, rtol=1e-3)


def test_rows_keep_their_order_index_and_attributes() -> None:
    coords = [(308_500, 326_500), (305_500, 325_500), (307_000, 326_000), (306_000, 326_800)]
    points = metric_points(coords, code=["d", "a", "c", "b"], size=[4, 1, 3, 2])
    points.index = [40, 10, 30, 20]
    cells = voronoi_districts(points, to_web(BOX_METRIC))
    assert list(cells.index) == [40, 10, 30, 20]
    assert list(cells["code"]) == ["d", "a", "c", "b"]
    assert list(cells["size"]) == [4, 1, 3, 2]
    assert list(cells.columns) == ["code", "size", "geometry"]
    for cell, point in zip(cells.geometry, points.geometry, strict=True):
        assert cell.contains(point)


def test_outline_with_a_hole_leaves_the_hole_out() -> None:
    hole = box(306_800, 325_800, 307_200, 326_200)
    outline = to_web(Polygon(BOX_METRIC.exterior.coords, [hole.exterior.coords]))
    points = metric_points([(306_000, 326_000), (308_000, 326_000)])
    cells = voronoi_districts(points, outline)
    assert_coverage(cells, outline)
    assert not cells.union_all().intersects(to_web(hole).buffer(-1e-5))


def test_deterministic() -> None:
    coords = [(305_000 + 397 * i % 4000, 325_000 + 211 * i % 2000) for i in range(1, 15)]
    points = metric_points(coords)
    outline = to_web(BOX_METRIC)
    first = voronoi_districts(points, outline)
    second = voronoi_districts(points, outline)
    assert all(
        a.equals_exact(b, tolerance=0) for a, b in zip(first.geometry, second.geometry, strict=True)
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 399), st.integers(1, 199)),
        min_size=2,
        max_size=25,
        unique=True,
    )
)
def test_any_distinct_points_give_a_coverage(cells_10m: list[tuple[int, int]]) -> None:
    coords = [(305_000 + 10 * x, 325_000 + 10 * y) for x, y in cells_10m]
    points = metric_points(coords)
    outline = to_web(BOX_METRIC)
    cells = voronoi_districts(points, outline)
    assert_coverage(cells, outline)
    for cell, point in zip(cells.geometry, points.geometry, strict=True):
        assert cell.distance(point) < 1e-5  # on or inside its own cell, up to the grid


def test_points_without_crs_raise() -> None:
    points = gpd.GeoDataFrame(geometry=[Point(16.26, 50.77), Point(16.30, 50.77)])
    with pytest.raises(CRSError):
        voronoi_districts(points, box(16.2, 50.7, 16.4, 50.8))


@pytest.mark.parametrize(
    ("geometries", "message"),
    [
        ([], "at least one point"),
        ([Point(16.26, 50.77), box(16.2, 50.7, 16.3, 50.8)], "one non-empty Point"),
        ([Point(16.26, 50.77), None], "one non-empty Point"),
        ([Point(16.26, 50.77), Point(16.26, 50.77)], "distinct points"),
    ],
)
def test_bad_points_raise(geometries: list[object], message: str) -> None:
    points = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geometries, crs=WEB_CRS), crs=WEB_CRS)
    with pytest.raises(ValidationError, match=message):
        voronoi_districts(points, box(16.2, 50.7, 16.4, 50.8))
    with pytest.raises(ValidationError, match=message):
        schematic_outline(points, area_km2=10)


def test_bad_outline_raises() -> None:
    points = metric_points([(306_000, 326_000), (308_000, 326_000)])
    bowtie = Polygon([(16.2, 50.7), (16.4, 50.8), (16.4, 50.7), (16.2, 50.8)])
    with pytest.raises(ValidationError, match="valid, non-empty Polygon"):
        voronoi_districts(points, bowtie)
    with pytest.raises(ValidationError, match="valid, non-empty Polygon"):
        voronoi_districts(points, Point(16.3, 50.75))


def test_cell_outside_the_outline_raises() -> None:
    points = metric_points([(306_000, 326_000), (308_000, 326_000), (330_000, 326_000)])
    with pytest.raises(ValidationError, match="overlap the outline"):
        voronoi_districts(points, to_web(BOX_METRIC))


def outline_area_km2(outline: shapely.Geometry) -> float:
    return gpd.GeoSeries([outline], crs=WEB_CRS).to_crs(METRIC_CRS).area.iloc[0] / 1e6


@pytest.mark.parametrize("area_km2", [12.0, 85.0, 300.0])
def test_outline_has_the_area_and_contains_the_points(area_km2: float) -> None:
    points = metric_points([(306_000, 326_000), (308_000, 326_000), (307_000, 327_500)])
    outline = schematic_outline(points, area_km2=area_km2)
    assert isinstance(outline, Polygon)
    assert outline.is_valid
    assert outline_area_km2(outline) == pytest.approx(area_km2, rel=5e-3)
    assert all(outline.contains(point) for point in points.geometry)
    assert outline.exterior.is_ccw  # RFC 7946 winding


def test_outline_of_one_point_is_a_disc_around_it() -> None:
    points = metric_points([(307_000, 326_000)])
    outline = schematic_outline(points, area_km2=math.pi)  # radius 1 km
    metric = gpd.GeoSeries([outline], crs=WEB_CRS).to_crs(METRIC_CRS).iloc[0]
    assert metric.area == pytest.approx(math.pi * 1e6, rel=1e-6)
    assert metric.centroid.distance(Point(307_000, 326_000)) < 1.0
    assert metric.exterior.distance(Point(307_000, 326_000)) == pytest.approx(1000, rel=2e-3)


def test_outline_smaller_than_the_hull_is_shrunk() -> None:
    # The hull of these points is a 2 km2 triangle; asking for 1 km2 shrinks it about its centroid.
    points = metric_points([(305_000, 325_000), (307_000, 325_000), (307_000, 327_000)])
    outline = schematic_outline(points, area_km2=1.0)
    assert outline_area_km2(outline) == pytest.approx(1.0, rel=5e-3)


@pytest.mark.parametrize("area_km2", [0, -5, float("nan"), float("inf")])
def test_outline_rejects_a_bad_area(area_km2: float) -> None:
    points = metric_points([(306_000, 326_000)])
    with pytest.raises(ValidationError, match="positive number"):
        schematic_outline(points, area_km2=area_km2)
