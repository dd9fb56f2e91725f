"""How an indicator changed per district between two years, judged by its direction and by chance.

``abs_change = value_to - value_from``; ``rel_change = abs_change / |value_from|`` (NaN when
``value_from`` is 0). ``status`` says what the change means:

* ``no_clear_change`` when the change lies within the chance variation of the counts behind it
  (below); an exact tie is one too;
* otherwise ``improved`` when it goes towards less need by the indicator's direction and
  ``worsened`` when it goes towards more;
* ``unchanged`` (``|abs_change| <= tolerance``) only where no test applies (below).

**The test** (:func:`rate_change_p_value`). A rate is a count of people per its denominator
(``social_assistance`` per 1,000 ``residents``). Counts of people in a district vary by chance
from year to year even when the underlying risk does not: 128 of 2,045 residents one year and
120 of 1,929 the next (Konradów, 62.6 and 62.2 per 1,000) is the same rate. Each count is
taken as Poisson with a rate per unit of its denominator; the two-sided *conditional exact test*
of equal rates (Przyborowski and Wilenski, 1940) conditions on the sum of the two counts, which
then makes the later count binomial with ``n = count_from + count_to`` and
``p = base_to / (base_from + base_to)``. Its two-sided p-value is
:func:`scipy.stats.binomtest`'s (the outcomes no more likely than the one observed). A change
with ``p >= ALPHA`` (:data:`ALPHA`, 0.05) is ``no_clear_change``. The test is applied

* to rate layers (count and denominator of each year);
* to counts of people (``counts=True``): the same test with equal denominators (a count per year);
* to nothing else: an indicator that is already a share or an index, or the needs index, has no
  counts to test, and keeps the plain improved / worsened / unchanged by its sign.

A district whose count or denominator is missing or 0 in either year is not tested (it keeps
the plain status; a missing rate is missing anyway). With 21 districts and ``ALPHA`` 0.05 about
one district in twenty whose rate did not change may still be called improved or worsened by
chance; the test is per district, not corrected for the number of districts.

**Estimated counts.** Where the district boundaries changed between two editions
(:mod:`mapping.edition_diff`), the earlier counts of the redrawn districts are areal-weighting
estimates and need not be whole numbers. The test rounds each count to the nearest whole number
and treats it as counted: the error of the areal weighting itself (people are not spread evenly)
is not in the test, so a change called clear on an estimate is less sure than it reads, which
is why every estimated value is marked as an estimate wherever it is shown.
"""

from __future__ import annotations

import math

import pandas as pd

from mapping.errors import ValidationError
from mapping.indicators.registry import IndicatorRegistry
from mapping.indicators.values import rates, values_for_year

__all__ = ["ALPHA", "STATUSES", "change_between_years", "change_status", "rate_change_p_value"]

#: Significance level: a change with a p-value at or above it is ``no_clear_change``.
ALPHA = 0.05
#: Every status :func:`change_status` gives (besides None for missing data).
STATUSES: tuple[str, ...] = ("improved", "worsened", "no_clear_change", "unchanged")


def rate_change_p_value(
    count_from: float, base_from: float, count_to: float, base_to: float
) -> float:
    """Two-sided p-value of the conditional exact test that two Poisson rates are equal.

    ``count / base`` is each year's rate. Counts are rounded to whole numbers (an estimated count
    may have decimals). NaN when a value is missing, a count is negative or a base is not above
    0 (nothing to test); 1.0 when both counts are 0.

    Examples
    --------
    10 against 20 events on equal bases: twice the binomial tail P(X >= 20 | n=30, p=1/2).

    >>> from math import comb
    >>> by_hand = 2 * sum(comb(30, k) for k in range(20, 31)) / 2**30
    >>> round(rate_change_p_value(10, 1000, 20, 1000), 6), round(by_hand, 6)
    (0.098737, 0.098737)
    >>> rate_change_p_value(0, 50, 0, 60), math.isnan(rate_change_p_value(3, 0, 4, 10))
    (1.0, True)
    """
    from scipy.stats import binomtest  # heavy: imported when a change is tested

    values = (count_from, base_from, count_to, base_to)
    if any(v is None or not math.isfinite(float(v)) for v in values):
        return math.nan
    if count_from < 0 or count_to < 0 or not (base_from > 0 and base_to > 0):
        return math.nan
    first, second = round(float(count_from)), round(float(count_to))
    if first + second == 0:
        return 1.0
    share = float(base_to) / (float(base_from) + float(base_to))
    return float(binomtest(second, first + second, share, alternative="two-sided").pvalue)


