"""Interactive Leaflet maps, drawn with folium, that load only local Leaflet and markercluster.

folium's default page loads Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from CDNs
and escapes nothing. The map classes here load only the files named by
:func:`mapping.render.assets.asset_urls` (no jQuery, Bootstrap, glyphicons, Font Awesome or
awesome-markers: resources are drawn as circle markers and the legend is plain HTML and CSS), and
every user-supplied string is escaped by :mod:`mapping.render.escape` before it reaches the page.

:func:`overview_map` draws districts and resources; :func:`map_fragments` and
:func:`standalone_html` render a map and refuse any page that would still load a remote script or
stylesheet.
"""

from __future__ import annotations

import copy
import logging
import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import urlsplit

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template
from folium.utilities import JsCode
from jinja2.utils import htmlsafe_json_dumps
from shapely.geometry import mapping as geometry_mapping

from mapping.crs import METRIC_CRS, WEB_CRS, ensure_crs
from mapping.errors import ConfigurationError, ValidationError
from mapping.render.assets import AssetUrls, RemoteAssetError, asset_urls, remote_asset_urls
from mapping.render.escape import Link, escape_text, escape_texts, popup_html, safe_url

__all__ = [
    "DEFAULT_LABELS",
    "SUPPORTED_LANGS",
    "MapFragments",
    "map_fragments",
    "overview_map",
    "standalone_html",
]

logger = logging.getLogger(__name__)

#: Languages with category names in the frames (``name_pl``, ``name_en``).
SUPPORTED_LANGS: Final = ("pl", "en")

#: UI strings by language; the web app passes its own translations through ``labels``.
DEFAULT_LABELS: Final = MappingProxyType(
    {
        "en": MappingProxyType(
            {
                "districts": "Districts",
                "legend": "Legend",
                "schematic_note": "Schematic boundaries, not official",
                "category": "Category",
                "address": "Address",
                "operator": "Operator",
                "website": "Website",
            }
        ),
        "pl": MappingProxyType(
            {
                "districts": "Dzielnice",
                "legend": "Legenda",
                "schematic_note": "Granice schematyczne, nieoficjalne",
                "category": "Kategoria",
                "address": "Adres",
                "operator": "Podmiot prowadzący",
                "website": "Strona internetowa",
            }
        ),
    }
)

OSM_TILES: Final = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION: Final = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

#: Maximum zoom of the map; markercluster needs one even without a tile layer.
_MAX_ZOOM: Final = 18
#: 6 decimals of a degree are about 0.1 m: finer digits only make the page bigger.
_COORD_DECIMALS: Final = 6
#: Above this many district vertices the boundaries are simplified for display.
_SIMPLIFY_ABOVE_VERTICES: Final = 20_000
_SIMPLIFY_TOLERANCE_M: Final = 5.0

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_FALLBACK_COLOUR: Final = "#777777"
_TILE_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\<>\"'`]")

_DISTRICT_STYLE: Final = MappingProxyType(
    {"color": "#34495e", "weight": 1.5, "opacity": 0.9, "fillColor": "#5d7fa3", "fillOpacity": 0.08}
)
_SCHEMATIC_STYLE: Final = MappingProxyType({"dashArray": "6 4"})
_DISTRICT_HIGHLIGHT: Final = MappingProxyType({"weight": 3, "fillOpacity": 0.18})

_DISTRICT_COLUMNS: Final = ("name", "schematic", "geometry")
_RESOURCE_COLUMNS: Final = ("name", "category", "address", "operator", "website", "geometry")
_CATEGORY_COLUMNS: Final = ("code", "name_pl", "name_en", "colour")

# Binds the server-built, already escaped popup HTML and nothing else.
_BIND_POPUP: Final = JsCode(
    "function (feature, layer) {\n"
    "    layer.bindPopup(feature.properties.popup, {maxWidth: 320});\n"
    "}"
)

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


