"""The analyses of a database's contents, ready for the CLI, the pages and the notebooks.

Each function takes an :class:`AnalysisData` (every frame the analyses need, loaded once with
:meth:`AnalysisData.from_store`) and returns one row per district keyed by ``district_code`` and
``district_name`` (supply: per district and category). Inputs that do not exist (an indicator, a
category, a year, residents of a district) raise :class:`~mapping.errors.NotFoundError` or
:class:`~mapping.errors.ValidationError` naming what is missing and what exists.

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
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.access import DEFAULT_STEPS
from mapping.errors import NotFoundError, ValidationError, msg
from mapping.indicators import IndicatorRegistry, NeedsIndex, Smoothing, needs_index
from mapping.population import DEFAULT_GRID_M, Demand, demand_access, demand_points
from mapping.ranking import DEFAULT_TOP, METHOD_VERSION, gaps, rank_target_areas
from mapping.supply import CategorySupply, category_supply, supply_per_district

if TYPE_CHECKING:
    from mapping.db.store import Bind

Method = Literal["zscore", "imd"]

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
class AnalysisData:
    """Every frame the analyses read (see :mod:`mapping.frames`)."""

    districts: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    categories: pd.DataFrame
    registry: IndicatorRegistry
    values: pd.DataFrame
    #: Which data this is (the live data's version, or an edition and its digest), for the
    #: ``meta`` of outputs (:func:`mapping.method.method_meta`); None when not known.
    version: str | None = field(default=None, compare=False)
    #: Population surfaces (``year``, ``lon``, ``lat``, ``population``; :mod:`mapping.population`);
    #: None (an edition, which freezes none) measures access from the residents on a grid.
    population: pd.DataFrame | None = field(default=None, compare=False)

    @classmethod
    def from_store(cls, bind: Bind) -> AnalysisData:
        """Load everything from a palmap database (an Engine or a Connection)."""
        from mapping.db import population, store

        store.require_schema(bind)
        return cls(
            districts=store.load_districts(bind),
            resources=store.load_resources(bind),
            categories=store.load_categories(bind),
            registry=IndicatorRegistry(store.load_indicators(bind)),
            values=store.load_indicator_values(bind),
            version=f"live data, version {store.data_version(bind)}",
            population=population.load_population(bind),
        )

    @classmethod
    def from_edition(cls, bind: Bind, code: str) -> AnalysisData:
        """Load the frozen data of the published edition ``code`` (:mod:`mapping.editions`)."""
        from mapping.db import editions

        edition, parts = editions.load_parts(bind, code)
        return cls(
            districts=parts["districts"],
            resources=parts["resources"],
            categories=parts["categories"],
            registry=IndicatorRegistry(parts["indicators"]),
            values=parts["values"],
            version=f"edition {edition.code}, digest {edition.digest}",
        )

    @property
    def years(self) -> list[int]:
        """Years with at least one indicator value, ascending."""
        return sorted(int(y) for y in self.values["year"].unique())

    def require_year(self, year: int) -> int:
        """Return ``year`` if it has data, else raise NotFoundError listing the years that do."""
        if int(year) not in self.years:
            known = ", ".join(map(str, self.years)) or "none (import indicator values first)"
            raise NotFoundError(f"expected a year with data, got {year}; years with data: {known}")
        return int(year)

    def require_category(self, code: str | None) -> str | None:
        """Return ``code`` if it is a known category (or None), else raise NotFoundError."""
        known = list(self.categories["code"])
        if code is not None and code not in known:
            raise NotFoundError(
                f"expected a resource category code, got {code!r}; known: {', '.join(known)}"
            )
        return code

    def indicator_for_year(self, code: str, year: int) -> pd.Series:
        """Values of one indicator for one year per district; every district must have one."""
        self.registry[code]  # NotFoundError listing the known codes
        year = self.require_year(year)
        rows = self.values[(self.values["indicator"] == code) & (self.values["year"] == year)]
        series = rows.set_index("district_code")["value"]
        missing = sorted(set(self.districts["code"]) - set(series.dropna().index))
        if missing:
            raise ValidationError(
                f"expected {code} for every district in {year}, got none for "
                f"{', '.join(missing)}; import {code} values for those districts"
            )
        return series

    def needs_codes(self) -> list[str]:
        """Indicators of need: those where a larger value means more need."""
        return [c for c in self.registry.codes if self.registry[c].higher_is_more_need]

    def with_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with ``district_name`` inserted after ``district_code``."""
        names = dict(zip(self.districts["code"], self.districts["name"], strict=True))
        frame = frame.copy()
        position = list(frame.columns).index("district_code") + 1
        frame.insert(position, "district_name", frame["district_code"].map(names))
        return frame


