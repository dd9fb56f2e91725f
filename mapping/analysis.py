"""The analyses of a database's contents, ready for the CLI, the pages and the notebooks.

Each function takes an :class:`AnalysisData` (every frame the analyses need, loaded once with
:meth:`AnalysisData.from_store`) and returns one row per district keyed by ``district_code`` and
``district_name`` (supply: per district and category). Inputs that do not exist (an indicator, a
category, a year, residents of a district) raise :class:`~mapping.errors.NotFoundError` or
:class:`~mapping.errors.ValidationError` naming what is missing and what exists.

Access (its categories, units, weights and demand points) is in :mod:`mapping.access_tables`,
re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd

from mapping.access_tables import (
    COMBINATION,
    DEFAULT_COVERAGE_RADIUS_M,
    AccessCategories,
    access_categories,
    access_table,
    category_mean,
    category_weights_for,
    demand_for,
)
from mapping.analysis_data import AnalysisData
from mapping.errors import NotFoundError, ValidationError, msg
from mapping.indicators import NeedsIndex, Smoothing, needs_index
from mapping.ranking import DEFAULT_TOP, METHOD_VERSION, gaps, rank_target_areas
from mapping.supply import supply_per_district

# The analyses' one import, access included (:mod:`mapping.access_tables`).
__all__ = [
    "AccessCategories",
    "AnalysisData",
    "COMBINATION",
    "DEFAULT_COVERAGE_RADIUS_M",
    "Method",
    "access_categories",
    "access_table",
    "category_mean",
    "category_weights_for",
    "correlations_table",
    "demand_for",
    "gaps_table",
    "needs_table",
    "parse_weights",
    "rank_table",
    "supply_table",
    "supply_term",
]

Method = Literal["zscore", "imd"]


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
    distance: str | None = None,
) -> pd.DataFrame:
    """Needs rank against access rank with quadrant labels (split at the medians).

    Access is :func:`access_table`'s: one category's, or the categories combined, with the
    ``distance`` chosen (:func:`mapping.access_tables.access_categories`).
    """
    index = needs_table(data, year=year, weights=weights, method=method)
    access = access_table(
        data,
        year=year,
        category=category,
        category_weights=category_weights,
        categories=categories,
        distance=distance,
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
    return pd.Series(category_mean(ratios, weights, "ratio"), index=per_1000.index)


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
    distance: str | None = None,
) -> pd.DataFrame:
    """Target-area ranking (rank 1 = highest priority) with its sensitivity interval.

    ``access_weight`` adds poor E2SFCA access to ``category`` as a term, ``supply_weight`` few
    resources of that category per 1,000 residents; without a category both combine the
    categories' own scores (:func:`access_table`, :func:`supply_term`), never their sums.
    ``distance``: how access is measured (:func:`access_table`).
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
        table = access_table(
            data,
            year=year,
            category=category,
            category_weights=category_weights,
            distance=distance,
        )
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