class _LocalMap(folium.Map):
    """A folium Map whose page loads only the local Leaflet script and stylesheet."""

    # Class level: nothing from folium's CDN list; the URLs are set per instance.
    default_js: Any = ()
    default_css: Any = ()

    def __init__(self, *, assets: AssetUrls, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.default_js = assets.leaflet_js_links
        self.default_css = assets.leaflet_css_links


def _base_map(
    bounds: list[list[float]] | None,
    *,
    assets: AssetUrls,
    tile_layer: Any,
    zoom_start: int,
    **options: Any,
) -> _LocalMap:
    """A map centred on ``bounds`` with the local assets, palmap's styles, a metric scale bar
    and ``tile_layer`` (None: no base map); ``options`` go to Leaflet."""
    location = None
    if bounds is not None:
        location = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = _LocalMap(
        assets=assets,
        location=location,
        zoom_start=zoom_start,
        tiles=None,
        control_scale=False,
        maxZoom=_MAX_ZOOM,
        **options,
    )
    _PageStyle().add_to(m)
    _MetricScale().add_to(m)
    if tile_layer is not None:
        tile_layer.add_to(m)
    return m


class _LocalMarkerCluster(MarkerCluster):
    """A markercluster layer that loads the local markercluster script and stylesheets."""

    default_js: Any = ()
    default_css: Any = ()

    def __init__(self, *, assets: AssetUrls, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.default_js = assets.markercluster_js_links
        self.default_css = assets.markercluster_css_links


class _PageStyle(MacroElement):
    """The page's own CSS: swatches, legend and popups."""

    _template = Template("{% macro header(this, kwargs) %}" + _PAGE_CSS + "{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "PageStyle"


class _MetricScale(MacroElement):
    """A scale bar in metres only (folium's control_scale adds miles, which no reader here uses)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, maxWidth: 150}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


# The legend's title becomes a button that folds the legend to its title (aria-expanded says
# which); on a map narrower than 440 px or lower than 300 px (a phone, a small embed, the
# comparison maps on a 1024 px screen) it starts folded, so that it does not cover the
# districts. Defined once per page, whatever the number of legends.
_COLLAPSIBLE_LEGEND_JS: Final = """
if (typeof palmapCollapsibleLegend === "undefined") {
    var palmapCollapsibleLegend = function (div, map) {
        var title = div.querySelector("h2");
        if (!title) { return; }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "palmap-legend-toggle";
        while (title.firstChild) { button.appendChild(title.firstChild); }
        title.appendChild(button);
        var open = function (yes) {
            div.classList.toggle("palmap-collapsed", !yes);
            button.setAttribute("aria-expanded", yes ? "true" : "false");
        };
        button.addEventListener("click", function () {
            open(div.classList.contains("palmap-collapsed"));
        });
        var size = map.getSize();
        open(!(size.x < 440 || size.y < 300));
    };
}
"""


class _Legend(MacroElement):
    """A Leaflet control holding server-built, already escaped legend HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            """
        + _COLLAPSIBLE_LEGEND_JS
        + """
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "palmap-legend leaflet-bar");
                div.innerHTML = {{ this.content|tojson }};
                palmapCollapsibleLegend(div, {{ this._parent.get_name() }});
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.content = content
        self.position = position


@dataclass(frozen=True)
class MapFragments:
    """The three parts of a rendered map, for embedding into a page template.

    Attributes
    ----------
    header
        Link, meta and style tags for ``<head>``.
    html
        The map's ``<div>`` for ``<body>``.
    script
        JavaScript to put inside a ``<script>`` element after the ``<div>`` (without the tags).
    """

    header: str
    html: str
    script: str


# --------------------------------------------------------------------------- input checks


def _check_frame(frame: object, columns: tuple[str, ...], *, name: str, geo: bool) -> None:
    expected_type = gpd.GeoDataFrame if geo else pd.DataFrame
    if not isinstance(frame, expected_type):
        raise ValidationError(
            f"expected {name} as a {expected_type.__name__}, got {type(frame).__name__}; "
            "see mapping.frames for the columns"
        )
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValidationError(
            f"expected {name} with the columns {', '.join(columns)}, got none named "
            f"{', '.join(missing)}; see mapping.frames for the frame contracts"
        )


def _labels_for(lang: str, labels: Mapping[str, str] | None) -> dict[str, str]:
    if lang not in SUPPORTED_LANGS:
        raise ConfigurationError(
            f"expected a map language among {', '.join(SUPPORTED_LANGS)}, got {lang!r}"
        )
    merged = dict(DEFAULT_LABELS[lang])
    if labels:
        merged.update(labels)
    return merged


def _check_tile_template(url: str) -> str:
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


def _tile_layer(tiles: str, attribution: str | None) -> folium.raster_layers.TileLayer | None:
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
    template = _check_tile_template(tiles)
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
        max_zoom=_MAX_ZOOM,
        control=False,
    )


def _is_true(value: object) -> bool:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return False
    return bool(value)


def _colour(value: object, *, code: object) -> str:
    if isinstance(value, str) and _COLOUR.fullmatch(value.strip()):
        return value.strip().lower()
    logger.warning("category %r has colour %r, not #rrggbb; drawing it grey", code, value)
    return _FALLBACK_COLOUR


# --------------------------------------------------------------------------- geometry


def _rounded(geometry: shapely.Geometry) -> dict[str, Any]:
    # transform() without include_z returns 2D coordinates: Z values only weigh the page.
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, _COORD_DECIMALS))
    return dict(geometry_mapping(rounded))