def parse_weights(text: str | None) -> dict[str, float]:
    """Parse ``code=w,code=w`` into a dictionary.

    Examples
    --------
    >>> parse_weights("social_assistance=2, long_term_unemployed=1")
    {'social_assistance': 2.0, 'long_term_unemployed': 1.0}
    >>> parse_weights("a=x")
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: expected weights as code=number, got 'a=x'; \
for example social_assistance=2,long_term_unemployed=1
    """
    weights: dict[str, float] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        code, sep, number = part.partition("=")
        try:
            if not sep:
                raise ValueError(part)
            weights[code.strip()] = float(number)
        except ValueError:
            raise ValidationError(
                f"expected weights as code=number, got {part!r}; "
                "for example social_assistance=2,long_term_unemployed=1"
            ) from None
    return weights


def _weights(data: AnalysisData, weights: Mapping[str, float] | None) -> dict[str, float]:
    """The given weights (each code checked), or equal weights on every needs indicator."""
    if weights:
        for code in weights:
            data.registry[code]
        return dict(weights)
    codes = data.needs_codes()
    if not codes:
        raise NotFoundError(
            "expected at least one needs indicator (higher_is_more_need true), got none; "
            f"known indicators: {', '.join(data.registry.codes) or 'none'}"
        )
    return dict.fromkeys(codes, 1.0)


def supply_table(data: AnalysisData, *, year: int, category: str | None = None) -> pd.DataFrame:
    """Resources per district and category: count, capacity, per 1,000 residents, per km².

    Long format; resources outside every district appear with an empty ``district_code``.
    """
    data.require_category(category)
    residents = data.indicator_for_year("residents", year)
    categories = [category] if category else list(data.categories["code"])
    table = supply_per_district(
        data.resources, data.districts, residents=residents, categories=categories
    )
    return data.with_names(table)


def needs_table(
    data: AnalysisData,
    *,
    year: int,
    weights: Mapping[str, float] | None = None,
    method: Method = "zscore",
    smoothing: Smoothing = "eb",
    domain_weights: Mapping[str, float] | None = None,
) -> NeedsIndex:
    """The composite needs index (default: equal weights on every needs indicator; empirical
    Bayes rates, ``smoothing="none"`` for raw rates; a domain weighs the mean weight of its
    indicators unless ``domain_weights`` says otherwise)."""
    data.require_year(year)
    index = needs_index(
        data.values,
        data.registry,
        year=year,
        weights=_weights(data, weights),
        method=method,
        smoothing=smoothing,
        domain_weights=domain_weights,
    )
    return index


def correlations_table(
    data: AnalysisData,
    *,
    year: int,
    weights: Mapping[str, float] | None = None,
    method: Method = "zscore",
) -> tuple[pd.DataFrame, NeedsIndex]:
    """Pearson and Spearman correlation of each pair of the index's weighted indicators (their
    rates as the index uses them), with ``same_domain`` and ``warning`` (above
    :data:`~mapping.indicators.domains.CORRELATION_WARNING`); and the index itself.
    The one computation behind ``palmap analyse correlations`` and the target-area page."""
    from mapping.indicators.domains import correlation_table

    index = needs_table(data, year=year, weights=weights, method=method)
    codes = [c for c, w in index.weights.items() if w > 0]
    table = correlation_table(index.inputs[codes])
    same = [
        index.domains.get(a) == index.domains.get(b)
        for a, b in zip(table["first"], table["second"], strict=True)
    ]
    table.insert(2, "same_domain", same)
    return table, index


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
) -> AccessCategories:
    """2SFCA/E2SFCA of each category in its own unit, and the weights that combine them.

    With ``category``: that category alone. Without: every category with a resource that has a
    point and that some district reaches (score defined), weighted by ``category_weights``
    (equal when None); the others are in ``left_out`` with the reason.
    """
    data.require_category(category)
    if category is not None and category_weights:
        raise ValidationError(
            msg("expected either a category or category weights, got both; drop one of them")
        )
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
    return AccessCategories(
        category=category,
        supplies=tuple(s for s in supplies if s.code in weights),
        weights=weights,
        left_out=left_out,
        scores={code: scores[code] for code in weights},
        demand=located,
    )


