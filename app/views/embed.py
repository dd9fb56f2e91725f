"""Maps for other websites to frame: the map alone, filling its frame, with the page's query.

==========================================  ==========================================
Polish                                      English
==========================================  ==========================================
``/embed/mapa/<layer>``                     ``/embed/map/<layer>``
``/embed/porownanie/<layer>`` (change map)  ``/embed/compare/<layer>``
``/embed/zasoby``                           ``/embed/resources``
``/embed/obszary``                          ``/embed/targets``
==========================================  ==========================================

Each takes the query of its page (year, scheme, k, palette, method, weights; the resource filters;
the ranking's settings) and these options, every one checked by
:func:`mapping.pages.embed_query.parse_embed_options` (a 400 names the allowed values; an
unknown layer or year is a 404, as on the pages):

``legend=0|1``, ``title=0|1``
    Show the legend (default 1) and a title bar with a link to the full page (default 1).
``layers=code,code``
    Resource categories drawn on top, switched on (default: as the page draws them).
``zoom=Z``, ``centre=lat,lon``
    The view (default: fitted to the districts).
``tiles=osm|none``
    The base map (default: ``PALMAP_TILES``); never a URL from the query.
``lang=pl|en``
    The language: embeds read no cookie and set none.

The pages are read-only, hold no form, and are the only ones other sites may frame: the
``frame-ancestors`` policy of :mod:`app.security` allows ``'self'`` and ``PALMAP_EMBED_ORIGINS``
under ``/embed/``. :func:`share_urls` gives the share dialog of every map page its link and the
URL of its embed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, g, render_template
from flask_babel import gettext as _
from markupsafe import escape

from app import pages
from app.cache import cached_page
from app.config import LANGUAGES
from app.i18n import current_lang
from mapping.layers import NEEDS_INDEX
from mapping.pages import arguments as take
from mapping.pages import maps as core_maps
from mapping.pages.comparison import build_comparison
from mapping.pages.data import PageData
from mapping.pages.edition_compare import comparison_inputs
from mapping.pages.embed_query import EMBED_OPTIONS, EmbedOptions, parse_embed_options
from mapping.pages.indicator_map import build_choropleth
from mapping.pages.query import (
    choice,
    parse_map_query,
    parse_resource_query,
    parse_target_query,
)
from mapping.pages.resources import selection_title
from mapping.pages.targets import build_ranking
from mapping.pages.text import Translator
from mapping.render.interactive import map_fragments
from mapping.render.view import MapView

bp = Blueprint("embed", __name__, url_prefix="/embed")

#: Size of the iframe code's first draft; the share dialog changes it.
DEFAULT_WIDTH, DEFAULT_HEIGHT = 800, 500


@bp.before_request
def _language() -> None:
    """The language comes from ``?lang=`` alone: no cookie is read (a framing site's visitor has
    none of palmap's) and none is set."""
    default = current_app.config["DEFAULT_LANG"]
    g.palmap_lang = default  # the language of the error page, should the query be wrong
    g.palmap_lang = choice(
        pages.args().get("lang"), LANGUAGES, default=default, what="lang", tr=pages.translator()
    )


def _with_query(url: str, query: list[tuple[str, str]]) -> str:
    """``url`` with ``query`` and the language added (after the edition it may carry)."""
    return pages.with_query(url, [*query, ("lang", current_lang())])


def _page_query(*drop: str) -> list[tuple[str, str]]:
    """The request's query without the embed options, ``lang`` and ``drop``."""
    return pages.query_items(*EMBED_OPTIONS, *drop)


def _start() -> tuple[PageData, Translator, EmbedOptions]:
    data, tr = pages.page_data(), pages.translator()
    default_tiles = current_app.config["TILES"]
    chosen = parse_embed_options(pages.args(), data.analysis, tr, default_tiles=default_tiles)
    return data, tr, chosen


def _settings(chosen: EmbedOptions) -> dict[str, Any]:
    """The page's map settings with the embed's tiles and first view (fitted to the districts
    unless ``centre`` or ``zoom`` fix it: :class:`mapping.render.view.MapView`)."""
    return pages.map_settings(
        tiles=chosen.tiles, view=MapView(centre=chosen.centre, zoom=chosen.zoom)
    )


def _resources_on_top(data: PageData, chosen: EmbedOptions) -> dict[str, Any]:
    """``district_map`` arguments for the resources of ``layers`` (none without it)."""
    resources = data.analysis.resources
    if chosen.layers is None:
        return {"resources": None}
    frame = resources[resources["category"].isin(list(chosen.layers))]
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if not len(frame):
        return {"resources": None}
    return {
        "resources": frame,
        "categories": data.analysis.categories,
        "resource_ids": [int(i) for i in frame["id"]],
        "resource_legend": _("Resources") if chosen.legend else None,
    }


def _page(
    folium_map: Any, *, title: str, chosen: EmbedOptions, full_url: str, data: PageData
) -> str:
    return render_template(
        "embed.html",
        fragments=map_fragments(folium_map),
        title=title,
        show_title=chosen.title,
        full_url=full_url,
        schematic=data.schematic,
        fixed_view=chosen.fixed_view,
    )


@pages.page_route(bp, "/mapa/<layer>", "/map/<layer>", endpoint="indicator_map")
@cached_page(*take.MAP_ARGS, *take.EMBED_ARGS)
def indicator_map(layer: str) -> str:
    """The indicator map of ``layer`` (the year, classes and colours of the page's query)."""
    data, tr, chosen = _start()
    built = build_choropleth(
        data, parse_map_query(pages.args(), data.analysis, tr, layer=layer), tr
    )
    # As on the page without ``layers``: every resource, switched off, one click away.
    extra = (
        core_maps.all_resources(data) if chosen.layers is None else _resources_on_top(data, chosen)
    )
    folium_map = core_maps.indicator_map(
        data, built, _settings(chosen), legend=chosen.legend, **extra
    )
    full = pages.page_url("maps.indicator_map", layer=built.values.layer.code)
    return _page(
        folium_map,
        title=f"{built.label}, {built.values.year}",
        chosen=chosen,
        full_url=_with_query(full, _page_query()),
        data=data,
    )


@pages.page_route(bp, "/porownanie/<layer>", "/compare/<layer>", endpoint="compare")
@cached_page(*take.COMPARE_ARGS, *take.EMBED_ARGS)
def compare(layer: str) -> str:
    """The change map of the comparison of two years (``from``, ``to``, ``against`` and the
    page's classes)."""
    page_data, tr, chosen = _start()
    data, query, estimated = comparison_inputs(
        page_data, pages.args(), tr, layer=layer, against=pages.against_edition()
    )
    built = build_comparison(data, query, tr, estimated=estimated)
    folium_map = core_maps.change_map(
        data,
        built,
        _settings(chosen),
        name=_("Change"),
        legend=chosen.legend,
        **_resources_on_top(data, chosen),
    )
    full = pages.page_url("maps.compare", layer=query.layer.code)
    change = _("Change %(first)s–%(last)s", first=query.first, last=query.last)
    return _page(
        folium_map,
        title=f"{built.label}: {change}",
        chosen=chosen,
        full_url=_with_query(full, _page_query()),
        data=data,
    )


@pages.page_route(bp, "/zasoby", "/resources", endpoint="resources")
@cached_page(*take.RESOURCE_ARGS, *take.EMBED_ARGS)
def resources_map() -> str:
    """The resources of the page's filters (``category``, ``district``, ``q``) on the districts."""
    data, tr, chosen = _start()
    query = parse_resource_query(pages.args(), data.analysis, tr)
    selected = query.select(data.analysis)
    if chosen.layers is not None:
        selected = selected[selected["category"].isin(list(chosen.layers))]
    folium_map = core_maps.resources_map(
        data,
        selected,
        _settings(chosen),
        legend=_("Categories") if chosen.legend else None,
        name=_("Districts"),
        district=query.district,
    )
    return _page(
        folium_map,
        title=selection_title(data, query, tr),
        chosen=chosen,
        full_url=_with_query(pages.page_url("resources.index"), _page_query("page")),
        data=data,
    )


@pages.page_route(bp, "/obszary", "/targets", endpoint="targets")
@cached_page(*take.TARGET_ARGS, *take.EMBED_ARGS)
def targets_map() -> str:
    """The map of the top target areas for the ranking's settings in the query."""
    data, tr, chosen = _start()
    built = build_ranking(data, parse_target_query(pages.args(), data.analysis, tr), tr)
    folium_map = core_maps.targets_map(
        data,
        built,
        _settings(chosen),
        name=_("Target areas"),
        legend=chosen.legend,
        **_resources_on_top(data, chosen),
    )
    return _page(
        folium_map,
        title=f"{_('Target areas')}, {built.query.year}",
        chosen=chosen,
        full_url=_with_query(pages.page_url("targets.index"), sorted(built.args.items())),
        data=data,
    )


# --------------------------------------------------------------------------- share dialog

#: Map page -> (its embed, query keys that only the page uses).
EMBED_OF: dict[str, tuple[str, tuple[str, ...]]] = {
    "maps.overview": ("embed.resources", ("q", "category", "district")),
    "maps.indicator_map": ("embed.indicator_map", ()),
    "maps.compare": ("embed.compare", ()),
    "resources.index": ("embed.resources", ("page",)),
    "targets.index": ("embed.targets", ()),
}


def _embed_of(endpoint: str) -> tuple[str, dict[str, Any], list[tuple[str, str]]] | None:
    """The embed of the current page: its endpoint, view arguments and query (None: none).

    The district pages have no embed of their own: the list's map is the needs index of the
    latest year, and a district's map is its resources, fitted to it.
    """
    view_args = pages.view_args()
    if endpoint == "districts.detail":
        return "embed.resources", {}, [("district", str(view_args["code"]))]
    if endpoint == "districts.index":
        years = pages.page_data().analysis.years
        if not years:
            return None  # no needs figures: the list's map is bare districts
        return "embed.indicator_map", {"layer": NEEDS_INDEX}, [("year", str(years[-1]))]
    found = EMBED_OF.get(endpoint)
    if found is None:
        return None
    embed_endpoint, page_only = found
    return embed_endpoint, view_args, pages.query_items(*page_only)


@dataclass(frozen=True)
class ShareUrls:
    """What the share dialog offers: the page's link, its embed's URL and the iframe code.

    The URLs are relative (``/embed/...``); the dialog's script makes them absolute with the
    address the visitor sees, so that a page cached under one host name works under another.
    """

    page: str
    embed: str
    code: str


def iframe_code(src: str, *, title: str, width: int, height: int) -> str:
    """The ``<iframe>`` code to paste into another site, every attribute escaped (the page then
    shows this text, escaped once more, in the dialog's text area).

    Examples
    --------
    >>> print(iframe_code('/embed/zasoby?q="><script>', title="A & B", width=800, height=500))
    <iframe src="/embed/zasoby?q=&#34;&gt;&lt;script&gt;" width="800" height="500" title="A &amp; B" style="border:0" loading="lazy"></iframe>
    """  # noqa: E501
    return (
        f'<iframe src="{escape(src)}" width="{int(width)}" height="{int(height)}" '
        f'title="{escape(title)}" style="border:0" loading="lazy"></iframe>'
    )


@bp.app_template_global()
def share_urls(title: str) -> ShareUrls | None:
    """The share dialog's URLs for the current page (None on a page without an embed)."""
    endpoint = pages.endpoint()
    found = _embed_of(endpoint)
    if found is None:
        return None
    embed_endpoint, embed_args, query = found
    page = _with_query(pages.page_url(endpoint, **pages.view_args()), pages.query_items())
    embed = _with_query(pages.page_url(embed_endpoint, **embed_args), query)
    code = iframe_code(embed, title=title, width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT)
    return ShareUrls(page=page, embed=embed, code=code)
