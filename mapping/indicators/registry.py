"""The indicator registry: what each indicator is (names, unit, direction, denominator, source).

Indicators are data: a definitions table (``code``, ``name_pl``, ``name_en``, ``unit``,
``higher_is_more_need``, ``denominator``, optional ``description``, ``source`` and ``domain``),
loaded by ``palmap import indicators --define`` or the demo data, becomes an
:class:`IndicatorRegistry`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from mapping.errors import MappingError, NotFoundError, ValidationError, msg

__all__ = ["DOMAIN_PATTERN", "Indicator", "IndicatorRegistry", "check_domain", "denominator_cycle"]

#: A domain code: lower-case letters, digits and ``_``, starting with a letter, at most 64.
DOMAIN_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")

_REQUIRED_INDICATOR_COLUMNS = (
    "code",
    "name_pl",
    "name_en",
    "unit",
    "higher_is_more_need",
    "denominator",
)
_TRUE = {"true", "1", "yes", "tak", "t", "y"}
_FALSE = {"false", "0", "no", "nie", "f", "n"}


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _as_bool(value: Any, *, code: str) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer) and value in (0, 1):
        return bool(value)
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(
        f"expected higher_is_more_need true or false for indicator {code!r}, got {value!r}; "
        "say whether a higher value means more need"
    )


def denominator_cycle(
    denominators: Mapping[str, str | None], *, through: str | None = None
) -> list[str] | None:
    """A chain of denominators that comes back to where it started, or None.

    ``denominators`` maps each code to its denominator's code (None for none); a denominator
    that is not a key ends its chain. With ``through``, only a cycle that passes through that
    code counts (starting and ending there).

    Examples
    --------
    >>> denominator_cycle({"a": "b", "b": "a", "c": "residents", "residents": None})
    ['a', 'b', 'a']
    >>> denominator_cycle({"a": "b", "b": "a", "c": "a"}, through="b")
    ['b', 'a', 'b']
    >>> denominator_cycle({"a": "b", "b": "a", "c": "a"}, through="c") is None
    True
    >>> denominator_cycle({"kids": "residents_0_17", "residents_0_17": None}) is None
    True
    """
    for start in denominators if through is None else [through]:
        chain = [start]
        current = denominators.get(start)
        while current is not None and current not in chain:
            chain.append(current)
            current = denominators.get(current)
        if current is not None and (through is None or current == start):
            return [*chain[chain.index(current) :], current]
    return None


def _check_no_cycle(items: dict[str, Indicator]) -> None:
    cycle = denominator_cycle({code: item.denominator for code, item in items.items()})
    if cycle is not None:
        raise ValidationError(
            f"expected denominators that end at an indicator without one, got the cycle "
            f"{' -> '.join(cycle)}; leave the denominator of one of them empty"
        )


def check_domain(value: object, *, code: str) -> str | None:
    """A domain code (:mod:`mapping.indicators.domains`), or ``None`` for an empty one.

    >>> check_domain(" income ", code="social_assistance")
    'income'
    >>> check_domain("", code="x") is None
    True
    """
    text = _text(value)
    if not text:
        return None
    if not DOMAIN_PATTERN.fullmatch(text):
        raise ValidationError(
            msg(
                "domain of indicator {code}: expected lower-case letters, digits or '_' "
                "(such as income), got {value!r}; write a short code or leave it empty",
                code=code,
                value=text,
            )
        )
    return text


@dataclass(frozen=True)
class Indicator:
    """One indicator of the registry.

    ``direction`` is +1 when higher values mean more need and -1 when lower values do;
    ``denominator`` is the code of the indicator that :func:`rates` divides by, or ``None``.

    Examples
    --------
    >>> i = Indicator("unemployed", "Bezrobotni", "Unemployed", "persons", True, "residents")
    >>> i.direction, i.label("en")
    (1, 'Unemployed')
    """

    code: str
    name_pl: str
    name_en: str
    unit: str
    higher_is_more_need: bool
    denominator: str | None
    description: str = ""
    source: str = ""
    #: The domain code (:mod:`mapping.indicators.domains`), or ``None``: a domain of its own.
    domain: str | None = None

    @property
    def direction(self) -> int:
        """+1 when higher values mean more need, -1 when lower values do."""
        return 1 if self.higher_is_more_need else -1

    def label(self, lang: Literal["pl", "en"] = "pl") -> str:
        """The name in Polish (``pl``, the default) or English (``en``)."""
        if lang == "pl":
            return self.name_pl
        if lang == "en":
            return self.name_en
        raise ValidationError(f"expected language 'pl' or 'en', got {lang!r}")


class IndicatorRegistry:
    """The indicators known to palmap, looked up by code.

    Parameters
    ----------
    indicators
        The ``indicators`` frame (:data:`mapping.frames.INDICATOR_COLUMNS`); ``description`` and
        ``source`` may be absent. Codes must be unique and every denominator must be a known
        code other than the indicator's own (any indicator may be one), and no chain of
        denominators may come back to where it started.

    Raises
    ------
    MappingError
        If a required column is missing.
    ValidationError
        If a code repeats or is empty, a direction is not a boolean, a denominator is unknown,
        or denominators form a cycle.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["residents", "unemployed"], "name_pl": ["Mieszkańcy", "Bezrobotni"],
    ...     "name_en": ["Residents", "Unemployed"], "unit": ["persons", "persons"],
    ...     "higher_is_more_need": [False, True], "denominator": [None, "residents"],
    ...     "source": ["GUS BDL", "PUP"]}))
    >>> reg["unemployed"].denominator
    'residents'
    >>> reg.label("unemployed", lang="en")
    'Unemployed'
    >>> reg.codes
    ('residents', 'unemployed')
    >>> reg["poverty"]
    Traceback (most recent call last):
    ...
    mapping.errors.NotFoundError: expected a known indicator code, got 'poverty'; \
