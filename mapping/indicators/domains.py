"""Domains of deprivation: indicators grouped, combined within their domain, and domains combined.

Correlated indicators of one kind (three measures of social assistance, say) would count several
times in a plain weighted sum. As in the English Indices of Deprivation, indicators are grouped
into *domains*; each domain gets one score and one weight, whatever the number of its
indicators. The method (McLennan et al., *The English Indices of Deprivation 2019: Technical
report*, MHCLG 2019, "combining the domains"; the transform is the one of the Scottish Indices
of Deprivation 2003, appendix 5, and of every English index since 2000):

1. Each indicator is standardised, direction aware (larger = more need). For ``imd``: ranked
   (ties share their average rank) and turned into normal scores ``Phi^-1((rank - 0.5) / N)``,
   the "rank and transform to a normal distribution" the Indices use before combining the
   indicators of a domain; for ``zscore`` and ``minmax``: :func:`~mapping.indicators.normalise`.
2. Within a domain the standardised indicators are combined with their (within-domain) weights:
   the domain score.
3. The domain score is ranked and transformed. For ``imd``: ``R = rank / N`` (1 for the most
   deprived) and ``X = -23 ln(1 - R (1 - exp(-100/23)))``, from about 0 to 100, 10% of the
   districts above 50 (:func:`~mapping.indicators.exponential_transform`), so that a good domain
   cannot fully offset a bad one. For ``zscore``: the domain score's z-score; for ``minmax``:
   its min-max score (so that every domain has the same spread).
4. The index is the weighted sum of the transformed domain scores, the domain weights
   normalised to sum to 1.

An indicator without a domain is a domain of its own (its code), so a registry without domains
gives the per-indicator index. The default domain weight is the mean of the positive weights of
the domain's indicators: one-indicator domains keep the indicator's weight, and three equally
weighted indicators of one domain count once, not three times. Explicit domain weights replace
that default.

:func:`correlation_table` flags pairs of indicators of one index that correlate (Spearman)
above :data:`CORRELATION_WARNING`: they measure nearly the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd

from mapping.errors import ValidationError, msg
from mapping.indicators.normalisation import IMD_SCALE, RANK_DECIMALS, normalise
from mapping.indicators.registry import DOMAIN_PATTERN, check_domain

__all__ = [
    "CORRELATION_WARNING",
    "DEFAULT_DOMAINS",
    "DOMAIN_PATTERN",
    "Method",
    "check_domain",
    "correlation_table",
    "domain_weights",
    "domains_of",
    "standardise",
    "transform_rows",
    "weighted_domains",
]

Method = Literal["zscore", "minmax", "imd"]

#: The default grouping of the demo (code -> Polish name, English name).
DEFAULT_DOMAINS: dict[str, tuple[str, str]] = {
    "income": ("dochody i pomoc społeczna", "income and assistance"),
    "labour": ("praca", "labour"),
    "children": ("dzieci i rodzina", "children and family"),
    "disability": ("niepełnosprawność", "disability"),
}

#: Two indicators of one index whose Spearman correlation exceeds this are flagged.
CORRELATION_WARNING: float = 0.8


def domains_of(codes: Sequence[str], declared: Mapping[str, str | None]) -> dict[str, str]:
    """Each indicator's domain: the declared one, or its own code.

    >>> domains_of(["a", "b", "c"], {"a": "income", "b": "income"})
    {'a': 'income', 'b': 'income', 'c': 'c'}
    """
    return {code: declared.get(code) or code for code in codes}


def domain_weights(
    weights: Mapping[str, float],
    domains: Mapping[str, str],
    explicit: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Domain weights (not normalised): ``explicit`` where given, else the mean of the positive
    weights of the domain's indicators (0 for a domain without one).

    >>> domain_weights({"a": 1, "b": 1, "c": 2}, {"a": "x", "b": "x", "c": "c"})
    {'x': 1.0, 'c': 2.0}
    >>> domain_weights({"a": 1, "b": 1, "c": 2}, {"a": "x", "b": "x", "c": "c"}, {"x": 3})
    {'x': 3.0, 'c': 2.0}
    """
    out: dict[str, float] = {}
    for domain in dict.fromkeys(domains[c] for c in weights):
        positive = [float(w) for c, w in weights.items() if domains[c] == domain and w > 0]
        out[domain] = math.fsum(positive) / len(positive) if positive else 0.0
    for domain, weight in (explicit or {}).items():
        if domain not in out:
            raise ValidationError(
                msg(
                    "domain weights: expected domains of the weighted indicators ({known}), "
                    "got {value!r}; name one of them",
                    known=", ".join(out),
                    value=domain,
                )
            )
        number = float(weight)
        if not math.isfinite(number) or number < 0:
            raise ValidationError(
                msg(
                    "domain weights: expected a finite weight >= 0 for {domain}, got {value!r}",
                    domain=domain,
                    value=weight,
                )
            )
        out[domain] = number
    return out


