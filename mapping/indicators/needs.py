"""The composite needs index: weighted, direction-aware indicators, ranked, with its explanation.

Weights are given per indicator code, must be >= 0 with a positive sum, and are normalised to
sum to 1 (so ``{"a": 2, "b": 2}`` is the same as ``{"a": 0.5, "b": 0.5}``). Two methods:

* ``zscore``: the weighted mean of the direction-aware z-scores of the rates. It is
  compensatory (a good indicator offsets a bad one one for one) and, because no z-score of
  N districts exceeds ``sqrt(N - 1)`` in absolute value (Samuelson's inequality), it lies in
  ``[-sqrt(N - 1), sqrt(N - 1)]``.
* ``imd``: the method of the English Index of Multiple Deprivation. Each indicator (domain)
  is ranked, 1 = least deprived, ties sharing their average rank; the rank is scaled to
  ``R = rank / N`` (most deprived = 1) and transformed to an exponential distribution
  ``X = -23 * ln(1 - R * (1 - exp(-100 / 23)))``, which runs from about 0 (least deprived)
  to 100 (most deprived) and stretches the deprived end; the index is the weighted sum of the
  ``X``. Because the top of each domain is stretched, a good domain cannot fully offset a bad
  one. The index lies in ``(0, 100]``.

Rank 1 is the highest need; equal indices (within 1e-10, floating-point noise) are ordered by
district code so that the ranking is deterministic. The method, the normalised weights, the
year and the indicators' sources travel with the result (:class:`NeedsIndex`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from mapping.errors import ValidationError
from mapping.indicators.domains import domain_weights as weigh_domains
from mapping.indicators.domains import (
    domains_of,
    standardise,
    weighted_domains,
)
from mapping.indicators.normalisation import (
    exponential_transform,
    normalise,
    normalise_weights,
    rank_descending,
)
from mapping.indicators.registry import IndicatorRegistry
from mapping.indicators.values import Smoothing, rates, values_for_year

__all__ = ["NeedsIndex", "needs_index"]


@dataclass(frozen=True, eq=False)
class NeedsIndex:
    """A composite needs index with everything needed to explain it.

    Attributes
    ----------
    scores
        One row per district, by rank: ``district_code``, ``needs_index``, ``rank`` (1 = the
        highest need) and one column per weighted indicator, named by its code, holding its
        normalised, direction-aware input (z-score or IMD exponential score).
    method
        ``zscore`` or ``imd`` (see the module docstring).
    weights
        Indicator code to weight, normalised to sum to 1.
    year
        The year of the values.
    sources
        Indicator code to the source text of the indicator (and of its denominator for rates).
    use_rates
        Whether the inputs were rates per 1,000 of their denominators or raw values.
    higher_is_more_need
        Indicator code to its direction.
    smoothing
        ``eb`` when the rates were empirical Bayes estimates, ``none`` for raw rates.

    Examples
    --------
    See :func:`needs_index`.
    """

    scores: pd.DataFrame
    method: str
    weights: Mapping[str, float]
    year: int
    sources: Mapping[str, str]
    use_rates: bool = True
    higher_is_more_need: Mapping[str, bool] = field(default_factory=dict)
    smoothing: str = "none"
    #: Indicator code to domain code (an indicator without a domain is its own).
    domains: Mapping[str, str] = field(default_factory=dict)
    #: Domain code to weight, normalised to sum to 1.
    domain_weights: Mapping[str, float] = field(default_factory=dict)
    #: The values the index was computed on (rates or raw values), districts x indicator codes.
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame)

    def explain(self) -> str:
        """A short English paragraph saying how the index was computed."""
        if self.method == "imd":
            how = (
                "the Index of Multiple Deprivation method: each indicator ranked (1 = least "
                "need), the rank scaled to R = rank/N and transformed to "
                "X = -23 ln(1 - R (1 - exp(-100/23))), about 0 to 100, then the weighted sum, "
                "so that a good indicator cannot fully offset a bad one"
            )
        else:
            how = "the weighted mean of direction-aware z-scores (population standard deviation)"
        inputs = "rates per 1,000 of each indicator's denominator" if self.use_rates else "values"
        if self.use_rates:
            inputs += (
                ", smoothed by global empirical Bayes (small districts pulled towards the mean)"
                if self.smoothing == "eb"
                else ", raw (not smoothed)"
            )
        weights = ", ".join(
            f"{code} {weight:.3g}"
            + (
                ""
                if code not in self.higher_is_more_need
                else (
                    " (higher is more need)"
                    if self.higher_is_more_need[code]
                    else " (lower is more need)"
                )
            )
            for code, weight in self.weights.items()
        )
        sources = "; ".join(f"{code}: {text or 'unknown'}" for code, text in self.sources.items())
        grouped = [d for d in self.domain_weights if sum(v == d for v in self.domains.values()) > 1]
        if grouped:
            how += (
                "; indicators of one domain combined first (weights within the domain), the "
                "domain score transformed as one indicator, then the domains weighted: "
                + ", ".join(
                    f"{d} ({', '.join(c for c, v in self.domains.items() if v == d)}) "
                    f"{self.domain_weights[d]:.3g}"
                    for d in self.domain_weights
                )
            )
        return (
            f"Needs index for {self.year} by {how}, computed on {inputs}. Weights, normalised "
            f"to sum to 1: {weights}. Rank 1 is the highest need; ties are ordered by district "
            f"code. Sources: {sources}."
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dictionary (NaN becomes ``None``)."""
        return {
            "year": int(self.year),
            "method": self.method,
            "use_rates": bool(self.use_rates),
            "smoothing": self.smoothing,
            "weights": {k: float(v) for k, v in self.weights.items()},
            "higher_is_more_need": {k: bool(v) for k, v in self.higher_is_more_need.items()},
            "domains": dict(self.domains),
            "domain_weights": {k: float(v) for k, v in self.domain_weights.items()},
            "sources": dict(self.sources),
            "explanation": self.explain(),
            "scores": json.loads(self.scores.to_json(orient="records")),
        }


