"""The comparison of two years (``/porownanie/<layer>``): both years on pooled class breaks and
a change map (improved / worsened by the indicator's direction, or no clear change when the
change lies within the chance variation of the counts: :mod:`mapping.indicators.change`); page,
embed, CSV and files. Two editions (``?against=``) are the same comparison on the data of
:mod:`mapping.pages.edition_compare`, with the estimated districts marked."""

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

STATUSES: tuple[str, ...] = ("improved", "worsened", "no_clear_change", "unchanged", "hidden")
#: The columns of the comparison's CSV (:func:`change_table`).
CHANGE_COLUMNS: tuple[str, ...] = (
    "district_code",
    "district_name",
    "value_from",
    "value_to",
    "change",
    "p_value",
    "status",
    "estimated",
)


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
    #: Districts whose earlier value is an areal-weighting estimate (two editions, boundaries
    #: changed); drawn outlined.
    estimated: frozenset[str] = frozenset()
    #: The two columns' headings: the years, with their editions when two are compared.
    first_label: str = ""
    last_label: str = ""


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
        "no_clear_change": tr("no clear change"),
        "unchanged": tr("unchanged"),
        "hidden": tr("hidden (small numbers)"),
        None: tr("no data"),
    }


def _change(
    data: PageData, query: CompareQuery, tr: Translator, estimated: frozenset[str]
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
        guess = row.district_code in estimated
        if guess:
            before = f"{before} ({tr('estimate')})"
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
                "estimated": guess,
                "csv": _csv_row(row, status, guess),
            }
        )
    return fills, tips, rows, set(change["status"])


def _csv_row(row: Any, status: str | None, estimated: bool) -> dict[str, Any]:
    """One district of the CSV: the values shown (hidden ones empty), unrounded."""

    def shown(value: Any, small: bool) -> Any:
        return None if missing(value) or small else float(value)

    return {
        "district_code": row.district_code,
        "district_name": row.district_name,
        "value_from": shown(row.from_shown, row.from_small),
        "value_to": shown(row.to_shown, row.to_small),
        "change": None if missing(row.change_shown) else float(row.change_shown),
        "p_value": None if missing(row.p_value) else round(float(row.p_value), 6),
        "status": status or "",
        "estimated": estimated,
    }


def change_table(built: Comparison) -> list[dict[str, Any]]:
    """The comparison as CSV rows (:data:`CHANGE_COLUMNS`): the values shown on the page (a
    small count or a hidden rate empty), the change, the chance test's p-value, the status
    (``improved``, ``worsened``, ``no_clear_change``, ``unchanged``, ``hidden``, empty for
    missing data) and ``estimated`` (``true`` where the earlier value is an estimate)."""
    return [row["csv"] for row in sorted(built.change_rows, key=lambda r: r["code"])]


def _headings(query: CompareQuery, data: PageData, tr: Translator) -> tuple[str, str]:
    """The two years, each with its edition when two editions are compared."""
    if query.against is None:
        return str(query.first), str(query.last)
    first = tr("%(year)s (edition %(code)s)", year=query.first, code=query.against)
    if data.edition is None:
        return first, tr("%(year)s (live data)", year=query.last)
    return first, tr("%(year)s (edition %(code)s)", year=query.last, code=data.edition)


def _change_legend(
    query: CompareQuery, found: set[str], estimated: frozenset[str], tr: Translator
) -> MapLegend:
    statuses = _status_names(tr)
    note = tr(
        "Thick outline: the value of %(year)s is an estimate (boundaries changed; areal "
        "weighting).",
        year=query.first,
    )
    return MapLegend(
        title=tr("Change %(first)s–%(last)s", first=query.first, last=query.last),
        entries=[(CHANGE_COLOURS[s], statuses[s]) for s in STATUSES if s in found],
        unit=tr("higher values mean more need")
        if query.layer.higher_is_more_need
        else tr("lower values mean more need"),
        note=note if estimated else None,
    )


def build_comparison(
    data: PageData,
    query: CompareQuery,
    tr: Translator,
    *,
    estimated: frozenset[str] = frozenset(),
) -> Comparison:
    """Everything the comparison shows, for ``query``; ``estimated``: the districts whose
    earlier values are estimates (:func:`mapping.pages.edition_compare.edition_pair`)."""
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

    def year_map(values: LayerValues, marked: frozenset[str] = frozenset()) -> YearMap:
        tips = tooltips(values, unit=unit, min_count=data.min_count, tr=tr)
        for code in marked & set(tips):
            tips[code] = [*tips[code], (tr("Estimate"), tr("areal weighting"))]
        return YearMap(values, class_colours(values.shown, breaks, colours), tips)

    fills, tips, rows, found = _change(data, query, tr, estimated)
    first_label, last_label = _headings(query, data, tr)
    return Comparison(
        query=query,
        label=label,
        unit=unit,
        source=layer_source(analysis, layer, tr, query.weights),
        before=year_map(before, estimated),
        after=year_map(after),
        shared_legend=shared,
        change_fills=fills,
        change_tips=tips,
        change_rows=rows,
        change_legend=_change_legend(query, found, estimated, tr),
        estimated=estimated,
        first_label=first_label,
        last_label=last_label,
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


def build_comparison_page(
    data: PageData,
    query: CompareQuery,
    tr: Translator,
    *,
    estimated: frozenset[str] = frozenset(),
) -> ComparisonPage:
    """The comparison page for ``query`` (``estimated`` as for :func:`build_comparison`)."""
    built = build_comparison(data, query, tr, estimated=estimated)
    rows = built.change_rows
    return ComparisonPage(
        comparison=built,
        rows=sorted(rows, key=lambda r: r["name"]),
        layers=layer_options(data.analysis, tr),
        weight_fields=weight_fields(data.analysis, query.weights, tr, layer=query.layer),
        palettes=tuple(PALETTES),
        year_options=[(y, str(y)) for y in sorted({*query.years, *query.first_years})],
        weights_query=weights_text(query.weights),
        counts={
            s: sum(1 for r in rows if r["status"] == s)
            for s in ("improved", "worsened", "no_clear_change")
        },
        schematic=data.schematic,
    )
