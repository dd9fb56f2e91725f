"""Access per district measured from demand points (:mod:`mapping.population`), aggregated by
population: the one access engine of palmap (straight, detour or walking-network distances,
:mod:`mapping.network_distance`). :mod:`mapping.population` re-exports :func:`demand_access`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.access import (
    DEFAULT_STEPS,
    check_steps,
    districts_metric,
    point_scores,
    point_xy,
    resource_points,
    supply_values,
)
from mapping.crs import METRIC_CRS
from mapping.errors import CRSError, ValidationError
from mapping.network_distance import DistanceMode

__all__ = ["demand_access"]


def _demand_points(
    demand_points: gpd.GeoDataFrame, codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """District index, population and (n, 2) metres of every demand point."""
    missing = {"district_code", "population", "geometry"} - set(demand_points.columns)
    if missing:
        raise ValidationError(
            f"expected demand points with columns district_code, population and geometry; "
            f"missing {', '.join(sorted(missing))}"
        )
    if demand_points.crs is None:
        raise CRSError("expected demand points with a coordinate reference system, got none")
    points = demand_points.to_crs(METRIC_CRS)
    position = pd.Series(np.arange(len(codes)), index=codes)
    where = position.reindex(points["district_code"].astype(str).to_numpy()).to_numpy()
    if np.isnan(where).any():
        raise ValidationError(
            "expected every demand point in a known district, got unknown district codes; "
            "make the demand points from these districts"
        )
    population = pd.to_numeric(points["population"], errors="coerce").to_numpy(dtype="float64")
    if not np.isfinite(population).all() or (population < 0).any():
        raise ValidationError("expected demand point populations >= 0, got others")
    return where.astype(np.int64), population, point_xy(points)


def _weighted(values: np.ndarray, weights: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Mean of ``values`` per group weighted by ``weights`` (equal weights where all are 0);
    NaN for a group without points or with a NaN value."""
    total = np.bincount(groups, weights=weights, minlength=n)
    count = np.bincount(groups, minlength=n).astype("float64")
    equal = total[groups] <= 0
    w = np.where(equal, 1.0, weights)
    sums = np.bincount(groups, weights=w * values, minlength=n)
    denominators = np.bincount(groups, weights=w, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, sums / denominators, np.nan)


def demand_access(
    districts: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    demand_points: gpd.GeoDataFrame,
    *,
    radius_m: float,
    category: str | None = None,
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
    capacity_col: str = "capacity",
    distance: DistanceMode | None = None,
) -> pd.DataFrame:
    """Access per district measured from demand points, aggregated by population.

    Parameters
    ----------
    districts
        Districts with ``code`` and polygon ``geometry``.
    resources
        Resources with point ``geometry`` (those without are left out), ``category`` when
        ``category`` is given, and optionally ``capacity_col``.
    demand_points
        ``district_code``, ``population`` and point ``geometry`` with a CRS
        (:attr:`mapping.population.Demand.points`).
    radius_m
        The coverage radius in metres.
    category
        Only resources of this category code; ``None`` for all.
    steps
        E2SFCA distance-decay steps, (distance in metres, weight) with increasing distances; a
        pair within a step's distance (inclusive) gets its weight, beyond the last one 0. The
        last distance is also the 2SFCA catchment. Default
        :data:`mapping.access.DEFAULT_STEPS`.
    capacity_col
        The supply of a resource; a resource without a known capacity (or without the column)
        counts 1.
    distance
        How distances are measured (:func:`mapping.network_distance.distance_mode`: along the
        walking network, straight x the detour factor, or straight); None for straight.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``demand`` (population of its points), ``nearest_m`` (population-
        weighted mean distance to the nearest resource; NaN without resources), ``coverage``
        (share of the population within ``radius_m``), ``2sfca``, ``e2sfca`` (1.0 = the
        population-weighted city mean), ``2sfca_raw``, ``e2sfca_raw``, sorted by code.

    Examples
    --------
    District ``a`` has 300 people at its west end and 100 at its east end, 1,800 m apart; one
    resource at the west point: 3/4 of the people are within 500 m, the mean distance is
    (300 * 0 + 100 * 1800) / 400 = 450 m.

    >>> from shapely import Point, box
    >>> d = gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(300_000, 400_000, 302_000, 401_000)],
    ...                      crs=2180)
    >>> r = gpd.GeoDataFrame(geometry=[Point(300_100, 400_500)], crs=2180)
    >>> p = gpd.GeoDataFrame({"district_code": ["a", "a"], "population": [300.0, 100.0]},
    ...     geometry=[Point(300_100, 400_500), Point(301_900, 400_500)], crs=2180)
    >>> out = demand_access(d, r, p, radius_m=500)
    >>> out[["demand", "nearest_m", "coverage"]].round(3).to_dict("records")
    [{'demand': 400.0, 'nearest_m': 450.0, 'coverage': 0.75}]
    """
    if not (isinstance(radius_m, int | float) and math.isfinite(radius_m) and radius_m > 0):
        raise ValidationError(
            f"expected radius_m as a number of metres > 0, got {radius_m!r}; for example 500"
        )
    metric = districts_metric(districts)
    codes = metric["code"].to_numpy().astype(str)
    n = len(codes)
    groups, population, origins = _demand_points(demand_points, codes)
    points = resource_points(resources, category=category)
    destinations = point_xy(points)
    mode = distance if distance is not None else DistanceMode("straight")
    measured = mode.measure(origins, destinations, limit=check_steps(steps)[-1][0])
    distance_m = np.where(np.isinf(measured.nearest), np.nan, measured.nearest)
    covered = np.where(np.isnan(distance_m), 0.0, (distance_m <= radius_m).astype("float64"))
    raw_2, raw_e = point_scores(
        measured, population, supply_values(points, capacity_col), steps=steps
    )
    result = pd.DataFrame(
        {
            "district_code": codes,
            "demand": np.bincount(groups, weights=population, minlength=n),
            "nearest_m": _weighted(distance_m, population, groups, n),
            "coverage": _weighted(covered, population, groups, n),
        }
    )
    for name, raw in (("2sfca", raw_2), ("e2sfca", raw_e)):
        # A resource that only zero-demand points reach has an undefined ratio (supply / 0):
        # those points' access is NaN and stays out of the city mean.
        raw = np.where(np.isfinite(raw), raw, np.nan)
        known = ~np.isnan(raw)
        total = population[known].sum()
        district_raw = _weighted(raw, population, groups, n)
        mean = float((raw[known] * population[known]).sum() / total) if total > 0 else 0.0
        result[name] = district_raw / mean if mean > 0 else np.nan
        result[f"{name}_raw"] = district_raw
    return result[
        [
            "district_code",
            "demand",
            "nearest_m",
            "coverage",
            "2sfca",
            "e2sfca",
            "2sfca_raw",
            "e2sfca_raw",
        ]
    ]
