"""Class breaks for choropleth maps (mapclassify schemes), for one year or pooled across years.

A list of breaks is the list of upper bounds of the classes, as mapclassify gives them: the
first class runs from the smallest value up to and including ``breaks[0]``, class i from above
``breaks[i - 1]`` up to and including ``breaks[i]``; the last break is the largest value (or a
user-defined bound above it), so every value falls in a class.

Schemes
    * ``quantiles``: classes with about equal numbers of values. With many repeated values two
      quantiles can coincide; the repeated break is dropped, so fewer than ``k`` breaks come back.
    * ``fisher_jenks``: the optimal breaks that minimise the sum of squared deviations within
      classes (Fisher 1958; Jenks natural breaks). This one scheme is computed here, by the same
      dynamic programme as ``mapclassify.FisherJenks`` but in double precision and vectorised:
      mapclassify's routine sums squares in single precision, so classes whose spread is small
      against their distance from zero blur together (three tight clusters around 59, 182 and
      915 in four classes come back as the unordered [59.1, 182.1, 915.2, 915.2]), and without
      numba it runs in pure Python (about 10 s for 2,500 values). On well-conditioned data both
      give the same breaks (a test checks this). Equal values always share a class.
    * ``equal_interval``: ``k`` classes of equal width between the smallest and largest value.
    * ``user_defined``: the given ``bins`` (increasing); the largest value is added as a last
      break when it lies above them.

Pooled breaks (:func:`pooled_breaks`) are computed on the values of every year together, so that
maps of different years share one legend and a colour means the same in each.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from mapping.errors import MappingError, ValidationError


def _mapclassify() -> Any:
    """mapclassify, imported when first used: it imports matplotlib, scikit-learn and SciPy's
    statistics (1.5 s), which every ``palmap`` command would otherwise pay at start-up."""
    import mapclassify

    return mapclassify


__all__ = ["SCHEMES", "class_breaks", "pooled_breaks"]

logger = logging.getLogger(__name__)

Scheme = Literal["quantiles", "fisher_jenks", "equal_interval", "user_defined"]

#: The schemes :func:`class_breaks` knows.
SCHEMES: tuple[str, ...] = ("quantiles", "fisher_jenks", "equal_interval", "user_defined")


def _clean(values: Any, *, what: str = "values", allow_empty: bool = False) -> np.ndarray:
    try:
        array = np.asarray(pd.to_numeric(pd.Series(np.ravel(values)), errors="raise"), float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"expected numbers to classify, got non-numeric {what}; fix the values"
        ) from exc
    if np.isinf(array).any():
        raise ValidationError(f"expected finite {what} to classify, got infinity; fix the values")
    array = array[~np.isnan(array)]
    if array.size == 0 and not allow_empty:
        raise ValidationError(
            f"expected at least one value to classify, got {what} that are empty or all "
            "missing; pick a year or indicator with data"
        )
    return array


def _check_bins(bins: Sequence[float] | None) -> np.ndarray:
    try:
        array = np.asarray([float(b) for b in bins], dtype=float) if bins is not None else None
    except (TypeError, ValueError):
        array = None
    if (
        array is None
        or array.size == 0
        or not np.isfinite(array).all()
        or (np.diff(array) <= 0).any()
    ):
        raise ValidationError(
            f"expected bins as increasing finite numbers for scheme 'user_defined', got {bins!r}; "
            "for example bins=[10, 20, 50]"
        )
    return array


def _fisher_jenks(y: np.ndarray, k: int) -> np.ndarray:
    """Fisher-Jenks optimal breaks of ``y`` in ``k`` classes (2 <= k <= distinct values).

    Dynamic programme over the sorted distinct values, each weighted by its count (so equal
    values never split): ``cost[c][j]`` is the least within-class sum of squares of the first
    ``j`` distinct values in ``c`` classes. Sums are taken on values centred on their mean, in
    double precision. Of equally good splits the first (smallest) is kept, so the result is
    deterministic.
    """
    values, counts = np.unique(y, return_counts=True)
    m = values.size
    x = values - values.mean()
    w = np.concatenate([[0.0], np.cumsum(counts, dtype=np.float64)])
    s1 = np.concatenate([[0.0], np.cumsum(counts * x)])
    s2 = np.concatenate([[0.0], np.cumsum(counts * x * x)])

    def ssd(i: np.ndarray, j: int) -> np.ndarray:
        """Within-class sum of squares of distinct values i..j-1, for each i."""
        a = s1[j] - s1[i]
        return np.maximum(s2[j] - s2[i] - a * a / (w[j] - w[i]), 0.0)

    ends = np.arange(1, m + 1)
    cost = np.full(m + 1, np.inf)
    cost[1:] = np.maximum(s2[ends] - s1[ends] ** 2 / w[ends], 0.0)  # one class: 0..j-1
    start = np.zeros((k + 1, m + 1), dtype=np.int64)
    for c in range(2, k + 1):
        nxt = np.full(m + 1, np.inf)
        for j in range(c, m + 1):
            first = np.arange(c - 1, j)  # the last class is values first..j-1
            total = cost[first] + ssd(first, j)
            best = int(np.argmin(total))
            nxt[j] = total[best]
            start[c, j] = first[best]
        cost = nxt
    uppers = []
    j = m
    for c in range(k, 1, -1):
        uppers.append(values[j - 1])
        j = int(start[c, j])
    uppers.append(values[j - 1])
    return np.array(uppers[::-1])


def class_breaks(
    values: Any,
    *,
    scheme: Scheme,
    k: int = 5,
    bins: Sequence[float] | None = None,
) -> list[float]:
    """Class breaks (upper bounds) of ``values`` by a mapclassify scheme.

    Parameters
    ----------
    values
        Numbers (a Series, array or list); missing values are left out.
    scheme
        ``quantiles``, ``fisher_jenks``, ``equal_interval`` or ``user_defined``.
    k
        Number of classes (not used by ``user_defined``); at most the number of distinct values.
    bins
        Upper bounds for ``user_defined`` (and only for it).

    Returns
    -------
    list of float
        Increasing upper bounds; the last is the largest value (or a user bound above it).

    Raises
    ------
    ValidationError
        If there are no values, the scheme is unknown, ``k`` is below 1 or above the number of
        distinct values, or ``bins`` are missing, unordered or given to another scheme.

    Examples
    --------
    >>> class_breaks(range(1, 11), scheme="equal_interval", k=3)
    [4.0, 7.0, 10.0]
    >>> class_breaks([1, 2, 3, 4, 5, 6, 7, 8], scheme="quantiles", k=4)
    [2.75, 4.5, 6.25, 8.0]
    >>> class_breaks([1, 2, 3, 4, 20, 21, 22], scheme="fisher_jenks", k=2)
    [4.0, 22.0]
    >>> class_breaks([1, 5, 30], scheme="user_defined", bins=[10, 20])
    [10.0, 20.0, 30.0]
    >>> class_breaks([1, 1, 2], scheme="quantiles", k=3)
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: expected k <= the number of distinct values (2), got k=3; \
use k=2 or fewer classes
    """
    if scheme not in SCHEMES:
        raise ValidationError(
            f"expected scheme {', '.join(SCHEMES)}, got {scheme!r}; pick one of them"
        )
    y = _clean(values)
    if scheme == "user_defined":
        upper = _check_bins(bins)
        return [float(b) for b in _mapclassify().UserDefined(y, bins=upper).bins]
    if bins is not None:
        raise ValidationError(
            f"expected bins only with scheme 'user_defined', got bins with {scheme!r}; "
            "drop bins or use scheme='user_defined'"
        )
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValidationError(f"expected k as a whole number >= 1, got {k!r}; for example 5")
    distinct = int(np.unique(y).size)
    if k > distinct:
        raise ValidationError(
            f"expected k <= the number of distinct values ({distinct}), got k={k}; "
            f"use k={distinct} or fewer classes"
        )
    if k == 1:
        return [float(y.max())]
    if scheme == "quantiles":
        with warnings.catch_warnings():
            # mapclassify warns when repeated values make two quantiles equal and drops one;
            # that is documented above, and logged here instead.
            warnings.filterwarnings(
                "ignore", message="Not enough unique values", category=UserWarning
            )
            result = _mapclassify().Quantiles(y, k=k).bins
        if len(result) < k:
            logger.info("quantiles: repeated values leave %d of %d classes", len(result), k)
    elif scheme == "fisher_jenks":
        result = _fisher_jenks(y, k)
    else:
        result = _mapclassify().EqualInterval(y, k=k).bins
    breaks = [float(b) for b in result]
    if any(a >= b for a, b in zip(breaks, breaks[1:], strict=False)):
        # Not expected; refuse rather than draw a misleading legend.
        raise MappingError(
            f"expected increasing class breaks ({scheme}), got {breaks}; "
            "use another scheme or fewer classes"
        )
    return breaks


def pooled_breaks(
    frames_or_series_by_year: Mapping[int, pd.Series | pd.DataFrame | Iterable[float]],
    *,
    scheme: Scheme,
    k: int = 5,
    bins: Sequence[float] | None = None,
    column: str = "value",
) -> list[float]:
    """Class breaks of the values of several years taken together, for one shared legend.

    Parameters
    ----------
    frames_or_series_by_year
        Year to its values: a Series, a DataFrame (its ``column`` is used) or any sequence of
        numbers.
    scheme, k, bins
        As in :func:`class_breaks`.
    column
        The column of DataFrame values.

    Returns
    -------
    list of float
        Breaks that every year's values fall within.

    Raises
    ------
    ValidationError
        As :func:`class_breaks`, and when no year is given or a DataFrame lacks ``column``.

    Examples
    --------
    >>> import pandas as pd
    >>> by_year = {2022: pd.Series([1.0, 2.0, 3.0]),
    ...            2023: pd.DataFrame({"value": [4.0, 5.0, 6.0]})}
    >>> pooled_breaks(by_year, scheme="equal_interval", k=2)
    [3.5, 6.0]
    """
    if not isinstance(frames_or_series_by_year, Mapping) or not frames_or_series_by_year:
        raise ValidationError(
            "expected a mapping of year to values with at least one year, got "
            f"{type(frames_or_series_by_year).__name__}; pass for example {{2023: series}}"
        )
    pooled: list[np.ndarray] = []
    for year, data in frames_or_series_by_year.items():
        if isinstance(data, pd.DataFrame):
            if column not in data.columns:
                raise ValidationError(
                    f"expected a column {column!r} in the values of {year}, got "
                    f"{', '.join(map(str, data.columns))}; pass column=..."
                )
            data = data[column]
        array = _clean(data, what=f"values of {year}", allow_empty=True)
        if array.size:
            pooled.append(array)
        else:
            # One empty year is fine as long as another has values; say so in the log.
            logger.info("no values in %s; pooling the other years", year)
    if not pooled:
        years = ", ".join(map(str, frames_or_series_by_year))
        raise ValidationError(
            f"expected values in at least one year, got none in {years}; pick years with data"
        )
    values = np.concatenate(pooled)
    return class_breaks(values, scheme=scheme, k=k, bins=bins)
