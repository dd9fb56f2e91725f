"""Resources of one map view as server-computed clusters: a million points, a few hundred sent.

A map page cannot carry a million resources (the compact arrays of
:mod:`mapping.render.fastpoints` are 11 MB at 100,000). From
:data:`CLUSTER_MIN_RESOURCES` placed resources on, the map pages carry none: the browser asks
for the resources of the view it shows (a ``bbox`` in longitude/latitude and the ``zoom``) and
gets, from :func:`view_clusters`,

* clusters: the resources grouped on a square grid in EPSG:3857 whose cell is
  :data:`CELL_PX` screen pixels at that zoom, each cluster at the mean position of its
  resources, with its count; or
* single resources (id, name, category, position) when the view holds at most
  :data:`SINGLE_MAX` of them, or the zoom is :data:`SINGLE_ZOOM` or more and at most
  :data:`SINGLE_MAX_DEEP`.

:func:`build_index` projects the points once into numpy arrays sorted by x (kept per data
version by the caller); a view is then a binary search on x, a mask on y, and one ``np.unique``
over the cells: about 20 ms for a view of all of Poland with 1,000,000 resources.
Only public fields leave: id, name, category and position (no address, operator, notes or
anything about who entered them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import shapely

from mapping.errors import ValidationError, msg

__all__ = [
    "CELL_PX",
    "CLUSTER_MIN_RESOURCES",
    "MAX_ZOOM",
    "SINGLE_MAX",
    "SINGLE_MAX_DEEP",
    "SINGLE_ZOOM",
    "PointIndex",
    "View",
    "build_index",
    "parse_view",
    "view_clusters",
]

#: From this many placed resources on, the map pages load them per view (the demo's ~200 and
#: sets up to this size keep their markers in the page).
CLUSTER_MIN_RESOURCES: Final = 20_000
#: Side of a grid cell in screen pixels.
CELL_PX: Final = 64
#: A view with at most this many resources gets them one by one.
SINGLE_MAX: Final = 500
#: From this zoom (streets) on, a view gets single resources up to :data:`SINGLE_MAX_DEEP`.
SINGLE_ZOOM: Final = 16
SINGLE_MAX_DEEP: Final = 5_000
#: Zoom levels accepted (Leaflet's 0 to the deepest tiles).
MAX_ZOOM: Final = 22

_R: Final = 6378137.0
_WORLD: Final = 2 * math.pi * _R
_MAX_LAT: Final = 85.05112878
#: Up to this many grid cells under the view, clusters are counted densely (bincount).
_DENSE_CELLS: Final = 4_000_000


@dataclass(frozen=True)
class PointIndex:
    """Placed resources projected to EPSG:3857, sorted by x, with their public fields."""

    x: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    categories: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class View:
    """A map view: ``west, south, east, north`` in degrees and a whole zoom level."""

    west: float
    south: float
    east: float
    north: float
    zoom: int


def _mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(lat, -_MAX_LAT, _MAX_LAT)
    x = np.radians(lon) * _R
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * _R
    return x, y


def _lon_lat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon = np.degrees(x / _R)
    lat = np.degrees(2 * np.arctan(np.exp(y / _R)) - np.pi / 2)
    return lon, lat


def build_index(resources: gpd.GeoDataFrame) -> PointIndex:
    """Project the resources that have a point (``id``, ``name``, ``category``, geometry in
    EPSG:4326) into a :class:`PointIndex`; the others are left out.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> frame = gpd.GeoDataFrame({"id": [1, 2], "name": ["a", "b"], "category": ["k", "k"]},
    ...     geometry=[Point(16.3, 50.8), None], crs=4326)
    >>> len(build_index(frame))
    1
    """
    geometries = np.asarray(resources.geometry.array, dtype=object)
    kinds = shapely.get_type_id(geometries)
    placed = (kinds == 0) & ~shapely.is_empty(geometries)
    coords = shapely.get_coordinates(geometries[placed])
    x, y = _mercator(coords[:, 0], coords[:, 1])
    order = np.argsort(x, kind="stable")
    positions = np.flatnonzero(placed)[order]

    def column(name: str) -> np.ndarray:
        values = resources[name].to_numpy(dtype=object)[positions]
        missing = np.asarray([v is None or v != v for v in values], dtype=bool)
        values[missing] = None  # NaN and NA become JSON null
        return values

    return PointIndex(
        x=x[order],
        y=y[order],
        ids=resources["id"].to_numpy()[positions],
        names=column("name"),
        categories=column("category"),
    )


def _number(raw: str, field: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(
            msg("{field}: expected numbers, got {value!r}", field=field, value=raw)
        ) from None
    if not math.isfinite(value):
        raise ValidationError(
            msg("{field}: expected finite numbers, got {value!r}", field=field, value=raw)
        )
    return value


def parse_view(args: Mapping[str, str]) -> View:
    """The view of ``bbox=west,south,east,north`` (degrees) and ``zoom`` (0 to :data:`MAX_ZOOM`).

    Raises
    ------
    ValidationError
        For a missing or malformed value, a box outside longitude -180..180 / latitude -90..90
        or with west > east or south > north, or a zoom outside 0..MAX_ZOOM.

    Examples
    --------
    >>> parse_view({"bbox": "16.1,50.7,16.4,50.9", "zoom": "12"}).zoom
    12
    >>> parse_view({"bbox": "16.1,50.7", "zoom": "12"})
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: bbox: expected west,south,east,north (four numbers), \
got '16.1,50.7'
    """
    raw_box = (args.get("bbox") or "").strip()
    parts = raw_box.split(",")
    if len(parts) != 4:
        raise ValidationError(
            msg("bbox: expected west,south,east,north (four numbers), got {value!r}", value=raw_box)
        )
    west, south, east, north = (_number(p.strip(), "bbox") for p in parts)
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValidationError(
            msg(
                "bbox: expected west <= east within -180..180 and south <= north within "
                "-90..90, got {value!r}",
                value=raw_box,
            )
        )
    raw_zoom = (args.get("zoom") or "").strip()
    if not raw_zoom.isdigit() or int(raw_zoom) > MAX_ZOOM:
        raise ValidationError(
            msg(
                "zoom: expected a whole number from 0 to {most}, got {value!r}",
                most=MAX_ZOOM,
                value=raw_zoom,
            )
        )
    return View(west, south, east, north, int(raw_zoom))


def _inside(index: PointIndex, view: View) -> np.ndarray:
    """Positions in ``index`` of the points inside the view (edges included)."""
    (x0, x1), (y0, y1) = _mercator(
        np.array([view.west, view.east]), np.array([view.south, view.north])
    )
    start = int(np.searchsorted(index.x, x0, side="left"))
    stop = int(np.searchsorted(index.x, x1, side="right"))
    ys = index.y[start:stop]
    return start + np.flatnonzero((ys >= y0) & (ys <= y1))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def view_clusters(index: PointIndex, view: View) -> dict[str, Any]:
    """The resources of ``view``: ``{"total": n, "clusters": [[lat, lon, count], ...]}`` or
    ``{"total": n, "points": [[lat, lon, id, name, category], ...]}`` (see the module).

    The counts of the clusters add up to ``total``, the number of resources in the box.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> frame = gpd.GeoDataFrame({"id": [1, 2, 3], "name": ["a", "b", "c"],
    ...     "category": ["k"] * 3}, geometry=[Point(16.3, 50.8), Point(16.3001, 50.8),
    ...     Point(20, 52)], crs=4326)
    >>> index = build_index(frame)
    >>> view_clusters(index, View(16, 50, 17, 51, 8))["total"]
    2
    """
    found = _inside(index, view)
    total = int(len(found))
    singles = total <= SINGLE_MAX or (view.zoom >= SINGLE_ZOOM and total <= SINGLE_MAX_DEEP)
    if singles:
        lon, lat = _lon_lat(index.x[found], index.y[found])
        rows = [
            [round(float(b), 6), round(float(a), 6), _id(i), _text(n), _text(c)]
            for a, b, i, n, c in zip(
                lon.tolist(),
                lat.tolist(),
                index.ids[found].tolist(),
                index.names[found].tolist(),
                index.categories[found].tolist(),
                strict=True,
            )
        ]
        return {"total": total, "zoom": view.zoom, "points": rows}
    cell = _WORLD / (256 * 2**view.zoom) * CELL_PX
    xs, ys = index.x[found], index.y[found]
    cx = np.floor(xs / cell).astype(np.int64)
    cy = np.floor(ys / cell).astype(np.int64)
    height = int(cy.max() - cy.min()) + 1
    keys = (cx - cx.min()) * height + (cy - cy.min())
    span = int(keys.max()) + 1
    if span <= _DENSE_CELLS:
        # A dense count per cell (no sort): 1,000,000 points in about 30 ms.
        every = np.bincount(keys, minlength=span)
        cells = np.flatnonzero(every)
        counts = every[cells]
        mean_x = np.bincount(keys, weights=xs, minlength=span)[cells] / counts
        mean_y = np.bincount(keys, weights=ys, minlength=span)[cells] / counts
    else:
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        mean_x = np.bincount(inverse, weights=xs) / counts
        mean_y = np.bincount(inverse, weights=ys) / counts
    lon, lat = _lon_lat(mean_x, mean_y)
    clusters = [
        [round(b, 6), round(a, 6), n]
        for a, b, n in zip(lon.tolist(), lat.tolist(), counts.tolist(), strict=True)
    ]
    return {"total": total, "zoom": view.zoom, "clusters": clusters}


def _id(value: Any) -> Any:
    return int(value) if isinstance(value, (int, np.integer)) else str(value)
