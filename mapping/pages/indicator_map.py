"""The indicator map (``/mapa/<layer>``): one layer for one year, classified, with its legend,
tooltips and table. The page, its CSV table, its embed, its files and ``palmap render map`` all
draw the :class:`Choropleth` of :func:`build_choropleth`, so every form shows the same classes.

"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mapping.analysis import AnalysisData
from mapping.classify import class_breaks
from mapping.indicators import SMALL_DENOMINATOR
from mapping.layers import Layer, LayerValues
from mapping.pages.data import PageData
from mapping.pages.labels import (
    indicator_name,
    layer_label,
    layer_options,
    layer_source,
    layer_unit,
)
from mapping.pages.query import MapQuery, page_error
from mapping.pages.text import Translator
from mapping.render.choropleth import NO_DATA_COLOUR, PALETTES, MapLegend, class_colours, palette

#: Tooltip lines of a district: (label, text).
Tooltips = dict[str, list[tuple[str, object]]]


def missing(value: Any) -> bool:
    """Whether a cell holds no value (None, NaN, NA)."""
    return value is None or bool(pd.isna(value))


def weights_text(weights: Mapping[str, float] | None) -> str | None:
    """``code=w,code=w`` for a link, or None."""
    if not weights:
        return None
    return ",".join(f"{code}={weight:g}" for code, weight in weights.items())


def class_labels(breaks: list[float], low: float, decimals: int, tr: Translator) -> list[str]:
    """``low – b1``, ``b1 – b2``, ...: the legend's class labels."""
    labels = []
    lower = low
    for upper in breaks:
        labels.append(f"{tr.number(lower, decimals)} – {tr.number(upper, decimals)}")
        lower = upper
    return labels


def hidden_note(values: LayerValues, min_count: int, tr: Translator) -> str | None:
    """The legend line for small counts or hidden rates (None when there are none)."""
    table = values.table
    if table["small"].any():
        return tr("fewer than %(count)d people: shown as < %(count)d", count=min_count)
    if table["hidden"].any():
        return tr("hidden: built from fewer than %(count)d people", count=min_count)
    return None


def rank_text(rank: Any, total: int) -> str:
    """``3 / 21``, or a dash without a rank."""
    return "–" if missing(rank) else f"{int(rank)} / {total}"


def value_text(row: Any, layer: Layer, min_count: int, tr: Translator) -> str:
    """A district's value as a cell shows it (``< 5``, a dash, or the number)."""
    return tr.shown(
        row.shown, small=row.small, hidden=row.hidden, decimals=layer.decimals, min_count=min_count
    )


def smoothed_text(row: Any, layer: Layer, tr: Translator) -> str:
    """A rate's empirical Bayes estimate as a cell shows it (a dash where hidden or missing)."""
    hidden = bool(row.hidden or row.small or missing(row.smoothed))
    return tr.shown(row.smoothed, small=False, hidden=hidden, decimals=layer.decimals, min_count=0)


def small_denominator_note(tr: Translator) -> str:
    """What the small-denominator flag means, for a tooltip or a table."""
    return tr(
        "fewer than %(count)s people in the denominator: the rate swings by chance",
        count=tr.number(SMALL_DENOMINATOR, 0),
    )


def tooltips(values: LayerValues, *, unit: str, min_count: int, tr: Translator) -> Tooltips:
    """Each district's tooltip: the year's value with its unit, and its rank; for a rate also
    the smoothed rate and, where the denominator is small, a note saying so."""
    total = int(values.table["rank"].notna().sum())
    tips: Tooltips = {}
    rate = values.layer.kind == "rate"
    for row in values.table.itertuples(index=False):
        tip: list[tuple[str, object]] = [
            (str(values.year), f"{value_text(row, values.layer, min_count, tr)} {unit}".strip()),
            (tr("Rank"), rank_text(row.rank, total)),
        ]
        if rate:
            smoothed = smoothed_text(row, values.layer, tr)
            tip.append((tr("Smoothed rate (empirical Bayes)"), f"{smoothed} {unit}".strip()))
            if row.small_denominator:
                tip.append((tr("Small numbers"), small_denominator_note(tr)))
        tips[row.district_code] = tip
    return tips