def _inputs(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    year: int,
    codes: list[str],
    use_rates: bool,
    smoothing: Smoothing,
) -> pd.DataFrame:
    columns = {
        code: (
            rates(values, registry, indicator=code, year=year, smoothing=smoothing)
            if use_rates
            else values_for_year(values, indicator=code, year=year)
        )
        for code in codes
    }
    frame = pd.DataFrame(columns).sort_index()
    frame.index.name = "district_code"
    return frame


def needs_index(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    year: int,
    weights: Mapping[str, float],
    method: Literal["zscore", "imd"] = "zscore",
    use_rates: bool = True,
    smoothing: Smoothing = "eb",
    domains: Mapping[str, str | None] | None = None,
    domain_weights: Mapping[str, float] | None = None,
) -> NeedsIndex:
    """A composite needs index per district from weighted indicators.

    Parameters
    ----------
    values
        The long ``indicator_values`` frame.
    registry
        The indicators (directions, denominators, sources).
    year
        The year of the values.
    weights
        Indicator code to weight (>= 0, positive sum); normalised to sum to 1.
    method
        ``zscore`` (weighted mean of z-scores) or ``imd`` (Index of Multiple Deprivation
        exponential transform); see the module docstring.
    use_rates
        Use :func:`rates` (per 1,000 of the denominator) rather than raw values.
    smoothing
        ``eb`` (the default): the rates are empirical Bayes estimates, so that a small
        district's chance swing does not rank it; ``none``: raw rates.
    domains
        Indicator code to domain code; ``None``: the registry's (an indicator without a domain
        is a domain of its own). See :mod:`mapping.indicators.domains`.
    domain_weights
        Domain code to weight; ``None`` (or a domain left out): the mean of the positive
        weights of the domain's indicators.

    Returns
    -------
    NeedsIndex
        The scores with method, weights, year and sources.

    Raises
    ------
    NotFoundError
        If an indicator is unknown or has no values in ``year``.
    ValidationError
        If the weights are not usable, or a district lacks a value (or a rate) of an indicator
        with a positive weight.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["poverty", "crime"], "name_pl": ["Ubóstwo", "Przestępczość"],
    ...     "name_en": ["Poverty", "Crime"], "unit": ["%", "per 1000"],
    ...     "higher_is_more_need": [True, True], "denominator": [None, None],
    ...     "source": ["MOPS", "Police"]}))
    >>> v = pd.DataFrame({"district_code": ["a", "b", "c"] * 2,
    ...                   "indicator": ["poverty"] * 3 + ["crime"] * 3, "year": 2023,
    ...                   "value": [10, 20, 30, 5, 5, 20]})
    >>> ni = needs_index(v, reg, year=2023, weights={"poverty": 1, "crime": 1})
    >>> ni.weights
    mappingproxy({'poverty': 0.5, 'crime': 0.5})
    >>> ni.scores[["district_code", "rank"]].to_dict("list")
    {'district_code': ['c', 'b', 'a'], 'rank': [1, 2, 3]}
    >>> ni.scores["needs_index"].round(4).tolist()
    [1.3195, -0.3536, -0.9659]
    >>> needs_index(v, reg, year=2023, weights={"poverty": 1}, method="imd").scores[
    ...     "needs_index"].round(3).tolist()
    [100.0, 24.681, 9.177]
    """
    if method not in ("zscore", "imd"):
        raise ValidationError(
            f"expected method 'zscore' or 'imd', got {method!r}; pick one of them"
        )
    norm_weights = normalise_weights(weights, known=registry)
    codes = list(norm_weights)
    raw = _inputs(
        values, registry, year=year, codes=codes, use_rates=use_rates, smoothing=smoothing
    )

    weighted = [c for c in codes if norm_weights[c] > 0]
    holes = [
        f"{code} for {', '.join(raw.index[raw[code].isna()])}"
        for code in weighted
        if raw[code].isna().any()
    ]
    if holes:
        raise ValidationError(
            f"expected a value of every weighted indicator for every district in {year}, got "
            f"none of {'; '.join(holes)}; load the missing values (for a rate, its "
            "denominator must be > 0) or give those indicators weight 0"
        )

    normalised = pd.DataFrame(index=raw.index)
    for code in codes:
        direction = registry[code].higher_is_more_need
        if method == "zscore":
            normalised[code] = normalise(raw[code], method="zscore", higher_is_more_need=direction)
        else:
            normalised[code] = exponential_transform(raw[code], higher_is_more_need=direction)

    declared = domains if domains is not None else {c: registry[c].domain for c in codes}
    by_domain = domains_of(codes, declared)
    # On the scale of the given weights, so that explicit domain weights compare with them.
    weights_of_domains = weigh_domains(
        {c: float(weights[c]) for c in weighted}, by_domain, domain_weights
    )
    order = list(weights_of_domains)
    standardised = np.vstack(
        [
            standardise(
                raw[c], method=method, higher_is_more_need=registry[c].higher_is_more_need
            ).to_numpy(dtype="float64")
            for c in weighted
        ]
    )
    index, _ = weighted_domains(
        standardised,
        [[i for i, c in enumerate(weighted) if by_domain[c] == d] for d in order],
        np.array([[norm_weights[c] for c in weighted]]),
        np.array([[weights_of_domains[d] for d in order]]),
        method,
    )
    index_values = index[0]
    domain_total = math.fsum(weights_of_domains.values())
    district_codes = normalised.index.to_numpy().astype(str)
    ranks = rank_descending(index_values, district_codes)

    scores = pd.DataFrame(
        {"district_code": district_codes, "needs_index": index_values, "rank": ranks}
    )
    for code in codes:
        scores[code] = normalised[code].to_numpy()
    scores = scores.sort_values("rank", kind="stable").reset_index(drop=True)

    sources: dict[str, str] = {}
    for code in codes:
        item = registry[code]
        text = item.source
        if use_rates and item.denominator is not None:
            den = registry[item.denominator]
            text = f"{item.source or 'unknown'}; denominator {den.code}: {den.source or 'unknown'}"
        sources[code] = text
    return NeedsIndex(
        scores=scores,
        method=method,
        weights=MappingProxyType(norm_weights),
        year=int(year),
        sources=MappingProxyType(sources),
        use_rates=use_rates,
        smoothing=smoothing if use_rates else "none",
        higher_is_more_need=MappingProxyType(
            {code: registry[code].higher_is_more_need for code in codes}
        ),
        domains=MappingProxyType(by_domain),
        inputs=raw,
        domain_weights=MappingProxyType(
            {d: w / domain_total for d, w in weights_of_domains.items()}
        ),
    )
