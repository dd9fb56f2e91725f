"""The overview map (``/``), the indicator map (``/mapa/<layer>``) with its table as CSV, and the
comparison of two years or two editions (``/porownanie/<layer>``, ``?against=CODE``) with its
table as CSV; English aliases ``/map``, ``/compare``.

Each view parses its query with :mod:`mapping.pages.query`, calls the page's core function and
renders the template.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page
from mapping.listing import csv_text
from mapping.method import comment_rows, layer_meta
from mapping.pages import arguments as take
from mapping.pages import maps as core_maps
from mapping.pages.comparison import (
    CHANGE_COLUMNS,
    build_comparison,
    build_comparison_page,
    change_table,
)
from mapping.pages.edition_compare import comparison_inputs
from mapping.pages.exports import FILE_FORMATS
from mapping.pages.indicator_map import (
    TABLE_COLUMNS,
    build_indicator_map,
    indicator_table,
    table_page,
)
from mapping.pages.overview import build_overview
from mapping.pages.query import default_layer, parse_map_query, raw_arg
from mapping.render.choropleth import merge_fragments
from mapping.render.interactive import map_fragments

bp = Blueprint("maps", __name__)


@bp.get("/")
@cached_page()
def overview() -> str:
    """All districts and every resource with a point, one layer per category."""
    data = pages.page_data()
    page = build_overview(data)
    folium_map = core_maps.overview(data, pages.map_settings())
    return render_template(
        "overview.html", fragments=map_fragments(folium_map), **pages.fields_of(page)
    )


def _to_layer(endpoint: str) -> Response:
    """Redirect to ``endpoint`` for ``?layer=`` or the default layer, keeping the query."""
    args = pages.args()
    layer = args.get("layer") or default_layer(pages.page_data().analysis, pages.translator())
    query = {k: v for k, v in args.items() if k not in ("layer", "lang")}
    return redirect(pages.page_url(endpoint, layer=layer, **query))


def _switch_layer(endpoint: str, layer: str) -> Response | None:
    """The layer select of the form sends ``?layer=``: move to that layer's own URL."""
    chosen = pages.args().get("layer")
    if not chosen or chosen == layer:
        return None
    return _to_layer(endpoint)


@pages.page_route(bp, "/mapa", "/map", endpoint="indicator_map_default")
@pages.passes_edition
def indicator_map_default() -> Response:
    """The indicator map of the needs index (or of the first layer)."""
    return _to_layer("maps.indicator_map")


@pages.page_route(bp, "/mapa/<layer>", "/map/<layer>", endpoint="indicator_map")
@cached_page(*take.MAP_ARGS, *take.LAYER_SELECT, *take.TABLE_PAGE)
def indicator_map(layer: str) -> Response | str:
    """A choropleth of one layer for one year, with its legend, table and resources on top."""
    moved = _switch_layer("maps.indicator_map", layer)
    if moved is not None:
        return moved
    data, tr = pages.page_data(), pages.translator()
    query = parse_map_query(pages.args(), data.analysis, tr, layer=layer)
    page = build_indicator_map(data, query, tr)
    table = table_page(page.rows, raw_arg(pages.args(), "page"), tr)
    built = page.choropleth
    folium_map = core_maps.indicator_map(data, built, pages.map_settings())
    code, links = query.layer.code, query.link(year=query.year)

    return render_template(
        "indicator_map.html",
        fragments=map_fragments(folium_map),
        **{**pages.fields_of(page), "rows": table.rows},
        listing=pages.listing(
            table, lambda n: pages.page_url("maps.indicator_map", layer=code, **links, page=n)
        ),
        layer=query.layer,
        label=built.label,
        unit=built.unit,
        source=built.source,
        values=built.values,
        settings=query,
        legend=built.legend,
        csv_url=pages.page_url("maps.indicator_table", layer=code, **links),
        export_urls={
            fmt: pages.page_url("exports.indicator_map", layer=code, fmt=fmt, **links)
            for fmt in FILE_FORMATS
        },
    )