def _weighted_mean(
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
) -> pd.DataFrame:
    """Access per district from where people live (:func:`demand_for`): demand, nearest metres
    and coverage of residents within ``radius_m`` (population-weighted), 2SFCA, E2SFCA.

    With ``category``, the scores of that category (its capacities, in its unit). Without, the
    :data:`COMBINATION` of every category's scores (see the module's "Units that add up"), with
    ``category_weights`` (equal when None); ``nearest_m`` and ``coverage`` then measure to any
    resource of the categories used. ``categories`` reuses an :func:`access_categories` result
    computed with the same settings.
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
        )
    first = next(iter(categories.scores.values()))
    scores = first[["district_code", "demand"]].copy()
    for column in ("2sfca", "e2sfca"):
        scores[column] = _weighted_mean(categories.scores, categories.weights, column)
    used = data.resources[data.resources["category"].isin(categories.codes)]
    points = categories.demand.points
    reach = demand_access(data.districts, used, points, radius_m=radius_m, steps=steps)
    table = scores.merge(reach[["district_code", "nearest_m", "coverage"]])
    table = table[["district_code", "demand", "nearest_m", "coverage", "2sfca", "e2sfca"]]
    return data.with_names(table.sort_values("district_code").reset_index(drop=True))


def demand_for(
    data: AnalysisData, *, year: int, demand: str = "residents", grid_m: float = DEFAULT_GRID_M
) -> Demand:
    """The demand points of ``year``: the imported population surface of that year, else the
    ``demand`` indicator spread over a ``grid_m`` grid (:mod:`mapping.population`)."""
    data.require_year(year)
    values = data.indicator_for_year(demand, year)
    return demand_points(
        data.districts,
        values,
        population=data.population if demand == "residents" else None,
        year=year,
        cell_m=grid_m,
    )


def gaps_table(
    data: AnalysisData,
    *,
    year: int,
    weights: Mapping[str, float] | None = None,
    method: Method = "zscore",
    category: str | None = None,
    category_weights: Mapping[str, float] | None = None,
    access_col: Literal["2sfca", "e2sfca", "coverage", "nearest_m"] = "e2sfca",
    categories: AccessCategories | None = None,
) -> pd.DataFrame:
    """Needs rank against access rank with quadrant labels (split at the medians).

    Access is :func:`access_table`'s: one category's, or the categories combined.
    """
    index = needs_table(data, year=year, weights=weights, method=method)
    access = access_table(
        data,
        year=year,
        category=category,
        category_weights=category_weights,
        categories=categories,
    )
    table = gaps(
        index.scores,
        access,
        access_col=access_col,
        higher_is_better=access_col != "nearest_m",
    )
    return data.with_names(table.sort_values("district_code").reset_index(drop=True))


def supply_term(
    data: AnalysisData,
    *,
    year: int,
    category: str | None = None,
    category_weights: Mapping[str, float] | None = None,
) -> pd.Series:
    """Supply per district for the ranking (higher = more), indexed by district code.

    With ``category``: its resources per 1,000 residents. Without: for each category with a
    resource in a district, its resources per 1,000 residents divided by the city's (1.0 = the
    city's rate of that category), averaged with the category weights (equal when None), so
    that a category with many small resources does not outweigh one with few large ones.
    """
    table = supply_table(data, year=year, category=category)
    table = table[table["district_code"].notna()]
    if category is not None:
        return table.groupby("district_code")["per_1000"].sum()
    residents = data.indicator_for_year("residents", year).astype("float64")
    counts = table.pivot(index="district_code", columns="category", values="count")
    per_1000 = table.pivot(index="district_code", columns="category", values="per_1000")
    city = counts.sum() * 1000.0 / float(residents.reindex(counts.index).sum())
    usable = sorted(str(c) for c in city.index[city > 0])
    weights = category_weights_for(data, category_weights, usable=usable)
    ratios = {code: (per_1000[code] / city[code]).to_frame("ratio") for code in weights}
    return pd.Series(_weighted_mean(ratios, weights, "ratio"), index=per_1000.index)


def rank_table(
    data: AnalysisData,
    *,
    year: int,
    weights: Mapping[str, float],
    method: Method = "zscore",
    runs: int | None = None,
    seed: int = 0,
    category: str | None = None,
    category_weights: Mapping[str, float] | None = None,
    access_weight: float = 0.0,
    supply_weight: float = 0.0,
    top: int = DEFAULT_TOP,
    domain_weights: Mapping[str, float] | None = None,
    method_version: int = METHOD_VERSION,
) -> pd.DataFrame:
    """Target-area ranking (rank 1 = highest priority) with its sensitivity interval.

    ``access_weight`` adds poor E2SFCA access to ``category`` as a term, ``supply_weight`` few
    resources of that category per 1,000 residents; without a category both combine the
    categories' own scores (:func:`access_table`, :func:`supply_term`), never their sums.
    ``top``, ``domain_weights`` and ``method_version`` go to
    :func:`mapping.ranking.rank_target_areas`.
    """
    if not weights:
        raise ValidationError(
            "expected weights such as social_assistance=2,long_term_unemployed=1, got none; "
            f"needs indicators: {', '.join(data.needs_codes())}"
        )
    weights = _weights(data, weights)
    data.require_year(year)
    data.require_category(category)
    if category is not None and category_weights:
        raise ValidationError(
            msg("expected either a category or category weights, got both; drop one of them")
        )
    access = supply = None
    if access_weight > 0:
        table = access_table(data, year=year, category=category, category_weights=category_weights)
        access = table.set_index("district_code")["e2sfca"]
    if supply_weight > 0:
        supply = supply_term(data, year=year, category=category, category_weights=category_weights)
    ranking = rank_target_areas(
        data.values,
        data.registry,
        year=year,
        weights=weights,
        method=method,
        access=access,
        access_weight=access_weight,
        supply=supply,
        supply_weight=supply_weight,
        runs=runs,
        seed=seed,
        top=top,
        domain_weights=domain_weights,
        method_version=method_version,
    )
    return data.with_names(ranking)
