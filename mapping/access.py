"""Accessibility of resources from districts: nearest distance, coverage, 2SFCA and E2SFCA.

Every measure is straight-line ("as the crow flies") in metres, measured in EPSG:2180
(:func:`mapping.crs.to_metric`); there is no street network. Only resources with a point take
part: a resource known only by its district has no location to measure from (they are logged and
left out; :func:`mapping.supply.supply_per_district` counts them).

Population point
    Each district's people are represented by one point: the district's centroid (computed in
    EPSG:2180), unless ``population_points`` gives a better one (for example a population-weighted
    centre), as a GeoSeries indexed by district code covering every district.

Nearest distance (:func:`nearest_distance`)
    From the population point to the nearest resource, anywhere (not only inside the district).

Coverage (:func:`coverage`)
    The share, 0 to 1, of the district's area that lies within ``radius_m`` of a resource,
    anywhere. Circles are drawn with 32 segments per quarter (area error below 0.1 %).

Two-step floating catchment area (:func:`fca`)
    With demand ``P_i`` at district i's population point, supply ``S_j`` at resource j (its
    capacity where known, else 1), distance ``d_ij`` and weight ``W(d)``:

    1. ratio of every resource: ``R_j = S_j / sum_i(P_i * W(d_ij))``;
    2. access of every district: ``A_i = sum_j(R_j * W(d_ij))``.

    ``2sfca`` uses ``W = 1`` within the largest step distance and 0 beyond (Luo and Wang 2003);
    ``e2sfca`` uses the distance-decay steps (Luo and Qi 2009), by default
    :data:`DEFAULT_STEPS`: weight 1.0 up to 500 m, 0.68 up to 1,000 m, 0.22 up to 1,500 m and 0
    beyond (the weights of Luo and Qi, on walking distances for a neighbourhood service; each
    step includes its distance). Because ``sum_i P_i A_i = sum_j S_j`` over reachable resources,
    the population-weighted mean of ``A`` is total supply over total demand; the scores are
    divided by that mean, so 1.0 is the city average, 2.0 twice as much supply per person. The
    raw values (supply per person) are kept as ``2sfca_raw`` and ``e2sfca_raw``.

    The computation uses pysal's ``access`` package (``Access.two_stage_fca`` and
    ``Access.enhanced_two_stage_fca``). The cost table holds only pairs within the largest step,
    found with a k-d tree (:meth:`scipy.spatial.cKDTree.sparse_distance_matrix`), so that it stays
    small for large inputs. A district that reaches no resource gets 0. A district whose
    catchment holds a resource that only zero-demand districts reach has undefined access (NaN).

From where people live (:func:`mapping.population.demand_access`)
    The functions above measure from one point per district. ``demand_access`` measures the
    same four things from demand points (:mod:`mapping.population`: an imported population
    surface, or each district's residents spread over a regular grid) and aggregates them to
    districts weighted by population: ``nearest_m`` is the mean distance of a district's
    residents to their nearest resource, ``coverage`` the share of its residents within
    ``radius_m`` of a resource (not of its area), and 2SFCA/E2SFCA run with every demand point
    as a demand location (pysal ``access``), each district's score the population-weighted mean
    of its points' scores, divided by the population-weighted city mean as above. A district
    whose points all have population 0 is measured with equal weights on its points.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.crs import METRIC_CRS, to_metric
from mapping.errors import CRSError, MappingError, ValidationError

__all__ = [
    "COVERAGE_QUAD_SEGS",
    "DEFAULT_STEPS",
    "check_steps",
    "coverage",
    "districts_metric",
    "fca",
    "nearest_distance",
    "point_scores",
    "point_xy",
    "resource_points",
    "supply_values",
]

logger = logging.getLogger(__name__)

#: Distance-decay steps of E2SFCA: (distance in metres, weight); 0 beyond the last distance.
DEFAULT_STEPS: tuple[tuple[float, float], ...] = ((500.0, 1.0), (1000.0, 0.68), (1500.0, 0.22))

#: Segments per quarter circle of the coverage buffers.
COVERAGE_QUAD_SEGS: int = 32

# access 1.1.10 calls DataFrame.set_index(inplace=True) when it is given an index column; pandas
# 3 deprecates that with a Pandas4Warning (there is no such class before pandas 3).
_PANDAS4_WARNING: type[Warning] = getattr(pd.errors, "Pandas4Warning", FutureWarning)


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


def _population_xy(
    metric_districts: gpd.GeoDataFrame, population_points: gpd.GeoSeries | None
) -> np.ndarray:
    """Easting, northing (m) of every district's population point, in district-code order."""
    if population_points is None:
        centroids = metric_districts.geometry.centroid
        return np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
    if not isinstance(population_points, gpd.GeoSeries):
        raise ValidationError(
            f"expected population_points as a GeoSeries indexed by district code, got "
            f"{type(population_points).__name__}; "
            "build one with geopandas.GeoSeries(points, index=codes, crs=...)"
        )
    if population_points.crs is None:
        raise CRSError(
            "expected population_points with a coordinate reference system, got none; "
            "set it (for example crs=4326)"
        )
    points = population_points.to_crs(METRIC_CRS)
    points.index = points.index.astype(str)
    if points.index.has_duplicates:
        raise ValidationError(
            "expected one population point per district, got repeated district codes; "
            "keep one point per district"
        )
    codes = metric_districts["code"]
    missing = sorted(set(codes) - set(points.index))
    if missing:
        raise ValidationError(
            f"expected a population point for every district, got none for {', '.join(missing)}; "
            "add them, or pass population_points=None to use the centroids"
        )
    ordered = gpd.GeoSeries(points.reindex(codes.to_numpy()))
    if (ordered.isna() | ordered.is_empty | (ordered.geom_type != "Point")).any():
        raise ValidationError(
            "expected population points to be points, got empty or other geometries; "
            "give one point per district"
        )
    return np.column_stack([ordered.x.to_numpy(), ordered.y.to_numpy()])


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


