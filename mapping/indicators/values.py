"""One indicator's values for a year, and its rate per 1,000 of its denominator.

:func:`rates` divides an indicator by its denominator (another indicator, usually ``residents``)
of the same district and year and multiplies by ``per`` (1,000 by default): "unemployed per 1,000
residents". An indicator without a denominator is already a rate, a share or an index and is
returned unchanged. A district whose denominator is missing or 0 gets NaN; a year without any
denominator values is an error. Any indicator may be a denominator (``residents_0_17`` for a rate
per children, ``residents_18_64`` per people of working age).

With ``smoothing="eb"`` the rates are empirical Bayes estimates (:mod:`.smoothing`): small
districts are pulled towards the mean of all districts. :func:`rate_table` gives the raw and the
smoothed rate side by side with the denominator and its small-denominator flag;
:func:`rates_description` says in a dictionary what a set of rates was made of (denominators,
smoothing, threshold) for the method metadata of an output.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Literal

import pandas as pd

from mapping.errors import MappingError, NotFoundError, ValidationError
from mapping.indicators.registry import IndicatorRegistry
from mapping.indicators.smoothing import (
    EB_METHOD,
    SMALL_DENOMINATOR,
    check_small_below,
    eb_smooth,
    small_denominator,
)

__all__ = ["Smoothing", "rate_table", "rates", "rates_description", "values_for_year"]

#: ``none``: raw rates; ``eb``: global empirical Bayes estimates (:mod:`.smoothing`).
Smoothing = Literal["none", "eb"]
_SMOOTHINGS = ("none", "eb")

logger = logging.getLogger(__name__)

_VALUE_COLUMNS = ("district_code", "indicator", "year", "value")


def _check_values(values: pd.DataFrame) -> None:
    missing = [c for c in _VALUE_COLUMNS if c not in values.columns]
    if missing:
        raise MappingError(
            f"expected indicator values with columns {', '.join(_VALUE_COLUMNS)}; "
            f"missing {', '.join(missing)}"
        )


def _years(rows: pd.DataFrame) -> str:
    years = sorted({int(y) for y in rows["year"].dropna()})
    return ", ".join(map(str, years)) or "(none)"


def values_for_year(values: pd.DataFrame, *, indicator: str, year: int) -> pd.Series:
    """The values of one indicator in one year, indexed by district code.

    Parameters
    ----------
    values
        The long ``indicator_values`` frame: ``district_code``, ``indicator``, ``year``,
        ``value``.
    indicator
        Indicator code.
    year
        The year.

    Returns
    -------
    pandas.Series
        Float values named ``indicator``, indexed by ``district_code`` (sorted); NaN where the
        frame holds an empty value.

    Raises
    ------
    NotFoundError
        If the indicator has no values at all (lists the indicators that have) or none in
        ``year`` (lists its years).
    ValidationError
        If a district has two values for the same indicator and year, or a value is not a number.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"district_code": ["a", "b", "a"], "indicator": ["residents"] * 3,
    ...                   "year": [2023, 2023, 2024], "value": [1000, 2000, 1100]})
    >>> values_for_year(v, indicator="residents", year=2023).to_dict()
    {'a': 1000.0, 'b': 2000.0}
    >>> values_for_year(v, indicator="residents", year=2020)
    Traceback (most recent call last):
    ...
    mapping.errors.NotFoundError: expected values of 'residents' for 2020, got none; \
