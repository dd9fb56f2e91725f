"""Small counts of people: shown as "< N", and rates built from them hidden.

A district of about 400 residents with 3 families on social assistance must not point at those
families. Every page and download of palmap therefore shows a count of people below
``min_count`` (``PALMAP_MIN_COUNT``, default 5) as ``< 5`` and hides every rate built from such a
count, whether the count is the rate's numerator or its denominator. The analyses (needs index,
ranking, access) keep using the true values: only what is *shown* changes.

An indicator counts people when its unit is a unit of people (``osoby``, ``persons``, ...; see
:data:`PEOPLE_UNITS`). ``min_count`` 0 turns suppression off.

:func:`suppress` is the one place that decides: it reads the indicator values once and answers
for any district, indicator and year whether the count is small (:meth:`Suppression.is_small`)
and whether the rate of the indicator is hidden (:meth:`Suppression.hides_rate`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mapping.errors import ValidationError
from mapping.indicators import Indicator, IndicatorRegistry

__all__ = ["DEFAULT_MIN_COUNT", "PEOPLE_UNITS", "Suppression", "counts_people", "suppress"]

#: Counts of people below this are shown as "< 5" unless the app is configured otherwise.
DEFAULT_MIN_COUNT = 5

#: Units (lower case, stripped) that make an indicator a count of people.
PEOPLE_UNITS: frozenset[str] = frozenset(
    {"osoby", "osób", "os.", "osoba", "persons", "person", "people", "residents", "mieszkańcy"}
)


def counts_people(indicator: Indicator) -> bool:
    """True when the indicator's values are counts of people (by its unit).

    Examples
    --------
    >>> counts_people(Indicator("u", "Bezrobotni", "Unemployed", "osoby", True, "residents"))
    True
    >>> counts_people(Indicator("p", "Ubóstwo", "Poverty", "%", True, None))
    False
    """
    return indicator.unit.strip().lower() in PEOPLE_UNITS


@dataclass(frozen=True)
class Suppression:
    """Which counts are small and which rates are hidden, for one set of indicator values.

    Build it with :func:`suppress`.
    """

    min_count: int
    small: frozenset[tuple[str, str, int]]
    denominators: dict[str, str | None]

    @property
    def enabled(self) -> bool:
        """False when ``min_count`` is 0 (suppression turned off)."""
        return self.min_count > 0

    @property
    def label(self) -> str:
        """What a small count shows instead of its value, such as ``< 5``."""
        return f"< {self.min_count}"

    def is_small(self, district: str, indicator: str, year: int) -> bool:
        """True when the count of people ``indicator`` in ``district`` and ``year`` is shown as
        ``< min_count``."""
        return (str(district), str(indicator), int(year)) in self.small

    def hides_rate(self, district: str, indicator: str, year: int) -> bool:
        """True when the rate of ``indicator`` (its value per its denominator) must be hidden:
        its own count or its denominator's count is small."""
        if self.is_small(district, indicator, year):
            return True
        denominator = self.denominators.get(str(indicator))
        return denominator is not None and self.is_small(district, denominator, year)

    def mask(self, districts: Iterable[str], indicator: str, year: int, *, rate: bool) -> pd.Series:
        """A boolean Series indexed by district: True where the value (``rate=False``: the
        count, shown as ``< min_count``) or the rate (``rate=True``) is hidden."""
        codes = [str(d) for d in districts]
        test = self.hides_rate if rate else self.is_small
        return pd.Series([test(code, indicator, year) for code in codes], index=codes, dtype=bool)


def suppress(values: pd.DataFrame, registry: IndicatorRegistry, *, min_count: int) -> Suppression:
    """Find the small counts of people in the long ``indicator_values`` frame.

    Parameters
    ----------
    values
        ``district_code``, ``indicator``, ``year``, ``value``.
    registry
        The indicators (units say which are counts of people; denominators say which rates are
        built from which counts).
    min_count
        Counts below this (0 included) are small; 0 turns suppression off.

    Returns
    -------
    Suppression
        Answers :meth:`~Suppression.is_small` and :meth:`~Suppression.hides_rate`.

    Raises
    ------
    ValidationError
        If ``min_count`` is negative or not a whole number.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["residents", "assisted", "poverty"],
    ...     "name_pl": ["Mieszkańcy", "Pomoc", "Ubóstwo"],
    ...     "name_en": ["Residents", "Assisted", "Poverty"], "unit": ["osoby", "osoby", "%"],
    ...     "higher_is_more_need": [False, True, True],
    ...     "denominator": [None, "residents", None]}))
    >>> v = pd.DataFrame({"district_code": ["a", "b", "a", "b", "a", "b"],
    ...                   "indicator": ["residents"] * 2 + ["assisted"] * 2 + ["poverty"] * 2,
    ...                   "year": 2021, "value": [400, 3, 4, 40, 1.5, 2.5]})
    >>> s = suppress(v, reg, min_count=5)
    >>> s.is_small("a", "assisted", 2021), s.is_small("a", "poverty", 2021)
    (True, False)
    >>> s.hides_rate("a", "assisted", 2021), s.hides_rate("b", "assisted", 2021)
    (True, True)
    >>> suppress(v, reg, min_count=0).hides_rate("a", "assisted", 2021)
    False
    """
    if isinstance(min_count, bool) or not isinstance(min_count, int | np.integer) or min_count < 0:
        raise ValidationError(
            f"expected min_count as a whole number >= 0, got {min_count!r}; use 5, or 0 to "
            "turn suppression off"
        )
    denominators = {item.code: item.denominator for item in registry}
    small: set[tuple[str, str, int]] = set()
    if min_count > 0 and len(values):
        people = {item.code for item in registry if counts_people(item)}
        rows = values[values["indicator"].isin(people)]
        numbers = pd.to_numeric(rows["value"], errors="coerce")
        rows = rows[numbers.notna() & (numbers < min_count)]
        small = {
            (str(d), str(i), int(y))
            for d, i, y in zip(rows["district_code"], rows["indicator"], rows["year"], strict=True)
        }
    return Suppression(min_count=int(min_count), small=frozenset(small), denominators=denominators)