def _polygonal(geometry: object) -> shapely.Geometry | None:
    """The polygonal part of a district geometry, or None when there is nothing to draw.

    A GeometryCollection (as ``make_valid`` may return) keeps only its polygons: folium's
    tooltips do not work on collections.
    """
    if not isinstance(geometry, shapely.Geometry) or geometry.is_empty:
        return None
    if isinstance(geometry, shapely.Polygon | shapely.MultiPolygon):
        return geometry
    polygons = [
        polygon
        for part in shapely.get_parts(geometry)
        for polygon in shapely.get_parts(part)  # a collection may hold MultiPolygons
        if isinstance(polygon, shapely.Polygon) and not polygon.is_empty
    ]
    return shapely.MultiPolygon(polygons) if polygons else None


def _display_geometries(geometries: gpd.GeoSeries) -> gpd.GeoSeries:
    """Simplify large district boundaries for display, keeping shared edges shared."""
    vertices = int(shapely.get_num_coordinates(geometries.array).sum())
    if vertices <= _SIMPLIFY_ABOVE_VERTICES:
        return geometries
    metric = geometries.to_crs(METRIC_CRS)
    try:
        simplified = metric.simplify_coverage(_SIMPLIFY_TOLERANCE_M)
    except shapely.errors.GEOSException:
        # Not a clean coverage (overlaps): simplify each polygon on its own.
        simplified = metric.simplify(_SIMPLIFY_TOLERANCE_M, preserve_topology=True)
    logger.debug("simplified %d district vertices for display", vertices)
    return simplified.to_crs(WEB_CRS)


def _drawable(geometry: object) -> bool:
    return isinstance(geometry, shapely.Geometry) and not geometry.is_empty


def _point_lon_lat(geometry: object) -> tuple[float, float] | None:
    if not isinstance(geometry, shapely.Point) or geometry.is_empty:
        return None
    lon, lat = geometry.x, geometry.y
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    return round(lon, _COORD_DECIMALS), round(lat, _COORD_DECIMALS)


# --------------------------------------------------------------------------- layers


def _districts_layer(
    districts: gpd.GeoDataFrame, *, name: str
) -> tuple[folium.GeoJson | None, bool]:
    """Return the districts layer (None when nothing to draw) and whether any is schematic."""
    geometries = _display_geometries(districts.geometry)
    features = []
    schematic_ids: set[Hashable] = set()
    any_schematic = False
    for position, (title, schematic, geometry) in enumerate(
        zip(districts["name"], districts["schematic"], geometries, strict=True)
    ):
        if _is_true(schematic):
            any_schematic = True
        geometry = _polygonal(geometry)
        if geometry is None:
            continue
        feature_id = f"d{position}"
        if _is_true(schematic):
            schematic_ids.add(feature_id)
        features.append(
            {
                "type": "Feature",
                "id": feature_id,
                "properties": {"name_html": escape_text(title)},
                "geometry": _rounded(geometry),
            }
        )
    if not features:
        return None, any_schematic

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        extra = _SCHEMATIC_STYLE if feature["id"] in schematic_ids else {}
        return {**_DISTRICT_STYLE, **extra}

    def highlight(feature: dict[str, Any]) -> dict[str, Any]:
        return dict(_DISTRICT_HIGHLIGHT)

    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape_text(name),
        style_function=style,
        highlight_function=highlight,
        tooltip=folium.GeoJsonTooltip(
            fields=["name_html"], labels=False, sticky=True, class_name="palmap-district-tooltip"
        ),
        overlay=True,
        control=True,
    )
    return layer, any_schematic


def _category_table(categories: pd.DataFrame, lang: str) -> dict[object, tuple[str, str]]:
    """Category code -> (display name in ``lang``, colour), in the frame's order."""
    other = next(code for code in SUPPORTED_LANGS if code != lang)
    table: dict[object, tuple[str, str]] = {}
    for code, name, fallback, colour in zip(
        categories["code"],
        categories[f"name_{lang}"],
        categories[f"name_{other}"],
        categories["colour"],
        strict=True,
    ):
        shown = next(
            (str(v) for v in (name, fallback, code) if escape_text(v).strip()),
            "",
        )
        table[code] = (shown, _colour(colour, code=code))
    return table


