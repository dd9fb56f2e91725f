"""Map layers: what a choropleth can show per district, with small counts suppressed.

A layer is one of

* an indicator code (``residents``, ``social_assistance``): the indicator's values;
* ``<code>_rate`` for an indicator with a denominator: per 1,000 of the denominator
  (:func:`mapping.indicators.rates`);
* ``needs_index``: the composite needs index (:func:`mapping.analysis.needs_table`), with weights
  and method chosen by the caller.

:func:`layer_values` gives one year of a layer for every district, ranked (1 = the most need,
by the indicator's direction) and passed through :mod:`mapping.privacy`: its ``table`` holds only
what may be shown, so a page cannot show a hidden number by mistake. :func:`layer_change` compares
two years, :func:`layer_history` gives one district over every year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from mapping.analysis import AnalysisData, Method, needs_table
from mapping.errors import NotFoundError, ValidationError
from mapping.indicators import (
    SMALL_DENOMINATOR,
    Indicator,
    IndicatorRegistry,
    NeedsIndex,
    change_between_years,
    change_status,
    rank_descending,
    rate_table,
    values_for_year,
)
from mapping.privacy import Suppression, counts_people

__all__ = [
    "NEEDS_INDEX",
    "RATE_PER",
    "RATE_SUFFIX",
    "Layer",
    "LayerValues",
    "find_layer",
    "layer_by_year",
    "layer_change",
    "layer_history",
    "layer_values",
    "layer_years",
    "list_layers",
]

LayerKind = Literal["value", "rate", "index"]

#: The code of the composite needs index layer.
NEEDS_INDEX = "needs_index"
#: ``<code>_rate`` is the rate layer of indicator ``<code>``.
RATE_SUFFIX = "_rate"
#: Rates are per this many units of the denominator.
RATE_PER = 1000


@dataclass(frozen=True)
class Layer:
    """One layer: its code, kind and (except for the needs index) its indicator.

    Examples
    --------
    >>> item = Indicator("unemployed", "Bezrobotni", "Unemployed", "osoby", True, "residents")
    >>> Layer("unemployed_rate", "rate", item).decimals, Layer("unemployed", "value", item).decimals
    (1, 0)
    """

    code: str
    kind: LayerKind
    indicator: Indicator | None = None

    @property
    def higher_is_more_need(self) -> bool:
        """Direction: True when a larger value means more need (always for the needs index)."""
        return True if self.indicator is None else self.indicator.higher_is_more_need

    @property
    def counts_people(self) -> bool:
        """True for the values of an indicator that counts people (these may be shown as < N)."""
        return self.kind == "value" and self.indicator is not None and counts_people(self.indicator)

    @property
    def decimals(self) -> int:
        """Decimals to show: 0 for counts of people, 2 for the needs index, 1 otherwise."""
        if self.kind == "index":
            return 2
        return 0 if self.counts_people else 1


def list_layers(registry: IndicatorRegistry) -> list[Layer]:
    """Every layer: each indicator, then its rate when it has a denominator; the needs index last.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["residents", "unemployed"], "name_pl": ["Mieszkańcy", "Bezrobotni"],
    ...     "name_en": ["Residents", "Unemployed"], "unit": ["osoby", "osoby"],
    ...     "higher_is_more_need": [False, True], "denominator": [None, "residents"]}))
    >>> [layer.code for layer in list_layers(reg)]
    ['residents', 'unemployed', 'unemployed_rate', 'needs_index']
    """
    layers: list[Layer] = []
    for item in registry:
        layers.append(Layer(item.code, "value", item))
        if item.denominator is not None:
            layers.append(Layer(item.code + RATE_SUFFIX, "rate", item))
    if any(item.higher_is_more_need for item in registry):
        layers.append(Layer(NEEDS_INDEX, "index", None))
    return layers


def find_layer(registry: IndicatorRegistry, code: str) -> Layer:
    """The layer ``code``; :class:`NotFoundError` listing every layer otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["poverty"], "name_pl": ["Ubóstwo"], "name_en": ["Poverty"], "unit": ["%"],
    ...     "higher_is_more_need": [True], "denominator": [None]}))
    >>> find_layer(reg, "poverty").kind
    'value'
    >>> find_layer(reg, "poverty_rate")
    Traceback (most recent call last):
    ...
    mapping.errors.NotFoundError: expected a layer code, got 'poverty_rate'; layers: poverty, \