known indicators: residents, unemployed
    """

    def __init__(self, indicators: pd.DataFrame) -> None:
        missing = [c for c in _REQUIRED_INDICATOR_COLUMNS if c not in indicators.columns]
        if missing:
            raise MappingError(
                f"expected indicators with columns {', '.join(_REQUIRED_INDICATOR_COLUMNS)}; "
                f"missing {', '.join(missing)}"
            )
        items: dict[str, Indicator] = {}
        for row in indicators.to_dict("records"):
            code = _text(row["code"])
            if not code:
                raise ValidationError(
                    "expected a code for every indicator, got an empty one; give it a code"
                )
            if code in items:
                raise ValidationError(
                    f"expected unique indicator codes, got {code!r} twice; keep one of them"
                )
            items[code] = Indicator(
                code=code,
                name_pl=_text(row["name_pl"]),
                name_en=_text(row["name_en"]),
                unit=_text(row["unit"]),
                higher_is_more_need=_as_bool(row["higher_is_more_need"], code=code),
                denominator=_text(row["denominator"]) or None,
                description=_text(row.get("description")),
                source=_text(row.get("source")),
                domain=check_domain(row.get("domain"), code=code),
            )
        for item in items.values():
            if item.denominator is not None and (
                item.denominator not in items or item.denominator == item.code
            ):
                raise ValidationError(
                    f"expected the denominator of {item.code!r} to be another known indicator, "
                    f"got {item.denominator!r}; known indicators: {', '.join(sorted(items))}"
                )
        _check_no_cycle(items)
        self._items = items

    @property
    def codes(self) -> tuple[str, ...]:
        """The indicator codes, in the order of the frame."""
        return tuple(self._items)

    def get(self, code: str) -> Indicator:
        """The indicator ``code``; :class:`NotFoundError` listing the known codes otherwise."""
        try:
            return self._items[code]
        except (KeyError, TypeError):
            raise NotFoundError(
                f"expected a known indicator code, got {code!r}; "
                f"known indicators: {', '.join(sorted(self._items)) or '(none)'}"
            ) from None

    __getitem__ = get

    def label(self, code: str, *, lang: Literal["pl", "en"] = "pl") -> str:
        """The Polish (default) or English name of indicator ``code``."""
        return self.get(code).label(lang)

    def __contains__(self, code: object) -> bool:
        return code in self._items

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"IndicatorRegistry({', '.join(self._items)})"
