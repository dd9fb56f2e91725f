"""The analyses of a database's contents, ready for the CLI, the pages and the notebooks.

Each function takes an :class:`AnalysisData` (every frame the analyses need, loaded once with
:meth:`AnalysisData.from_store`) and returns one row per district keyed by ``district_code`` and
``district_name`` (supply: per district and category). Inputs that do not exist (an indicator, a
category, a year, residents of a district) raise :class:`~mapping.errors.NotFoundError` or
:class:`~mapping.errors.ValidationError` naming what is missing and what exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import pandas as pd

from mapping.access import DEFAULT_STEPS
from mapping.errors import NotFoundError, ValidationError
from mapping.indicators import IndicatorRegistry, NeedsIndex, needs_index
from mapping.population import DEFAULT_GRID_M, Demand, demand_access, demand_points
from mapping.ranking import gaps, rank_target_areas
from mapping.supply import supply_per_district

if TYPE_CHECKING:
    from mapping.db.store import Bind

Method = Literal["zscore", "imd"]

#: Radius of the ``coverage`` column of :func:`access_table` (metres): a 5-7 minute walk.
DEFAULT_COVERAGE_RADIUS_M = 500.0


@dataclass(frozen=True)
class AnalysisData:
    """Every frame the analyses read (see :mod:`mapping.frames`)."""

    districts: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    categories: pd.DataFrame
    registry: IndicatorRegistry
    values: pd.DataFrame
    #: Population surfaces (``year``, ``lon``, ``lat``, ``population``; :mod:`mapping.population`);
    #: None (an edition, which freezes none) measures access from the residents on a grid.
    population: pd.DataFrame | None = None

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
            population=population.load_population(bind),
        )

    @classmethod
    def from_edition(cls, bind: Bind, code: str) -> AnalysisData:
        """Load the frozen data of the published edition ``code`` (:mod:`mapping.editions`)."""
        from mapping.db import editions

        _edition, parts = editions.load_parts(bind, code)
        return cls(
            districts=parts["districts"],
            resources=parts["resources"],
            categories=parts["categories"],
            registry=IndicatorRegistry(parts["indicators"]),
            values=parts["values"],
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
) -> NeedsIndex:
    """The composite needs index (default: equal weights on every needs indicator)."""
    data.require_year(year)
    index = needs_index(
        data.values, data.registry, year=year, weights=_weights(data, weights), method=method
    )
    return index


def access_table(
    data: AnalysisData,
    *,
    year: int,
    category: str | None = None,
    demand: str = "residents",
    radius_m: float = DEFAULT_COVERAGE_RADIUS_M,
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
    grid_m: float = DEFAULT_GRID_M,
) -> pd.DataFrame:
    """Access per district from where people live (:func:`demand_for`): demand, nearest metres
    and coverage of residents within ``radius_m`` (population-weighted), 2SFCA, E2SFCA."""
    data.require_category(category)
    points = demand_for(data, year=year, demand=demand, grid_m=grid_m).points
    table = demand_access(
        data.districts, data.resources, points, radius_m=radius_m, category=category, steps=steps
    )
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
    access_col: Literal["2sfca", "e2sfca", "coverage", "nearest_m"] = "e2sfca",
) -> pd.DataFrame:
    """Needs rank against access rank with quadrant labels (split at the medians)."""
    index = needs_table(data, year=year, weights=weights, method=method)
    access = access_table(data, year=year, category=category)
    table = gaps(
        index.scores,
        access,
        access_col=access_col,
        higher_is_better=access_col != "nearest_m",
    )
    return data.with_names(table.sort_values("district_code").reset_index(drop=True))


def rank_table(
    data: AnalysisData,
    *,
    year: int,
    weights: Mapping[str, float],
    method: Method = "zscore",
    runs: int = 1000,
    seed: int = 0,
    category: str | None = None,
    access_weight: float = 0.0,
    supply_weight: float = 0.0,
) -> pd.DataFrame:
    """Target-area ranking (rank 1 = highest priority) with its sensitivity interval.

    ``access_weight`` adds poor E2SFCA access to ``category`` (all resources if None) as a term;
    ``supply_weight`` adds few resources of that category per 1,000 residents.
    """
    if not weights:
        raise ValidationError(
            "expected weights such as social_assistance=2,long_term_unemployed=1, got none; "
            f"needs indicators: {', '.join(data.needs_codes())}"
        )
    weights = _weights(data, weights)
    data.require_year(year)
    access = supply = None
    if access_weight > 0:
        table = access_table(data, year=year, category=category)
        access = table.set_index("district_code")["e2sfca"]
    if supply_weight > 0:
        table = supply_table(data, year=year, category=category)
        table = table[table["district_code"].notna()]
        supply = table.groupby("district_code")["per_1000"].sum()
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
    )
    return data.with_names(ranking)
