"""Schematic district polygons built from centre points.

When no official boundaries are at hand (for example in a demo, or before a city has imported its
own), a map still needs areas to colour. This module builds them from one point per district: a
smooth outline of the whole city around the points, and the Voronoi cell of each point clipped to
that outline. The result is a valid, gap-free, non-overlapping coverage, but it is a schematic and
must be labelled as such wherever it is shown.

Nothing here is specific to one city.
"""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import numpy as np
import shapely
from shapely import MultiPoint, MultiPolygon, Polygon
from shapely.affinity import scale as scale_geometry
from shapely.geometry.base import BaseGeometry

from mapping.crs import METRIC_CRS, WEB_CRS, to_metric
from mapping.errors import ValidationError

__all__ = ["schematic_outline", "voronoi_districts"]

logger = logging.getLogger(__name__)

# Relative tolerance of the buffer search; the final scaling makes the area exact anyway.
_BUFFER_SEARCH_RTOL = 1e-6
_BUFFER_SEARCH_STEPS = 200


def _check_points(points_gdf: gpd.GeoDataFrame, *, name: str) -> gpd.GeoDataFrame:
    """Return the points in EPSG:2180 after checking that they are usable centre points."""
    if not isinstance(points_gdf, gpd.GeoDataFrame):
        raise ValidationError(
            f"expected {name} as a GeoDataFrame, got {type(points_gdf).__name__}; "
            "build one with geopandas.GeoDataFrame(..., geometry=..., crs=...)"
        )
    if len(points_gdf) == 0:
        raise ValidationError(f"expected at least one point in {name}, got an empty frame")
    geoms = points_gdf.geometry
    bad = [
        (index, geom.geom_type if geom is not None else None)
        for index, geom in zip(points_gdf.index, geoms, strict=True)
        if geom is None or geom.is_empty or geom.geom_type != "Point"
    ]
    if bad:
        index, kind = bad[0]
        raise ValidationError(
            f"expected one non-empty Point per row of {name}, got {kind or 'no geometry'} "
            f"in row {index!r}; give every district a centre point"
        )
    metric = to_metric(points_gdf, name=name)
    duplicated = metric.geometry.duplicated()
    if duplicated.any():
        index = metric.index[int(np.argmax(duplicated.to_numpy()))]
        raise ValidationError(
            f"expected distinct points in {name}, got a repeated point in row {index!r}; "
            "two districts cannot share a centre point"
        )
    return metric


def schematic_outline(
    points_gdf: gpd.GeoDataFrame,
    *,
    area_km2: float,
    quad_segs: int = 16,
) -> Polygon:
    """Return a smooth outline around the points whose area is ``area_km2``.

    The convex hull of the points is buffered in EPSG:2180 by the distance that brings its area
    closest to ``area_km2`` (found by bisection), then scaled about its centroid so that the area
    matches exactly. Every point therefore lies inside the outline, at least the buffer distance
    from its edge. If the hull alone is already larger than ``area_km2``, the hull is shrunk
    instead and points near its edge may fall outside.

    Parameters
    ----------
    points_gdf
        Centre points (any CRS; a CRS is required).
    area_km2
        The area the outline must have, in square kilometres (measured in EPSG:2180).
    quad_segs
        Segments per quarter circle of the rounded corners.

    Returns
    -------
    shapely.Polygon
        The outline in EPSG:4326 (longitude, latitude).

    Raises
    ------
    ValidationError
        If there are no points, a row is not a point, or the area is not a positive number.
    CRSError
        If the frame has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> points = gpd.GeoDataFrame(
    ...     geometry=[Point(16.26, 50.76), Point(16.30, 50.76), Point(16.28, 50.79)], crs=4326
    ... )
    >>> outline = schematic_outline(points, area_km2=20.0)
    >>> area = gpd.GeoSeries([outline], crs=4326).to_crs(2180).area.iloc[0] / 1e6
    >>> round(float(area), 3)
    20.0
    """
    if not isinstance(area_km2, int | float) or not math.isfinite(area_km2) or area_km2 <= 0:
        raise ValidationError(
            f"expected area_km2 as a positive number of square kilometres, got {area_km2!r}"
        )
    metric = _check_points(points_gdf, name="centre points")
    target = float(area_km2) * 1e6
    hull = shapely.convex_hull(MultiPoint(metric.get_coordinates().to_numpy()))

    def buffered(distance: float) -> BaseGeometry:
        return hull.buffer(distance, quad_segs=quad_segs) if distance > 0 else hull

    if hull.area >= target:
        base = hull
        logger.debug("convex hull (%.1f km2) exceeds the target area; shrinking", hull.area / 1e6)
    else:
        low, high = 0.0, max(math.sqrt(target), 1.0)
        while buffered(high).area < target:
            high *= 2.0
        for _ in range(_BUFFER_SEARCH_STEPS):
            middle = (low + high) / 2.0
            if buffered(middle).area < target:
                low = middle
            else:
                high = middle
            if high - low <= _BUFFER_SEARCH_RTOL * high:
                break
        base = buffered(high)
    factor = math.sqrt(target / base.area)
    outline = scale_geometry(base, xfact=factor, yfact=factor, origin=base.centroid)
    projected = gpd.GeoSeries([outline], crs=METRIC_CRS).to_crs(WEB_CRS).iloc[0]
    oriented = shapely.orient_polygons(projected, exterior_cw=False)
    assert isinstance(oriented, Polygon)  # a buffered hull is one polygon; orienting keeps it
    return oriented


