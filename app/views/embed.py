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
the ranking's settings) and these options, every one checked (a 400 names the allowed values; an
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

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from branca.element import MacroElement
from flask import Blueprint, current_app, g, render_template, request
from flask_babel import gettext as _
from folium.map import FitBounds
from folium.template import Template
from markupsafe import escape

from app import pages
from app.cache import cached_page
from app.config import LANGUAGES
from app.i18n import current_lang
from app.views import maps, resources, targets
from mapping.analysis import AnalysisData
from mapping.layers import NEEDS_INDEX
from mapping.render.choropleth import district_map
from mapping.render.interactive import map_fragments

bp = Blueprint("embed", __name__, url_prefix="/embed")

#: Query options of the embeds (not passed on to the full page's link).
EMBED_OPTIONS: tuple[str, ...] = ("legend", "title", "layers", "zoom", "centre", "tiles")
TILES: tuple[str, ...] = ("osm", "none")
MIN_ZOOM, MAX_ZOOM = 1, 18
#: Size of the iframe code's first draft; the share dialog changes it.
DEFAULT_WIDTH, DEFAULT_HEIGHT = 800, 500


@dataclass(frozen=True)
class EmbedOptions:
    """The checked options of an embed's query."""

    legend: bool
    title: bool
    layers: tuple[str, ...] | None
    zoom: float | None
    centre: tuple[float, float] | None
    tiles: str


class _View(MacroElement):
    """Fits the map to the districts (without the animation of folium's fit, which would end
    after and undo the next step), then moves it to the asked centre and zoom."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map, bounds, centre, zoom) {
                if (bounds) { map.fitBounds(bounds, {animate: false}); }
                map.setView(centre || map.getCenter(), zoom === null ? map.getZoom() : zoom,
                            {animate: false});
            })({{ this._parent.get_name() }}, {{ this.bounds|tojson }},
               {{ this.centre|tojson }}, {{ this.zoom|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        centre: tuple[float, float] | None,
        zoom: float | None,
        bounds: list[list[float]] | None,
    ) -> None:
        super().__init__()
        self._name = "View"
        self.centre = list(centre) if centre else None
        self.zoom = zoom
        self.bounds = bounds

    @classmethod
    def replace_fit(
        cls, folium_map: Any, centre: tuple[float, float] | None, zoom: float | None
    ) -> None:
        """Take the map's fit to the districts over, and add the view after it."""
        fits = [key for key, child in folium_map._children.items() if isinstance(child, FitBounds)]
        bounds = folium_map._children[fits[-1]].bounds if fits else None
        for key in fits:
            del folium_map._children[key]
        cls(centre, zoom, bounds).add_to(folium_map)


@bp.before_request
def _language() -> None:
    """The language comes from ``?lang=`` alone: no cookie is read (a framing site's visitor has
    none of palmap's) and none is set."""
    default = current_app.config["DEFAULT_LANG"]
    g.palmap_lang = default  # the language of the error page, should the query be wrong
    g.palmap_lang = pages.choice(request.args.get("lang"), LANGUAGES, default=default, what="lang")


def _flag(name: str) -> bool:
    return pages.choice(request.args.get(name), ("0", "1"), default="1", what=name) == "1"