def _category_name(table: Mapping[object, tuple[str, str]], code: object) -> str:
    """Display name of ``code``; the code itself (or "?") for a category not in the table."""
    if code in table:
        return table[code][0]
    return "?" if code is None else str(code)


def _swatch(colour: str) -> str:
    # colour is a checked #rrggbb string, safe in an attribute.
    return f'<span class="palmap-swatch" style="background-color:{colour}"></span>'


def _resource_layers(
    resources: gpd.GeoDataFrame,
    table: Mapping[object, tuple[str, str]],
    *,
    labels: Mapping[str, str],
    assets: AssetUrls,
    ids: Sequence[object] | None = None,
    show: bool = True,
) -> list[tuple[str, str, Layer]]:
    """Return (display name, colour, layer) per category with at least one point.

    ``ids`` (one per row, default the row position) become the features' ``rid`` property, so
    that a page can tell which rows are drawn; ``show=False`` adds the layers switched off.
    Above :data:`FAST_RESOURCES_ABOVE` points the layers are those of
    :func:`_fast_resource_layers`.
    """
    placed = _placed_points(resources.geometry)
    if int(placed.sum()) > FAST_RESOURCES_ABOVE:
        return _fast_resource_layers(
            resources, placed, table, labels=labels, assets=assets, ids=ids, show=show
        )
    by_category: dict[object, list[dict[str, Any]]] = {}
    skipped = 0
    for position, row in enumerate(
        resources[["name", "category", "address", "operator", "website", "geometry"]].itertuples(
            index=False
        )
    ):
        lon_lat = _point_lon_lat(row.geometry)
        if lon_lat is None:
            skipped += 1
            continue
        code = row.category if _is_true(row.category) else None
        category_name = _category_name(table, code)
        rows: list[tuple[str, object]] = [
            (labels["category"], category_name),
            (labels["address"], row.address),
            (labels["operator"], row.operator),
        ]
        url = safe_url(row.website)
        if url is not None:
            rows.append((labels["website"], Link(url)))
        by_category.setdefault(code, []).append(
            {
                "type": "Feature",
                "id": f"r{position}",
                "properties": {
                    "popup": popup_html(rows, title=row.name),
                    "rid": escape_text(position if ids is None else ids[position]),
                },
                "geometry": {"type": "Point", "coordinates": list(lon_lat)},
            }
        )
    if skipped:
        logger.debug("%d resources without a point are not drawn", skipped)

    ordered = [code for code in table if code in by_category]
    ordered += [code for code in by_category if code not in table]
    layers = []
    seen_names: set[str] = set()
    for code in ordered:
        shown = _category_name(table, code)
        colour = table[code][1] if code in table else _FALLBACK_COLOUR
        layer_name = f"{_swatch(colour)}{escape_text(shown)}"
        if layer_name in seen_names:  # LayerControl keys layers by name
            layer_name = f"{layer_name} ({escape_text(code)})"
        seen_names.add(layer_name)
        cluster = _LocalMarkerCluster(
            assets=assets,
            name=layer_name,
            overlay=True,
            control=True,
            show=show,
            show_coverage_on_hover=False,
            # City scale: cluster only points that would overlap, and never at street level.
            options={"maxClusterRadius": 30, "disableClusteringAtZoom": 16},
        )
        style = _marker_style(colour)
        folium.GeoJson(
            {"type": "FeatureCollection", "features": by_category[code]},
            control=False,
            marker=folium.CircleMarker(radius=7, fill=True),
            style_function=style,
            on_each_feature=_BIND_POPUP,
        ).add_to(cluster)
        layers.append((shown, colour, cluster))
    return layers


def _placed_points(geometries: gpd.GeoSeries) -> np.ndarray:
    """True for each row whose geometry is a non-empty point with finite coordinates
    (the rows :func:`_point_lon_lat` accepts), vectorised."""
    values = np.asarray(geometries.array, dtype=object)
    placed = (shapely.get_type_id(values) == 0) & ~shapely.is_empty(values)
    if placed.any():
        coords = shapely.get_coordinates(values[placed])
        finite = np.isfinite(coords).all(axis=1)
        placed[np.flatnonzero(placed)[~finite]] = False
    return placed


