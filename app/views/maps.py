"""The overview map (``/``), the indicator map (``/mapa/<layer>``) and the comparison of two years
(``/porownanie/<layer>``), each Polish route with its English alias (``/map``, ``/compare``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from flask import Blueprint, Response, current_app, redirect, render_template, request
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page, suppression
from app.i18n import current_lang
from mapping.classify import class_breaks, pooled_breaks
from mapping.layers import NEEDS_INDEX, Layer, LayerValues, layer_change, layer_years
from mapping.listing import csv_text
from mapping.render.choropleth import (
    CHANGE_COLOURS,
    DEFAULT_PALETTE,
    NO_DATA_COLOUR,
    PALETTES,
    MapLegend,
    class_colours,
    district_map,
    merge_fragments,
    palette,
)
from mapping.render.interactive import map_fragments, overview_map

bp = Blueprint("maps", __name__)


def map_labels() -> dict[str, str]:
    """The interface strings the map itself shows, in the request's language."""
    return pages.map_settings()["labels"]


@bp.get("/")
@cached_page
def overview():
    """All districts and every resource with a point, one layer per category."""
    data = pages.data()  # the frames loaded once per data version
    districts, resources, categories = data.districts, data.resources, data.categories
    settings = pages.map_settings()
    folium_map = overview_map(districts, resources, categories, **settings)
    return render_template(
        "overview.html",
        fragments=map_fragments(folium_map),
        district_count=len(districts),
        resource_count=len(resources),
        unplaced_count=int(resources.geometry.isna().sum()),
        schematic=bool(districts["schematic"].any()) if len(districts) else False,
    )


# --------------------------------------------------------------------------- shared settings


def _default_layer(data) -> str:
    from mapping.layers import list_layers

    layers = [layer.code for layer in list_layers(data.registry)]
    if not layers:
        raise pages.not_found(_("No indicators are loaded yet."), [], _("Layers"))
    return NEEDS_INDEX if NEEDS_INDEX in layers else layers[0]


def _switch_layer(endpoint: str, layer: str) -> Response | None:
    """The layer select of the form sends ``?layer=``: move to that layer's own URL."""
    chosen = request.args.get("layer")
    if not chosen or chosen == layer:
        return None
    args = {k: v for k, v in request.args.items() if k not in ("layer", "lang")}
    return redirect(pages.page_url(endpoint, layer=chosen, **args))


class Settings:
    """The query settings of a map page, checked; 404/400 pages for values that do not exist."""

    def __init__(self, data, layer: Layer, endpoint: str) -> None:
        args = request.args
        self.layer = layer
        self.weights = pages.weights_from_query(data) if layer.kind == "index" else None
        self.method = pages.choice(
            args.get("method"), pages.METHODS, default="zscore", what=_("Method")
        )
        self.scheme = pages.choice(
            args.get("scheme"), pages.SCHEMES, default=pages.DEFAULT_SCHEME, what=_("Classes")
        )
        self.k = pages.choice(
            args.get("k"), pages.CLASS_COUNTS, default=pages.DEFAULT_K, what=_("Number of classes")
        )
        self.palette = pages.choice(
            args.get("palette"), tuple(PALETTES), default=DEFAULT_PALETTE, what=_("Colours")
        )
        self.years = layer_years(data, layer, weights=self.weights)
        if not self.years:
            raise pages.not_found(
                _("There are no data for this layer yet."),
                [(n, pages.page_url(endpoint, layer=c)) for c, n in pages.layer_options(data)],
                _("Layers"),
            )
        self.endpoint = endpoint

    def query(self, **changes: Any) -> dict[str, Any]:
        """The settings as URL query values (for links), with ``changes`` applied."""
        values: dict[str, Any] = dict(request.args.items())
        values.pop("lang", None)
        values.pop("layer", None)
        values.update(changes)
        return values

    def year_link(self, name: str):
        return lambda y: pages.page_url(
            self.endpoint, layer=self.layer.code, **self.query(**{name: y})
        )


