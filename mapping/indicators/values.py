"""One indicator's values for a year, and its rate per 1,000 of its denominator.

:func:`rates` divides an indicator by its denominator (another indicator, usually ``residents``)
of the same district and year and multiplies by ``per`` (1,000 by default): "unemployed per 1,000
residents". An indicator without a denominator is already a rate, a share or an index and is
returned unchanged. A district whose denominator is missing or 0 gets NaN; a year without any
denominator values is an error.
"""

from __future__ import annotations

import logging

import pandas as pd

from mapping.errors import MappingError, NotFoundError, ValidationError
from mapping.indicators.registry import IndicatorRegistry

__all__ = ["rates", "values_for_year"]

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


def rates(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    indicator: str,
    year: int,
    per: float = 1000,
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

    Returns
    -------
    pandas.Series
        Indexed by ``district_code`` like :func:`values_for_year`. NaN where the denominator
        is missing or 0 for a district. An indicator without a denominator is returned
        unchanged (it is already a rate, a share or an index).

    Raises
    ------
    NotFoundError
        If the indicator is unknown, or it or its denominator has no values in ``year``.

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
    item = registry.get(indicator)
    numerator = values_for_year(values, indicator=indicator, year=year)
    if item.denominator is None:
        return numerator
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
    result = numerator / denominator.where(~bad) * per
    return result.rename(indicator)
