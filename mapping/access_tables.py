"""Access per district for the analyses (:mod:`mapping.analysis` re-exports everything here).

Units that add up
    A capacity counts places of a gym in one category and places of a day room in another
    (:func:`mapping.supply.category_supply`): access is therefore computed per category, each
    in its own unit, and never on the sum of different categories' capacities. With a
    ``category``, ``2sfca`` and ``e2sfca`` are that category's scores. Without one they are
    :data:`COMBINATION`: each category's score is already unitless (its supply per person
    divided by the city's supply per person of the same category, so 1.0 is the city average of
    that category), and the scores are averaged with the category weights (equal unless
    ``category_weights`` names them). A mean of ratios keeps "1.0 = average" and lets no
    category dominate because its unit happens to count more (a gym's 120 places against a day
    room's 20). ``nearest_m`` and ``coverage`` need no such care (metres and shares): without a
    category they measure to the nearest resource of any category used. The ranking's supply
    term does the same with resources per 1,000 residents (:func:`supply_term`).
    :func:`mapping.method.method_meta` writes down which categories, units and weights were used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mapping.access import DEFAULT_STEPS, point_xy, resource_points
from mapping.analysis_data import AnalysisData
from mapping.errors import ValidationError, msg
from mapping.network_distance import DistanceMode, distance_mode
from mapping.population import DEFAULT_GRID_M, Demand, demand_access, demand_points
from mapping.supply import CategorySupply, category_supply

__all__ = [
    "COMBINATION",
    "DEFAULT_COVERAGE_RADIUS_M",
    "AccessCategories",
    "access_categories",
    "access_table",
    "category_mean",
    "category_weights_for",
    "demand_for",
]

#: Radius of the ``coverage`` column of :func:`access_table` (metres): a 5-7 minute walk.
DEFAULT_COVERAGE_RADIUS_M = 500.0

#: How access without a category combines the categories (also in each output's ``meta``).
COMBINATION = (
    "weighted mean over the categories of each category's own score (its supply per person, "
    "in its own unit, divided by the city's supply per person of that category: 1.0 = the "
    "city average of that category); equal category weights unless given; a category that is "
    "undefined for a district is left out of that district's mean"
)


@dataclass(frozen=True)
class AccessCategories:
    """Which categories an access measure uses, in which unit, with which weight.

    ``scores`` holds each used category's :func:`mapping.population.demand_access` frame (in
    district-code order); ``weights`` the used categories' weights, summing to 1; ``left_out``
    each category not used with the reason.
    """

    category: str | None
    supplies: tuple[CategorySupply, ...]
    weights: dict[str, float]
    left_out: dict[str, str]
    scores: dict[str, pd.DataFrame] = field(repr=False, compare=False)
    #: Where the demand was placed (:func:`demand_for`): the points every score is measured from.
    demand: Demand = field(repr=False, compare=False)
    #: How distances were measured (:func:`mapping.network_distance.distance_mode`).
    mode: DistanceMode = field(default=DistanceMode("straight"), repr=False, compare=False)
    #: The distance used, for the ``meta``: its kind, the detour factor or the network, and the
    #: mean and largest snap distances of the demand points and resources on the network.
    distance: dict = field(default_factory=dict, compare=False)

    @property
    def codes(self) -> list[str]:
        """The categories used, in code order."""
        return [s.code for s in self.supplies]


def _units(data: AnalysisData) -> dict[str, str | None]:
    frame = data.categories
    if "capacity_unit" not in frame.columns:
        return dict.fromkeys(frame["code"].astype(str))
    return {
        str(code): (None if pd.isna(unit) else str(unit))
        for code, unit in zip(frame["code"], frame["capacity_unit"], strict=True)
    }


def category_weights_for(
    data: AnalysisData, weights: Mapping[str, float] | None, *, usable: Sequence[str]
) -> dict[str, float]:
    """Category weights: equal over ``usable`` when ``weights`` is empty, else the given ones
    (each code known, each weight finite and >= 0, a positive sum over usable categories),
    scaled to sum to 1. A category not named gets no weight."""
    if not weights:
        if not usable:
            raise ValidationError(
                msg(
                    "expected resources with a point in at least one category, got none; "
                    "import resources with coordinates (categories: {known})",
                    known=", ".join(map(str, data.categories["code"])) or "none",
                )
            )
        return dict.fromkeys(usable, 1.0 / len(usable))
    clean: dict[str, float] = {}
    for code, weight in weights.items():
        data.require_category(code)
        try:
            number = float(weight)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0:
            raise ValidationError(
                msg(
                    "expected category weights >= 0, got {code}={value}; use 0 to leave a "
                    "category out",
                    code=code,
                    value=weight,
                )
            )
        clean[code] = number
    total = sum(w for code, w in clean.items() if code in usable)
    if total <= 0:
        raise ValidationError(
            msg(
                "expected a positive weight on at least one category with resources, got none; "
                "categories to choose from: {usable}",
                usable=", ".join(usable) or "none (import resources first)",
            )
        )
    return {code: clean[code] / total for code in usable if clean.get(code, 0) > 0}


def access_categories(
    data: AnalysisData,
    *,
    year: int,
    category: str | None = None,
    category_weights: Mapping[str, float] | None = None,
    demand: str = "residents",
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
    grid_m: float = DEFAULT_GRID_M,
    distance: str | None = None,
) -> AccessCategories:
    """2SFCA/E2SFCA of each category in its own unit, and the weights that combine them.

    With ``category``: that category alone. Without: every category with a resource that has a
    point and that some district reaches (score defined), weighted by ``category_weights``
    (equal when None); the others are in ``left_out`` with the reason. ``distance``:
    ``network``, ``detour`` or ``straight``; None for the default, the walking network when
    ``data`` has one, else straight x the detour factor
    (:func:`mapping.network_distance.distance_mode`).
    """
    data.require_category(category)
    if category is not None and category_weights:
        raise ValidationError(
            msg("expected either a category or category weights, got both; drop one of them")
        )
    mode = distance_mode(distance, data.network)
    located = demand_for(data, year=year, demand=demand, grid_m=grid_m)
    units = _units(data)
    codes = [category] if category else sorted(units)
    supplies: list[CategorySupply] = []
    scores: dict[str, pd.DataFrame] = {}
    left_out: dict[str, str] = {}
    for code in codes:
        amounts, how = category_supply(data.resources, code, capacity_unit=units.get(code))
        rows = data.resources.loc[amounts.index].assign(supply_units=amounts)
        frame = demand_access(
            data.districts,
            rows,
            located.points,
            radius_m=DEFAULT_COVERAGE_RADIUS_M,
            category=code,
            steps=steps,
            capacity_col="supply_units",
            distance=mode,
        )
        if category is None and frame["e2sfca"].isna().all():
            left_out[code] = (
                "no resource" if how.resources == 0 else "no resource with a point within reach"
            )
            continue
        supplies.append(how)
        scores[code] = frame
    weights = (
        {category: 1.0}
        if category
        else category_weights_for(data, category_weights, usable=[s.code for s in supplies])
    )
    for code in [s.code for s in supplies if s.code not in weights]:
        left_out[code] = "weight 0"
    used = resource_points(
        data.resources[data.resources["category"].isin(list(weights))], category=None
    )
    described = mode.description() | mode.snap_figures(point_xy(located.points), point_xy(used))
    return AccessCategories(
        category=category,
        supplies=tuple(s for s in supplies if s.code in weights),
        weights=weights,
        left_out=left_out,
        scores={code: scores[code] for code in weights},
        demand=located,
        mode=mode,
        distance=described,
    )


def category_mean(
    frames: Mapping[str, pd.DataFrame], weights: Mapping[str, float], column: str
) -> np.ndarray:
    """Per district, the weighted mean of ``column`` over the categories where it is defined."""
    values = np.column_stack([frames[code][column].to_numpy(dtype="float64") for code in weights])
    w = np.broadcast_to(np.array([weights[code] for code in weights]), values.shape)
    defined = ~np.isnan(values)
    total = np.where(defined, w, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(defined, values * w, 0.0).sum(axis=1) / total
    return np.where(total > 0, mean, np.nan)


def access_table(
    data: AnalysisData,
    *,
    year: int,
    category: str | None = None,
    category_weights: Mapping[str, float] | None = None,
    demand: str = "residents",
    radius_m: float = DEFAULT_COVERAGE_RADIUS_M,
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
    grid_m: float = DEFAULT_GRID_M,
    categories: AccessCategories | None = None,
    distance: str | None = None,
) -> pd.DataFrame:
    """Access per district from where people live (:func:`demand_for`): demand, nearest metres
    and coverage of residents within ``radius_m`` (population-weighted), 2SFCA, E2SFCA.

    With ``category``, the scores of that category (its capacities, in its unit). Without, the
    :data:`COMBINATION` of every category's scores (see the module's "Units that add up"), with
    ``category_weights`` (equal when None); ``nearest_m`` and ``coverage`` then measure to any
    resource of the categories used. ``categories`` reuses an :func:`access_categories` result
    computed with the same settings. ``distance`` as for :func:`access_categories`.
    """
    if categories is None:
        categories = access_categories(
            data,
            year=year,
            category=category,
            category_weights=category_weights,
            demand=demand,
            steps=steps,
            grid_m=grid_m,
            distance=distance,
        )
    first = next(iter(categories.scores.values()))
    scores = first[["district_code", "demand"]].copy()
    for column in ("2sfca", "e2sfca"):
        scores[column] = category_mean(categories.scores, categories.weights, column)
    used = data.resources[data.resources["category"].isin(categories.codes)]
    points = categories.demand.points
    reach = demand_access(
        data.districts, used, points, radius_m=radius_m, steps=steps, distance=categories.mode
    )
    table = scores.merge(reach[["district_code", "nearest_m", "coverage"]])
    table = table[["district_code", "demand", "nearest_m", "coverage", "2sfca", "e2sfca"]]
    return data.with_names(table.sort_values("district_code").reset_index(drop=True))


def demand_for(
    data: AnalysisData, *, year: int, demand: str = "residents", grid_m: float = DEFAULT_GRID_M
) -> Demand:
    """The demand points of ``year``: the imported population surface of that year, else the
    ``demand`` indicator spread over a ``grid_m`` grid (:mod:`mapping.population`), inside the
    imported residential areas when there are any (dasymetric)."""
    data.require_year(year)
    values = data.indicator_for_year(demand, year)
    residential = data.residential
    return demand_points(
        data.districts,
        values,
        population=data.population if demand == "residents" else None,
        year=year,
        cell_m=grid_m,
        residential=None if residential is None else residential.geometry,
    )