def _number(raw: str) -> float | None:
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def options(data: AnalysisData) -> EmbedOptions:
    """The embed options of the query, checked (400 with the allowed values)."""
    args = request.args
    layers = None
    raw_layers = args.get("layers")
    if raw_layers:
        known = [str(code) for code in data.categories["code"]]
        asked = [part.strip() for part in raw_layers.split(",") if part.strip()]
        unknown = [code for code in asked if code not in known]
        if unknown or not asked:
            raise pages.SettingError(
                _(
                    "%(what)s: expected resource category codes separated by commas, among "
                    "%(allowed)s; got %(value)s.",
                    what="layers",
                    allowed=", ".join(known),
                    value=raw_layers,
                )
            )
        layers = tuple(dict.fromkeys(asked))
    zoom = None
    raw_zoom = args.get("zoom")
    if raw_zoom:
        zoom = _number(raw_zoom)
        if zoom is None or not MIN_ZOOM <= zoom <= MAX_ZOOM:
            raise pages.SettingError(
                _(
                    "%(what)s: expected a number from %(min)s to %(max)s, got %(value)s.",
                    what="zoom",
                    min=MIN_ZOOM,
                    max=MAX_ZOOM,
                    value=raw_zoom,
                )
            )
    centre = None
    raw_centre = args.get("centre")
    if raw_centre:
        parts = raw_centre.split(",")
        numbers = [_number(p) for p in parts] if len(parts) == 2 else [None]
        if (
            None in numbers
            or not -90 <= numbers[0] <= 90  # type: ignore[operator]
            or not -180 <= numbers[1] <= 180  # type: ignore[operator]
        ):
            raise pages.SettingError(
                _(
                    "%(what)s: expected latitude,longitude in degrees (latitude -90 to 90, "
                    "longitude -180 to 180) such as %(example)s, got %(value)s.",
                    what="centre",
                    example="50.77,16.28",
                    value=raw_centre,
                )
            )
        centre = (float(numbers[0]), float(numbers[1]))  # type: ignore[arg-type]
    tiles = current_app.config["TILES"]
    raw_tiles = args.get("tiles")
    if raw_tiles:
        tiles = pages.choice(raw_tiles, TILES, default=tiles, what="tiles")
    return EmbedOptions(
        legend=_flag("legend"),
        title=_flag("title"),
        layers=layers,
        zoom=zoom,
        centre=centre,
        tiles=tiles,
    )


def _args(*skip: str) -> list[tuple[str, str]]:
    """The request's query without ``lang`` (each link adds its own) and ``skip``."""
    left_out = {"lang", *skip}
    return [(k, v) for k, v in request.args.items(multi=True) if k not in left_out]


def _query(*drop: str) -> list[tuple[str, str]]:
    """The request's query without the embed options, ``lang`` and ``drop``."""
    return _args(*EMBED_OPTIONS, *drop)


def _with_query(url: str, query: list[tuple[str, str]]) -> str:
    query = [*query, ("lang", current_lang())]
    return f"{url}?{urlencode(query)}"


def _resources_on_top(data: AnalysisData, chosen: EmbedOptions) -> dict[str, Any]:
    """``district_map`` arguments for the resources of ``layers`` (none without it)."""
    if chosen.layers is None:
        return {}
    frame = data.resources[data.resources["category"].isin(list(chosen.layers))]
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if not len(frame):
        return {}
    return {
        "resources": frame,
        "categories": data.categories,
        "resource_ids": [int(i) for i in frame["id"]],
        "resource_legend": _("Resources") if chosen.legend else None,
    }


def _map(data: AnalysisData, chosen: EmbedOptions, **arguments: Any) -> Any:
    """``district_map`` of the districts with the embed's tiles and ``arguments``; the resources
    of ``layers`` on top unless ``arguments`` say which resources to draw."""
    if "resources" not in arguments:
        arguments.update(_resources_on_top(data, chosen))
    return district_map(
        data.districts, **arguments, **{**pages.map_settings(), "tiles": chosen.tiles}
    )


def _page(
    folium_map: Any,
    *,
    title: str,
    chosen: EmbedOptions,
    full_url: str,
    data: AnalysisData,
) -> str:
    if chosen.zoom is not None or chosen.centre is not None:
        _View.replace_fit(folium_map, chosen.centre, chosen.zoom)
    return render_template(
        "embed.html",
        fragments=map_fragments(folium_map),
        title=title,
        show_title=chosen.title,
        full_url=full_url,
        schematic=bool(data.districts["schematic"].any()),
        fixed_view=chosen.zoom is not None or chosen.centre is not None,
    )


@bp.get("/mapa/<layer>", endpoint="indicator_map")
@bp.get("/map/<layer>", endpoint="indicator_map_en")
@cached_page
def indicator_map(layer: str):
    """The indicator map of ``layer`` (the year, classes and colours of the page's query)."""
    data = pages.data()
    chosen = options(data)
    built = maps.build_choropleth(layer, "embed.indicator_map")
    values = built.values
    label = pages.layer_label(data, values.layer)
    if chosen.layers is None:
        # As on the page: every resource, switched off, one click away in the layer control.
        extra: dict[str, Any] = {
            "resources": data.resources,
            "categories": data.categories,
            "resource_ids": list(data.resources["id"]),
            "show_resources": False,
        }
    else:
        extra = _resources_on_top(data, chosen)
    folium_map = _map(
        data,
        chosen,
        fills=built.fills,
        tooltips=maps._tooltips(values, unit=built.unit),
        legend=built.legend if chosen.legend else None,
        layer_name=label,
        **extra,
    )
    full = pages.page_url("maps.indicator_map", layer=values.layer.code)
    return _page(
        folium_map,
        title=f"{label}, {values.year}",
        chosen=chosen,
        full_url=_with_query(full, _query()),
        data=data,
    )


