"""Target areas (``/obszary``, English ``/targets``): the weights form, the ranking with its rank
interval and stability, and a map of the top districts. Every setting is in the URL, so a ranking
is shared by its link (:func:`mapping.pages.targets.build_ranking` does the work)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page
from mapping.pages import arguments as take
from mapping.pages import maps as core_maps
from mapping.pages.labels import category_names
from mapping.pages.query import TOP_CHOICES, parse_target_query
from mapping.pages.targets import RUNS, build_ranking, weight_fields
from mapping.render.interactive import map_fragments

bp = Blueprint("targets", __name__)


@pages.page_route(bp, "/obszary", "/targets", endpoint="index")
@cached_page(*take.TARGET_ARGS)
def index() -> str:
    """The weights form, the ranking and the map of the top districts."""
    data, tr = pages.page_data(), pages.translator()
    query = parse_target_query(pages.args(), data.analysis, tr)
    built = build_ranking(data, query, tr)
    folium_map = core_maps.targets_map(data, built, pages.map_settings(), name=_("Target areas"))
    share_path = pages.page_url("targets.index")
    return render_template(
        "targets.html",
        fragments=map_fragments(folium_map),
        rows=built.rows,
        settings=query,
        weight_fields=weight_fields(data, query, tr),
        categories=list(category_names(data.analysis, tr).items()),
        # Relative: a cached page never holds the Host a visitor sent (docs/SECURITY.md); the
        # page's script shows it absolute with the address in the visitor's address bar.
        share_url=pages.with_query(share_path, list(built.args.items())),
        sheet_url=pages.page_url("exports.targets_sheet", **built.args),
        sheet_pdf_url=pages.page_url("exports.targets_sheet_pdf", **built.args),
        map_urls={
            fmt: pages.page_url("exports.targets_map", fmt=fmt, **built.args)
            for fmt in ("png", "svg", "pdf")
        },
        top_choices=TOP_CHOICES,
        runs=RUNS,
        shares=built.shares,
        schematic=data.schematic,
    )