def _normal_scores(series: pd.Series, *, higher_is_more_need: bool) -> pd.Series:
    ranks = normalise(series, method="rank", higher_is_more_need=higher_is_more_need)
    n = int(ranks.notna().sum())
    if n == 0:
        return ranks
    inverse = NormalDist().inv_cdf
    return ranks.map(lambda r: inverse((r - 0.5) / n) if pd.notna(r) else math.nan)


def standardise(series: pd.Series, *, method: Method, higher_is_more_need: bool) -> pd.Series:
    """Step 1: an indicator standardised for combining within its domain (larger = more need).

    >>> s = pd.Series([10.0, 30.0, 20.0], index=["a", "b", "c"])
    >>> standardise(s, method="imd", higher_is_more_need=True).round(4).tolist()
    [-0.9674, 0.9674, 0.0]
    """
    if method == "imd":
        return _normal_scores(series, higher_is_more_need=higher_is_more_need)
    return normalise(series, method=method, higher_is_more_need=higher_is_more_need)


def transform_rows(scores: np.ndarray, method: Method) -> np.ndarray:
    """Step 3 on every row of ``scores`` (runs x districts): the rows' z-scores, min-max scores
    or IMD exponential scores (ranks within the row, ties averaged after rounding to
    :data:`~mapping.indicators.RANK_DECIMALS`).

    >>> transform_rows(np.array([[10.0, 30.0, 20.0]]), "imd").round(3).tolist()
    [[9.177, 100.0, 24.681]]
    >>> transform_rows(np.array([[1.0, 1.0, 1.0]]), "zscore").tolist()
    [[0.0, 0.0, 0.0]]
    """
    x = np.round(np.atleast_2d(np.asarray(scores, dtype="float64")), RANK_DECIMALS)
    if method == "zscore":
        mean = x.mean(axis=1, keepdims=True)
        std = x.std(axis=1, keepdims=True)
        safe = np.where(std > 0, std, 1.0)
        return np.where(std > 0, (x - mean) / safe, 0.0)
    if method == "minmax":
        low = x.min(axis=1, keepdims=True)
        span = x.max(axis=1, keepdims=True) - low
        safe = np.where(span > 0, span, 1.0)
        return np.where(span > 0, (x - low) / safe, 0.5)
    if method == "imd":
        ranks = pd.DataFrame(x).rank(axis=1, method="average").to_numpy()
        r = ranks / x.shape[1]
        out = -IMD_SCALE * np.log1p(-r * (-np.expm1(-100.0 / IMD_SCALE)))
        return np.minimum(out, 100.0)
    raise ValidationError(
        f"expected method 'zscore', 'minmax' or 'imd', got {method!r}; pick one of them"
    )