def change_status(
    change: pd.Series,
    *,
    direction: int,
    tolerance: float = 0.0,
    p_value: pd.Series | None = None,
    alpha: float = ALPHA,
) -> pd.Series:
    """``improved``, ``worsened``, ``no_clear_change``, ``unchanged`` or None for each change.

    ``direction`` is +1 when a larger value means more need and -1 when a smaller one does.
    ``p_value`` (same index) is the chance test of each change (:func:`rate_change_p_value`):
    a change with ``p >= alpha`` is ``no_clear_change``; where it is NaN (not tested) or not
    given, ``|change| <= tolerance`` is ``unchanged`` and any other change counts by its sign.

    Examples
    --------
    >>> import pandas as pd
    >>> change_status(pd.Series([-2.0, 0.0, 3.0, None]), direction=1).tolist()
    ['improved', 'unchanged', 'worsened', None]
    >>> change_status(pd.Series([-2.0, 0.5]), direction=-1, tolerance=1).tolist()
    ['worsened', 'unchanged']
    >>> p = pd.Series([0.01, 0.4, float("nan"), 1.0])
    >>> change_status(pd.Series([-5.0, -5.0, -5.0, 0.0]), direction=1, p_value=p).tolist()
    ['improved', 'no_clear_change', 'improved', 'no_clear_change']
    """
    if not 0 < alpha < 1:
        raise ValidationError(f"expected 0 < alpha < 1, got {alpha!r}; use 0.05")
    # By priority, highest last: towards less need, towards more, within tolerance, within
    # chance, missing.
    status = pd.Series("improved", index=change.index, dtype=object)
    status[change * direction > 0] = "worsened"
    status[change.abs() <= tolerance] = "unchanged"
    if p_value is not None:
        tested = p_value.reindex(change.index)
        status[tested.notna()] = status[tested.notna()].where(
            lambda s: s != "unchanged", "no_clear_change"
        )
        status[tested >= alpha] = "no_clear_change"
    status[change.isna()] = None
    return status


def _counts_and_bases(
    values: pd.DataFrame, registry: IndicatorRegistry, *, indicator: str, year: int, rate: bool
) -> pd.DataFrame:
    """The count and its base per district in ``year``: the denominator for a rate, else 1."""
    count = values_for_year(values, indicator=indicator, year=year)
    denominator = registry.get(indicator).denominator
    if rate and denominator is not None:
        base = values_for_year(values, indicator=denominator, year=year).reindex(count.index)
    else:
        base = pd.Series(1.0, index=count.index)
    return pd.DataFrame({"count": count, "base": base})


def _p_values(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    indicator: str,
    years: tuple[int, int],
    rate: bool,
    index: pd.Index,
) -> pd.Series:
    """:func:`rate_change_p_value` per district (NaN where it cannot be tested)."""
    before, after = (
        _counts_and_bases(values, registry, indicator=indicator, year=y, rate=rate).reindex(index)
        for y in years
    )
    found = [
        rate_change_p_value(cf, bf, ct, bt)
        for cf, bf, ct, bt in zip(
            before["count"], before["base"], after["count"], after["base"], strict=True
        )
    ]
    return pd.Series(found, index=index, dtype="float64")