def _class_labels(breaks: list[float], low: float, decimals: int) -> list[str]:
    labels = []
    lower = low
    for upper in breaks:
        labels.append(f"{pages.number(lower, decimals)} – {pages.number(upper, decimals)}")
        lower = upper
    return labels


def _hidden_note(values: LayerValues, min_count: int) -> str | None:
    table = values.table
    if table["small"].any():
        return _("fewer than %(count)d people: shown as < %(count)d", count=min_count)
    if table["hidden"].any():
        return _("hidden: built from fewer than %(count)d people", count=min_count)
    return None


def _value_text(row: Any, layer: Layer, min_count: int) -> str:
    return pages.shown(
        row.shown, small=row.small, hidden=row.hidden, decimals=layer.decimals, min_count=min_count
    )


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _rank_text(rank: Any, total: int) -> str:
    return "–" if _missing(rank) else f"{int(rank)} / {total}"


def _classify(shown: Any, settings: Settings) -> list[float]:
    distinct = int(shown.dropna().nunique())
    if distinct == 0:
        return []
    return class_breaks(shown.dropna(), scheme=settings.scheme, k=min(settings.k, distinct))


def _legend(
    data, values: LayerValues, breaks: list[float], colours: list[str], low: float, settings
) -> MapLegend:
    min_count = int(current_app.config["MIN_COUNT"])
    entries = list(zip(colours, _class_labels(breaks, low, values.layer.decimals), strict=True))
    note = _hidden_note(values, min_count)
    if note:
        entries.append((NO_DATA_COLOUR, note))
    elif values.table["shown"].isna().any():
        entries.append((NO_DATA_COLOUR, _("no data")))
    return MapLegend(
        title=f"{pages.layer_label(data, values.layer)}, {values.year}",
        entries=entries,
        unit=pages.layer_unit(data, values.layer, method=settings.method),
    )


def _tooltips(values: LayerValues, *, unit: str) -> dict[str, list[tuple[str, object]]]:
    min_count = int(current_app.config["MIN_COUNT"])
    total = int(values.table["rank"].notna().sum())
    tips = {}
    for row in values.table.itertuples(index=False):
        tips[row.district_code] = [
            (str(values.year), f"{_value_text(row, values.layer, min_count)} {unit}".strip()),
            (_("Rank"), _rank_text(row.rank, total)),
        ]
    return tips


def _rows(values: LayerValues, fills: dict[str, str | None]) -> list[dict[str, Any]]:
    min_count = int(current_app.config["MIN_COUNT"])
    total = int(values.table["rank"].notna().sum())
    rows = []
    for row in values.table.itertuples(index=False):
        rows.append(
            {
                "code": row.district_code,
                "name": row.district_name,
                "value": _value_text(row, values.layer, min_count),
                "rank": _rank_text(row.rank, total),
                "sort": (1, 0) if _missing(row.rank) else (0, int(row.rank)),
                "colour": fills.get(row.district_code) or NO_DATA_COLOUR,
            }
        )
    return sorted(rows, key=lambda r: (r["sort"], r["name"]))


def _weights_form(data, settings: Settings) -> list[dict[str, Any]]:
    """One weight field per needs indicator (the needs index layer's form)."""
    weights = settings.weights or dict.fromkeys(data.needs_codes(), 1.0)
    return [
        {
            "code": code,
            "label": pages.indicator_name(data, code),
            "value": f"{weights.get(code, 0):g}",
        }
        for code in data.needs_codes()
    ]


# --------------------------------------------------------------------------- indicator map


@bp.get("/mapa", endpoint="indicator_map_default")
@bp.get("/map", endpoint="indicator_map_default_en")
def indicator_map_default():
    """The indicator map of the needs index (or of the first layer)."""
    return _to_layer("maps.indicator_map")


def _to_layer(endpoint: str) -> Response:
    """Redirect to ``endpoint`` for ``?layer=`` or the default layer, keeping the query."""
    args = {k: v for k, v in request.args.items() if k not in ("layer", "lang")}
    layer = request.args.get("layer") or _default_layer(pages.data())
    return redirect(pages.page_url(endpoint, layer=layer, **args))