def weighted_domains(
    standardised: np.ndarray,
    groups: Sequence[Sequence[int]],
    within: np.ndarray,
    between: np.ndarray,
    method: Method,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Steps 2-4 for many weight sets at once.

    Parameters
    ----------
    standardised
        Indicators x districts, standardised (step 1).
    groups
        For each domain, the row numbers of its indicators in ``standardised``.
    within
        Runs x indicators: the indicators' weights (scaled within each domain here).
    between
        Runs x domains: the domains' weights (scaled to sum to 1 here); a domain whose
        indicators all have weight 0 drops out.
    method
        ``zscore``, ``minmax`` or ``imd`` (step 3).

    Returns
    -------
    tuple
        The index (runs x districts) and, per domain, its transformed score (runs x districts).

    Examples
    --------
    Two domains: ``x`` of indicators 0 and 1 (the same measure twice), ``y`` of indicator 2
    (its opposite). Per indicator, ``x`` would count twice; by domains the two cancel out.

    >>> z = np.sqrt(1.5) * np.array([1.0, 0.0, -1.0])  # z-scores of 3, 2, 1
    >>> s = np.vstack([z, z, -z])
    >>> index, _ = weighted_domains(s, [[0, 1], [2]], np.ones((1, 3)), np.ones((1, 2)), "zscore")
    >>> (index.round(6) + 0.0).tolist()
    [[0.0, 0.0, 0.0]]
    """
    runs, n = within.shape[0], standardised.shape[1]
    between = np.array(between, dtype="float64", copy=True)
    transformed: list[np.ndarray] = []
    for d, rows in enumerate(groups):
        w = within[:, list(rows)]
        total = w.sum(axis=1, keepdims=True)
        between[:, d] = np.where(total[:, 0] > 0, between[:, d], 0.0)
        if len(rows) == 1:
            # One indicator: its transform does not depend on the weights (and a z-score's or
            # a min-max score's own z-score or min-max score is itself).
            single = (
                standardised[list(rows)]
                if method in ("zscore", "minmax")
                else transform_rows(standardised[list(rows)], method)
            )
            transformed.append(np.broadcast_to(single, (runs, n)))
            continue
        safe = np.where(total > 0, total, 1.0)
        transformed.append(transform_rows((w / safe) @ standardised[list(rows)], method))
    total_between = between.sum(axis=1, keepdims=True)
    if not (total_between > 0).all():
        raise ValidationError(
            "expected at least one positive weight, got all zero; give an indicator a weight > 0"
        )
    shares = between / total_between
    index = np.zeros((runs, n))
    for d, scores in enumerate(transformed):
        index += shares[:, [d]] * scores
    return index, transformed


def correlation_table(
    frame: pd.DataFrame, *, threshold: float = CORRELATION_WARNING
) -> pd.DataFrame:
    """Pearson and Spearman correlation of every pair of indicators (columns of ``frame``,
    districts as rows), strongest first, with ``warning`` True where either exceeds
    ``threshold`` in absolute value (Pearson is what a sum of z-scores double counts, Spearman
    what a sum of rank-based scores does).

    >>> f = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 4, 6, 9], "c": [4, 1, 3, 2]})
    >>> correlation_table(f).round(4).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'first': 'a', 'second': 'b', 'pearson': 0.9944, 'spearman': 1.0, 'warning': True},
     {'first': 'a', 'second': 'c', 'pearson': -0.4, 'spearman': -0.4, 'warning': False},
     {'first': 'b', 'second': 'c', 'pearson': -0.3891, 'spearman': -0.4, 'warning': False}]
    """
    columns = list(frame.columns)
    numbers = frame.astype("float64")
    pearson = numbers.corr(method="pearson")
    spearman = numbers.corr(method="spearman")
    rows: list[dict[str, Any]] = []
    for i, first in enumerate(columns):
        for second in columns[i + 1 :]:
            pair = [float(m.loc[first, second]) for m in (pearson, spearman)]
            pair = [round(r, 10) if math.isfinite(r) else math.nan for r in pair]
            strongest = max((abs(r) for r in pair if math.isfinite(r)), default=math.nan)
            rows.append(
                {
                    "first": str(first),
                    "second": str(second),
                    "pearson": pair[0],
                    "spearman": pair[1],
                    "warning": bool(math.isfinite(strongest) and strongest > threshold),
                    "_key": strongest if math.isfinite(strongest) else -1.0,
                }
            )
    table = pd.DataFrame(
        rows, columns=["first", "second", "pearson", "spearman", "warning", "_key"]
    )
    order = np.argsort(-table["_key"].to_numpy(dtype="float64"), kind="stable")
    return table.iloc[order].drop(columns="_key").reset_index(drop=True)
