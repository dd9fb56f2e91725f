"""Districts: the list (``/dzielnice``) and one district's page (``/dzielnice/<code>``), with the
English aliases ``/districts`` and ``/districts/<code>`` (:mod:`mapping.pages.districts`)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page
from mapping.pages import arguments as take
from mapping.pages import maps as core_maps
from mapping.pages.districts import build_district, build_districts
from mapping.pages.indicator_map import table_page
from mapping.pages.labels import district_names
from mapping.pages.query import parse_district_query, raw_arg
from mapping.render.interactive import map_fragments

bp = Blueprint("districts", __name__)


@pages.page_route(bp, "/dzielnice", "/districts", endpoint="index")
@cached_page(*take.TABLE_PAGE)
def index() -> str:
    """Every district with residents, needs rank and resources, on a map and in a table of
    ``TABLE_PAGE_SIZE`` rows a page (the map draws every district)."""
    data, tr = pages.page_data(), pages.translator()
    page = build_districts(data, tr)
    table = table_page(page.rows, raw_arg(pages.args(), "page"), tr)
    links = {
        code: (
            pages.page_url("districts.detail", code=code),
            _("Open the page of %(name)s", name=name),
        )
        for code, name in district_names(data.analysis).items()
    }
    folium_map = core_maps.districts_map(
        data, page, links, pages.map_settings(), name=_("Districts")
    )
    return render_template(
        "districts.html",
        fragments=map_fragments(folium_map),
        rows=table.rows,
        count=len(page.rows),
        listing=pages.listing(table, lambda n: pages.page_url("districts.index", page=n)),
        year=page.year,
        schematic=page.schematic,
    )


@pages.page_route(bp, "/dzielnice/<code>", "/districts/<code>", endpoint="detail")
@cached_page(*take.DISTRICT_ARGS)
def detail(code: str) -> str:
    """One district: small map, indicators over the years, rank, resources, access."""
    data, tr = pages.page_data(), pages.translator()
    query = parse_district_query(pages.args(), data.analysis, tr, code=code)
    page = build_district(data, query, tr)
    links = {
        other: (pages.page_url("districts.detail", code=other), name)
        for other, name in district_names(data.analysis).items()
        if other != code
    }
    folium_map = core_maps.district_map_of(
        data, page, links, pages.map_settings(), name=_("Districts")
    )
    return render_template(
        "district.html",
        fragments=map_fragments(folium_map),
        **pages.fields_of(page),
        code=code,
        year=query.year,
        years=query.years,
        resource_count=len(page.listed),
    )