def _indicator_values(layer_code: str, endpoint: str):
    data = pages.data()
    layer = pages.require_layer(data, layer_code, endpoint)
    settings = Settings(data, layer, endpoint)
    year = pages.require_year(
        request.args.get("year"),
        settings.years,
        default=settings.years[-1],
        link=settings.year_link("year"),
    )
    values = pages.values_of(layer, year, weights=settings.weights, method=settings.method)
    return data, settings, values


@dataclass(frozen=True)
class Choropleth:
    """One layer for one year classified for a map: shared by the page, embeds and exports,
    so that every form of the map shows exactly the same classes."""

    data: Any
    settings: Settings
    values: LayerValues
    breaks: list[float]
    colours: list[str]
    fills: dict[str, str | None]
    legend: MapLegend
    unit: str


def build_choropleth(layer_code: str, endpoint: str) -> Choropleth:
    """Classify ``layer_code`` for the request's year, scheme, k and palette."""
    data, settings, values = _indicator_values(layer_code, endpoint)
    shown = values.shown
    breaks = _classify(shown, settings)
    colours = palette(settings.palette, len(breaks)) if breaks else []
    fills = class_colours(shown, breaks, colours)
    low = float(shown.min()) if shown.notna().any() else 0.0
    unit = pages.layer_unit(data, values.layer, method=settings.method)
    legend = _legend(data, values, breaks, colours, low, settings)
    return Choropleth(data, settings, values, breaks, colours, fills, legend, unit)


@bp.get("/mapa/<layer>", endpoint="indicator_map")
@bp.get("/map/<layer>", endpoint="indicator_map_en")
@cached_page
def indicator_map(layer: str):
    """A choropleth of one layer for one year, with its legend, table and resources on top."""
    moved = _switch_layer("maps.indicator_map", layer)
    if moved is not None:
        return moved
    choropleth = build_choropleth(layer, "maps.indicator_map")
    data, settings, values = choropleth.data, choropleth.settings, choropleth.values
    fills, legend, unit = choropleth.fills, choropleth.legend, choropleth.unit
    folium_map = district_map(
        data.districts,
        fills=fills,
        tooltips=_tooltips(values, unit=unit),
        legend=legend,
        resources=data.resources,
        categories=data.categories,
        resource_ids=list(data.resources["id"]),
        show_resources=False,
        layer_name=pages.layer_label(data, values.layer),
        **pages.map_settings(),
    )
    return render_template(
        "indicator_map.html",
        fragments=map_fragments(folium_map),
        data=data,
        layer=values.layer,
        label=pages.layer_label(data, values.layer),
        unit=unit,
        values=values,
        settings=settings,
        legend=legend,
        rows=_rows(values, fills),
        layers=pages.layer_options(data),
        weight_fields=_weights_form(data, settings) if values.layer.kind == "index" else [],
        source=pages.layer_source(data, values.layer, settings.weights),
        schematic=bool(data.districts["schematic"].any()),
        csv_url=pages.page_url(
            "maps.indicator_table", layer=values.layer.code, **settings.query(year=values.year)
        ),
        export_urls={
            fmt: pages.page_url(
                "exports.indicator_map",
                layer=values.layer.code,
                fmt=fmt,
                **settings.query(year=values.year),
            )
            for fmt in ("png", "svg", "pdf", "html")
        },
        palettes=tuple(PALETTES),
        year_options=[(y, str(y)) for y in settings.years],
        weights_query=pages.weights_query(settings.weights),
    )