def nearest_distance(
    districts: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    *,
    category: str | None = None,
    population_points: gpd.GeoSeries | None = None,
) -> pd.DataFrame:
    """Straight-line distance from each district's population point to the nearest resource.

    Parameters
    ----------
    districts
        Districts with ``code`` and polygon ``geometry``.
    resources
        Resources with ``geometry`` (points; those without are left out) and ``category``
        when ``category`` is given.
    category
        Only resources of this category code; ``None`` for all.
    population_points
        A point per district, indexed by district code; ``None`` for the centroids.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``nearest_m`` (metres in EPSG:2180; NaN when there is no resource),
        sorted by code.

    Examples
    --------
    Two 2 km x 2 km districts side by side; one resource at the centre of ``a``:

    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> d = gpd.GeoDataFrame({"code": ["a", "b"]},
    ...     geometry=[box(300_000, 400_000, 302_000, 402_000),
    ...               box(302_000, 400_000, 304_000, 402_000)], crs=2180).to_crs(4326)
    >>> r = gpd.GeoDataFrame({"category": ["library"]},
    ...     geometry=[Point(301_000, 401_000)], crs=2180).to_crs(4326)
    >>> nearest_distance(d, r, category="library")["nearest_m"].round(3).tolist()
    [0.0, 2000.0]
    """
    metric = districts_metric(districts)
    origins = _population_xy(metric, population_points)
    points = resource_points(resources, category=category)
    if len(points):
        from scipy.spatial import cKDTree  # imported when used: 0.4 s at start-up otherwise

        distances, _ = cKDTree(point_xy(points)).query(origins, k=1)
    else:
        distances = np.full(len(metric), np.nan)
    return pd.DataFrame(
        {"district_code": metric["code"].to_numpy(), "nearest_m": np.asarray(distances, float)}
    )