years with values: 2023, 2024
    """
    _check_values(values)
    of_indicator = values[values["indicator"] == indicator]
    if of_indicator.empty:
        known = sorted({str(c) for c in values["indicator"].dropna()})
        raise NotFoundError(
            f"expected values of indicator {indicator!r}, got none; "
            f"indicators with values: {', '.join(known) or '(none)'}"
        )
    rows = of_indicator[of_indicator["year"] == year]
    if rows.empty:
        raise NotFoundError(
            f"expected values of {indicator!r} for {year}, got none; "
            f"years with values: {_years(of_indicator)}"
        )
    codes = rows["district_code"].astype(str)
    if codes.duplicated().any():
        dupes = sorted(set(codes[codes.duplicated()]))
        raise ValidationError(
            f"expected one value of {indicator!r} per district in {year}, got several for "
            f"{', '.join(dupes)}; keep one of them"
        )
    try:
        numbers = pd.to_numeric(rows["value"], errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"expected numeric values of {indicator!r} in {year}, got text; fix the values"
        ) from exc
    series = pd.Series(numbers.to_numpy(), index=pd.Index(codes.to_numpy(), name="district_code"))
    return series.rename(indicator).sort_index()


def _check_smoothing(smoothing: str) -> None:
    if smoothing not in _SMOOTHINGS:
        raise ValidationError(
            f"expected smoothing 'none' or 'eb', got {smoothing!r}; use 'eb' for empirical Bayes "
            "rates or 'none' for raw rates"
        )


def _numerator_and_denominator(
    values: pd.DataFrame, registry: IndicatorRegistry, *, indicator: str, year: int
) -> tuple[pd.Series, pd.Series | None]:
    item = registry.get(indicator)
    numerator = values_for_year(values, indicator=indicator, year=year)
    if item.denominator is None:
        return numerator, None
    try:
        denominator = values_for_year(values, indicator=item.denominator, year=year)
    except NotFoundError as exc:
        raise NotFoundError(
            f"expected values of {item.denominator!r} for {year} to compute the rate of "
            f"{indicator!r}, got none ({exc}); load them, or compute without rates "
            "(use_rates=False)"
        ) from exc
    denominator = denominator.reindex(numerator.index)
    bad = denominator.isna() | (denominator <= 0)
    if bad.any():
        logger.warning(
            "rate of %r in %s is missing for %s: denominator %r missing or 0",
            indicator,
            year,
            ", ".join(numerator.index[bad]),
            item.denominator,
        )
    return numerator, denominator.where(~bad)


def rates(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    indicator: str,
    year: int,
    per: float = 1000,
    smoothing: Smoothing = "none",
) -> pd.Series:
    """The indicator per ``per`` units of its denominator, same district and year.

    Parameters
    ----------
    values
        The long ``indicator_values`` frame.
    registry
        The indicators (for the denominator).
    indicator
        Indicator code.
    year
        The year.
    per
        The multiplier: 1,000 gives "per 1,000 residents".
    smoothing
        ``none`` (the default): the raw rate; ``eb``: the global empirical Bayes estimate
        over the districts with a rate (:func:`mapping.indicators.smoothing.eb_smooth`).

    Returns
    -------
    pandas.Series
        Indexed by ``district_code`` like :func:`values_for_year`. NaN where the denominator
        is missing or 0 for a district. An indicator without a denominator is returned
        unchanged (it is already a rate, a share or an index), smoothed or not.

    Raises
    ------
    NotFoundError
        If the indicator is unknown, or it or its denominator has no values in ``year``.
    ValidationError
        If ``per`` is not > 0 or ``smoothing`` is not ``none`` or ``eb``.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["residents", "unemployed"], "name_pl": ["Mieszkańcy", "Bezrobotni"],
    ...     "name_en": ["Residents", "Unemployed"], "unit": ["persons", "persons"],
    ...     "higher_is_more_need": [False, True], "denominator": [None, "residents"]}))
    >>> v = pd.DataFrame({"district_code": ["a", "b", "c", "a", "b"],
    ...                   "indicator": ["residents"] * 3 + ["unemployed"] * 2,
    ...                   "year": 2023, "value": [2000, 0, 500, 50, 10]})
    >>> rates(v, reg, indicator="unemployed", year=2023).to_dict()
    {'a': 25.0, 'b': nan}
    """
    if not per > 0:
        raise ValidationError(f"expected per > 0, got {per!r}; use per=1000 for per 1,000")
    _check_smoothing(smoothing)
    numerator, denominator = _numerator_and_denominator(
        values, registry, indicator=indicator, year=year
    )
    if denominator is None:
        return numerator
    if smoothing == "eb":
        result = eb_smooth(numerator, denominator) * per
    else:
        result = numerator / denominator * per
    return result.rename(indicator)


def rate_table(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    indicator: str,
    year: int,
    per: float = 1000,
    small_below: float = SMALL_DENOMINATOR,
) -> pd.DataFrame:
    """The raw and the smoothed rate of one indicator side by side, with the small flag.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``district_code``: ``value`` (the count), ``denominator`` (NaN for an
        indicator without one, or where it is missing or 0), ``rate`` (raw, per ``per``),
        ``smoothed_rate`` (empirical Bayes, per ``per``) and ``small_denominator`` (True where
        the denominator is below ``small_below``). For an indicator without a denominator
        ``rate`` and ``smoothed_rate`` are the values and nothing is flagged.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["pop", "cases"], "name_pl": ["p", "c"], "name_en": ["p", "c"],
    ...     "unit": ["persons"] * 2, "higher_is_more_need": [False, True],
    ...     "denominator": [None, "pop"]}))
    >>> v = pd.DataFrame({"district_code": list("abcabc"), "indicator": ["pop"] * 3 + ["cases"] * 3,
    ...                   "year": 2023, "value": [100, 100, 100, 10, 20, 30]})
    >>> rate_table(v, reg, indicator="cases", year=2023, small_below=150).round(3).to_dict("list")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'value': [10.0, 20.0, 30.0], 'denominator': [100.0, 100.0, 100.0],
     'rate': [100.0, 200.0, 300.0], 'smoothed_rate': [130.0, 200.0, 270.0],
     'small_denominator': [True, True, True]}
    """
    if not per > 0:
        raise ValidationError(f"expected per > 0, got {per!r}; use per=1000 for per 1,000")
    threshold = check_small_below(small_below)
    numerator, denominator = _numerator_and_denominator(
        values, registry, indicator=indicator, year=year
    )
    if denominator is None:
        table = pd.DataFrame(
            {
                "value": numerator,
                "denominator": float("nan"),
                "rate": numerator,
                "smoothed_rate": numerator,
                "small_denominator": False,
            }
        )
    else:
        table = pd.DataFrame(
            {
                "value": numerator,
                "denominator": denominator,
                "rate": numerator / denominator * per,
                "smoothed_rate": eb_smooth(numerator, denominator) * per,
                "small_denominator": small_denominator(denominator, small_below=threshold),
            }
        )
    table.index.name = "district_code"
    return table


def rates_description(
    registry: IndicatorRegistry,
    codes: Iterable[str],
    *,
    use_rates: bool = True,
    smoothing: Smoothing = "eb",
    small_below: float = SMALL_DENOMINATOR,
    per: float = 1000,
) -> dict[str, Any]:
    """What the inputs ``codes`` of an analysis were made of, as a JSON-ready dictionary.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["pop", "kids", "cases"], "name_pl": list("pkc"), "name_en": list("pkc"),
    ...     "unit": ["persons"] * 3, "higher_is_more_need": [False, False, True],
    ...     "denominator": [None, None, "kids"]}))
    >>> d = rates_description(reg, ["cases"])
    >>> d["inputs"], d["denominators"], d["smoothing"], d["small_denominator_below"]
    ('rates', {'cases': 'kids'}, 'eb', 1000.0)
    >>> rates_description(reg, ["cases"], use_rates=False)["inputs"]
    'values'
    """
    _check_smoothing(smoothing)
    threshold = check_small_below(small_below)
    codes = list(codes)
    denominators = {code: registry[code].denominator for code in codes}
    rated = use_rates and any(d is not None for d in denominators.values())
    smoothed = rated and smoothing == "eb"
    return {
        "inputs": "rates" if use_rates else "values",
        "per": float(per),
        "denominators": denominators if use_rates else dict.fromkeys(codes),
        "smoothing": smoothing if rated else "none",
        "smoothing_method": EB_METHOD if smoothed else "raw rates (not smoothed)",
        "small_denominator_below": threshold,
    }