@bp.get("/mapa/<layer>/tabela.csv", endpoint="indicator_table")
@bp.get("/map/<layer>/table.csv", endpoint="indicator_table_en")
@cached_page
def indicator_table(layer: str):
    """The table under the indicator map as CSV (small counts as "< 5", hidden rates empty)."""
    data, settings, values = _indicator_values(layer, "maps.indicator_map")
    min_count = int(current_app.config["MIN_COUNT"])
    rows = []
    for row in values.table.itertuples(index=False):
        if row.small:
            value: Any = f"< {min_count}"
        elif row.hidden:
            value = None
        else:
            value = None if _missing(row.shown) else round(float(row.shown), 6)
        rows.append(
            {
                "district_code": row.district_code,
                "district_name": row.district_name,
                "layer": values.layer.code,
                "year": values.year,
                "value": value,
                "rank": None if _missing(row.rank) else int(row.rank),
            }
        )
    text = csv_text(rows, ["district_code", "district_name", "layer", "year", "value", "rank"])
    filename = f"palmap-{values.layer.code}-{values.year}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --------------------------------------------------------------------------- comparison


@bp.get("/porownanie", endpoint="compare_default")
@bp.get("/compare", endpoint="compare_default_en")
def compare_default():
    """The comparison of the needs index (or of the first layer)."""
    return _to_layer("maps.compare")


def _change_text(value: Any, decimals: int) -> str:
    if _missing(value):
        return "–"
    text = pages.number(value, decimals)
    return f"+{text}" if value > 0 else text


@dataclass(frozen=True)
class Comparison:
    """Two years of a layer on pooled breaks and the change between them (page and exports)."""

    data: Any
    found: Layer
    settings: Settings
    first: int
    last: int
    breaks: list[float]
    colours: list[str]
    label: str
    unit: str
    before: LayerValues
    after: LayerValues
    shared_legend: MapLegend
    change_fills: dict[str, str | None]
    change_tips: dict[str, list[tuple[str, object]]]
    change_rows: list[dict[str, Any]]
    change_legend: MapLegend


def build_comparison(layer: str) -> Comparison:
    """Everything the comparison shows, for the request's settings."""
    data = pages.data()
    found = pages.require_layer(data, layer, "maps.compare")
    settings = Settings(data, found, "maps.compare")
    years = settings.years
    if len(years) < 2:
        raise pages.not_found(
            _("This layer has data for one year only: nothing to compare."),
            [
                (str(y), pages.page_url("maps.indicator_map", layer=found.code, year=y))
                for y in years
            ],
            _("Years with data"),
        )
    first = pages.require_year(
        request.args.get("from"), years, default=years[0], link=settings.year_link("from")
    )
    last = pages.require_year(
        request.args.get("to"), years, default=years[-1], link=settings.year_link("to")
    )
    if first == last:
        raise pages.SettingError(_("Choose two different years to compare."))
    common = {
        "suppression": suppression(),
        "weights": settings.weights,
        "method": settings.method,
    }
    before = pages.values_of(found, first, weights=settings.weights, method=settings.method)
    after = pages.values_of(found, last, weights=settings.weights, method=settings.method)
    pooled = {first: before.shown.dropna(), last: after.shown.dropna()}
    distinct = len(set(pooled[first]) | set(pooled[last]))
    breaks = (
        pooled_breaks(pooled, scheme=settings.scheme, k=min(settings.k, distinct))
        if distinct
        else []
    )
    colours = palette(settings.palette, len(breaks)) if breaks else []
    low = min((float(s.min()) for s in pooled.values() if len(s)), default=0.0)
    unit = pages.layer_unit(data, found, method=settings.method)
    label = pages.layer_label(data, found)

    min_count = int(current_app.config["MIN_COUNT"])
    entries = list(zip(colours, _class_labels(breaks, low, found.decimals), strict=True))
    notes = {_hidden_note(v, min_count) for v in (before, after)} - {None}
    entries += [(NO_DATA_COLOUR, note) for note in sorted(notes)]
    # One legend for both years (their classes are the same), shown once under the pair: on
    # a map half the page wide a legend would cover a third of the city.
    shared_legend = MapLegend(title=f"{label}, {first}/{last}", entries=entries, unit=unit)

    change = layer_change(data, found, from_year=first, to_year=last, **common)
    statuses = {
        "improved": _("improved"),
        "worsened": _("worsened"),
        "unchanged": _("unchanged"),
        "hidden": _("hidden (small numbers)"),
        None: _("no data"),
    }
    change_fills = {}
    change_tips = {}
    change_rows = []
    for row in change.itertuples(index=False):
        status = row.status if row.status in statuses else None
        change_fills[row.district_code] = CHANGE_COLOURS.get(status) if status else None
        before_text = pages.shown(
            row.from_shown,
            small=row.from_small,
            hidden=_missing(row.from_shown),
            decimals=found.decimals,
            min_count=min_count,
        )
        after_text = pages.shown(
            row.to_shown,
            small=row.to_small,
            hidden=_missing(row.to_shown),
            decimals=found.decimals,
            min_count=min_count,
        )
        change_text = _change_text(row.change_shown, found.decimals)
        change_tips[row.district_code] = [
            (str(first), before_text),
            (str(last), after_text),
            (_("Change"), f"{change_text} ({statuses[status]})"),
        ]
        change_rows.append(
            {
                "code": row.district_code,
                "name": row.district_name,
                "before": before_text,
                "after": after_text,
                "change": change_text,
                "status": status or "none",
                "status_label": statuses[status],
                "colour": change_fills[row.district_code] or NO_DATA_COLOUR,
            }
        )
    found_statuses = set(change["status"])
    present = [s for s in ("improved", "worsened", "unchanged", "hidden") if s in found_statuses]
    change_legend = MapLegend(
        title=_("Change %(first)s–%(last)s", first=first, last=last),
        entries=[(CHANGE_COLOURS[s], statuses[s]) for s in present],
        unit=_("higher values mean more need")
        if found.higher_is_more_need
        else _("lower values mean more need"),
    )
    return Comparison(
        data,
        found,
        settings,
        first,
        last,
        breaks,
        colours,
        label,
        unit,
        before,
        after,
        shared_legend,
        change_fills,
        change_tips,
        change_rows,
        change_legend,
    )


