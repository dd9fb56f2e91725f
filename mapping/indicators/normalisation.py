"""Normalisation, the IMD exponential transform, ranking and weights.

Every method of :func:`normalise` is direction aware: after normalising, a larger number always
means more need, whatever the indicator's direction (``higher_is_more_need``).

* ``zscore``: ``(x - mean) / std`` with the population standard deviation (``ddof=0``),
  negated when lower values mean more need. A constant indicator gives 0 everywhere.
* ``minmax``: ``(x - min) / (max - min)`` (or ``(max - x) / (max - min)``), in [0, 1].
  A constant indicator gives 0.5 everywhere.
* ``rank``: 1 for the least need up to N for the most; ties share their average rank.

Missing values stay missing and are left out of the mean, standard deviation, minimum,
maximum and N.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Literal

import numpy as np
import pandas as pd

from mapping.errors import NotFoundError, ValidationError
from mapping.indicators.registry import IndicatorRegistry

__all__ = [
    "IMD_SCALE",
    "RANK_DECIMALS",
    "exponential_transform",
    "normalise",
    "normalise_weights",
    "rank_descending",
]

#: The constant of the IMD exponential transform:
#: ``X = -IMD_SCALE * ln(1 - R * (1 - exp(-100 / IMD_SCALE)))``.
IMD_SCALE: float = 23.0

#: Scores closer than this are tied when ranking (floating-point noise), then ordered by code.
RANK_DECIMALS: int = 10


def normalise(
    series: pd.Series,
    *,
    method: Literal["zscore", "minmax", "rank"],
    higher_is_more_need: bool,
) -> pd.Series:
    """Normalise so that a larger number means more need.

    Parameters
    ----------
    series
        Numeric values (NaN stays NaN and is left out of the statistics).
    method
        ``zscore``, ``minmax`` or ``rank``; see the module docstring.
    higher_is_more_need
        The indicator's direction.

    Returns
    -------
    pandas.Series
        Same index and name as ``series``, float.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
    >>> normalise(s, method="zscore", higher_is_more_need=True).round(4).tolist()
    [-1.2247, 0.0, 1.2247]
    >>> normalise(s, method="minmax", higher_is_more_need=False).tolist()
    [1.0, 0.5, 0.0]
    >>> normalise(s, method="rank", higher_is_more_need=False).tolist()
    [3.0, 2.0, 1.0]
    """
    try:
        x = pd.to_numeric(series, errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"expected numbers to normalise, got {series.dtype}; fix the values"
        ) from exc
    if np.isinf(x).any():
        raise ValidationError("expected finite numbers to normalise, got infinity; fix the values")
    sign = 1.0 if higher_is_more_need else -1.0
    if method == "zscore":
        std = x.std(ddof=0)
        if not std > 0:
            # A constant indicator tells the districts nothing apart: everyone is average.
            return x.where(x.isna(), 0.0)
        return sign * (x - x.mean()) / std
    if method == "minmax":
        low, high = x.min(), x.max()
        if not high > low:
            return x.where(x.isna(), 0.5)
        if higher_is_more_need:
            return (x - low) / (high - low)
        return (high - x) / (high - low)
    if method == "rank":
        return x.rank(method="average", ascending=higher_is_more_need).astype("float64")
    raise ValidationError(
        f"expected method 'zscore', 'minmax' or 'rank', got {method!r}; pick one of them"
    )


def exponential_transform(series: pd.Series, *, higher_is_more_need: bool) -> pd.Series:
    """The Index of Multiple Deprivation transform of one domain, about 0 to 100.

    The values are ranked, 1 = least need (ties share their average rank); ``R = rank / N``;
    ``X = -23 * ln(1 - R * (1 - exp(-100 / 23)))``. The most deprived district gets 100.

    Parameters
    ----------
    series
        Numeric values (NaN stays NaN and does not count in N).
    higher_is_more_need
        The indicator's direction.

    Returns
    -------
    pandas.Series
        Same index and name, float, in ``(0, 100]``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([10.0, 30.0, 20.0], index=["a", "b", "c"])
    >>> exponential_transform(s, higher_is_more_need=True).round(3).tolist()
    [9.177, 100.0, 24.681]
    """
    ranks = normalise(series, method="rank", higher_is_more_need=higher_is_more_need)
    n = int(ranks.notna().sum())
    r = ranks / n if n else ranks
    x = -IMD_SCALE * np.log1p(-r * (-np.expm1(-100.0 / IMD_SCALE)))
    # Rounding can put R = 1 a hair above 100; keep the documented range exact.
    return x.clip(upper=100.0)


def rank_descending(scores: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Ranks 1..N, 1 for the highest score; ties (to :data:`RANK_DECIMALS`) go by code, NaN last.

    Examples
    --------
    >>> import numpy as np
    >>> rank_descending(np.array([1.0, 3.0, 1.0, np.nan]), np.array(["b", "c", "a", "d"])).tolist()
    [3, 1, 2, 4]
    """
    rounded = np.round(np.asarray(scores, dtype="float64"), RANK_DECIMALS)
    codes = np.asarray(codes).astype(str)
    # lexsort: the last key is the primary one; NaN sorts last in ascending order.
    order = np.lexsort((codes, -rounded))
    ranks = np.empty(len(order), dtype="int64")
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def normalise_weights(
    weights: Mapping[str, float], *, known: IndicatorRegistry | Collection[str] | None = None
) -> dict[str, float]:
    """Check weights (finite, >= 0, positive sum) and scale them to sum to 1.

    ``known``, if given, is an :class:`IndicatorRegistry` (or a collection of codes) that every
    code must be in.

    Examples
    --------
    >>> normalise_weights({"a": 2, "b": 6})
    {'a': 0.25, 'b': 0.75}
    """
    if not isinstance(weights, Mapping) or not weights:
        raise ValidationError(
            f"expected weights as a non-empty mapping of indicator code to weight, got "
            f"{weights!r}; pass for example {{'unemployed': 1.0}}"
        )
    if known is not None:
        unknown = [c for c in weights if c not in known]
        if unknown:
            codes = known.codes if isinstance(known, IndicatorRegistry) else known
            raise NotFoundError(
                f"expected weights for known indicators, got unknown {', '.join(unknown)}; "
                f"known indicators: {', '.join(sorted(codes))}"
            )
    clean: dict[str, float] = {}
    for code, weight in weights.items():
        try:
            number = float(weight)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0:
            raise ValidationError(
                f"expected a finite weight >= 0 for {code!r}, got {weight!r}; fix the weight"
            )
        clean[str(code)] = number
    total = math.fsum(clean.values())
    if not total > 0:
        raise ValidationError(
            "expected at least one positive weight, got all zero; give an indicator a weight > 0"
        )
    return {code: weight / total for code, weight in clean.items()}
