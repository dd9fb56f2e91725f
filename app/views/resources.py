"""Resources: a filtered list and a map of exactly the same rows (``/zasoby``), and the same rows as
CSV (``/zasoby.csv``) and GeoJSON (``/zasoby.geojson``); English aliases under ``/resources``
(:mod:`mapping.pages.resources`)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page
from mapping.listing import resources_csv, resources_geojson
from mapping.pages import arguments as take
from mapping.pages import maps as core_maps
from mapping.pages import query as queries
from mapping.pages.query import ResourceQuery, parse_resource_query
from mapping.pages.resources import build_resources, download_name, placed
from mapping.render.interactive import map_fragments

bp = Blueprint("resources", __name__)


def _listing(query: ResourceQuery, pages_total: int, first: int, last: int) -> dict[str, object]:
    filters = {k: v for k, v in query.filters.items() if v}
    page = query.page
    return {
        "first": first,
        "last": last,
        "page": page,
        "pages": pages_total,
        "size": queries.PAGE_SIZE,
        "previous": pages.page_url("resources.index", **filters, page=page - 1)
        if page > 1
        else None,
        "next": pages.page_url("resources.index", **filters, page=page + 1)
        if page < pages_total
        else None,
    }


@pages.page_route(bp, "/zasoby", "/resources", endpoint="index")
@cached_page(*take.RESOURCE_ARGS)
def index() -> str:
    """The filtered list and the map of the same resources, with download links."""
    data, tr = pages.page_data(), pages.translator()
    query = parse_resource_query(pages.args(), data.analysis, tr)
    page = build_resources(data, query, tr)
    folium_map = core_maps.resources_map(
        data,
        page.chosen,
        pages.map_settings(),
        legend=_("Categories"),
        name=_("Districts"),
        district=query.district,
    )
    filters = {k: v for k, v in query.filters.items() if v}
    return render_template(
        "resources.html",
        fragments=map_fragments(folium_map),
        rows=page.rows,
        count=len(page.chosen),
        listing=_listing(query, page.pages, page.first, page.last),
        filters=query.filters,
        categories=page.categories,
        districts=page.districts,
        placed_count=len(placed(page.chosen)),
        csv_url=pages.page_url("resources.csv", **filters),
        geojson_url=pages.page_url("resources.geojson", **filters),
        total=page.total,
        schematic=page.schematic,
    )


def _download(ext: str, mimetype: str) -> Response:
    data, tr = pages.page_data(), pages.translator()
    query = parse_resource_query(pages.args(), data.analysis, tr)
    chosen = query.select(data.analysis)
    if ext == "csv":
        body = resources_csv(chosen)
    else:
        body = json.dumps(resources_geojson(chosen), ensure_ascii=False)
    name = download_name(query, ext, tr)
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@pages.page_route(bp, "/zasoby.csv", "/resources.csv", endpoint="csv")
@cached_page(*take.RESOURCE_ARGS)
def csv() -> Response:
    """The filtered resources as CSV (cells a spreadsheet would run are prefixed with ')."""
    return _download("csv", "text/csv")


@pages.page_route(bp, "/zasoby.geojson", "/resources.geojson", endpoint="geojson")
@cached_page(*take.RESOURCE_ARGS)
def geojson() -> Response:
    """The filtered resources as a GeoJSON FeatureCollection."""
    return _download("geojson", "application/geo+json")