# Builds the markers of a large resource set in the browser (see _FastPoints). Every string in
# the data was escaped by escape_text (and website checked by safe_url) on the server; this only
# joins them into the markup of popup_html, and only when a popup opens.
_FAST_POINTS_JS: Final = """
function palmapFastPoints(map, settings) {
    var cluster = L.markerClusterGroup(settings.cluster).addTo(map);
    var labels = settings.labels;
    // A marker gets its popup when it is first clicked: binding 10,000 popups up front costs
    // more than building the markers.
    cluster.on("click", function (event) {
        var marker = event.layer;
        if (marker && marker.palmapRow && !marker.getPopup()) {
            marker.bindPopup(popup, {maxWidth: 320}).openPopup();
        }
    });
    function item(label, value) {
        return value && value.trim() ? "<dt>" + label + "</dt><dd>" + value + "</dd>" : "";
    }
    function popup(marker) {
        var row = marker.palmapRow;
        var items = item(labels.category, marker.palmapCategory) + item(labels.address, row[4])
            + item(labels.operator, row[5]);
        if (row[6]) {
            items += "<dt>" + labels.website + '</dt><dd><a href="' + row[6]
                + '" rel="noopener noreferrer" target="_blank">' + row[6] + "</a></dd>";
        }
        return '<div class="palmap-popup">'
            + (row[3] ? '<strong class="palmap-popup-title">' + row[3] + "</strong>" : "")
            + (items ? "<dl>" + items + "</dl>" : "") + "</div>";
    }
    function category(data) {
        var style = {
            radius: 7, color: "#ffffff", weight: 1.5, fillColor: data.colour, fillOpacity: 0.9
        };
        var markers = null;
        // Built when the layer is first switched on: a page that shows resources switched off
        // (the indicator map) does not pay for them.
        function build() {
            if (markers === null) {
                markers = new Array(data.rows.length);
                for (var i = 0; i < data.rows.length; i++) {
                    var row = data.rows[i];
                    var marker = L.circleMarker([row[0], row[1]], style);
                    marker.feature = {type: "Feature", properties: {rid: row[2]}};
                    marker.palmapRow = row;
                    marker.palmapCategory = data.name;
                    markers[i] = marker;
                }
            }
            return markers;
        }
        var group = L.layerGroup();
        group.on("add", function () { cluster.addLayers(build()); });
        group.on("remove", function () { cluster.removeLayers(build()); });
        return group;
    }
    return {cluster: cluster, category: category};
}
"""


