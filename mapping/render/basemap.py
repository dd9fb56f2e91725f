"""The base of every interactive map: a folium Map that loads only local assets, palmap's page
style, the metric scale bar and the tile layer.

folium's default page loads Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from
CDNs. :class:`LocalMap` loads only the Leaflet files named by
:func:`mapping.render.assets.asset_urls`; the tile URL comes from configuration and is checked by
:func:`tile_layer` (OpenStreetMap, none, or a template with an attribution).
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlsplit

import folium
from branca.element import MacroElement
from folium.template import Template

from mapping.errors import ConfigurationError
from mapping.render.assets import AssetUrls
from mapping.render.attribution import DataAttribution
from mapping.render.controls import MetricScale
from mapping.render.escape import escape_text

__all__ = [
    "MAX_ZOOM",
    "OSM_ATTRIBUTION",
    "OSM_TILES",
    "LocalMap",
    "PageStyle",
    "base_map",
    "check_tile_template",
    "tile_layer",
]

OSM_TILES: Final = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION: Final = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

#: Maximum zoom of the map; markercluster needs one even without a tile layer.
MAX_ZOOM: Final = 18

_TILE_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\<>\"'`]")

_PAGE_CSS: Final = """
<style>
    .palmap-swatch {
        display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.3em;
        border: 1px solid rgba(0, 0, 0, 0.4); border-radius: 50%; vertical-align: -0.05em;
    }
    .palmap-legend {
        background: #fff; padding: 6px 10px; line-height: 1.5; max-width: 16em;
        font-size: 0.85rem; color: #222;
    }
    .palmap-legend h2 { font-size: 0.9rem; margin: 0 0 4px; }
    .palmap-legend ul { list-style: none; margin: 0; padding: 0; }
    .palmap-legend .palmap-note { margin: 6px 0 0; font-style: italic; color: #444; }
    .palmap-legend-toggle {
        font: inherit; font-weight: 700; color: inherit; background: none; border: 0;
        padding: 0; margin: 0; cursor: pointer; text-align: left;
    }
    .palmap-legend-toggle::after { content: " ▾"; font-weight: 400; }
    .palmap-legend.palmap-collapsed .palmap-legend-toggle::after { content: " ▸"; }
    .palmap-legend.palmap-collapsed h2 { margin: 0; }
    .palmap-legend.palmap-collapsed > :not(h2) { display: none; }
    .palmap-popup-title { display: block; margin-bottom: 4px; font-size: 1.05em; }
    .palmap-popup dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; }
    .palmap-popup dt { font-weight: 600; color: #555; }
    .palmap-popup dd { margin: 0; overflow-wrap: anywhere; }
</style>
"""


class PageStyle(MacroElement):
    """The page's own CSS: swatches, legend and popups."""

    _template = Template("{% macro header(this, kwargs) %}" + _PAGE_CSS + "{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "PageStyle"


class LocalMap(folium.Map):
    """A folium Map whose page loads only the local Leaflet script and stylesheet."""

    # Class level: nothing from folium's CDN list; the URLs are set per instance.
    default_js: Any = ()
    default_css: Any = ()

    def __init__(self, *, assets: AssetUrls, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.default_js = assets.leaflet_js_links
        self.default_css = assets.leaflet_css_links


def base_map(
    bounds: list[list[float]] | None,
    *,
    assets: AssetUrls,
    tile_layer: folium.TileLayer | None,
    zoom_start: int,
    osm_data: bool = False,
    **options: Any,
) -> LocalMap:
    """A map centred on ``bounds`` with the local assets, palmap's styles, a metric scale bar
    and ``tile_layer`` (None: no base map); ``options`` go to Leaflet. ``osm_data``: the map
    shows data from OpenStreetMap, and says so (:mod:`mapping.render.attribution`)."""
    location = None
    if bounds is not None:
        location = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = LocalMap(
        assets=assets,
        location=location,
        zoom_start=zoom_start,
        tiles=None,
        control_scale=False,
        maxZoom=MAX_ZOOM,
        **options,
    )
    PageStyle().add_to(m)
    MetricScale().add_to(m)
    if tile_layer is not None:
        tile_layer.add_to(m)
    if osm_data:
        DataAttribution().add_to(m)
    return m


def check_tile_template(url: str) -> str:
    """``url`` stripped, if it is a usable tile URL template; else :class:`ConfigurationError`."""
    stripped = url.strip()
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in stripped]
    if missing:
        raise ConfigurationError(
            "expected tiles 'osm', 'none' or a URL template with {z}, {x} and {y}, got "
            f"{url!r} (no {', '.join(missing)})"
        )
    if _TILE_FORBIDDEN.search(stripped):
        raise ConfigurationError(
            "expected a tile URL template without spaces, quotes, angle brackets, backticks "
            f"or backslashes, got {url!r}"
        )
    parts = urlsplit(stripped)
    is_web = parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)
    is_local_path = not parts.scheme and stripped.startswith("/") and not stripped.startswith("//")
    if not (is_web or is_local_path):
        raise ConfigurationError(
            "expected a tile URL template starting with http://, https:// or / (this server), "
            f"got {url!r}"
        )
    return stripped


def tile_layer(tiles: str, attribution: str | None) -> folium.TileLayer | None:
    """The base layer of ``tiles``: ``"osm"``, ``"none"`` (None) or a checked URL template,
    which needs an ``attribution`` (shown as plain text)."""
    choice = tiles.strip().lower()
    if choice == "none":
        return None
    if choice == "osm":
        return folium.TileLayer(
            tiles=OSM_TILES,
            attr=OSM_ATTRIBUTION,
            name="OpenStreetMap",
            max_zoom=19,
            max_native_zoom=19,
            control=False,
        )
    template = check_tile_template(tiles)
    if attribution is None or not attribution.strip():
        raise ConfigurationError(
            f"expected tiles_attribution for the custom tile URL {template!r}, got none; "
            "tile providers require one (for example '© OpenStreetMap contributors')"
        )
    # Attribution is configuration, but Leaflet writes it into innerHTML: keep it plain text.
    return folium.TileLayer(
        tiles=template,
        attr=escape_text(attribution.strip()),
        name="tiles",
        max_zoom=MAX_ZOOM,
        control=False,
    )
