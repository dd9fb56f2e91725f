"""Indicators of need: registry, rates, normalisation, a composite needs index, change over time.

The inputs are the ``indicators`` and long ``indicator_values`` frames of :mod:`mapping.frames`.

Rates
    :func:`rates` divides an indicator by its denominator (another indicator, usually
    ``residents``) of the same district and year and multiplies by ``per`` (1,000 by default):
    "unemployed per 1,000 residents". An indicator without a denominator is already a rate, a
    share or an index and is returned unchanged. A district whose denominator is missing or 0
    gets NaN; a year without any denominator values is an error.

Normalisation (:func:`normalise`)
    Every method is direction aware: after normalising, a larger number always means more need,
    whatever the indicator's direction (``higher_is_more_need``).

    * ``zscore``: ``(x - mean) / std`` with the population standard deviation (``ddof=0``),
      negated when lower values mean more need. A constant indicator gives 0 everywhere.
    * ``minmax``: ``(x - min) / (max - min)`` (or ``(max - x) / (max - min)``), in [0, 1].
      A constant indicator gives 0.5 everywhere.
    * ``rank``: 1 for the least need up to N for the most; ties share their average rank.

    Missing values stay missing and are left out of the mean, standard deviation, minimum,
    maximum and N.

Needs index (:func:`needs_index`), two methods
    Weights are given per indicator code, must be >= 0 with a positive sum, and are normalised to
    sum to 1 (so ``{"a": 2, "b": 2}`` is the same as ``{"a": 0.5, "b": 0.5}``).

    * ``zscore``: the weighted mean of the direction-aware z-scores of the rates. It is
      compensatory (a good indicator offsets a bad one one for one) and, because no z-score of
      N districts exceeds ``sqrt(N - 1)`` in absolute value (Samuelson's inequality), it lies in
      ``[-sqrt(N - 1), sqrt(N - 1)]``.
    * ``imd``: the method of the English Index of Multiple Deprivation. Each indicator (domain)
      is ranked, 1 = least deprived, ties sharing their average rank; the rank is scaled to
      ``R = rank / N`` (most deprived = 1) and transformed to an exponential distribution
      ``X = -23 * ln(1 - R * (1 - exp(-100 / 23)))``, which runs from about 0 (least deprived)
      to 100 (most deprived) and stretches the deprived end; the index is the weighted sum of the
      ``X``. Because the top of each domain is stretched, a good domain cannot fully offset a bad
      one. The index lies in ``(0, 100]``.

    Rank 1 is the highest need; equal indices (within 1e-10, floating-point noise) are ordered
    by district code so that the ranking is deterministic. The method, the normalised weights,
    the year and the indicators' sources travel with the result (:class:`NeedsIndex`).

Change between years (:func:`change_between_years`)
    ``abs_change = value_to - value_from``; ``rel_change = abs_change / |value_from|`` (NaN when
    ``value_from`` is 0); ``status`` is ``unchanged`` when ``|abs_change| <= tolerance``
    (default 0, so only an exact tie), otherwise ``improved`` when the change goes towards less
    need by the indicator's direction and ``worsened`` when it goes towards more.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from mapping.errors import MappingError, NotFoundError, ValidationError

__all__ = [
    "IMD_SCALE",
    "Indicator",
    "IndicatorRegistry",
    "NeedsIndex",
    "change_between_years",
    "exponential_transform",
    "needs_index",
    "normalise",
    "normalise_weights",
    "rank_descending",
    "rates",
    "values_for_year",
]

logger = logging.getLogger(__name__)

#: The constant of the IMD exponential transform:
#: ``X = -IMD_SCALE * ln(1 - R * (1 - exp(-100 / IMD_SCALE)))``.
IMD_SCALE: float = 23.0

#: Scores closer than this are tied when ranking (floating-point noise), then ordered by code.
RANK_DECIMALS: int = 10

_REQUIRED_INDICATOR_COLUMNS = (
    "code",
    "name_pl",
    "name_en",
    "unit",
    "higher_is_more_need",
    "denominator",
)
_VALUE_COLUMNS = ("district_code", "indicator", "year", "value")
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
        code other than the indicator's own.

    Raises
    ------
    MappingError
        If a required column is missing.
    ValidationError
        If a code repeats or is empty, a direction is not a boolean, or a denominator is unknown.

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
            )
        for item in items.values():
            if item.denominator is not None and (
                item.denominator not in items or item.denominator == item.code
            ):
                raise ValidationError(
                    f"expected the denominator of {item.code!r} to be another known indicator, "
                    f"got {item.denominator!r}; known indicators: {', '.join(sorted(items))}"
                )
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


def normalise_weights(weights: Mapping[str, float], *, known: Any = None) -> dict[str, float]:
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


@dataclass(frozen=True, eq=False)
class NeedsIndex:
    """A composite needs index with everything needed to explain it.

    Attributes
    ----------
    scores
        One row per district, by rank: ``district_code``, ``needs_index``, ``rank`` (1 = the
        highest need) and one column per weighted indicator, named by its code, holding its
        normalised, direction-aware input (z-score or IMD exponential score).
    method
        ``zscore`` or ``imd`` (see the module docstring).
    weights
        Indicator code to weight, normalised to sum to 1.
    year
        The year of the values.
    sources
        Indicator code to the source text of the indicator (and of its denominator for rates).
    use_rates
        Whether the inputs were rates per 1,000 of their denominators or raw values.
    higher_is_more_need
        Indicator code to its direction.

    Examples
    --------
    See :func:`needs_index`.
    """

    scores: pd.DataFrame
    method: str
    weights: Mapping[str, float]
    year: int
    sources: Mapping[str, str]
    use_rates: bool = True
    higher_is_more_need: Mapping[str, bool] = field(default_factory=dict)

    def explain(self) -> str:
        """A short English paragraph saying how the index was computed."""
        if self.method == "imd":
            how = (
                "the Index of Multiple Deprivation method: each indicator ranked (1 = least "
                "need), the rank scaled to R = rank/N and transformed to "
                "X = -23 ln(1 - R (1 - exp(-100/23))), about 0 to 100, then the weighted sum, "
                "so that a good indicator cannot fully offset a bad one"
            )
        else:
            how = "the weighted mean of direction-aware z-scores (population standard deviation)"
        inputs = "rates per 1,000 of each indicator's denominator" if self.use_rates else "values"
        weights = ", ".join(
            f"{code} {weight:.3g}"
            + (
                ""
                if code not in self.higher_is_more_need
                else (
                    " (higher is more need)"
                    if self.higher_is_more_need[code]
                    else " (lower is more need)"
                )
            )
            for code, weight in self.weights.items()
        )
        sources = "; ".join(f"{code}: {text or 'unknown'}" for code, text in self.sources.items())
        return (
            f"Needs index for {self.year} by {how}, computed on {inputs}. Weights, normalised "
            f"to sum to 1: {weights}. Rank 1 is the highest need; ties are ordered by district "
            f"code. Sources: {sources}."
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dictionary (NaN becomes ``None``)."""
        return {
            "year": int(self.year),
            "method": self.method,
            "use_rates": bool(self.use_rates),
            "weights": {k: float(v) for k, v in self.weights.items()},
            "higher_is_more_need": {k: bool(v) for k, v in self.higher_is_more_need.items()},
            "sources": dict(self.sources),
            "explanation": self.explain(),
            "scores": json.loads(self.scores.to_json(orient="records")),
        }