@pages.page_route(
    bp, "/mapa/<layer>/tabela.csv", "/map/<layer>/table.csv", endpoint="indicator_table"
)
@cached_page(*take.MAP_ARGS)
def indicator_table_csv(layer: str) -> Response:
    """The table under the indicator map as CSV (small counts as "< 5", hidden rates empty)."""
    data = pages.page_data()
    query = parse_map_query(pages.args(), data.analysis, pages.translator(), layer=layer)
    meta = layer_meta(
        data.analysis,
        layer=query.layer.code,
        kind=query.layer.kind,
        indicator=None if query.layer.indicator is None else query.layer.indicator.code,
        year=query.year,
        weights=query.weights,
        method=query.method,
        min_count=data.min_count,
    )
    text = comment_rows(meta, line_end="\r\n") + csv_text(
        indicator_table(data, query), list(TABLE_COLUMNS)
    )
    filename = f"palmap-{query.layer.code}-{query.year}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@pages.page_route(bp, "/porownanie", "/compare", endpoint="compare_default")
@pages.passes_edition
def compare_default() -> Response:
    """The comparison of the needs index (or of the first layer)."""
    return _to_layer("maps.compare")


def _published() -> list[tuple[str, str]]:
    """The published editions as choices of the comparison's ``against`` (newest first)."""
    from app.db import get_engine
    from mapping.db import editions

    found = editions.list_editions(get_engine(), published_only=True)
    return [(e.code, f"{e.code}: {e.title}") for e in reversed(found)]


@pages.page_route(bp, "/porownanie/<layer>", "/compare/<layer>", endpoint="compare")
@cached_page(*take.COMPARE_ARGS, *take.LAYER_SELECT)
def compare(layer: str) -> Response | str:
    """Two years (or two editions, ``?against=``) side by side on pooled class breaks, and a map
    of what improved, worsened or did not clearly change."""
    moved = _switch_layer("maps.compare", layer)
    if moved is not None:
        return moved
    tr, args = pages.translator(), pages.args()
    data, query, estimated = comparison_inputs(
        pages.page_data(), args, tr, layer=layer, against=pages.against_edition()
    )
    page = build_comparison_page(data, query, tr, estimated=estimated)
    built = page.comparison
    maps = core_maps.comparison_maps(data, built, pages.map_settings(), change_name=_("Change"))
    parts = [map_fragments(m) for m in maps]
    links = query.link()
    return render_template(
        "compare.html",
        header=merge_fragments(parts).header,
        parts=parts,
        **pages.fields_of(page),
        layer=query.layer,
        label=built.label,
        unit=built.unit,
        source=built.source,
        settings=query,
        first=query.first,
        last=query.last,
        first_label=built.first_label,
        last_label=built.last_label,
        estimated=built.estimated,
        against=query.against,
        editions=_published(),
        legend=built.shared_legend,
        change_legend=built.change_legend,
        csv_url=pages.page_url("maps.compare_table", layer=query.layer.code, **links),
        export_urls={
            fmt: pages.page_url("exports.compare_map", layer=query.layer.code, fmt=fmt, **links)
            for fmt in ("png", "svg", "pdf")
        },
    )


@pages.page_route(
    bp, "/porownanie/<layer>/tabela.csv", "/compare/<layer>/table.csv", endpoint="compare_table"
)
@cached_page(*take.COMPARE_ARGS)
def compare_table_csv(layer: str) -> Response:
    """The comparison's table as CSV: values shown, change, p-value, status, ``estimated``."""
    tr = pages.translator()
    data, query, estimated = comparison_inputs(
        pages.page_data(), pages.args(), tr, layer=layer, against=pages.against_edition()
    )
    built = build_comparison(data, query, tr, estimated=estimated)
    text = csv_text(change_table(built), list(CHANGE_COLUMNS))
    against = "" if query.against is None else f"-against-{query.against}"
    filename = f"palmap-{query.layer.code}-{query.first}-{query.last}{against}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