@dataclass(frozen=True)
class Choropleth:
    """One layer for one year classified for a map (page, embed, files, CLI)."""

    query: MapQuery
    values: LayerValues
    label: str
    unit: str
    breaks: list[float]
    colours: list[str]
    fills: dict[str, str | None]
    legend: MapLegend
    tooltips: Tooltips
    source: str


def _breaks(shown: pd.Series, query: MapQuery) -> list[float]:
    distinct = int(shown.dropna().nunique())
    if distinct == 0:
        return []
    return class_breaks(shown.dropna(), scheme=query.scheme, k=min(query.k, distinct))


def build_choropleth(data: PageData, query: MapQuery, tr: Translator) -> Choropleth:
    """Classify the query's layer for its year, scheme, k and palette."""
    analysis = data.analysis
    values = data.values(query.layer, query.year, weights=query.weights, method=query.method)
    shown = values.shown
    breaks = _breaks(shown, query)
    colours = palette(query.palette, len(breaks)) if breaks else []
    fills = class_colours(shown, breaks, colours)
    low = float(shown.min()) if shown.notna().any() else 0.0
    unit = layer_unit(analysis, values.layer, tr, method=query.method)
    label = layer_label(analysis, values.layer, tr)
    entries = list(zip(colours, class_labels(breaks, low, values.layer.decimals, tr), strict=True))
    note = hidden_note(values, data.min_count, tr)
    if note:
        entries.append((NO_DATA_COLOUR, note))
    elif values.table["shown"].isna().any():
        entries.append((NO_DATA_COLOUR, tr("no data")))
    legend = MapLegend(title=f"{label}, {values.year}", entries=entries, unit=unit)
    return Choropleth(
        query=query,
        values=values,
        label=label,
        unit=unit,
        breaks=breaks,
        colours=colours,
        fills=fills,
        legend=legend,
        tooltips=tooltips(values, unit=unit, min_count=data.min_count, tr=tr),
        source=layer_source(analysis, values.layer, tr, query.weights),
    )


def table_rows(
    values: LayerValues, fills: dict[str, str | None], min_count: int, tr: Translator
) -> list[dict[str, Any]]:
    """The table under the map: one row per district, by rank then name."""
    total = int(values.table["rank"].notna().sum())
    rows = []
    for row in values.table.itertuples(index=False):
        rows.append(
            {
                "code": row.district_code,
                "name": row.district_name,
                "value": value_text(row, values.layer, min_count, tr),
                "smoothed": smoothed_text(row, values.layer, tr),
                "small_denominator": bool(row.small_denominator),
                "rank": rank_text(row.rank, total),
                "sort": (1, 0) if missing(row.rank) else (0, int(row.rank)),
                "colour": fills.get(row.district_code) or NO_DATA_COLOUR,
            }
        )
    return sorted(rows, key=lambda r: (r["sort"], r["name"]))


#: Rows of the table under the indicator map on one page (``?page=2`` for the next ones): the
#: map draws every district and the CSV holds them all. The 2,477 gminy as one table made
#: 537 kB of the page's 991 kB and half a second of Chromium's load (benchmarks/browser_load.py
#: --national); sets of up to this many districts, the demo's among them, are one page.
TABLE_PAGE_SIZE = 100