@bp.get("/porownanie/<layer>", endpoint="compare")
@bp.get("/compare/<layer>", endpoint="compare_en")
@cached_page
def compare(layer: str):
    """The change map of the comparison of two years (``from``, ``to`` and the page's classes)."""
    data = pages.data()
    chosen = options(data)
    built = maps.build_comparison(layer)
    folium_map = _map(
        data,
        chosen,
        fills=built.change_fills,
        tooltips=built.change_tips,
        legend=built.change_legend if chosen.legend else None,
        layer_name=_("Change"),
    )
    full = pages.page_url("maps.compare", layer=built.found.code)
    change = _("Change %(first)s–%(last)s", first=built.first, last=built.last)
    return _page(
        folium_map,
        title=f"{built.label}: {change}",
        chosen=chosen,
        full_url=_with_query(full, _query()),
        data=data,
    )


@bp.get("/zasoby", endpoint="resources")
@bp.get("/resources", endpoint="resources_en")
@cached_page
def resources_map():
    """The resources of the page's filters (``category``, ``district``, ``q``) on the districts."""
    data = pages.data()
    chosen = options(data)
    filters, selected = resources._selection(data)
    if chosen.layers is not None:
        selected = selected[selected["category"].isin(list(chosen.layers))]
    folium_map, _placed = resources.resource_map(
        data,
        selected,
        legend=chosen.legend,
        district=filters["district"],
        map_args={"tiles": chosen.tiles},
    )
    lang = current_lang()
    parts = [_("Resources")]
    if filters["category"]:
        parts.append(pages.category_names(data).get(filters["category"], filters["category"]))
    if filters["district"]:
        names = dict(zip(data.districts["code"], data.districts["name"], strict=True))
        parts.append(str(names.get(filters["district"]) or filters["district"]))
    if filters["q"]:
        parts.append(f"„{filters['q']}”" if lang == "pl" else f"“{filters['q']}”")
    return _page(
        folium_map,
        title=" · ".join(parts),
        chosen=chosen,
        full_url=_with_query(pages.page_url("resources.index"), _query("page")),
        data=data,
    )


@bp.get("/obszary", endpoint="targets")
@bp.get("/targets", endpoint="targets_en")
@cached_page
def targets_map():
    """The map of the top target areas for the ranking's settings in the query."""
    data = pages.data()
    chosen = options(data)
    built = targets.build_ranking()
    folium_map = _map(
        built.data,
        chosen,
        fills=built.fills,
        tooltips=built.tips,
        legend=built.legend if chosen.legend else None,
        highlight=[r["code"] for r in built.rows if r["top"]],
        layer_name=_("Target areas"),
    )
    return _page(
        folium_map,
        title=f"{_('Target areas')}, {built.settings['year']}",
        chosen=chosen,
        full_url=_with_query(pages.page_url("targets.index"), sorted(built.query.items())),
        data=data,
    )


# --------------------------------------------------------------------------- share dialog

#: Map page -> (its embed, query keys that only the page uses).
_EMBED_OF: dict[str, tuple[str, tuple[str, ...]]] = {
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
    view_args = dict(request.view_args or {})
    if endpoint == "districts.detail":
        return "embed.resources", {}, [("district", str(view_args["code"]))]
    if endpoint == "districts.index":
        years = pages.data().years
        if not years:
            return None  # no needs figures: the list's map is bare districts
        return "embed.indicator_map", {"layer": NEEDS_INDEX}, [("year", str(years[-1]))]
    found = _EMBED_OF.get(endpoint)
    if found is None:
        return None
    embed_endpoint, page_only = found
    return embed_endpoint, view_args, _args(*page_only)


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
    endpoint = (request.endpoint or "").removesuffix("_en")
    found = _embed_of(endpoint)
    if found is None:
        return None
    embed_endpoint, embed_args, query = found
    page = _with_query(pages.page_url(endpoint, **(request.view_args or {})), _args())
    embed = _with_query(pages.page_url(embed_endpoint, **embed_args), query)
    code = iframe_code(embed, title=title, width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT)
    return ShareUrls(page=page, embed=embed, code=code)
