"""Needs against supply: gaps, and the ranking of target areas with its sensitivity to weights.

Gaps (:func:`gaps`)
    ``need_rank`` 1 is the highest needs index; ``access_rank`` 1 is the best access (the highest
    score, or the shortest distance when ``higher_is_better=False``). ``gap = access_rank -
    need_rank``: large and positive where need is high and access is poor. Quadrants split each
    measure at its median: a district is ``high_need`` when its needs index is strictly above
    the median and ``high_access`` when its access is strictly better than the median; a district
    exactly at a median (the middle one of an odd number, or ties) counts as low. Ties in
    either rank are ordered by district code.

Target areas (:func:`rank_target_areas`)
    The score is a weighted sum of normalised, direction-aware terms, larger = more need:
    the indicators of :func:`mapping.indicators.needs_index` (z-scores or IMD exponential
    scores), and optionally lack of access and lack of supply, normalised by the same method
    with "higher is better". ``weights``, ``access_weight`` and ``supply_weight`` are on one scale
    and are normalised together to sum to 1. Rank 1 is the highest priority; equal scores
    (within 1e-10) are ordered by district code, so the ranking is deterministic.

    Sensitivity: ``runs`` seeded draws multiply every positive weight by its own factor drawn
    uniformly from ``factor_range`` and rank again. ``rank_low`` and ``rank_high`` are the 5th
    and 95th percentiles of a district's ranks over the draws (inverted-CDF definition, so they
    are ranks that occurred); ``stability`` is ``robust`` when ``rank_high - rank_low <=
    robust_width``, else ``fragile``. ``rank_low <= rank_high`` always holds, but the rank with
    the unperturbed weights need not lie between them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from mapping.errors import MappingError, ValidationError
from mapping.indicators import (
    IndicatorRegistry,
    exponential_transform,
    needs_index,
    normalise,
    normalise_weights,
    rank_descending,
)

__all__ = ["QUADRANTS", "gaps", "rank_target_areas"]

#: The four quadrant labels of :func:`gaps`.
QUADRANTS: tuple[str, ...] = (
    "high_need_low_access",
    "high_need_high_access",
    "low_need_low_access",
    "low_need_high_access",
)


def _series_by_district(frame: pd.DataFrame, column: str, *, name: str) -> pd.Series:
    for col in ("district_code", column):
        if col not in frame.columns:
            raise MappingError(
                f"expected {name} with columns district_code, {column}; missing {col}"
            )
    codes = frame["district_code"].astype(str)
    if codes.duplicated().any():
        raise ValidationError(
            f"expected one row per district in {name}, got repeats of "
            f"{', '.join(sorted(set(codes[codes.duplicated()])))}; keep one row per district"
        )
    try:
        numbers = pd.to_numeric(frame[column], errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"expected numbers in {name}.{column}; fix the values") from exc
    return pd.Series(numbers.to_numpy(), index=codes.to_numpy(), name=column)


def gaps(
    needs: pd.DataFrame,
    access: pd.DataFrame,
    *,
    access_col: str,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """Needs rank against access rank per district, with quadrant labels.

    Parameters
    ----------
    needs
        ``district_code`` and ``needs_index`` (for example ``NeedsIndex.scores``).
    access
        ``district_code`` and ``access_col`` (for example the output of
        :func:`mapping.access.fca` or :func:`mapping.access.nearest_distance`).
    access_col
        The access measure to compare.
    higher_is_better
        ``True`` for scores (``2sfca``, ``coverage``), ``False`` for distances (``nearest_m``).

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``needs_index``, ``access_col``, ``need_rank``, ``access_rank``,
        ``gap``, ``quadrant`` (one of :data:`QUADRANTS`), sorted by gap (largest first), then
        need rank.

    Raises
    ------
    ValidationError
        If the two frames do not cover the same districts or a value is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> needs = pd.DataFrame({"district_code": ["a", "b", "c", "d"],
    ...                       "needs_index": [2.0, 1.0, -1.0, -2.0]})
    >>> acc = pd.DataFrame({"district_code": ["a", "b", "c", "d"],
    ...                     "e2sfca": [0.2, 1.5, 0.5, 1.8]})
    >>> gaps(needs, acc, access_col="e2sfca")[["district_code", "gap", "quadrant"]].to_dict(
    ...     "records")  # doctest: +NORMALIZE_WHITESPACE
    [{'district_code': 'a', 'gap': 3, 'quadrant': 'high_need_low_access'},
     {'district_code': 'b', 'gap': 0, 'quadrant': 'high_need_high_access'},
     {'district_code': 'c', 'gap': 0, 'quadrant': 'low_need_low_access'},
     {'district_code': 'd', 'gap': -3, 'quadrant': 'low_need_high_access'}]
    """
    need = _series_by_district(needs, "needs_index", name="needs")
    acc = _series_by_district(access, access_col, name="access")
    only_need = sorted(set(need.index) - set(acc.index))
    only_access = sorted(set(acc.index) - set(need.index))
    if only_need or only_access:
        raise ValidationError(
            "expected needs and access for the same districts, got needs only for "
            f"{', '.join(only_need) or '(none)'} and access only for "
            f"{', '.join(only_access) or '(none)'}; compute both on the same districts"
        )
    codes = np.array(sorted(need.index))
    need = need.reindex(codes)
    acc = acc.reindex(codes)
    holes = sorted(set(codes[need.isna().to_numpy()]) | set(codes[acc.isna().to_numpy()]))
    if holes:
        raise ValidationError(
            f"expected a needs index and {access_col} for every district, got none for "
            f"{', '.join(holes)}; fill the missing values (NaN access means no resource or no "
            "demand) or leave those districts out"
        )
    goodness = acc.to_numpy() if higher_is_better else -acc.to_numpy()
    need_rank = rank_descending(need.to_numpy(), codes)
    access_rank = rank_descending(goodness, codes)
    high_need = need.to_numpy() > np.median(need.to_numpy())
    high_access = goodness > np.median(goodness)
    quadrant = np.where(
        high_need,
        np.where(high_access, "high_need_high_access", "high_need_low_access"),
        np.where(high_access, "low_need_high_access", "low_need_low_access"),
    )
    result = pd.DataFrame(
        {
            "district_code": codes,
            "needs_index": need.to_numpy(),
            access_col: acc.to_numpy(),
            "need_rank": need_rank,
            "access_rank": access_rank,
            "gap": access_rank - need_rank,
            "quadrant": quadrant.astype(object),
        }
    )
    return result.sort_values(
        ["gap", "need_rank"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def _term(series: pd.Series | None, codes: np.ndarray, *, name: str, method: str) -> pd.Series:
    if not isinstance(series, pd.Series):
        raise ValidationError(
            f"expected {name} as a pandas Series indexed by district code (higher = better), got "
            f"{type(series).__name__}; pass for example fca(...).set_index('district_code')"
            "['e2sfca']"
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
    if method == "imd":
        return exponential_transform(numbers, higher_is_more_need=False)
    return normalise(numbers, method="zscore", higher_is_more_need=False)


def _check_weight(value: float, *, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise ValidationError(f"expected {name} >= 0, got {value!r}; use 0 to leave it out")
    return number


def rank_target_areas(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    year: int,
    weights: Mapping[str, float],
    method: Literal["zscore", "imd"] = "zscore",
    access: pd.Series | None = None,
    access_weight: float = 0.0,
    supply: pd.Series | None = None,
    supply_weight: float = 0.0,
    runs: int = 1000,
    seed: int = 0,
    factor_range: tuple[float, float] = (0.5, 1.5),
    robust_width: float = 2,
    use_rates: bool = True,
) -> pd.DataFrame:
    """Rank districts as target areas, with the stability of each rank under other weights.

    Parameters
    ----------
    values
        The long ``indicator_values`` frame.
    registry
        The indicators.
    year
        The year of the values.
    weights
        Indicator code to weight (>= 0).
    method
        ``zscore`` or ``imd``, as in :func:`mapping.indicators.needs_index`; also used to
        normalise the access and supply terms.
    access
        Access per district (higher = better, for example the ``e2sfca`` column of
        :func:`mapping.access.fca`), indexed by district code. Poor access raises the score.
    access_weight
        Weight of the access term, on the scale of ``weights``.
    supply
        Supply per district (higher = more, for example ``per_1000`` of one category from
        :func:`mapping.supply.supply_per_district`), indexed by district code. Little supply
        raises the score.
    supply_weight
        Weight of the supply term, on the scale of ``weights``.
    runs
        Number of seeded draws of weight factors (>= 1).
    seed
        Seed of the draws; the same seed gives the same output.
    factor_range
        ``(low, high)``, 0 < low <= high: each weight is multiplied by a factor from U(low, high).
    robust_width
        ``stability`` is ``robust`` when ``rank_high - rank_low <= robust_width``.
    use_rates
        Use rates per 1,000 of each indicator's denominator rather than raw values.

    Returns
    -------
    pandas.DataFrame
        One row per district, by rank: ``district_code``, ``score`` (larger = more need),
        ``rank`` (1 = highest priority), ``rank_low``, ``rank_high``, ``stability``, then the
        normalised inputs: one column per indicator code, and ``access`` / ``supply`` when given.

    Raises
    ------
    NotFoundError
        If an indicator is unknown or has no values in ``year``.
    ValidationError
        If a weight or option is out of range, or a district lacks a value.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["poverty", "crime"], "name_pl": ["Ubóstwo", "Przestępczość"],
    ...     "name_en": ["Poverty", "Crime"], "unit": ["%", "per 1000"],
    ...     "higher_is_more_need": [True, True], "denominator": [None, None]}))
    >>> v = pd.DataFrame({"district_code": ["a", "b", "c"] * 2,
    ...                   "indicator": ["poverty"] * 3 + ["crime"] * 3, "year": 2023,
    ...                   "value": [10, 20, 30, 5, 5, 20]})
    >>> out = rank_target_areas(v, reg, year=2023, weights={"poverty": 1, "crime": 1})
    >>> out[["district_code", "rank", "rank_low", "rank_high", "stability"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'district_code': 'c', 'rank': 1, 'rank_low': 1, 'rank_high': 1, 'stability': 'robust'},
     {'district_code': 'b', 'rank': 2, 'rank_low': 2, 'rank_high': 2, 'stability': 'robust'},
     {'district_code': 'a', 'rank': 3, 'rank_low': 3, 'rank_high': 3, 'stability': 'robust'}]
    """
    access_weight = _check_weight(access_weight, name="access_weight")
    supply_weight = _check_weight(supply_weight, name="supply_weight")
    if isinstance(runs, bool) or not isinstance(runs, int | np.integer) or runs < 1:
        raise ValidationError(f"expected runs as a whole number >= 1, got {runs!r}; e.g. 1000")
    try:
        low, high = (float(f) for f in factor_range)
    except (TypeError, ValueError):
        low, high = math.nan, math.nan
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= high):
        raise ValidationError(
            f"expected factor_range (low, high) with 0 < low <= high, got {factor_range!r}; "
            "for example (0.5, 1.5)"
        )
    if not (isinstance(robust_width, int | float) and robust_width >= 0):
        raise ValidationError(f"expected robust_width >= 0, got {robust_width!r}; e.g. 2")
    for term in ("access", "supply"):
        if term in weights:
            raise ValidationError(
                f"expected indicator codes in weights, got {term!r}, which names the {term} "
                f"term; use {term}_weight"
            )

    index = needs_index(
        values, registry, year=year, weights=weights, method=method, use_rates=use_rates
    )
    scores = index.scores.sort_values("district_code", kind="stable").reset_index(drop=True)
    codes = scores["district_code"].to_numpy().astype(str)

    raw_weights: dict[str, float] = {str(k): float(v) for k, v in weights.items()}
    inputs = scores[list(raw_weights)].copy()
    for term, series, weight in (
        ("access", access, access_weight),
        ("supply", supply, supply_weight),
    ):
        if series is None:
            if weight > 0:
                raise ValidationError(
                    f"expected {term} values when {term}_weight > 0, got none; pass {term}=..."
                )
            continue
        inputs[term] = _term(series, codes, name=term, method=method).to_numpy()
        raw_weights[term] = weight

    all_weights = normalise_weights(raw_weights)
    used = [name for name, weight in all_weights.items() if weight > 0]
    matrix = inputs[used].to_numpy(dtype="float64")  # districts x terms, sorted by code
    base = np.array([all_weights[name] for name in used])

    score = matrix @ base
    rank = rank_descending(score, codes)

    rng = np.random.default_rng(seed)
    drawn = base * rng.uniform(low, high, size=(runs, len(used)))
    drawn /= drawn.sum(axis=1, keepdims=True)
    run_scores = np.round(drawn @ matrix.T, 10)  # runs x districts
    # Columns are sorted by code, so a stable sort breaks ties by code, as rank_descending does.
    order = np.argsort(-run_scores, axis=1, kind="stable")
    run_ranks = np.empty_like(order)
    np.put_along_axis(
        run_ranks, order, np.broadcast_to(np.arange(1, len(codes) + 1), order.shape), axis=1
    )
    rank_low = np.percentile(run_ranks, 5, axis=0, method="inverted_cdf").astype("int64")
    rank_high = np.percentile(run_ranks, 95, axis=0, method="inverted_cdf").astype("int64")

    result = pd.DataFrame(
        {
            "district_code": codes,
            "score": score,
            "rank": rank,
            "rank_low": rank_low,
            "rank_high": rank_high,
            "stability": np.where(rank_high - rank_low <= robust_width, "robust", "fragile"),
        }
    )
    result["stability"] = result["stability"].astype(object)
    for column in inputs.columns:
        result[column] = inputs[column].to_numpy()
    return result.sort_values("rank", kind="stable").reset_index(drop=True)