def _inputs(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    year: int,
    codes: list[str],
    use_rates: bool,
) -> pd.DataFrame:
    columns = {
        code: (
            rates(values, registry, indicator=code, year=year)
            if use_rates
            else values_for_year(values, indicator=code, year=year)
        )
        for code in codes
    }
    frame = pd.DataFrame(columns).sort_index()
    frame.index.name = "district_code"
    return frame


def needs_index(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    year: int,
    weights: Mapping[str, float],
    method: Literal["zscore", "imd"] = "zscore",
    use_rates: bool = True,
) -> NeedsIndex:
    """A composite needs index per district from weighted indicators.

    Parameters
    ----------
    values
        The long ``indicator_values`` frame.
    registry
        The indicators (directions, denominators, sources).
    year
        The year of the values.
    weights
        Indicator code to weight (>= 0, positive sum); normalised to sum to 1.
    method
        ``zscore`` (weighted mean of z-scores) or ``imd`` (Index of Multiple Deprivation
        exponential transform); see the module docstring.
    use_rates
        Use :func:`rates` (per 1,000 of the denominator) rather than raw values.

    Returns
    -------
    NeedsIndex
        The scores with method, weights, year and sources.

    Raises
    ------
    NotFoundError
        If an indicator is unknown or has no values in ``year``.
    ValidationError
        If the weights are not usable, or a district lacks a value (or a rate) of an indicator
        with a positive weight.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["poverty", "crime"], "name_pl": ["Ubóstwo", "Przestępczość"],
    ...     "name_en": ["Poverty", "Crime"], "unit": ["%", "per 1000"],
    ...     "higher_is_more_need": [True, True], "denominator": [None, None],
    ...     "source": ["MOPS", "Police"]}))
    >>> v = pd.DataFrame({"district_code": ["a", "b", "c"] * 2,
    ...                   "indicator": ["poverty"] * 3 + ["crime"] * 3, "year": 2023,
    ...                   "value": [10, 20, 30, 5, 5, 20]})
    >>> ni = needs_index(v, reg, year=2023, weights={"poverty": 1, "crime": 1})
    >>> ni.weights
    mappingproxy({'poverty': 0.5, 'crime': 0.5})
    >>> ni.scores[["district_code", "rank"]].to_dict("list")
    {'district_code': ['c', 'b', 'a'], 'rank': [1, 2, 3]}
    >>> ni.scores["needs_index"].round(4).tolist()
    [1.3195, -0.3536, -0.9659]
    >>> needs_index(v, reg, year=2023, weights={"poverty": 1}, method="imd").scores[
    ...     "needs_index"].round(3).tolist()
    [100.0, 24.681, 9.177]
    """
    if method not in ("zscore", "imd"):
        raise ValidationError(
            f"expected method 'zscore' or 'imd', got {method!r}; pick one of them"
        )
    norm_weights = normalise_weights(weights, known=registry)
    codes = list(norm_weights)
    raw = _inputs(values, registry, year=year, codes=codes, use_rates=use_rates)

    weighted = [c for c in codes if norm_weights[c] > 0]
    holes = [
        f"{code} for {', '.join(raw.index[raw[code].isna()])}"
        for code in weighted
        if raw[code].isna().any()
    ]
    if holes:
        raise ValidationError(
            f"expected a value of every weighted indicator for every district in {year}, got "
            f"none of {'; '.join(holes)}; load the missing values (for a rate, its "
            "denominator must be > 0) or give those indicators weight 0"
        )

    normalised = pd.DataFrame(index=raw.index)
    for code in codes:
        direction = registry[code].higher_is_more_need
        if method == "zscore":
            normalised[code] = normalise(raw[code], method="zscore", higher_is_more_need=direction)
        else:
            normalised[code] = exponential_transform(raw[code], higher_is_more_need=direction)

    matrix = normalised[weighted].to_numpy(dtype="float64")
    index_values = matrix @ np.array([norm_weights[c] for c in weighted])
    district_codes = normalised.index.to_numpy().astype(str)
    ranks = rank_descending(index_values, district_codes)

    scores = pd.DataFrame(
        {"district_code": district_codes, "needs_index": index_values, "rank": ranks}
    )
    for code in codes:
        scores[code] = normalised[code].to_numpy()
    scores = scores.sort_values("rank", kind="stable").reset_index(drop=True)

    sources: dict[str, str] = {}
    for code in codes:
        item = registry[code]
        text = item.source
        if use_rates and item.denominator is not None:
            den = registry[item.denominator]
            text = f"{item.source or 'unknown'}; denominator {den.code}: {den.source or 'unknown'}"
        sources[code] = text
    return NeedsIndex(
        scores=scores,
        method=method,
        weights=MappingProxyType(norm_weights),
        year=int(year),
        sources=MappingProxyType(sources),
        use_rates=use_rates,
        higher_is_more_need=MappingProxyType(
            {code: registry[code].higher_is_more_need for code in codes}
        ),
    )


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
    towards_need = frame["abs_change"] * item.direction
    status = np.select(
        [
            frame["abs_change"].isna(),
            frame["abs_change"].abs() <= tolerance,
            towards_need > 0,
        ],
        [None, "unchanged", "worsened"],
        default="improved",
    )
    frame["status"] = pd.Series(status, index=frame.index, dtype=object)
    frame["status"] = frame["status"].where(frame["status"].notna(), None)
    frame.index.name = "district_code"
    return frame.reset_index()