@bp.get("/porownanie/<layer>", endpoint="compare")
@bp.get("/compare/<layer>", endpoint="compare_en")
@cached_page
def compare(layer: str):
    """Two years side by side on pooled class breaks, and a map of what improved or worsened."""
    moved = _switch_layer("maps.compare", layer)
    if moved is not None:
        return moved
    built = build_comparison(layer)
    data, found, settings = built.data, built.found, built.settings
    first, last, breaks, colours = built.first, built.last, built.breaks, built.colours
    label, unit, before, after = built.label, built.unit, built.before, built.after
    shared_legend, change_rows = built.shared_legend, built.change_rows
    change_fills, change_tips, change_legend = (
        built.change_fills,
        built.change_tips,
        built.change_legend,
    )
    map_args = pages.map_settings()

    def year_map(values: LayerValues, legend: MapLegend | None):
        fills = class_colours(values.shown, breaks, colours)
        return district_map(
            data.districts,
            fills=fills,
            tooltips=_tooltips(values, unit=unit),
            legend=legend,
            layer_name=f"{label}, {values.year}",
            **map_args,
        )

    map_before = year_map(before, None)
    map_after = year_map(after, None)
    change_map = district_map(
        data.districts,
        fills=change_fills,
        tooltips=change_tips,
        legend=change_legend,
        layer_name=_("Change"),
        **map_args,
    )
    parts = [map_fragments(m) for m in (map_before, map_after, change_map)]
    return render_template(
        "compare.html",
        header=merge_fragments(parts).header,
        parts=parts,
        data=data,
        layer=found,
        label=label,
        unit=unit,
        settings=settings,
        first=first,
        last=last,
        legend=shared_legend,
        change_legend=change_legend,
        rows=sorted(change_rows, key=lambda r: r["name"]),
        layers=pages.layer_options(data),
        weight_fields=_weights_form(data, settings) if found.kind == "index" else [],
        source=pages.layer_source(data, found, settings.weights),
        schematic=bool(data.districts["schematic"].any()),
        palettes=tuple(PALETTES),
        year_options=[(y, str(y)) for y in settings.years],
        weights_query=pages.weights_query(settings.weights),
        counts={
            s: sum(1 for r in change_rows if r["status"] == s) for s in ("improved", "worsened")
        },
        lang=current_lang(),
    )