def change_between_years(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    indicator: str,
    from_year: int,
    to_year: int,
    use_rate: bool = True,
    tolerance: float = 0.0,
    counts: bool = False,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """How an indicator changed per district between two years, judged by its direction and
    by the chance variation of its counts (see the module's text).

    Parameters
    ----------
    values
        The long ``indicator_values`` frame.
    registry
        The indicators (direction, denominator).
    indicator
        Indicator code.
    from_year, to_year
        The two years (different).
    use_rate
        Compare rates per 1,000 of the denominator (:func:`rates`) rather than raw values. A
        rate of an indicator with a denominator is tested (:func:`rate_change_p_value`).
    tolerance
        Where no test applies, absolute changes with ``|abs_change| <= tolerance`` are
        ``unchanged``; default 0.
    counts
        The raw values are counts of people (tested with equal bases when not ``use_rate``).
    alpha
        The significance level of the test (:data:`ALPHA`).

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``value_from``, ``value_to``, ``abs_change`` (to - from),
        ``rel_change`` (abs_change / |value_from|; NaN when value_from is 0), ``p_value`` (the
        test; NaN where none applies), ``status`` (``improved``, ``worsened``,
        ``no_clear_change``, ``unchanged``; missing when either value is), one row per
        district present in either year, sorted by code.

    Raises
    ------
    NotFoundError
        If the indicator is unknown or has no values in one of the years.
    ValidationError
        If the years are equal or the tolerance is negative.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["poverty"], "name_pl": ["Ubóstwo"], "name_en": ["Poverty"], "unit": ["%"],
    ...     "higher_is_more_need": [True], "denominator": [None]}))
    >>> v = pd.DataFrame({"district_code": ["a", "b", "c"] * 2, "indicator": "poverty",
    ...                   "year": [2022] * 3 + [2023] * 3, "value": [10, 20, 30, 8, 25, 30]})
    >>> out = change_between_years(v, reg, indicator="poverty", from_year=2022, to_year=2023)
    >>> out[["district_code", "abs_change", "rel_change", "status"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'district_code': 'a', 'abs_change': -2.0, 'rel_change': -0.2, 'status': 'improved'},
     {'district_code': 'b', 'abs_change': 5.0, 'rel_change': 0.25, 'status': 'worsened'},
     {'district_code': 'c', 'abs_change': 0.0, 'rel_change': 0.0, 'status': 'unchanged'}]

    A share (``%``, no denominator) has no counts to test; counts of people have:

    >>> out = change_between_years(v, reg, indicator="poverty", from_year=2022, to_year=2023,
    ...                            use_rate=False, counts=True)
    >>> out["status"].tolist()
    ['no_clear_change', 'no_clear_change', 'no_clear_change']
    """
    if from_year == to_year:
        raise ValidationError(
            f"expected two different years, got {from_year} twice; pick an earlier from_year"
        )
    if not tolerance >= 0:
        raise ValidationError(f"expected tolerance >= 0, got {tolerance!r}; use 0 or more")
    item = registry.get(indicator)

    def pick(year: int) -> pd.Series:
        if use_rate:
            return rates(values, registry, indicator=indicator, year=year)
        return values_for_year(values, indicator=indicator, year=year)

    before, after = pick(from_year), pick(to_year)
    frame = pd.DataFrame({"value_from": before, "value_to": after}).sort_index()
    frame["abs_change"] = frame["value_to"] - frame["value_from"]
    base = frame["value_from"].abs()
    frame["rel_change"] = frame["abs_change"] / base.where(base > 0)
    rate = use_rate and item.denominator is not None
    if rate or counts:
        frame["p_value"] = _p_values(
            values,
            registry,
            indicator=indicator,
            years=(from_year, to_year),
            rate=rate,
            index=frame.index,
        )
    else:
        frame["p_value"] = float("nan")
    frame["status"] = change_status(
        frame["abs_change"],
        direction=item.direction,
        tolerance=tolerance,
        p_value=frame["p_value"],
        alpha=alpha,
    )
    frame.index.name = "district_code"
    return frame.reset_index()