class _Text(Element):
    """Text that goes into the page as it is (branca's ``Element`` compiles its text as a
    template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _FastPoints(JSCSSMixin, Layer):
    """The resources of one category of a large set, for the layer control.

    The data travel as one compact array per category (``[lat, lon, rid, name, address,
    operator, website]``, every string escaped), written as a JSON string that the page hands to
    ``JSON.parse``: Chromium took 6 s to compile the same 100,000 rows written as a JavaScript
    literal, and 0.6 s to parse them as JSON. The browser builds the circle markers from it
    and puts every category into one shared marker cluster, and a popup is bound and its HTML
    joined only when a marker is first clicked. The first layer of a map (``lead``) defines the
    shared cluster, so the layers must be added to the map in the order
    :func:`_fast_resource_layers` returns them.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{% if this.lead %}" + _FAST_POINTS_JS + "var {{ this.shared }} = palmapFastPoints("
        "{{ this._parent.get_name() }}, {{ this.settings|tojson }});\n{% endif %}"
        "var {{ this.get_name() }} = {{ this.shared }}.category("
        "JSON.parse({{ this.placeholder }}));\n"
        "{% endmacro %}"
    )

    def __init__(
        self,
        *,
        assets: AssetUrls,
        name: str,
        data: dict[str, Any],
        lead: _FastPoints | None,
        settings: dict[str, Any],
        show: bool,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "FastPoints"
        self.default_js = assets.markercluster_js_links
        self.default_css = assets.markercluster_css_links
        # Serialised once, here: a string is shared, not copied, when the page is rendered from a
        # copy of the map (see _render), and rendering does not walk 100,000 rows again.
        self.data_json = str(htmlsafe_json_dumps(data, separators=(",", ":")))
        self.placeholder = f"palmap_rows_{self.get_name()}"
        self.lead = lead is None
        self.settings = settings
        self.shared = f"{(lead or self).get_name()}_shared"

    def render(self, **kwargs: Any) -> None:
        """Render as folium does, then put the rows into the script as a JavaScript string.

        branca wraps every rendered script in an ``Element``, which compiles it as a Jinja
        template: with the rows in it that took 1 s for 100,000 resources. The script is rendered
        with a short placeholder instead, and its element replaced by one that returns the text.
        """
        super().render(**kwargs)
        script = self.get_root().script
        rendered = script._children[self.get_name()]
        text = rendered._template_str.replace(
            self.placeholder, str(htmlsafe_json_dumps(self.data_json)), 1
        )
        script._children[self.get_name()] = _Text(text)


#: Above this many points a map sends resources as compact arrays (:class:`_FastPoints`) rather
#: than one GeoJSON feature with its popup HTML each: at 10,000 points that is about 1 MB instead
#: of 6.5 MB, and one cluster without animations instead of eleven animated ones.
FAST_RESOURCES_ABOVE: Final = 2_000


def _fast_resource_layers(
    resources: gpd.GeoDataFrame,
    placed: np.ndarray,
    table: Mapping[object, tuple[str, str]],
    *,
    labels: Mapping[str, str],
    assets: AssetUrls,
    ids: Sequence[object] | None,
    show: bool,
) -> list[tuple[str, str, _FastPoints]]:
    """The layers of :func:`_resource_layers` for a large set: one :class:`_FastPoints` per
    category with at least one point, the first of which holds the shared cluster."""
    positions = np.flatnonzero(placed)
    coords = np.round(
        shapely.get_coordinates(np.asarray(resources.geometry.array)[positions]), _COORD_DECIMALS
    )
    if len(positions) < len(resources):
        logger.debug("%d resources without a point are not drawn", len(resources) - len(positions))
    frame = resources.iloc[positions]
    rids = positions.tolist() if ids is None else [ids[p] for p in positions.tolist()]
    # Websites repeat (an operator's site on each of its places): each distinct one is checked
    # once.
    websites = frame["website"].astype(object)
    websites = websites.where(websites.notna(), None).tolist()
    urls = {url: safe_url(url) for url in set(websites)}
    links = [urls[url] for url in websites]
    codes = frame["category"].astype(object)
    codes = codes.where(codes.notna(), None).tolist()
    keys = {code: code if _is_true(code) else None for code in set(codes)}
    by_category: dict[object, list[list[Any]]] = {}
    for (lon, lat), code, *texts in zip(
        coords.tolist(),
        codes,
        escape_texts(rids),
        escape_texts(frame["name"]),
        escape_texts(frame["address"]),
        escape_texts(frame["operator"]),
        escape_texts(links),
        strict=True,
    ):
        by_category.setdefault(keys[code], []).append([lat, lon, *texts])
    ordered = [code for code in table if code in by_category]
    ordered += [code for code in by_category if code not in table]
    settings = {
        "labels": {
            key: escape_text(labels[key]) for key in ("category", "address", "operator", "website")
        },
        # One cluster for every category; wider than the GeoJSON layers' 30 px, so that a city
        # full of points shows a few hundred clusters rather than thousands.
        "cluster": {
            "showCoverageOnHover": False,
            "maxClusterRadius": 60,
            "disableClusteringAtZoom": 16,
            "chunkedLoading": True,
            # Animated cluster splits force a layout per step: 0.4 s per zoom at 10,000 points.
            "animate": False,
        },
    }
    layers: list[tuple[str, str, _FastPoints]] = []
    seen_names: set[str] = set()
    lead: _FastPoints | None = None
    for code in ordered:
        shown = _category_name(table, code)
        colour = table[code][1] if code in table else _FALLBACK_COLOUR
        layer_name = f"{_swatch(colour)}{escape_text(shown)}"
        if layer_name in seen_names:
            layer_name = f"{layer_name} ({escape_text(code)})"
        seen_names.add(layer_name)
        layer = _FastPoints(
            assets=assets,
            name=layer_name,
            data={"colour": colour, "name": escape_text(shown), "rows": by_category[code]},
            lead=lead,
            settings=settings,
            show=show,
        )
        lead = lead or layer
        layers.append((shown, colour, layer))
    return layers


def _marker_style(colour: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {
            "color": "#ffffff",
            "weight": 1.5,
            "fillColor": colour,
            "fillOpacity": 0.9,
        }

    return style


def _legend_html(entries: list[tuple[str, str]], *, title: str, note: str | None) -> str:
    parts = [f"<h2>{escape_text(title)}</h2>"]
    if entries:
        items = "".join(
            f"<li>{_swatch(colour)}{escape_text(name)}</li>" for name, colour in entries
        )
        parts.append(f"<ul>{items}</ul>")
    if note:
        parts.append(f'<p class="palmap-note">{escape_text(note)}</p>')
    return "".join(parts)


def _bounds(*frames: gpd.GeoDataFrame) -> list[list[float]] | None:
    for frame in frames:
        geometries = frame.geometry[[_drawable(g) for g in frame.geometry]]
        if len(geometries):
            min_x, min_y, max_x, max_y = (float(v) for v in geometries.total_bounds)
            if all(math.isfinite(v) for v in (min_x, min_y, max_x, max_y)):
                return [[min_y, min_x], [max_y, max_x]]
    return None


# --------------------------------------------------------------------------- public API


def overview_map(
    districts: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    categories: pd.DataFrame,
    *,
    lang: str = "pl",
    tiles: str = "osm",
    tiles_attribution: str | None = None,
    asset_prefix: str = "/static/vendor",
    labels: Mapping[str, str] | None = None,
) -> folium.Map:
    """Draw districts and resources on one interactive map.

    Districts are one layer of lightly filled polygons (schematic ones dashed) with the name as
    a tooltip. Resources are one clustered layer per category, drawn as circle markers in the
    category's colour, each with a popup of name, category, address, operator and (when
    :func:`~mapping.render.escape.safe_url` accepts it) website. Resources without a point are
    skipped: they are listed elsewhere. A layer control, a legend of the categories drawn and,
    when any district is schematic, the ``schematic_note`` complete the map, which is fitted to
    the districts (or to the resources when there are no districts).

    The page loads only Leaflet and markercluster from ``asset_prefix``; every name, address and
    label is escaped, and the GeoJSON sent to the page holds only rounded coordinates and the
    escaped HTML it shows.

    Parameters
    ----------
    districts
        Frame of :data:`mapping.frames.DISTRICT_COLUMNS` (``name``, ``schematic`` and
        ``geometry`` are used).
    resources
        Frame of :data:`mapping.frames.RESOURCE_COLUMNS` (``name``, ``category``, ``address``,
        ``operator``, ``website`` and ``geometry`` are used).
    categories
        Frame of :data:`mapping.frames.CATEGORY_COLUMNS`; resources whose category is not in it
        are drawn grey under the category code.
    lang
        ``"pl"`` or ``"en"``: which category names and default labels to use.
    tiles
        ``"osm"`` for OpenStreetMap tiles, ``"none"`` for no base layer, or a tile URL template
        with ``{z}``, ``{x}`` and ``{y}`` (http(s) or a path on this server).
    tiles_attribution
        Required with a custom tile URL; shown as plain text (HTML in it is escaped).
    asset_prefix
        Where the vendor files are served; see :func:`mapping.render.assets.asset_urls`.
    labels
        UI strings overriding :data:`DEFAULT_LABELS` of ``lang``: ``districts``, ``legend``,
        ``schematic_note``, ``category``, ``address``, ``operator``, ``website``. Plain text.

    Returns
    -------
    folium.Map
        Render it with :func:`map_fragments` or :func:`standalone_html`.

    Raises
    ------
    ConfigurationError
        For an unknown ``lang``, an unusable ``tiles`` value or ``asset_prefix``, or a custom
        tile URL without ``tiles_attribution``.
    ValidationError
        If a frame is not a (Geo)DataFrame with the columns used.
    CRSError
        If a GeoDataFrame has no CRS (others are reprojected to EPSG:4326).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import Point, box
    >>> districts = gpd.GeoDataFrame(
    ...     {"name": ["Centrum"], "schematic": [True]},
    ...     geometry=[box(16.27, 50.76, 16.29, 50.78)], crs=4326)
    >>> resources = gpd.GeoDataFrame(
    ...     {"name": ["<b>Club</b>"], "category": ["kis"], "address": ["Rynek 1"],
    ...      "operator": [None], "website": ["javascript:alert(1)"]},
    ...     geometry=[Point(16.28, 50.77)], crs=4326)
    >>> categories = pd.DataFrame({"code": ["kis"], "name_pl": ["Klub"],
    ...     "name_en": ["Club"], "colour": ["#882255"]})
    >>> m = overview_map(districts, resources, categories, lang="en", tiles="none")
    >>> page = standalone_html(m)
    >>> "<b>Club</b>" in page, "javascript:" in page
    (False, False)
    """
    texts = _labels_for(lang, labels)
    assets = asset_urls(asset_prefix)
    tile_layer = _tile_layer(tiles, tiles_attribution)
    _check_frame(districts, _DISTRICT_COLUMNS, name="districts", geo=True)
    _check_frame(resources, _RESOURCE_COLUMNS, name="resources", geo=True)
    _check_frame(categories, _CATEGORY_COLUMNS, name="categories", geo=False)
    districts = ensure_crs(districts, name="districts")
    resources = ensure_crs(resources, name="resources")

    bounds = _bounds(districts, resources)
    m = _base_map(bounds, assets=assets, tile_layer=tile_layer, zoom_start=13)

    district_layer, any_schematic = _districts_layer(districts, name=texts["districts"])
    if district_layer is not None:
        district_layer.add_to(m)

    table = _category_table(categories, lang)
    drawn = _resource_layers(resources, table, labels=texts, assets=assets)
    for _, _, layer in drawn:
        layer.add_to(m)

    # Collapsed: the legend already lists the categories; the control is one click away.
    folium.LayerControl(collapsed=True).add_to(m)
    if drawn or any_schematic:
        note = texts["schematic_note"] if any_schematic else None
        entries = [(name, colour) for name, colour, _ in drawn]
        _Legend(_legend_html(entries, title=texts["legend"], note=note)).add_to(m)
    if bounds is not None:
        m.fit_bounds(bounds)
    return m


def _render(m: folium.Map) -> tuple[Figure, str]:
    """Render a copy of ``m``'s page; return the rendered copy and the whole document.

    folium's render is not idempotent (each render appends another ``addTo`` call per layer),
    so the caller's map is left untouched and every call gives the same output.
    """
    root = m.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"expected a folium Map inside a Figure, got a root {type(root).__name__}")
    figure = copy.deepcopy(root)
    page = _ACCESSIBLE_VIEWPORT.join(_FOLIUM_VIEWPORT.split(figure.render()))
    _refuse_remote(page)
    return figure, page


# folium's page forbids zooming (user-scalable=no), which fails WCAG 1.4.4 for people who need to
# enlarge text; the standalone page gets an ordinary viewport, embedding pages bring their own.
_FOLIUM_VIEWPORT: Final = re.compile(r'<meta name="viewport"[^>]*user-scalable=no[^>]*>', re.S)
_ACCESSIBLE_VIEWPORT: Final = '<meta name="viewport" content="width=device-width, initial-scale=1">'
_CHARSET_META: Final = re.compile(r'<meta http-equiv="content-type"[^>]*>', re.I)


def _refuse_remote(page: str) -> None:
    remote = remote_asset_urls(page)
    if remote:
        raise RemoteAssetError(
            "expected a map page that loads scripts and stylesheets only from this server, got "
            f"{', '.join(remote)}; build the map with mapping.render.interactive.overview_map "
            "or pass the page through mapping.render.assets.localise_html"
        )


def map_fragments(m: folium.Map) -> MapFragments:
    """Render ``m`` into header, body HTML and script for a page template.

    Put ``header`` in ``<head>``, ``html`` where the map goes, and ``script`` inside a
    ``<script>`` element after it; all three are trusted markup (``|safe`` in Jinja).

    Parameters
    ----------
    m
        A map from :func:`overview_map` (any folium Map that loads nothing remote works).

    Returns
    -------
    MapFragments
        The rendered parts.

    Raises
    ------
    RemoteAssetError
        If the page would load a script or stylesheet from another host.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> empty = gpd.GeoDataFrame(
    ...     {c: [] for c in ("name", "schematic", "category", "address", "operator", "website")},
    ...     geometry=[], crs=4326)
    >>> categories = pd.DataFrame(columns=["code", "name_pl", "name_en", "colour"])
    >>> parts = map_fragments(overview_map(empty, empty, categories, tiles="none"))
    >>> '<script src="/static/vendor/leaflet/leaflet.js"></script>' in parts.header
    True
    >>> parts.script.count("L.map(")
    1
    """
    figure, _ = _render(m)
    # The embedding page has its own charset and viewport; two of each are invalid HTML.
    header = _FOLIUM_VIEWPORT.sub("", _CHARSET_META.sub("", figure.header.render()))
    return MapFragments(header=header, html=figure.html.render(), script=figure.script.render())


def standalone_html(m: folium.Map) -> str:
    """Render ``m`` as a whole HTML document.

    Parameters
    ----------
    m
        A map from :func:`overview_map`.

    Returns
    -------
    str
        ``<!DOCTYPE html>`` and everything after it.

    Raises
    ------
    RemoteAssetError
        If the page would load a script or stylesheet from another host.

    Examples
    --------
    >>> import folium
    >>> standalone_html(folium.Map(tiles=None))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mapping.render.assets.RemoteAssetError: expected a map page that loads ...
    """
    _, page = _render(m)
    return page