needs_index
    """
    for layer in list_layers(registry):
        if layer.code == code:
            return layer
    known = ", ".join(layer.code for layer in list_layers(registry)) or "none"
    raise NotFoundError(f"expected a layer code, got {code!r}; layers: {known}")


def _split(data: AnalysisData) -> tuple[dict[str, pd.DataFrame], dict[str, frozenset[int]]]:
    """The rows of each indicator, and each indicator's years, computed once per data.

    Kept in the instance's ``__dict__`` as :func:`functools.cached_property` would (the
    dataclass is frozen, its frames are not changed after loading): each year's lookup then
    filters about a hundred rows instead of every value.
    """
    cached = data.__dict__.get("_layers_split")
    if cached is None:
        frames = {str(code): rows for code, rows in data.values.groupby("indicator", sort=False)}
        years = {
            code: frozenset(int(y) for y in rows["year"].unique()) for code, rows in frames.items()
        }
        cached = (frames, years)
        data.__dict__["_layers_split"] = cached
    return cached


def _rows(data: AnalysisData, codes: list[str]) -> pd.DataFrame:
    """The values of ``codes`` only (an empty frame with the columns when none has values)."""
    frames, _ = _split(data)
    parts = [frames[c] for c in codes if c in frames]
    return pd.concat(parts) if parts else data.values.iloc[0:0]


def _codes_used(data: AnalysisData, layer: Layer, weights: Mapping[str, float] | None) -> set[str]:
    if layer.kind == "index":
        codes = set(weights) if weights else set(data.needs_codes())
        denominators = {d for c in codes if (d := data.registry[c].denominator) is not None}
        return codes | denominators
    assert layer.indicator is not None
    codes = {layer.indicator.code}
    if layer.kind == "rate" and layer.indicator.denominator is not None:
        codes.add(layer.indicator.denominator)
    return codes


def layer_years(
    data: AnalysisData, layer: Layer, *, weights: Mapping[str, float] | None = None
) -> list[int]:
    """Years in which every indicator the layer needs has values, ascending."""
    _, by_code = _split(data)
    years: set[int] | None = None
    for code in _codes_used(data, layer, weights):
        found = set(by_code.get(code, ()))
        years = found if years is None else years & found
    return sorted(years or ())


@dataclass(frozen=True)
class LayerValues:
    """One year of a layer, ready to show.

    Attributes
    ----------
    layer, year
        What and when.
    table
        One row per district, ordered by code: ``district_code``, ``district_name``, ``shown``
        (the value, NaN where it is hidden or missing), ``small`` (a count of people below the
        minimum: show ``< N``), ``hidden`` (no number may be shown: a small count or a rate built
        from one), ``rank`` (1 = the most need among the districts whose value is shown, so
        that no gap in the ranks places a hidden value; <NA> where hidden or missing), and for a
        rate layer ``smoothed`` (the empirical Bayes rate beside the raw one, NaN where hidden;
        NaN for other layers) and ``small_denominator`` (the rate's denominator is below the
        threshold: :data:`mapping.indicators.SMALL_DENOMINATOR`; False for other layers).
    needs
        The :class:`~mapping.indicators.NeedsIndex` of a needs index layer (weights, method,
        sources), else None.
    """

    layer: Layer
    year: int
    table: pd.DataFrame
    needs: NeedsIndex | None = None

    @property
    def shown(self) -> pd.Series:
        """The values that may be shown, indexed by district code (NaN elsewhere)."""
        return self.table.set_index("district_code")["shown"]


def _true_values(
    data: AnalysisData,
    layer: Layer,
    *,
    year: int,
    weights: Mapping[str, float] | None,
    method: Method,
    small_below: float = SMALL_DENOMINATOR,
) -> tuple[pd.DataFrame, NeedsIndex | None]:
    """By district: ``value`` (the layer's true value), ``smoothed`` and ``small_denominator``."""
    codes = pd.Index(data.districts["code"].astype(str))
    frame = pd.DataFrame(
        {"value": np.nan, "smoothed": np.nan, "small_denominator": False}, index=codes
    )
    if layer.kind == "index":
        index = needs_table(data, year=year, weights=weights, method=method)
        series = index.scores.set_index("district_code")["needs_index"]
        frame["value"] = series.reindex(codes).astype("float64")
        return frame, index
    assert layer.indicator is not None
    code = layer.indicator.code
    if layer.kind == "rate":
        rows = _rows(data, [code, layer.indicator.denominator or code])
        table = rate_table(
            rows, data.registry, indicator=code, year=year, small_below=small_below
        ).reindex(codes)
        frame["value"] = table["rate"].astype("float64")
        frame["smoothed"] = table["smoothed_rate"].astype("float64")
        frame["small_denominator"] = table["small_denominator"].fillna(False).astype(bool)
    else:
        series = values_for_year(_rows(data, [code]), indicator=code, year=year)
        frame["value"] = series.reindex(codes).astype("float64")
    return frame, None


def _hidden(
    layer: Layer, codes: pd.Index, *, year: int, suppression: Suppression
) -> tuple[pd.Series, pd.Series]:
    """(small, hidden) masks by district for one year of the layer."""
    false = pd.Series(False, index=codes, dtype=bool)
    if layer.kind == "index" or layer.indicator is None:
        return false, false
    if layer.kind == "rate":
        hidden = suppression.mask(codes, layer.indicator.code, year, rate=True)
        return false, hidden
    small = suppression.mask(codes, layer.indicator.code, year, rate=False)
    return small, small


def _ranks(values: pd.Series, layer: Layer) -> pd.Series:
    direction = 1.0 if layer.higher_is_more_need else -1.0
    ranks = rank_descending(values.to_numpy() * direction, values.index.to_numpy())
    return pd.Series(ranks, index=values.index, dtype="Int64").where(values.notna())


def layer_values(
    data: AnalysisData,
    layer: Layer,
    *,
    year: int,
    suppression: Suppression,
    weights: Mapping[str, float] | None = None,
    method: Method = "zscore",
    small_below: float = SMALL_DENOMINATOR,
) -> LayerValues:
    """One year of ``layer`` for every district, with hidden values removed.

    Parameters
    ----------
    data
        The analysis frames.
    layer
        From :func:`find_layer`.
    year
        A year with data (:class:`NotFoundError` listing the years otherwise).
    suppression
        From :func:`mapping.privacy.suppress` over ``data.values``.
    weights, method
        Of the needs index (ignored by other layers); default equal weights, ``zscore``.
    small_below
        A rate whose denominator is below this is flagged ``small_denominator``.

    Returns
    -------
    LayerValues
        See there.
    """
    years = layer_years(data, layer, weights=weights)
    if int(year) not in years:
        known = ", ".join(map(str, years)) or "none"
        raise NotFoundError(
            f"expected a year with data for {layer.code}, got {year}; years with data: {known}"
        )
    true, needs = _true_values(
        data, layer, year=int(year), weights=weights, method=method, small_below=small_below
    )
    values = true["value"]
    small, hidden = _hidden(layer, values.index, year=int(year), suppression=suppression)
    # Ranked among the values that are shown: a gap in the ranks would place a hidden value.
    ranks = _ranks(values.where(~hidden), layer)
    names = dict(zip(data.districts["code"].astype(str), data.districts["name"], strict=True))
    table = pd.DataFrame(
        {
            "district_code": values.index,
            "district_name": [names[c] for c in values.index],
            "shown": values.where(~hidden).to_numpy(),
            "small": small.to_numpy(),
            "hidden": hidden.to_numpy(),
            "rank": ranks.where(~hidden).to_numpy(),
            "smoothed": true["smoothed"].where(~hidden).to_numpy(),
            "small_denominator": true["small_denominator"].to_numpy(dtype=bool),
        }
    )
    table["rank"] = table["rank"].astype("Int64")
    return LayerValues(layer=layer, year=int(year), table=table, needs=needs)


def layer_change(
    data: AnalysisData,
    layer: Layer,
    *,
    from_year: int,
    to_year: int,
    suppression: Suppression,
    weights: Mapping[str, float] | None = None,
    method: Method = "zscore",
) -> pd.DataFrame:
    """How a layer changed per district between two years, with hidden values removed.

    Indicator layers use :func:`mapping.indicators.change_between_years`; the needs index
    compares the two years' indices (a higher index is more need).

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``district_name``, ``from_shown``, ``from_small``, ``to_shown``,
        ``to_small``, ``change_shown`` (to - from; NaN where either side is hidden), ``p_value``
        (the chance test of the change, :mod:`mapping.indicators.change`; NaN where none
        applies or a side is hidden), ``status``
        (``improved``, ``worsened``, ``no_clear_change`` (within the chance variation of the
        counts: :mod:`mapping.indicators.change`), ``unchanged``, ``hidden`` or None for
        missing data).
    """
    before = layer_values(
        data, layer, year=from_year, suppression=suppression, weights=weights, method=method
    )
    after = layer_values(
        data, layer, year=to_year, suppression=suppression, weights=weights, method=method
    )
    codes = before.table["district_code"]
    if layer.kind == "index":
        assert before.needs is not None and after.needs is not None  # set for index layers
        b = before.needs.scores.set_index("district_code")["needs_index"].reindex(codes)
        a = after.needs.scores.set_index("district_code")["needs_index"].reindex(codes)
        diff = (a - b).astype("float64")
        status = change_status(diff, direction=1)
        p_value = pd.Series(np.nan, index=codes.to_numpy(), dtype="float64")
    else:
        assert layer.indicator is not None
        change = change_between_years(
            data.values,
            data.registry,
            indicator=layer.indicator.code,
            from_year=int(from_year),
            to_year=int(to_year),
            use_rate=layer.kind == "rate",
            counts=layer.counts_people,
        ).set_index("district_code")
        diff = change["abs_change"].reindex(codes).astype("float64")
        status = change["status"].reindex(codes).astype(object)
        p_value = change["p_value"].reindex(codes).astype("float64")
    hidden = (
        before.table.set_index("district_code")["hidden"]
        | after.table.set_index("district_code")["hidden"]
    )
    status = status.where(~hidden, "hidden").where(lambda s: s.notna(), None)
    return pd.DataFrame(
        {
            "district_code": codes.to_numpy(),
            "district_name": before.table["district_name"].to_numpy(),
            "from_shown": before.table["shown"].to_numpy(),
            "from_small": before.table["small"].to_numpy(),
            "to_shown": after.table["shown"].to_numpy(),
            "to_small": after.table["small"].to_numpy(),
            "change_shown": diff.where(~hidden).to_numpy(),
            "p_value": p_value.where(~hidden.to_numpy()).to_numpy(),
            "status": status.to_numpy(),
        }
    )


def layer_by_year(
    data: AnalysisData,
    layer: Layer,
    *,
    weights: Mapping[str, float] | None = None,
    method: Method = "zscore",
) -> pd.DataFrame:
    """The true values of ``layer`` for every district and every year with data, in one frame.

    For internal use by :func:`layer_history` (nothing here is suppressed). Indicator values
    and rates of all years come from one pivot each, with the rules of
    :func:`mapping.indicators.rates` (a missing or 0 denominator gives NaN); a test checks that
    every year equals :func:`layer_values` before suppression.

    Returns
    -------
    pandas.DataFrame
        Index: district codes (ordered as ``data.districts``); columns: years, ascending.
    """
    years = layer_years(data, layer, weights=weights)
    codes = pd.Index(data.districts["code"].astype(str), name="district_code")
    if layer.kind == "index":
        columns = {
            year: _true_values(data, layer, year=year, weights=weights, method=method)[0]["value"]
            for year in years
        }
        return pd.DataFrame(columns, index=codes, columns=years)

    def pivot(code: str) -> pd.DataFrame:
        rows = _rows(data, [code])
        try:
            table = rows.pivot(index="district_code", columns="year", values="value")
        except ValueError as exc:  # two values for one district and year
            raise ValidationError(
                f"expected one value of {code!r} per district and year, got repeats; keep one"
            ) from exc
        table.columns = [int(c) for c in table.columns]
        return table.reindex(index=codes, columns=years).astype("float64")

    assert layer.indicator is not None
    values = pivot(layer.indicator.code)
    if layer.kind == "rate" and layer.indicator.denominator is not None:
        denominator = pivot(layer.indicator.denominator)
        values = values / denominator.where(denominator > 0) * RATE_PER
    return values


def layer_history(
    data: AnalysisData,
    layer: Layer,
    *,
    district: str,
    suppression: Suppression,
    weights: Mapping[str, float] | None = None,
    method: Method = "zscore",
    by_year: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One district's value of ``layer`` in every year with data, hidden values removed.

    ``by_year`` is :func:`layer_by_year` of the layer when the caller already has it (it is the
    same for every district).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``shown`` (NaN where hidden or missing), ``small`` (show ``< N``) and
        ``hidden``, one row per year with data, ascending.
    """
    if by_year is None:
        by_year = layer_by_year(data, layer, weights=weights, method=method)
    rows = []
    codes = pd.Index([str(district)])
    # NaN in every year for a district that is not in the table.
    values = by_year.reindex(codes).to_numpy(dtype="float64")[0]
    for year, value in zip(by_year.columns, values, strict=True):
        small, hidden = _hidden(layer, codes, year=int(year), suppression=suppression)
        is_hidden = bool(hidden.iloc[0])
        rows.append(
            {
                "year": int(year),
                "shown": np.nan if is_hidden else float(value),
                "small": bool(small.iloc[0]),
                "hidden": is_hidden,
            }
        )
    return pd.DataFrame(rows, columns=["year", "shown", "small", "hidden"])
