"""The comparison of two years (``/porownanie/<layer>``): both years on pooled class breaks and
a change map (improved / worsened by the indicator's direction); page, embed and files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mapping.classify import pooled_breaks
from mapping.layers import LayerValues, layer_change
from mapping.pages.data import PageData
from mapping.pages.indicator_map import (
    Tooltips,
    class_labels,
    hidden_note,
    missing,
    tooltips,
    weight_fields,
    weights_text,
)
from mapping.pages.labels import layer_label, layer_options, layer_source, layer_unit
from mapping.pages.query import CompareQuery
from mapping.pages.text import Translator
from mapping.render.choropleth import (
    CHANGE_COLOURS,
    NO_DATA_COLOUR,
    PALETTES,
    MapLegend,
    class_colours,
    palette,
)

STATUSES: tuple[str, ...] = ("improved", "worsened", "unchanged", "hidden")


@dataclass(frozen=True)
class YearMap:
    """One year of the pair: its fills and tooltips on the shared breaks."""

    values: LayerValues
    fills: dict[str, str | None]
    tooltips: Tooltips


@dataclass(frozen=True)
class Comparison:
    """Two years of a layer on pooled breaks and the change between them."""

    query: CompareQuery
    label: str
    unit: str
    source: str
    before: YearMap
    after: YearMap
    shared_legend: MapLegend
    change_fills: dict[str, str | None]
    change_tips: Tooltips
    change_rows: list[dict[str, Any]]
    change_legend: MapLegend


def change_text(value: Any, decimals: int, tr: Translator) -> str:
    """``+1,5`` / ``-2,0``, or a dash."""
    if missing(value):
        return "–"
    text = tr.number(value, decimals)
    return f"+{text}" if value > 0 else text


def _status_names(tr: Translator) -> dict[str | None, str]:
    return {
        "improved": tr("improved"),
        "worsened": tr("worsened"),
        "unchanged": tr("unchanged"),
        "hidden": tr("hidden (small numbers)"),
        None: tr("no data"),
    }


def _change(
    data: PageData, query: CompareQuery, tr: Translator
) -> tuple[dict[str, str | None], Tooltips, list[dict[str, Any]], set[str]]:
    layer, decimals, min_count = query.layer, query.layer.decimals, data.min_count
    change = layer_change(
        data.analysis,
        layer,
        from_year=query.first,
        to_year=query.last,
        suppression=data.suppression,
        weights=query.weights,
        method=query.method,
    )
    statuses = _status_names(tr)
    fills: dict[str, str | None] = {}
    tips: Tooltips = {}
    rows = []
    for row in change.itertuples(index=False):
        status = row.status if row.status in statuses else None
        fills[row.district_code] = CHANGE_COLOURS.get(status) if status else None
        before = tr.shown(
            row.from_shown,
            small=row.from_small,
            hidden=missing(row.from_shown),
            decimals=decimals,
            min_count=min_count,
        )
        after = tr.shown(
            row.to_shown,
            small=row.to_small,
            hidden=missing(row.to_shown),
            decimals=decimals,
            min_count=min_count,
        )
        text = change_text(row.change_shown, decimals, tr)
        tips[row.district_code] = [
            (str(query.first), before),
            (str(query.last), after),
            (tr("Change"), f"{text} ({statuses[status]})"),
        ]
        rows.append(
            {
                "code": row.district_code,
                "name": row.district_name,
                "before": before,
                "after": after,
                "change": text,
                "status": status or "none",
                "status_label": statuses[status],
                "colour": fills[row.district_code] or NO_DATA_COLOUR,
            }
        )
    return fills, tips, rows, set(change["status"])


def build_comparison(data: PageData, query: CompareQuery, tr: Translator) -> Comparison:
    """Everything the comparison shows, for ``query``."""
    analysis, layer = data.analysis, query.layer
    before = data.values(layer, query.first, weights=query.weights, method=query.method)
    after = data.values(layer, query.last, weights=query.weights, method=query.method)
    pooled = {query.first: before.shown.dropna(), query.last: after.shown.dropna()}
    distinct = len(set(pooled[query.first]) | set(pooled[query.last]))
    breaks = (
        pooled_breaks(pooled, scheme=query.scheme, k=min(query.k, distinct)) if distinct else []
    )
    colours = palette(query.palette, len(breaks)) if breaks else []
    low = min((float(s.min()) for s in pooled.values() if len(s)), default=0.0)
    unit = layer_unit(analysis, layer, tr, method=query.method)
    label = layer_label(analysis, layer, tr)
    entries = list(zip(colours, class_labels(breaks, low, layer.decimals, tr), strict=True))
    notes = {hidden_note(v, data.min_count, tr) for v in (before, after)} - {None}
    entries += [(NO_DATA_COLOUR, note) for note in sorted(n for n in notes if n)]
    # One legend for both years (their classes are the same), shown once under the pair: on
    # a map half the page wide a legend would cover a third of the city.
    shared = MapLegend(title=f"{label}, {query.first}/{query.last}", entries=entries, unit=unit)

    def year_map(values: LayerValues) -> YearMap:
        tips = tooltips(values, unit=unit, min_count=data.min_count, tr=tr)
        return YearMap(values, class_colours(values.shown, breaks, colours), tips)

    fills, tips, rows, found = _change(data, query, tr)
    statuses = _status_names(tr)
    change_legend = MapLegend(
        title=tr("Change %(first)s–%(last)s", first=query.first, last=query.last),
        entries=[(CHANGE_COLOURS[s], statuses[s]) for s in STATUSES if s in found],
        unit=tr("higher values mean more need")
        if layer.higher_is_more_need
        else tr("lower values mean more need"),
    )
    return Comparison(
        query=query,
        label=label,
        unit=unit,
        source=layer_source(analysis, layer, tr, query.weights),
        before=year_map(before),
        after=year_map(after),
        shared_legend=shared,
        change_fills=fills,
        change_tips=tips,
        change_rows=rows,
        change_legend=change_legend,
    )


@dataclass(frozen=True)
class ComparisonPage:
    """What the comparison page draws besides the three maps."""

    comparison: Comparison
    rows: list[dict[str, Any]]
    layers: list[tuple[str, str]]
    weight_fields: list[dict[str, Any]]
    palettes: tuple[str, ...]
    year_options: list[tuple[int, str]]
    weights_query: str | None
    counts: dict[str, int]
    schematic: bool


def build_comparison_page(data: PageData, query: CompareQuery, tr: Translator) -> ComparisonPage:
    """The comparison page for ``query``."""
    built = build_comparison(data, query, tr)
    rows = built.change_rows
    return ComparisonPage(
        comparison=built,
        rows=sorted(rows, key=lambda r: r["name"]),
        layers=layer_options(data.analysis, tr),
        weight_fields=weight_fields(data.analysis, query.weights, tr, layer=query.layer),
        palettes=tuple(PALETTES),
        year_options=[(y, str(y)) for y in query.years],
        weights_query=weights_text(query.weights),
        counts={s: sum(1 for r in rows if r["status"] == s) for s in ("improved", "worsened")},
        schematic=data.schematic,
    )
