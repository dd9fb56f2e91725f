"""How an indicator changed per district between two years, judged by its direction.

``abs_change = value_to - value_from``; ``rel_change = abs_change / |value_from|`` (NaN when
``value_from`` is 0); ``status`` is ``unchanged`` when ``|abs_change| <= tolerance`` (default 0,
so only an exact tie), otherwise ``improved`` when the change goes towards less need by the
indicator's direction and ``worsened`` when it goes towards more.
"""

from __future__ import annotations

import pandas as pd

from mapping.errors import ValidationError
from mapping.indicators.registry import IndicatorRegistry
from mapping.indicators.values import rates, values_for_year

__all__ = ["change_between_years", "change_status"]


def change_status(change: pd.Series, *, direction: int, tolerance: float = 0.0) -> pd.Series:
    """``improved``, ``worsened``, ``unchanged`` or None (missing) for each change.

    ``direction`` is +1 when a larger value means more need and -1 when a smaller one does.

    Examples
    --------
    >>> import pandas as pd
    >>> change_status(pd.Series([-2.0, 0.0, 3.0, None]), direction=1).tolist()
    ['improved', 'unchanged', 'worsened', None]
    >>> change_status(pd.Series([-2.0, 0.5]), direction=-1, tolerance=1).tolist()
    ['worsened', 'unchanged']
    """
    # By priority, highest last: towards less need, towards more, within tolerance, missing.
    status = pd.Series("improved", index=change.index, dtype=object)
    status[change * direction > 0] = "worsened"
    status[change.abs() <= tolerance] = "unchanged"
    status[change.isna()] = None
    return status


def change_between_years(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    indicator: str,
    from_year: int,
    to_year: int,
    use_rate: bool = True,
    tolerance: float = 0.0,
) -> pd.DataFrame:
    """How an indicator changed per district between two years, judged by its direction.

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
        Compare rates per 1,000 of the denominator (:func:`rates`) rather than raw values.
    tolerance
        Absolute changes with ``|abs_change| <= tolerance`` are ``unchanged``; default 0.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``value_from``, ``value_to``, ``abs_change`` (to - from),
        ``rel_change`` (abs_change / |value_from|; NaN when value_from is 0), ``status``
        (``improved``, ``worsened``, ``unchanged``; missing when either value is), one row per
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
    frame["status"] = change_status(
        frame["abs_change"], direction=item.direction, tolerance=tolerance
    )
    frame.index.name = "district_code"
    return frame.reset_index()