def _as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """Return the polygonal parts of ``geom`` as one MultiPolygon."""
    parts = [part for part in shapely.get_parts(geom) if isinstance(part, Polygon) and part.area]
    return MultiPolygon(parts)


def voronoi_districts(
    points_gdf: gpd.GeoDataFrame,
    outline: BaseGeometry,
    *,
    grid_size: float = 1e-6,
) -> gpd.GeoDataFrame:
    """Return the Voronoi cell of each point, clipped to ``outline``, as schematic districts.

    The cells are computed in EPSG:2180 (metres), projected to EPSG:4326 and clipped to the
    outline. Their coordinates are then snapped to a grid of ``grid_size`` degrees as one
    coverage: the boundaries of all cells are noded together with snap rounding, the resulting
    faces are rebuilt by polygonizing that linework, and each face goes back to the cell it
    overlaps most. Rounding each cell on its own could instead move a shared edge differently on
    its two sides and leave slivers of gap or overlap; here neighbours share the very same
    vertices, so the cells stay valid, do not overlap and together cover the (rounded) outline.

    Parameters
    ----------
    points_gdf
        One distinct centre point per district, any CRS (a CRS is required). Other columns are
        kept.
    outline
        Polygon or MultiPolygon in EPSG:4326 (longitude, latitude), for example from
        :func:`schematic_outline`.
    grid_size
        Grid to snap coordinates to, in degrees; ``1e-6`` (about 0.1 m) keeps six decimals.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows, index, order and attributes as ``points_gdf``; ``geometry`` replaced by one
        MultiPolygon per row; CRS EPSG:4326.

    Raises
    ------
    ValidationError
        If a row is not a point, points repeat, the outline is not a valid polygon, or a point's
        cell does not reach the outline.
    CRSError
        If the frame has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> points = gpd.GeoDataFrame(
    ...     {"code": ["west", "east"]},
    ...     geometry=[Point(16.26, 50.77), Point(16.30, 50.77)],
    ...     crs=4326,
    ... )
    >>> cells = voronoi_districts(points, box(16.24, 50.75, 16.32, 50.79))
    >>> list(cells["code"]), list(cells.geom_type)
    (['west', 'east'], ['MultiPolygon', 'MultiPolygon'])
    >>> bool(cells.geometry.iloc[0].intersection(cells.geometry.iloc[1]).area == 0)
    True
    """
    metric = _check_points(points_gdf, name="centre points")
    if (
        not isinstance(outline, Polygon | MultiPolygon)
        or outline.is_empty
        or not outline.is_valid
        or outline.area <= 0
    ):
        kind = type(outline).__name__
        raise ValidationError(
            f"expected the outline as a valid, non-empty Polygon or MultiPolygon in EPSG:4326, "
            f"got {kind}; repair it (for example shapely.make_valid) or build it with "
            "schematic_outline"
        )
    if not math.isfinite(grid_size) or grid_size <= 0:
        raise ValidationError(f"expected grid_size as a positive number, got {grid_size!r}")

    outline_metric = gpd.GeoSeries([outline], crs=WEB_CRS).to_crs(METRIC_CRS).iloc[0]
    sites = MultiPoint(metric.get_coordinates().to_numpy())
    # Extend the diagram well past the outline so that every cell still covers its share of the
    # outline after the projection back to degrees bends the rectangle slightly.
    minx, miny, maxx, maxy = shapely.union(outline_metric, sites).bounds
    margin = max(1000.0, 0.25 * math.hypot(maxx - minx, maxy - miny))
    extent = shapely.box(minx - margin, miny - margin, maxx + margin, maxy + margin)
    diagram = shapely.voronoi_polygons(sites, extend_to=extent, ordered=True)
    cells_metric = list(shapely.get_parts(diagram))
    if len(cells_metric) != len(metric) or not all(
        cell.covers(point) for cell, point in zip(cells_metric, metric.geometry, strict=True)
    ):  # pragma: no cover - a GEOS contract, checked because everything below relies on it
        raise RuntimeError("voronoi_polygons did not return one cell per point in input order")

    cells = gpd.GeoSeries(cells_metric, crs=METRIC_CRS).to_crs(WEB_CRS).to_numpy()
    clipped = shapely.intersection(cells, outline)
    empty = [i for i, cell in enumerate(clipped) if cell.is_empty or cell.area == 0]
    if empty:
        index = points_gdf.index[empty[0]]
        raise ValidationError(
            f"expected every point's cell to overlap the outline, got none for row {index!r}; "
            "move the point inside the outline or enlarge the outline"
        )

    snapped = _snap_coverage(clipped, grid_size=grid_size)
    snapped = shapely.orient_polygons(snapped, exterior_cw=False)
    invalid = [i for i, cell in enumerate(snapped) if not cell.is_valid or cell.is_empty]
    if invalid:  # pragma: no cover - guards the snapping, which should never produce this
        raise RuntimeError(f"snapping produced an invalid cell for row {invalid[0]}")

    result = gpd.GeoDataFrame(
        points_gdf.drop(columns=points_gdf.geometry.name),
        geometry=gpd.GeoSeries(snapped, index=points_gdf.index, crs=WEB_CRS),
        crs=WEB_CRS,
    )
    if result.geometry.name != "geometry":
        result = result.rename_geometry("geometry")
    return result


def _snap_coverage(cells: np.ndarray, *, grid_size: float) -> np.ndarray:
    """Snap a polygon coverage to a grid, keeping shared edges shared (see voronoi_districts)."""
    linework = shapely.union_all(shapely.boundary(cells), grid_size=grid_size)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    tree = shapely.STRtree(cells)
    owned: list[list[Polygon]] = [[] for _ in range(len(cells))]
    for face in faces:
        candidates = np.sort(tree.query(face, predicate="intersects"))
        if candidates.size == 0:
            continue
        overlaps = shapely.area(shapely.intersection(cells[candidates], face))
        # A face mostly outside every cell lies in a hole of the outline: it belongs to nobody.
        if overlaps.sum() < 0.5 * face.area:
            continue
        owned[int(candidates[int(np.argmax(overlaps))])].append(face)
    snapped = []
    for i, faces_of_cell in enumerate(owned):
        if not faces_of_cell:
            raise ValidationError(
                f"expected every cell to keep an area after snapping to a {grid_size} degree "
                f"grid, got none for cell {i}; use a finer grid_size or move the points apart"
            )
        merged = shapely.union_all(faces_of_cell, grid_size=grid_size)
        snapped.append(_as_multipolygon(merged))
    return np.array(snapped, dtype=object)