def coverage(
    districts: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    *,
    radius_m: float,
    category: str | None = None,
) -> pd.DataFrame:
    """Share of each district's area within ``radius_m`` of a resource.

    Parameters
    ----------
    districts
        Districts with ``code`` and polygon ``geometry``.
    resources
        Resources with point ``geometry`` (those without are left out) and ``category`` when
        ``category`` is given. Resources outside a district still cover its area.
    radius_m
        The radius in metres (> 0).
    category
        Only resources of this category code; ``None`` for all.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``coverage`` (0 to 1), sorted by code.

    Examples
    --------
    A 2 km x 2 km district with a resource at its centre and a radius of 1 km: the circle
    (pi km²) over 4 km²:

    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> d = gpd.GeoDataFrame({"code": ["a"]},
    ...     geometry=[box(300_000, 400_000, 302_000, 402_000)], crs=2180).to_crs(4326)
    >>> r = gpd.GeoDataFrame(geometry=[Point(301_000, 401_000)], crs=2180).to_crs(4326)
    >>> round(float(coverage(d, r, radius_m=1000)["coverage"].iloc[0]), 3)  # pi / 4 = 0.785
    0.785
    """
    if not (isinstance(radius_m, int | float) and math.isfinite(radius_m) and radius_m > 0):
        raise ValidationError(
            f"expected radius_m as a number of metres > 0, got {radius_m!r}; for example 500"
        )
    metric = districts_metric(districts)
    points = resource_points(resources, category=category)
    areas = metric.geometry.area.to_numpy()
    if len(points):
        circles = shapely.buffer(points.geometry.to_numpy(), radius_m, quad_segs=COVERAGE_QUAD_SEGS)
        covered_zone = shapely.union_all(circles)
        covered = shapely.area(shapely.intersection(metric.geometry.to_numpy(), covered_zone))
    else:
        covered = np.zeros(len(metric))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(areas > 0, np.clip(covered / areas, 0.0, 1.0), np.nan)
    return pd.DataFrame({"district_code": metric["code"].to_numpy(), "coverage": share})


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


def _check_demand(demand: pd.Series, codes: np.ndarray) -> np.ndarray:
    if not isinstance(demand, pd.Series):
        raise ValidationError(
            f"expected demand as a pandas Series indexed by district code, got "
            f"{type(demand).__name__}; pass values_for_year(..., indicator='residents', year=Y)"
        )
    index = demand.index.astype(str)
    if index.has_duplicates:
        raise ValidationError(
            "expected one demand value per district, got repeated district codes; keep one"
        )
    try:
        numbers = pd.to_numeric(demand, errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"expected numeric demand, got {demand.dtype}; fix the values"
        ) from exc
    numbers.index = index
    numbers = numbers.reindex(codes)
    missing = [str(c) for c in codes[numbers.isna().to_numpy()]]
    if missing:
        raise ValidationError(
            f"expected demand (for example residents) for every district, got none for "
            f"{', '.join(missing)}; load the missing values for that year"
        )
    values = numbers.to_numpy()
    if (values < 0).any() or not np.isfinite(values).all():
        raise ValidationError("expected demand >= 0 for every district, got negative values")
    return values