@dataclass(frozen=True)
class TablePage:
    """One page of the table under the map: its rows, the first row's number, the pages."""

    rows: list[dict[str, Any]]
    page: int
    pages: int
    first: int
    size: int

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def table_page(rows: list[dict[str, Any]], raw: str | None, tr: Translator) -> TablePage:
    """Page ``raw`` (``?page=``, None: the first) of ``rows``; a 400 naming the range beyond.

    Examples
    --------
    >>> from mapping.pages.text import Translator
    >>> rows = [{"rank": i} for i in range(1, 251)]
    >>> part = table_page(rows, "3", Translator.plain())
    >>> part.pages, part.first, part.last, part.rows[0]
    (3, 201, 250, {'rank': 201})
    >>> table_page(rows, "4", Translator.plain())
    Traceback (most recent call last):
    ...
    mapping.pages.errors.QueryError: Page of the list: expected a whole number from 1 to 3, got 4.
    """
    size = TABLE_PAGE_SIZE
    pages = max(1, -(-len(rows) // size))
    page = 1 if raw is None else int(raw) if raw.isdigit() else 0
    if not 1 <= page <= pages:
        raise page_error(raw, pages, tr)
    start = (page - 1) * size
    return TablePage(rows[start : start + size], page, pages, start + 1, size)


def weight_fields(
    data: AnalysisData, weights: Any, tr: Translator, *, layer: Layer
) -> list[dict[str, Any]]:
    """One weight field per needs indicator (the needs index layer's form); none for others."""
    if layer.kind != "index":
        return []
    chosen = weights or dict.fromkeys(data.needs_codes(), 1.0)
    return [
        {"code": code, "label": indicator_name(data, code, tr), "value": f"{chosen.get(code, 0):g}"}
        for code in data.needs_codes()
    ]


@dataclass(frozen=True)
class IndicatorMapPage:
    """What the indicator map page draws: the choropleth, its table and its form."""

    choropleth: Choropleth
    rows: list[dict[str, Any]]
    layers: list[tuple[str, str]]
    weight_fields: list[dict[str, Any]]
    palettes: tuple[str, ...]
    year_options: list[tuple[int, str]]
    weights_query: str | None
    schematic: bool
    rate: bool = False
    small_denominator_note: str = ""
    index_note: str = ""


def build_indicator_map(data: PageData, query: MapQuery, tr: Translator) -> IndicatorMapPage:
    """The indicator map page for ``query``."""
    choropleth = build_choropleth(data, query, tr)
    return IndicatorMapPage(
        choropleth=choropleth,
        rows=table_rows(choropleth.values, choropleth.fills, data.min_count, tr),
        layers=layer_options(data.analysis, tr),
        weight_fields=weight_fields(data.analysis, query.weights, tr, layer=query.layer),
        palettes=tuple(PALETTES),
        year_options=[(y, str(y)) for y in query.years],
        weights_query=weights_text(query.weights),
        schematic=data.schematic,
        rate=choropleth.values.layer.kind == "rate",
        small_denominator_note=small_denominator_note(tr),
        index_note=tr(
            "The needs index is computed on the rates smoothed by empirical Bayes (small "
            "districts pulled towards the mean of all districts)."
        )
        if choropleth.values.layer.kind == "index"
        else "",
    )


TABLE_COLUMNS: tuple[str, ...] = (
    "district_code",
    "district_name",
    "layer",
    "year",
    "value",
    "rank",
    "smoothed_value",
    "small_denominator",
)


def indicator_table(data: PageData, query: MapQuery) -> list[dict[str, Any]]:
    """The table under the map as CSV rows (small counts as ``< 5``, hidden rates empty).

    A rate layer also gives ``smoothed_value`` (the empirical Bayes rate; empty where the rate
    is hidden) and ``small_denominator`` (``true`` where the denominator is below
    :data:`mapping.indicators.SMALL_DENOMINATOR`); other layers leave both empty.
    """
    rate = query.layer.kind == "rate"
    values = data.values(query.layer, query.year, weights=query.weights, method=query.method)
    rows = []
    for row in values.table.itertuples(index=False):
        if row.small:
            value: Any = f"< {data.min_count}"
        elif row.hidden or missing(row.shown):
            value = None
        else:
            value = round(float(row.shown), 6)
        rows.append(
            {
                "district_code": row.district_code,
                "district_name": row.district_name,
                "layer": values.layer.code,
                "year": values.year,
                "value": value,
                "rank": None if missing(row.rank) else int(row.rank),
                "smoothed_value": None
                if not rate or row.hidden or row.small or missing(row.smoothed)
                else round(float(row.smoothed), 6),
                "small_denominator": (
                    ("true" if row.small_denominator else "false") if rate else None
                ),
            }
        )
    return rows
