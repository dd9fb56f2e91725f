"""Accessibility of resources from where people live: nearest distance, coverage, 2SFCA, E2SFCA.

One engine measures access: :func:`mapping.population.demand_access` takes *demand points* (an
imported population surface, or each district's residents spread over a regular grid;
:mod:`mapping.population`) and the resources, measures the distances between them
(:mod:`mapping.network_distance`: along the walking network, or the straight line with or
without a detour factor) and scores them here. Distances are metres in EPSG:2180
(:func:`mapping.crs.to_metric`). Only resources with a point take part: a resource known only by
its district has no location to measure from (they are logged and left out;
:func:`mapping.supply.supply_per_district` counts them). A district measured from one point
(its centroid) is a demand point set of one point per district.

Two-step floating catchment area (:func:`point_scores`)
    With demand ``P_i`` at demand point i, supply ``S_j`` at resource j (its capacity where
    known, else 1), distance ``d_ij`` and weight ``W(d)``:

    1. ratio of every resource: ``R_j = S_j / sum_i(P_i * W(d_ij))``;
    2. access of every demand point: ``A_i = sum_j(R_j * W(d_ij))``.

    ``2sfca`` uses ``W = 1`` within the largest step distance and 0 beyond (Luo and Wang 2003);
    ``e2sfca`` uses the distance-decay steps (Luo and Qi 2009), by default
    :data:`DEFAULT_STEPS`: weight 1.0 up to 500 m, 0.68 up to 1,000 m, 0.22 up to 1,500 m and 0
    beyond (the weights of Luo and Qi, on walking distances for a neighbourhood service; each
    step includes its distance). Because ``sum_i P_i A_i = sum_j S_j`` over reachable resources,
    the population-weighted mean of ``A`` is total supply over total demand; the scores are
    divided by that mean, so 1.0 is the city average, 2.0 twice as much supply per person. The
    raw values (supply per person) are kept as ``2sfca_raw`` and ``e2sfca_raw``.

    The sums are pysal ``access``'s (``Access.two_stage_fca`` and
    ``Access.enhanced_two_stage_fca``, which the tests compare with to 1e-9), computed with
    numpy on a sparse cost table: only the demand point x resource pairs within the largest
    step (:class:`mapping.network_distance.Distances`: found with a k-d tree for straight
    distances, with bounded shortest-path searches along the network), so that it stays small
    for large inputs. A point that reaches no resource gets 0. A point whose
    catchment holds a resource that only zero-demand points reach has undefined access (NaN).

Aggregated to districts (:func:`mapping.population.demand_access`)
    ``nearest_m`` is the population-weighted mean distance of a district's demand points to
    their nearest resource, ``coverage`` the share of its residents within ``radius_m`` of a
    resource (not of its area), and 2SFCA/E2SFCA the population-weighted mean of its points'
    scores, divided by the population-weighted city mean as above. A district whose points all
    have population 0 is measured with equal weights on its points.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.crs import METRIC_CRS, to_metric
from mapping.errors import MappingError, ValidationError
from mapping.network_distance import Distances

__all__ = [
    "DEFAULT_STEPS",
    "check_steps",
    "districts_metric",
    "point_scores",
    "point_xy",
    "resource_points",
    "supply_values",
]

logger = logging.getLogger(__name__)

#: Distance-decay steps of E2SFCA: (distance in metres, weight); 0 beyond the last distance.
DEFAULT_STEPS: tuple[tuple[float, float], ...] = ((500.0, 1.0), (1000.0, 0.68), (1500.0, 0.22))


def _require(frame: pd.DataFrame, columns: tuple[str, ...], *, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MappingError(
            f"expected {name} with columns {', '.join(columns)}; missing {', '.join(missing)}"
        )


def districts_metric(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    _require(districts, ("code", "geometry"), name="districts")
    codes = districts["code"].astype(str)
    if districts["code"].isna().any() or codes.duplicated().any():
        raise ValidationError(
            "expected a unique code for every district, got empty or repeated codes; "
            "give every district its own code"
        )
    metric = to_metric(districts[["code", "geometry"]], name="districts").copy()
    metric["code"] = codes.to_numpy()
    return metric.sort_values("code", kind="stable").reset_index(drop=True)


def resource_points(resources: gpd.GeoDataFrame, *, category: str | None) -> gpd.GeoDataFrame:
    """Resources of ``category`` (all when None) that have a point, in EPSG:2180."""
    _require(resources, ("geometry",), name="resources")
    if category is not None:
        _require(resources, ("category",), name="resources")
        resources = resources[resources["category"] == category]
    if len(resources) == 0:
        return gpd.GeoDataFrame(resources.copy(), geometry="geometry", crs=METRIC_CRS)
    metric = to_metric(resources, name="resources")
    geoms = metric.geometry
    has_point = geoms.notna() & ~geoms.is_empty
    if not has_point.all():
        logger.info(
            "%d resource(s)%s without a point left out of the accessibility measures",
            int((~has_point).sum()),
            f" of category {category!r}" if category is not None else "",
        )
    metric = metric[has_point]
    if (metric.geom_type != "Point").any():
        raise ValidationError(
            f"expected resource geometries to be points, got "
            f"{', '.join(sorted(set(metric.geom_type) - {'Point'}))}; "
            "use the centroid (or an entrance point) of each resource"
        )
    return metric


def point_xy(points: gpd.GeoDataFrame) -> np.ndarray:
    return np.column_stack([points.geometry.x.to_numpy(), points.geometry.y.to_numpy()])


def check_steps(steps: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    try:
        clean = tuple((float(d), float(w)) for d, w in steps)
    except (TypeError, ValueError):
        clean = ()
    distances = [d for d, _ in clean]
    ok = (
        bool(clean)
        and all(math.isfinite(d) and d > 0 for d in distances)
        and all(math.isfinite(w) and w >= 0 for _, w in clean)
        and all(a < b for a, b in zip(distances, distances[1:], strict=False))
        and any(w > 0 for _, w in clean)
    )
    if not ok:
        raise ValidationError(
            f"expected steps as (distance in metres, weight) pairs with increasing distances > 0 "
            f"and weights >= 0, got {steps!r}; for example {DEFAULT_STEPS}"
        )
    return clean


def supply_values(points: gpd.GeoDataFrame, capacity_col: str) -> np.ndarray:
    if capacity_col not in points.columns:
        return np.ones(len(points))
    try:
        capacity = pd.to_numeric(points[capacity_col], errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"expected numeric {capacity_col} (or empty), got text; fix the column"
        ) from exc
    if (capacity < 0).any():
        raise ValidationError(f"expected {capacity_col} >= 0, got negative values")
    return capacity.fillna(1.0).to_numpy()


def point_scores(
    distances: Distances,
    demand: np.ndarray,
    supply: np.ndarray,
    *,
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw 2SFCA and E2SFCA (supply per unit of demand) of every origin.

    ``distances`` holds the origin x destination pairs (any kind of distance,
    :class:`mapping.network_distance.Distances`; pairs beyond the last step are left out);
    ``demand`` and ``supply`` the origins' and destinations' values. Origins that reach no
    destination get 0; a destination that only zero-demand origins reach has an infinite or
    undefined ratio, which makes its origins' scores non-finite (the callers treat them as
    undefined).

    The same sums as pysal ``access`` (``Access.two_stage_fca`` and
    ``Access.enhanced_two_stage_fca`` with ``weights.step_fn``), computed with
    :func:`numpy.bincount` over the pairs: pysal applies its weight function row by row, 20 s
    for the two million pairs of a city of 100,000 demand points; tests compare the two to
    1e-9.
    """
    clean_steps = check_steps(steps)
    max_distance = clean_steps[-1][0]
    within = distances.cost <= max_distance
    origin = distances.origin[within]
    dest = distances.dest[within]
    cost = distances.cost[within]
    demand = np.asarray(demand, dtype="float64")
    supply = np.asarray(supply, dtype="float64")
    n, m = distances.n_origins, distances.n_destinations
    step_weight = np.zeros(len(cost))
    for step, step_value in reversed(clean_steps):  # the nearest step that holds a pair wins
        step_weight[cost <= step] = step_value
    scores = []
    for weight in (np.ones(len(cost)), step_weight):
        reached = np.bincount(dest, weights=demand[origin] * weight, minlength=m)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = supply / reached
        used = weight > 0
        with np.errstate(invalid="ignore"):
            scores.append(
                np.bincount(
                    origin[used], weights=ratio[dest[used]] * weight[used], minlength=n
                ).astype("float64")
            )
    return scores[0], scores[1]