def fca(
    districts: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    *,
    demand: pd.Series,
    category: str | None = None,
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
    capacity_col: str = "capacity",
    population_points: gpd.GeoSeries | None = None,
) -> pd.DataFrame:
    """Two-step floating catchment area accessibility (2SFCA and E2SFCA) per district.

    Parameters
    ----------
    districts
        Districts with ``code`` and polygon ``geometry``.
    resources
        Resources with point ``geometry`` (those without are left out), ``category`` when
        ``category`` is given, and optionally ``capacity_col``.
    demand
        Demand per district (residents or another indicator), indexed by district code, >= 0,
        for every district.
    category
        Only resources of this category code; ``None`` for all.
    steps
        E2SFCA distance-decay steps, (distance in metres, weight) with increasing distances; a
        pair within a step's distance (inclusive) gets its weight, beyond the last one 0. The
        last distance is also the 2SFCA catchment. Default :data:`DEFAULT_STEPS`.
    capacity_col
        The supply of a resource; a resource without a known capacity (or without the column)
        counts 1.
    population_points
        A point per district, indexed by district code; ``None`` for the centroids.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``demand``, ``2sfca``, ``e2sfca`` (1.0 = population-weighted city
        average; NaN when the city average is 0 or undefined), ``2sfca_raw``, ``e2sfca_raw``
        (supply per unit of demand), sorted by code.

    Raises
    ------
    ValidationError
        If demand is missing for a district or negative, the steps are not increasing, or a
        capacity is negative.

    Examples
    --------
    Districts ``a`` (100 people) and ``b`` (300 people) 2 km apart, both reaching one resource
    of capacity 10 at 1 km: it serves 400 people, 0.025 per person, the city average; with the
    steps its weight is 0.68 for both, and the answer is the same.

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely import Point, box
    >>> d = gpd.GeoDataFrame({"code": ["a", "b"]},
    ...     geometry=[box(300_000, 400_000, 302_000, 402_000),
    ...               box(302_000, 400_000, 304_000, 402_000)], crs=2180).to_crs(4326)
    >>> r = gpd.GeoDataFrame({"capacity": [10]}, geometry=[Point(302_000, 401_000)],
    ...                      crs=2180).to_crs(4326)
    >>> out = fca(d, r, demand=pd.Series({"a": 100, "b": 300}))
    >>> out[["2sfca_raw", "2sfca", "e2sfca"]].round(4).to_dict("list")
    {'2sfca_raw': [0.025, 0.025], '2sfca': [1.0, 1.0], 'e2sfca': [1.0, 1.0]}
    """
    clean_steps = check_steps(steps)
    metric = districts_metric(districts)
    codes = metric["code"].to_numpy().astype(str)
    demand_values = _check_demand(demand, codes)
    origins = _population_xy(metric, population_points)
    points = resource_points(resources, category=category)
    raw_2, raw_e = point_scores(
        origins,
        demand_values,
        point_xy(points),
        supply_values(points, capacity_col),
        steps=clean_steps,
    )

    result = pd.DataFrame({"district_code": codes, "demand": demand_values})
    for name, raw in (("2sfca", raw_2), ("e2sfca", raw_e)):
        raw = np.where(np.isfinite(raw), raw, np.nan)
        known = ~np.isnan(raw)
        total_demand = demand_values[known].sum()
        mean = (raw[known] * demand_values[known]).sum() / total_demand if total_demand else 0.0
        result[name] = raw / mean if mean > 0 else np.nan
        result[f"{name}_raw"] = raw
    return result[["district_code", "demand", "2sfca", "e2sfca", "2sfca_raw", "e2sfca_raw"]]


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
    origins: np.ndarray,
    demand: np.ndarray,
    destinations: np.ndarray,
    supply: np.ndarray,
    *,
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw 2SFCA and E2SFCA (supply per unit of demand) of every origin, with pysal ``access``.

    ``origins`` and ``destinations`` are (n, 2) arrays of metres; ``demand`` and ``supply`` their
    values. Origins that reach no destination get 0.
    """
    from access import Access, weights

    clean_steps = check_steps(steps)
    max_distance = clean_steps[-1][0]
    raw_2 = np.zeros(len(origins))
    raw_e = np.zeros(len(origins))
    if not len(origins) or not len(destinations):
        return raw_2, raw_e
    from scipy.spatial import cKDTree

    pairs = cKDTree(origins).sparse_distance_matrix(
        cKDTree(destinations), max_distance, output_type="ndarray"
    )
    if not len(pairs):
        return raw_2, raw_e
    ids = np.arange(len(origins))
    cost_df = pd.DataFrame({"origin": pairs["i"], "dest": pairs["j"], "cost": pairs["v"]})
    demand_df = pd.DataFrame({"demand": demand}, index=pd.Index(ids, name="origin_id"))
    supply_df = pd.DataFrame(
        {"supply": supply}, index=pd.Index(np.arange(len(destinations)), name="supply_id")
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=_PANDAS4_WARNING)
        model = Access(
            demand_df=demand_df,
            demand_index=True,
            demand_value="demand",
            supply_df=supply_df,
            supply_index=True,
            supply_value="supply",
            cost_df=cost_df,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
        two = model.two_stage_fca(name="2sfca", max_cost=max_distance)["2sfca_supply"]
        enhanced = model.enhanced_two_stage_fca(
            name="e2sfca", max_cost=max_distance, weight_fn=weights.step_fn(dict(clean_steps))
        )["e2sfca_supply"]
    raw_2 = two.reindex(ids).fillna(0.0).to_numpy(dtype="float64")
    raw_e = enhanced.reindex(ids).fillna(0.0).to_numpy(dtype="float64")
    return raw_2, raw_e
