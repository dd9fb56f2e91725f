"""Geometry for the page: rounded coordinates, drawable polygons and points, display bounds.

The GeoJSON sent to a page holds coordinates rounded to :data:`COORD_DECIMALS` (about 0.1 m) and
no Z values; large district boundaries are simplified for display, keeping shared edges shared.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Final

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping as geometry_mapping

from mapping.crs import METRIC_CRS, WEB_CRS

__all__ = [
    "COORD_DECIMALS",
    "bounds",
    "display_geometries",
    "drawable",
    "placed_points",
    "point_lon_lat",
    "polygonal",
    "rounded",
]

logger = logging.getLogger(__name__)

#: 6 decimals of a degree are about 0.1 m: finer digits only make the page bigger.
COORD_DECIMALS: Final = 6
#: Above this many district vertices the boundaries are simplified for display.
_SIMPLIFY_ABOVE_VERTICES: Final = 20_000
_SIMPLIFY_TOLERANCE_M: Final = 5.0


def rounded(geometry: shapely.Geometry) -> dict[str, Any]:
    """``geometry`` as a GeoJSON mapping, 2D, rounded to :data:`COORD_DECIMALS`."""
    # transform() without include_z returns 2D coordinates: Z values only weigh the page.
    result = shapely.transform(geometry, lambda xy: np.round(xy, COORD_DECIMALS))
    return dict(geometry_mapping(result))


def polygonal(geometry: object) -> shapely.Geometry | None:
    """The polygonal part of a district geometry, or None when there is nothing to draw.

    A GeometryCollection (as ``make_valid`` may return) keeps only its polygons: folium's
    tooltips do not work on collections.
    """
    if not isinstance(geometry, shapely.Geometry) or geometry.is_empty:
        return None
    if isinstance(geometry, shapely.Polygon | shapely.MultiPolygon):
        return geometry
    polygons = [
        polygon
        for part in shapely.get_parts(geometry)
        for polygon in shapely.get_parts(part)  # a collection may hold MultiPolygons
        if isinstance(polygon, shapely.Polygon) and not polygon.is_empty
    ]
    return shapely.MultiPolygon(polygons) if polygons else None


def display_geometries(geometries: gpd.GeoSeries) -> gpd.GeoSeries:
    """Simplify large district boundaries for display, keeping shared edges shared."""
    vertices = int(shapely.get_num_coordinates(geometries.array).sum())
    if vertices <= _SIMPLIFY_ABOVE_VERTICES:
        return geometries
    metric = geometries.to_crs(METRIC_CRS)
    try:
        simplified = metric.simplify_coverage(_SIMPLIFY_TOLERANCE_M)
    except shapely.errors.GEOSException:
        # Not a clean coverage (overlaps): simplify each polygon on its own.
        simplified = metric.simplify(_SIMPLIFY_TOLERANCE_M, preserve_topology=True)
    logger.debug("simplified %d district vertices for display", vertices)
    return simplified.to_crs(WEB_CRS)


def drawable(geometry: object) -> bool:
    """True for a non-empty geometry."""
    return isinstance(geometry, shapely.Geometry) and not geometry.is_empty


def point_lon_lat(geometry: object) -> tuple[float, float] | None:
    """Rounded ``(lon, lat)`` of a non-empty point with finite coordinates, else None."""
    if not isinstance(geometry, shapely.Point) or geometry.is_empty:
        return None
    lon, lat = geometry.x, geometry.y
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    return round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)


def placed_points(geometries: gpd.GeoSeries) -> np.ndarray:
    """True for each row whose geometry is a non-empty point with finite coordinates
    (the rows :func:`point_lon_lat` accepts), vectorised."""
    values = np.asarray(geometries.array, dtype=object)
    placed = (shapely.get_type_id(values) == 0) & ~shapely.is_empty(values)
    if placed.any():
        coords = shapely.get_coordinates(values[placed])
        finite = np.isfinite(coords).all(axis=1)
        placed[np.flatnonzero(placed)[~finite]] = False
    return placed


def bounds(*frames: gpd.GeoDataFrame) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of the first frame with a drawable geometry."""
    for frame in frames:
        geometries = frame.geometry[[drawable(g) for g in frame.geometry]]
        if len(geometries):
            min_x, min_y, max_x, max_y = (float(v) for v in geometries.total_bounds)
            if all(math.isfinite(v) for v in (min_x, min_y, max_x, max_y)):
                return [[min_y, min_x], [max_y, max_x]]
    return None
