"""Where people live: demand points for the accessibility measures (:mod:`mapping.access`).

Access is measured from where people live, not from one point per district. The people of a
year are a set of *demand points*, each with a population and the district it lies in, made in
one of two ways (the *demand model*, :func:`demand_model_description`):

Population surface (``surface``)
    Points imported with ``palmap import population`` for that year (a census grid's cells, each
    stored as a point inside it; address points with their residents; building points). Each
    point belongs to the district it lies in (:func:`mapping.join.locate_points`); points outside
    every district are left out and their population is reported. A district without any
    surface population gets its residents spread over the grid below (listed as ``fallback``).

Regular grid (``grid``)
    Without a surface, each district's residents (the ``residents`` indicator of the year) are
    spread evenly over the centres of a regular grid of ``cell_m`` metres (default
    :data:`DEFAULT_GRID_M`, 100 m) that lie inside the district, in EPSG:2180. The lattice is one
    for the whole country (centres at odd multiples of half a cell), so neighbouring districts
    never share a point. A district too small or thin for any centre gets one point at its
    representative point. The residents of each district are conserved exactly: the shares add
    up to the district's figure.

    Dasymetric, when a residential-area layer is imported (``palmap import residential``:
    BDOT10k's residential built-up areas, OpenStreetMap's ``landuse=residential``): only the
    parts of a district inside the residential areas receive points; a district with no
    residential area falls back to its whole area and is listed (``residential_fallback``).
    A surface's fallback districts use the same residential areas.

Demand points are a GeoDataFrame in EPSG:2180 with ``district_code``, ``population`` and point
``geometry``, sorted by district code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.crs import METRIC_CRS, WEB_CRS, to_metric
from mapping.demand_access import demand_access
from mapping.errors import ValidationError
from mapping.join import locate_points

__all__ = [
    "DEFAULT_GRID_M",
    "MAX_GRID_POINTS",
    "Demand",
    "demand_access",
    "demand_model_description",
    "demand_points",
    "grid_demand",
    "surface_demand",
    "surface_for_year",
]

#: Default cell size (metres) of the regular grid residents are spread over without a surface.
DEFAULT_GRID_M: float = 100.0
#: At most this many grid points in all: a cell size that would give more is refused.
MAX_GRID_POINTS: int = 5_000_000


@dataclass(frozen=True)
class Demand:
    """Demand points and how they were made.

    Attributes
    ----------
    points
        ``district_code``, ``population`` and point ``geometry`` in EPSG:2180.
    model
        ``surface`` (an imported population surface) or ``grid`` (residents on a regular grid).
    cell_m
        The grid's cell size in metres (also of a surface's fallback districts).
    year
        The year of the residents or of the surface, when known.
    residential
        Whether the grid was limited to residential areas (dasymetric).
    residential_fallback
        Dasymetric grid: districts with no residential area, spread over their whole area.
    fallback
        Surface model: districts without surface population, spread over the grid instead.
    outside
        Surface model: population of surface points outside every district (left out).
    """

    points: gpd.GeoDataFrame
    model: str
    cell_m: float
    year: int | None = None
    residential: bool = False
    fallback: tuple[str, ...] = field(default=())
    residential_fallback: tuple[str, ...] = field(default=())
    outside: float = 0.0

    def per_district(self) -> pd.Series:
        """Population per district code (sum of its points)."""
        return self.points.groupby("district_code")["population"].sum()


def _check_cell(cell_m: float) -> float:
    if not (isinstance(cell_m, int | float) and math.isfinite(cell_m) and cell_m > 0):
        raise ValidationError(
            f"expected a grid cell size in metres > 0, got {cell_m!r}; for example 100"
        )
    return float(cell_m)


def _metric_districts(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if "code" not in districts.columns or "geometry" not in districts.columns:
        raise ValidationError(
            "expected districts with columns code and geometry; load the districts first"
        )
    metric = to_metric(districts[["code", "geometry"]], name="districts").copy()
    metric["code"] = districts["code"].astype(str).to_numpy()
    return metric.sort_values("code", kind="stable").reset_index(drop=True)


def _lattice(bounds: tuple[float, float, float, float], cell: float) -> tuple[np.ndarray, ...]:
    """Centres of the country-wide lattice of ``cell`` metres within ``bounds``."""
    minx, miny, maxx, maxy = bounds
    xs = (np.arange(math.floor(minx / cell), math.ceil(maxx / cell)) + 0.5) * cell
    ys = (np.arange(math.floor(miny / cell), math.ceil(maxy / cell)) + 0.5) * cell
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def _cells_in(area: shapely.Geometry, cell: float) -> np.ndarray:
    """Grid centres inside ``area`` as an (n, 2) array; its representative point when none."""
    if area is None or area.is_empty:
        return np.empty((0, 2))
    minx, miny, maxx, maxy = area.bounds
    expected = ((maxx - minx) / cell + 1) * ((maxy - miny) / cell + 1)
    if expected > MAX_GRID_POINTS:
        raise ValidationError(
            f"expected at most {MAX_GRID_POINTS} grid points, got about {int(expected)} with "
            f"cells of {cell:g} m; choose larger cells"
        )
    xs, ys = _lattice(area.bounds, cell)
    shapely.prepare(area)
    inside = shapely.contains_xy(area, xs, ys)
    if inside.any():
        return np.column_stack([xs[inside], ys[inside]])
    point = area.representative_point()
    return np.array([[point.x, point.y]])


def _shares(total: float, count: int) -> np.ndarray:
    """``count`` equal shares of ``total`` that add up to it (the last takes the rounding)."""
    shares = np.full(count, total / count)
    shares[-1] = total - float(np.sum(shares[:-1]))
    return shares


def _residential_union(residential: gpd.GeoSeries | None) -> shapely.Geometry | None:
    if residential is None or not len(residential):
        return None
    frame = gpd.GeoDataFrame(geometry=residential)
    if frame.crs is None:
        raise ValidationError(
            "expected residential areas with a coordinate reference system, got none; set it"
        )
    metric = frame.to_crs(METRIC_CRS).geometry
    polygons = metric[metric.notna() & ~metric.is_empty]
    return shapely.union_all(shapely.make_valid(polygons.to_numpy())) if len(polygons) else None


def _check_residents(residents: pd.Series, codes: list[str]) -> pd.Series:
    values = pd.to_numeric(pd.Series(residents), errors="coerce").astype("float64")
    values.index = values.index.astype(str)
    values = values[~values.index.duplicated(keep="first")].reindex(codes)
    missing = [c for c in codes if not (np.isfinite(values[c]) and values[c] >= 0)]
    if missing:
        raise ValidationError(
            f"expected residents >= 0 for every district, got none for {', '.join(missing)}; "
            "import the residents of that year"
        )
    return values


def _grid_points(
    metric: gpd.GeoDataFrame,
    residents: pd.Series,
    cell: float,
    residential: shapely.Geometry | None,
) -> tuple[gpd.GeoDataFrame, tuple[str, ...]]:
    """The grid points of every district, and the districts that have no residential area
    (spread over their whole area) when ``residential`` is given."""
    codes: list[np.ndarray] = []
    xy: list[np.ndarray] = []
    population: list[np.ndarray] = []
    whole: list[str] = []
    for code, polygon in zip(metric["code"], metric.geometry, strict=True):
        area = polygon
        if residential is not None:
            living = shapely.intersection(shapely.make_valid(polygon), residential)
            if not living.is_empty and living.area > 0:
                area = living
            else:
                whole.append(str(code))
        cells = _cells_in(area, cell)
        if not len(cells):
            point = polygon.representative_point()
            cells = np.array([[point.x, point.y]])
        codes.append(np.full(len(cells), code, dtype=object))
        xy.append(cells)
        population.append(_shares(float(residents[code]), len(cells)))
    frame = _frame(
        np.concatenate(codes) if codes else np.empty(0, dtype=object),
        np.concatenate(xy) if xy else np.empty((0, 2)),
        np.concatenate(population) if population else np.empty(0),
    )
    return frame, tuple(whole)


def _frame(codes: np.ndarray, xy: np.ndarray, population: np.ndarray) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"district_code": codes.astype(object), "population": population.astype("float64")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]) if len(xy) else [],
        crs=METRIC_CRS,
    )
    return frame.sort_values("district_code", kind="stable").reset_index(drop=True)


def grid_demand(
    districts: gpd.GeoDataFrame,
    residents: pd.Series,
    *,
    cell_m: float = DEFAULT_GRID_M,
    residential: gpd.GeoSeries | None = None,
    year: int | None = None,
) -> Demand:
    """Each district's residents spread evenly over the grid centres inside it.

    Parameters
    ----------
    districts
        Districts with ``code`` and polygon ``geometry``.
    residents
        Residents per district code (>= 0, every district).
    cell_m
        Cell size of the grid in metres (default :data:`DEFAULT_GRID_M`).
    residential
        Residential areas (polygons with a CRS): only their parts of a district get points; a
        district without any keeps its whole area.
    year
        The residents' year, for the description.

    Examples
    --------
    A 1 km x 500 m district with 100 residents on a 250 m grid: 4 x 2 centres, 12.5 each.

    >>> from shapely import box
    >>> d = gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(300_000, 400_000, 301_000, 400_500)],
    ...                      crs=2180)
    >>> demand = grid_demand(d, pd.Series({"a": 100}), cell_m=250)
    >>> len(demand.points), demand.points["population"].tolist()[:2], demand.model
    (8, [12.5, 12.5], 'grid')
    """
    cell = _check_cell(cell_m)
    metric = _metric_districts(districts)
    codes = [str(c) for c in metric["code"]]
    values = _check_residents(residents, codes)
    expected = float(metric.geometry.area.sum()) / (cell * cell)
    if expected > MAX_GRID_POINTS:
        raise ValidationError(
            f"expected at most {MAX_GRID_POINTS} grid points, got about {int(expected)} with "
            f"cells of {cell:g} m; choose larger cells"
        )
    union = _residential_union(residential)
    points, whole = _grid_points(metric, values, cell, union)
    return Demand(points, "grid", cell, year, union is not None, residential_fallback=whole)


def surface_for_year(population: pd.DataFrame | None, year: int) -> gpd.GeoDataFrame | None:
    """The stored surface points of ``year`` (``lon``, ``lat``, ``population`` rows) as a
    GeoDataFrame in EPSG:4326, or None when there are none."""
    if population is None or not len(population):
        return None
    rows = population[population["year"] == int(year)]
    if not len(rows):
        return None
    return gpd.GeoDataFrame(
        {"population": rows["population"].astype("float64").to_numpy()},
        geometry=gpd.points_from_xy(rows["lon"], rows["lat"]),
        crs=WEB_CRS,
    )


def surface_demand(
    districts: gpd.GeoDataFrame,
    surface: gpd.GeoDataFrame,
    *,
    residents: pd.Series | None = None,
    cell_m: float = DEFAULT_GRID_M,
    year: int | None = None,
    residential: gpd.GeoSeries | None = None,
) -> Demand:
    """Demand points from an imported population surface (points with ``population``).

    Points outside every district are left out (their population is ``outside``); a district
    with no surface population gets its ``residents`` on the grid (``fallback``), or no demand
    point when ``residents`` is None. With ``residential`` areas, that grid covers only their
    parts of the district (dasymetric, as in :func:`grid_demand`).

    Examples
    --------
    >>> from shapely import Point, box
    >>> d = gpd.GeoDataFrame({"code": ["a", "b"]},
    ...     geometry=[box(300_000, 400_000, 301_000, 401_000),
    ...               box(301_000, 400_000, 302_000, 401_000)], crs=2180)
    >>> s = gpd.GeoDataFrame({"population": [30.0, 70.0, 5.0]},
    ...     geometry=[Point(300_500, 400_500), Point(301_500, 400_500), Point(0, 0)], crs=2180)
    >>> demand = surface_demand(d, s)
    >>> demand.per_district().to_dict(), demand.outside
    ({'a': 30.0, 'b': 70.0}, 5.0)
    """
    cell = _check_cell(cell_m)
    metric = _metric_districts(districts)
    if surface.crs is None:
        raise ValidationError(
            "expected a population surface with a coordinate reference system, got none; set it"
        )
    points = surface.to_crs(METRIC_CRS)
    web = gpd.GeoSeries(points.geometry, crs=METRIC_CRS).to_crs(WEB_CRS)
    located = locate_points(
        np.asarray(web.array, dtype=object),
        gpd.GeoDataFrame({"code": metric["code"]}, geometry=metric.geometry).to_crs(WEB_CRS),
    )
    population = points["population"].astype("float64").to_numpy()
    inside = np.array([c is not None for c in located], dtype=bool)
    outside = float(population[~inside].sum())
    xy = shapely.get_coordinates(points.geometry.to_numpy()[inside])
    found = _frame(np.asarray(located[inside], dtype=object), xy, population[inside])
    totals = found.groupby("district_code")["population"].sum()
    empty = [c for c in metric["code"] if not totals.get(c, 0.0) > 0]
    parts = [found[~found["district_code"].isin(empty)]]
    union, whole = None, tuple[str, ...]()
    if empty and residents is not None:
        rest = metric[metric["code"].isin(empty)]
        values = _check_residents(residents, empty)
        union = _residential_union(residential)
        grid, whole = _grid_points(rest, values, cell, union)
        parts.append(grid)
    joined = pd.concat(parts, ignore_index=True)
    frame = gpd.GeoDataFrame(joined, geometry="geometry", crs=METRIC_CRS)
    frame = frame.sort_values("district_code", kind="stable").reset_index(drop=True)
    fallback = tuple(empty) if residents is not None else ()
    return Demand(frame, "surface", cell, year, union is not None, fallback, whole, outside)


def demand_points(
    districts: gpd.GeoDataFrame,
    residents: pd.Series,
    *,
    population: pd.DataFrame | None = None,
    year: int | None = None,
    cell_m: float = DEFAULT_GRID_M,
    residential: gpd.GeoSeries | None = None,
) -> Demand:
    """The demand points of a year: the stored surface of ``year`` in ``population`` (rows of
    ``year``, ``lon``, ``lat``, ``population``) when there is one, else ``residents`` on the
    grid; the grid (also of a surface's fallback districts) inside the ``residential`` areas
    when given (dasymetric)."""
    surface = None if year is None else surface_for_year(population, year)
    if surface is None:
        return grid_demand(districts, residents, cell_m=cell_m, year=year, residential=residential)
    return surface_demand(
        districts,
        surface,
        residents=residents,
        cell_m=cell_m,
        year=year,
        residential=residential,
    )


def demand_model_description(demand: Demand | None) -> dict[str, Any]:
    """What the demand model was, for the outputs' ``meta`` and the pages.

    ``None`` (no demand points: one point per district) is described too.

    Examples
    --------
    >>> demand_model_description(None)["model"]
    'centroid'
    """
    if demand is None:
        return {
            "model": "centroid",
            "text": "one point per district (its centroid) carrying all its residents",
        }
    people = float(demand.points["population"].sum())
    description: dict[str, Any] = {
        "model": demand.model,
        "year": demand.year,
        "points": len(demand.points),
        "population": people,
        "aggregation": "population-weighted mean over each district's demand points",
        "coverage": "share of residents within the radius of a resource",
    }
    description["dasymetric"] = demand.residential
    if demand.residential:
        description["residential_fallback_districts"] = list(demand.residential_fallback)
    if demand.model == "grid":
        where = ("the imported residential areas of " if demand.residential else "") + "each"
        description["cell_m"] = demand.cell_m
        description["text"] = (
            f"residents of {demand.year or 'the year'} spread evenly over a regular "
            f"{demand.cell_m:g} m grid inside {where} district{_whole(demand)}"
        )
    else:
        description["fallback_districts"] = list(demand.fallback)
        description["outside_population"] = demand.outside
        description["cell_m"] = demand.cell_m
        inside = " inside their imported residential areas" if demand.residential else ""
        extra = (
            f"; {len(demand.fallback)} district(s) without surface population use a "
            f"{demand.cell_m:g} m grid of their residents{inside}{_whole(demand)}"
            if demand.fallback
            else ""
        )
        on_surface = ~demand.points["district_code"].isin(demand.fallback)
        description["surface_points"] = int(on_surface.sum())
        description["text"] = (
            f"imported population surface of {demand.year or 'the year'} "
            f"({int(on_surface.sum())} points in "
            f"{demand.points.loc[on_surface, 'district_code'].nunique()} district(s)){extra}"
        )
    return description


def _whole(demand: Demand) -> str:
    """The districts a dasymetric grid spread over their whole area, as a clause."""
    if not demand.residential_fallback:
        return ""
    return (
        f" ({len(demand.residential_fallback)} district(s) with no residential area over their "
        f"whole area: {', '.join(demand.residential_fallback)})"
    )
