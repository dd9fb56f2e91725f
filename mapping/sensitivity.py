"""The engine of the target-area ranking (:func:`mapping.ranking.rank_target_areas`): the terms,
the two method versions and their sensitivity runs.

Version 2 (:func:`domain_ranking`) scores by domains (:mod:`mapping.indicators.domains`), caps
the access and supply terms at the city median, and runs every combination of normalisation
method and left-out indicator, each with draws of weight factors. Version 1
(:func:`legacy_ranking`) is the method of rankings saved before version 2, kept so that their
justification sheets stay the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from mapping.errors import ValidationError
from mapping.indicators import (
    NeedsIndex,
    exponential_transform,
    normalise,
    normalise_weights,
    rank_descending,
)
from mapping.indicators.domains import Method as DomainMethod
from mapping.indicators.domains import domain_weights as weigh_domains
from mapping.indicators.domains import standardise, transform_rows, weighted_domains

__all__ = [
    "DEFAULT_RUNS",
    "DEFAULT_TOP",
    "METHOD_VERSION",
    "METHOD_VERSIONS",
    "PERTURBATIONS",
    "ROBUST_SHARE",
    "SENSITIVITY_METHODS",
    "RankSettings",
    "Terms",
    "check_weight",
    "domain_ranking",
    "legacy_ranking",
    "ranking_description",
    "term_values",
]


def term_values(series: pd.Series | None, codes: np.ndarray, *, name: str) -> np.ndarray:
    if not isinstance(series, pd.Series):
        raise ValidationError(
            f"expected {name} as a pandas Series indexed by district code (higher = better), got "
            f"{type(series).__name__}; pass for example "
            "access_table(...).set_index('district_code')['e2sfca']"
        )
    try:
        numbers = pd.to_numeric(series, errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"expected numeric {name}, got {series.dtype}") from exc
    numbers.index = series.index.astype(str)
    if numbers.index.has_duplicates:
        raise ValidationError(f"expected one {name} value per district, got repeated codes")
    numbers = numbers.reindex(codes)
    missing = [str(c) for c in codes[~np.isfinite(numbers.to_numpy())]]
    if missing:
        raise ValidationError(
            f"expected a finite {name} value for every district, got none for "
            f"{', '.join(missing)}; compute {name} for every district or give it weight 0"
        )
    return numbers.to_numpy()


def _term(series: pd.Series | None, codes: np.ndarray, *, name: str, method: str) -> pd.Series:
    numbers = pd.Series(term_values(series, codes, name=name), index=codes)
    if method == "imd":
        return exponential_transform(numbers, higher_is_more_need=False)
    return normalise(numbers, method="zscore", higher_is_more_need=False)


def check_weight(value: float, *, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise ValidationError(f"expected {name} >= 0, got {value!r}; use 0 to leave it out")
    return number


#: The version of the ranking method. ``1``: only the weights are perturbed, the access and
#: supply terms are not capped, ``robust`` means a rank interval at most ``robust_width`` wide
#: (a saved ranking without a version is of this method). ``2``: domains, the access and supply
#: terms capped at the city median, weights, normalisation and leave-one-out perturbed,
#: ``robust`` judged on the top-N share.
METHOD_VERSION: int = 2
METHOD_VERSIONS: tuple[int, ...] = (1, 2)
#: Normalisation methods that the sensitivity runs of version 2 go through.
SENSITIVITY_METHODS: tuple[str, ...] = ("zscore", "minmax", "imd")
#: What the sensitivity runs of version 2 perturb.
PERTURBATIONS: tuple[str, ...] = ("weights", "method", "leave_one_out")
#: Runs by default, per method version.
DEFAULT_RUNS: dict[int, int] = {1: 1000, 2: 12000}
#: Version 2: robust when in the top N in at least this share of the runs, or in at most 1 - it.
ROBUST_SHARE: float = 0.9
#: Version 2: the top N of the top-N share.
DEFAULT_TOP: int = 5
#: Domain keys of the access and supply terms (never a domain code: those have no brackets).
ACCESS_DOMAIN, SUPPLY_DOMAIN = "(access)", "(supply)"


@dataclass(frozen=True)
class RankSettings:
    """The options of one ranking (checked by :func:`mapping.ranking.rank_target_areas`)."""

    method: str
    runs: int
    seed: int
    low: float
    high: float
    robust_width: float
    top: int
    perturb: tuple[str, ...]


Terms = Mapping[str, tuple[pd.Series | None, float]]


def _run_ranks(run_scores: np.ndarray) -> np.ndarray:
    """Ranks per row (1 = highest); columns sorted by code, so a stable sort breaks ties by code,
    as :func:`rank_descending` does."""
    order = np.argsort(-np.round(run_scores, 10), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(
        ranks, order, np.broadcast_to(np.arange(1, order.shape[1] + 1), order.shape), axis=1
    )
    return ranks


def _result(
    codes: np.ndarray,
    score: np.ndarray,
    run_ranks: np.ndarray,
    inputs: pd.DataFrame,
    extra: dict[str, np.ndarray],
) -> pd.DataFrame:
    result = pd.DataFrame(
        {
            "district_code": codes,
            "score": score,
            "rank": rank_descending(score, codes),
            "rank_low": np.percentile(run_ranks, 5, axis=0, method="inverted_cdf").astype("int64"),
            "rank_high": np.percentile(run_ranks, 95, axis=0, method="inverted_cdf").astype(
                "int64"
            ),
            **extra,
        }
    )
    result["stability"] = result["stability"].astype(object)
    for column in inputs.columns:
        result[column] = inputs[column].to_numpy()
    return result.sort_values("rank", kind="stable").reset_index(drop=True)


def legacy_ranking(
    index: NeedsIndex, weights: Mapping[str, float], terms: Terms, settings: RankSettings
) -> pd.DataFrame:
    """Method version 1: weights only, uncapped terms, robust = a narrow rank interval."""
    scores = index.scores.sort_values("district_code", kind="stable").reset_index(drop=True)
    codes = scores["district_code"].to_numpy().astype(str)
    raw_weights: dict[str, float] = {str(k): float(v) for k, v in weights.items()}
    inputs = scores[list(raw_weights)].copy()
    for term, (series, weight) in terms.items():
        if series is None:
            continue
        inputs[term] = _term(series, codes, name=term, method=settings.method).to_numpy()
        raw_weights[term] = weight

    all_weights = normalise_weights(raw_weights)
    used = [name for name, weight in all_weights.items() if weight > 0]
    matrix = inputs[used].to_numpy(dtype="float64")  # districts x terms, sorted by code
    base = np.array([all_weights[name] for name in used])
    score = matrix @ base

    rng = np.random.default_rng(settings.seed)
    drawn = base * rng.uniform(settings.low, settings.high, size=(settings.runs, len(used)))
    drawn /= drawn.sum(axis=1, keepdims=True)
    run_ranks = _run_ranks(drawn @ matrix.T)  # runs x districts
    low = np.percentile(run_ranks, 5, axis=0, method="inverted_cdf")
    high = np.percentile(run_ranks, 95, axis=0, method="inverted_cdf")
    stability = np.where(high - low <= settings.robust_width, "robust", "fragile")
    return _result(codes, score, run_ranks, inputs, {"stability": stability})


def _capped(series: pd.Series, codes: np.ndarray, name: str) -> np.ndarray:
    """The raw term, checked, with values above the median set to the median (one-sided:
    surplus in one district cannot outweigh absence in another)."""
    checked = term_values(series, codes, name=name)
    return np.minimum(checked, float(np.median(checked)))


def domain_ranking(
    index: NeedsIndex,
    weights: Mapping[str, float],
    terms: Terms,
    settings: RankSettings,
    explicit: Mapping[str, float] | None,
) -> pd.DataFrame:
    """Method version 2: domains, capped terms, weights + method + leave-one-out runs."""
    scores = index.scores.sort_values("district_code", kind="stable").reset_index(drop=True)
    codes = scores["district_code"].to_numpy().astype(str)
    raw_weights = {str(k): float(v) for k, v in weights.items()}
    names = [c for c, w in raw_weights.items() if w > 0]
    raw = {c: index.inputs[c].reindex(codes).to_numpy(dtype="float64") for c in names}
    direction = {c: bool(index.higher_is_more_need[c]) for c in names}
    domain = {c: index.domains[c] for c in names}
    between = weigh_domains({c: raw_weights[c] for c in names}, domain, explicit)
    within = {c: raw_weights[c] for c in names}
    indicators = list(names)
    inputs = scores[list(raw_weights)].copy()
    extra_terms: list[str] = []
    for term, (series, weight) in terms.items():
        if series is None:
            continue
        key = ACCESS_DOMAIN if term == "access" else SUPPLY_DOMAIN
        raw[term] = _capped(series, codes, term)
        direction[term], domain[term], within[term] = False, key, 1.0
        extra_terms.append(term)
        if weight > 0:
            names.append(term)
            between[key] = weight
    order = [d for d in between if between[d] > 0 or d in {domain[n] for n in names}]
    groups = [[i for i, n in enumerate(names) if domain[n] == d] for d in order]
    base_within = np.array([within[n] for n in names])
    base_between = np.array([between[d] for d in order])

    def matrix(method: str, which: list[str]) -> np.ndarray:
        return np.vstack(
            [
                standardise(
                    pd.Series(raw[n]),
                    method=cast(DomainMethod, method),
                    higher_is_more_need=direction[n],
                ).to_numpy(dtype="float64")
                for n in which
            ]
        )

    base_method: DomainMethod = "imd" if settings.method == "imd" else "zscore"
    score = weighted_domains(
        matrix(base_method, names), groups, base_within[None], base_between[None], base_method
    )[0][0]
    for term in extra_terms:
        inputs[term] = transform_rows(matrix(base_method, [term]), base_method)[0]

    methods = SENSITIVITY_METHODS if "method" in settings.perturb else (base_method,)
    leave: list[int | None] = [None]
    if "leave_one_out" in settings.perturb and len(indicators) >= 2:
        leave += list(range(len(indicators)))
    per = max(1, math.ceil(settings.runs / (len(methods) * len(leave))))
    rng = np.random.default_rng(settings.seed)
    ranks: list[np.ndarray] = []
    for method in methods:
        standardised = matrix(method, names)
        for out in leave:
            w = np.tile(base_within, (per, 1))
            b = np.tile(base_between, (per, 1))
            if "weights" in settings.perturb:
                w *= rng.uniform(settings.low, settings.high, size=w.shape)
                b *= rng.uniform(settings.low, settings.high, size=b.shape)
            if out is not None:
                w[:, out] = 0.0
            run_scores = weighted_domains(standardised, groups, w, b, cast(DomainMethod, method))
            ranks.append(_run_ranks(run_scores[0]))
    run_ranks = np.vstack(ranks)
    share = (run_ranks <= settings.top).mean(axis=0)
    robust = (share >= ROBUST_SHARE) | (share <= 1 - ROBUST_SHARE)
    extra = {"top_share": share, "stability": np.where(robust, "robust", "fragile")}
    return _result(codes, score, run_ranks, inputs, extra)


def ranking_description(
    *,
    method: str,
    top: int = DEFAULT_TOP,
    runs: int | None = None,
    method_version: int = METHOD_VERSION,
) -> dict[str, Any]:
    """The sensitivity settings of a ranking as a JSON-serialisable dict (for output metadata).

    >>> ranking_description(method="zscore")["perturbed"]
    ['weights', 'method', 'leave_one_out']
    """
    version = int(method_version)
    if version == 1:
        return {
            "method_version": 1,
            "runs": int(runs or DEFAULT_RUNS[1]),
            "perturbed": ["weights"],
            "factor_range": [0.5, 1.5],
            "interval": "5th-95th percentile of the ranks over the runs",
            "robust": "rank interval at most 2 places wide",
            "access_term": "z-score or IMD score of access, uncapped",
        }
    return {
        "method_version": version,
        "method": method,
        "runs": int(runs or DEFAULT_RUNS[version]),
        "perturbed": list(PERTURBATIONS),
        "normalisations": list(SENSITIVITY_METHODS),
        "factor_range": [0.5, 1.5],
        "interval": "5th-95th percentile of the ranks over the runs",
        "top": int(top),
        "robust": (
            f"in the top {int(top)} in at least {ROBUST_SHARE:.0%} of the runs, or in at most "
            f"{1 - ROBUST_SHARE:.0%}"
        ),
        "access_term": "access above the city median counts as the median (one-sided)",
    }
