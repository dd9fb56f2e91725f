"""District maps for the pages: choropleths, change maps, highlighted districts, filtered resources.

Every map here is built by :func:`district_map` on the local-asset map of
:mod:`mapping.render.interactive` (only Leaflet and markercluster, served from this server), with
each district's fill colour, tooltip rows and (optionally) a popup link given by the caller.
Names, labels and values all pass through :func:`~mapping.render.escape.escape_text` (through
:func:`~mapping.render.escape.popup_html` for tooltips): the GeoJSON sent to the page holds only
escaped HTML and rounded coordinates.

Colours
    :data:`PALETTES` are sequential palettes that stay readable with the common colour-vision
    deficiencies: ``viridis`` (the default) and ``cividis`` (matplotlib), and ColorBrewer
    ``YlGnBu``, all light for low values and dark for high ones. :func:`palette` picks ``k``
    colours spread over the whole range. The change map uses the Okabe-Ito blue and vermillion
    (:data:`CHANGE_COLOURS`), which people with any common colour-vision deficiency tell apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import shape

from mapping.crs import ensure_crs
from mapping.errors import ValidationError
from mapping.render.assets import asset_urls
from mapping.render.basemap import base_map, tile_layer
from mapping.render.controls import Legend
from mapping.render.escape import escape_text, popup_html
from mapping.render.fragments import MapFragments
from mapping.render.geometry import bounds as display_bounds
from mapping.render.geometry import display_geometries, polygonal, rounded
from mapping.render.inputs import RESOURCE_COLUMNS, check_frame, labels_for
from mapping.render.resources import category_table, resource_layers
from mapping.render.topo import TopoDistricts, district_topology, styled_rows, use_topology
from mapping.render.view import MapView, place_view

__all__ = [
    "CHANGE_COLOURS",
    "DEFAULT_PALETTE",
    "NO_DATA_COLOUR",
    "PALETTES",
    "MapLegend",
    "class_colours",
    "district_map",
    "merge_fragments",
    "palette",
]

#: Sequential palettes, light (low) to dark (high), nine steps each.
PALETTES: Final = MappingProxyType(
    {
        "viridis": (
            "#fde725", "#addc30", "#5ec962", "#28ae80", "#21918c",
            "#2c728e", "#3b528b", "#472d7b", "#440154",
        ),
        "cividis": (
            "#fee838", "#dec958", "#bcae6c", "#9b9476", "#7d7c78",
            "#61656f", "#434e6c", "#1a386f", "#00224e",
        ),
        "ylgnbu": (
            "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4",
            "#1d91c0", "#225ea8", "#253494", "#081d58",
        ),
    }
)  # fmt: skip
DEFAULT_PALETTE: Final = "viridis"

#: Fill of a district whose value is hidden (small numbers) or missing.
NO_DATA_COLOUR: Final = "#e8e8e8"

#: Fill of each status of :func:`mapping.layers.layer_change`.
CHANGE_COLOURS: Final = MappingProxyType(
    {
        "improved": "#0072b2",
        "worsened": "#d55e00",
        "no_clear_change": "#bbbbbb",
        "unchanged": "#bbbbbb",
        "hidden": NO_DATA_COLOUR,
    }
)

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_OUTLINE: Final = "#2b3a4a"
_FILL_OPACITY: Final = 0.78


def palette(name: str, k: int) -> list[str]:
    """``k`` colours of palette ``name``, spread from its lightest to its darkest.

    Examples
    --------
    >>> palette("viridis", 3)
    ['#fde725', '#21918c', '#440154']
    >>> palette("rainbow", 3)
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: expected a palette among viridis, cividis, ylgnbu, got \
'rainbow'
    """
    if name not in PALETTES:
        raise ValidationError(f"expected a palette among {', '.join(PALETTES)}, got {name!r}")
    colours = PALETTES[name]
    if not 1 <= k <= len(colours):
        raise ValidationError(f"expected 1 to {len(colours)} classes, got {k}")
    if k == 1:
        return [colours[len(colours) // 2]]
    positions = np.linspace(0, len(colours) - 1, k)
    return [colours[int(round(p))] for p in positions]


def class_colours(
    values: pd.Series, breaks: Sequence[float], colours: Sequence[str]
) -> dict[str, str | None]:
    """District code -> the colour of its class (None for a missing or hidden value).

    Class ``i`` holds the values above ``breaks[i - 1]`` up to and including ``breaks[i]``
    (:mod:`mapping.classify`); a value above the last break takes the last class.

    Examples
    --------
    >>> import pandas as pd
    >>> class_colours(pd.Series({"a": 1.0, "b": 5.0, "c": float("nan")}), [2.0, 5.0],
    ...               ["#ffffff", "#000000"])
    {'a': '#ffffff', 'b': '#000000', 'c': None}
    """
    if len(colours) < len(breaks):
        raise ValidationError(f"expected {len(breaks)} colours, got {len(colours)}")
    result: dict[str, str | None] = {}
    for code, value in values.items():
        if value is None or not math.isfinite(float(value)):
            result[str(code)] = None
            continue
        index = int(np.searchsorted(np.asarray(breaks, dtype=float), float(value), side="left"))
        result[str(code)] = colours[min(index, len(breaks) - 1)]
    return result


@dataclass(frozen=True)
class MapLegend:
    """A legend: a title, (colour, label) entries, an optional unit line and note (plain text)."""

    title: str
    entries: Sequence[tuple[str, str]] = field(default_factory=tuple)
    unit: str | None = None
    note: str | None = None
    round_swatches: bool = False

    def html(self) -> str:
        """The legend as escaped HTML.

        Examples
        --------
        >>> MapLegend("<b>x</b>", [("#ff0000", "1 – 2")], unit="%").html()  # doctest: +ELLIPSIS
        '<h2>&lt;b&gt;x&lt;/b&gt;</h2><p class="palmap-unit">%</p><ul class="palmap-classes">...'
        """
        parts = [f"<h2>{escape_text(self.title)}</h2>"]
        if self.unit:
            parts.append(f'<p class="palmap-unit">{escape_text(self.unit)}</p>')
        if self.entries:
            shape = "palmap-swatch" if self.round_swatches else "palmap-swatch palmap-square"
            items = "".join(
                f'<li><span class="{shape}" style="background-color:{_checked(colour)}">'
                f"</span>{escape_text(label)}</li>"
                for colour, label in self.entries
            )
            parts.append(f'<ul class="palmap-classes">{items}</ul>')
        if self.note:
            parts.append(f'<p class="palmap-note">{escape_text(self.note)}</p>')
        return "".join(parts)


def _checked(colour: str) -> str:
    if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
        raise ValidationError(f"expected a colour as #rrggbb, got {colour!r}")
    return colour.lower()


_BIND_LINK_POPUP: Final = folium.utilities.JsCode(
    "function (feature, layer) {\n"
    "    if (feature.properties.popup) { layer.bindPopup(feature.properties.popup); }\n"
    "}"
)


def _district_features(
    districts: gpd.GeoDataFrame,
    *,
    tooltips: Mapping[str, Sequence[tuple[str, object]]],
    popups: Mapping[str, str],
) -> list[dict[str, Any]]:
    geometries = display_geometries(districts.geometry)
    features = []
    for position, (code, name, geometry) in enumerate(
        zip(districts["code"].astype(str), districts["name"], geometries, strict=True)
    ):
        shape = polygonal(geometry)
        if shape is None:
            continue
        properties = {
            "code": escape_text(code),
            "tip": popup_html(tooltips.get(code, ()), title=name),
        }
        if code in popups:
            properties["popup"] = popups[code]
        features.append(
            {
                "type": "Feature",
                "id": f"d{position}",
                "properties": properties,
                "geometry": rounded(shape),
            }
        )
    return features


def district_map(
    districts: gpd.GeoDataFrame,
    *,
    fills: Mapping[str, str | None],
    tooltips: Mapping[str, Sequence[tuple[str, object]]] | None = None,
    legend: MapLegend | None = None,
    highlight: Iterable[str] = (),
    links: Mapping[str, tuple[str, str]] | None = None,
    resources: gpd.GeoDataFrame | None = None,
    categories: pd.DataFrame | None = None,
    resource_ids: Sequence[object] | None = None,
    show_resources: bool = True,
    resource_legend: str | None = None,
    fit: Iterable[str] | None = None,
    layer_name: str = "Districts",
    lang: str = "pl",
    tiles: str = "osm",
    tiles_attribution: str | None = None,
    osm_data: bool = False,
    asset_prefix: str = "/static/vendor",
    labels: Mapping[str, str] | None = None,
    fill_opacity: float = _FILL_OPACITY,
    view: MapView | None = None,
    topojson_min_districts: int | None = None,
    cluster_url: str | None = None,
    cluster_min_resources: int | None = None,
) -> folium.Map:
    """Draw the districts filled with given colours, optionally with resources on top.

    Parameters
    ----------
    districts
        Frame with ``code``, ``name`` and polygon ``geometry``.
    fills
        District code -> ``#rrggbb`` fill; a missing code or None gets :data:`NO_DATA_COLOUR`.
    tooltips
        District code -> ``(label, value)`` rows shown under the district's name on hover; plain
        text, escaped here.
    legend
        Drawn bottom right.
    highlight
        Codes of districts drawn with a thick outline.
    links
        District code -> ``(url, text)``: clicking the district opens a popup with that link.
        The URL must be this application's own (it is escaped, not checked).
    resources, categories
        Resources drawn as clustered circle markers, one layer per category (see
        :func:`mapping.render.interactive.overview_map`); categories give names and colours.
    resource_ids
        One id per resource row, kept as the features' ``rid`` property.
    show_resources
        False adds the resource layers switched off (the layer control turns them on).
    resource_legend
        Title of a second legend listing the categories drawn (none when None).
    fit
        Codes of the districts to fit the view to (default: all).
    layer_name
        Name of the district layer in the layer control (plain text).
    lang, tiles, tiles_attribution, osm_data, asset_prefix, labels
        As for :func:`~mapping.render.interactive.overview_map`.
    fill_opacity
        Opacity of the fills.
    view
        A fixed first view (centre and/or zoom, as an embed asks); default: fitted to the
        districts of ``fit``.
    topojson_min_districts
        From this many districts on, they are sent as a topology (:mod:`mapping.render.topo`);
        None: :data:`~mapping.render.topo.TOPOJSON_MIN_DISTRICTS`, 0: never.
    cluster_url, cluster_min_resources
        With a URL of the cluster endpoint, from ``cluster_min_resources`` placed resources on
        (None: :data:`~mapping.render.clusters.CLUSTER_MIN_RESOURCES`) the map loads them per
        view from it instead of carrying them (:mod:`mapping.render.clusters`).

    Returns
    -------
    folium.Map
        Render it with :func:`~mapping.render.interactive.map_fragments`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from mapping.render.interactive import map_fragments
    >>> d = gpd.GeoDataFrame({"code": ["a", "b"], "name": ["<i>A</i>", "B"]},
    ...     geometry=[box(16.2, 50.7, 16.3, 50.8), box(16.3, 50.7, 16.4, 50.8)], crs=4326)
    >>> m = district_map(d, fills={"a": "#440154"}, tooltips={"a": [("Value", "12")]},
    ...     legend=MapLegend("Value", [("#440154", "12")]), tiles="none")
    >>> parts = map_fragments(m)
    >>> "<i>A</i>" in parts.script, "\\\\u0026lt;i\\\\u0026gt;A" in parts.script
    (False, True)
    """
    texts = labels_for(lang, labels)
    assets = asset_urls(asset_prefix)
    tiles_layer = tile_layer(tiles, tiles_attribution)
    check_frame(districts, ("code", "name", "geometry"), name="districts", geo=True)
    districts = ensure_crs(districts, name="districts")
    tooltips = tooltips or {}
    popups = {
        str(code): (
            f'<a class="palmap-district-link" href="{escape_text(url)}">{escape_text(text)}</a>'
        )
        for code, (url, text) in (links or {}).items()
    }
    highlighted = {str(c) for c in highlight}

    fit_codes = None if fit is None else {str(c) for c in fit}
    fit_frame = districts if fit_codes is None else districts[districts["code"].isin(fit_codes)]
    bounds = display_bounds(fit_frame) or display_bounds(districts)
    m = base_map(
        bounds,
        assets=assets,
        tile_layer=tiles_layer,
        zoom_start=12,
        osm_data=osm_data,
        # Fractional zoom lets the districts fill the frame rather than a quarter of it.
        zoomSnap=0.25,
        zoomDelta=0.5,
    )
    place_view(m, bounds, view)  # before the layers: each is projected once

    features = _district_features(districts, tooltips=tooltips, popups=popups)
    # Features skip empty geometries; their ids ("d<position>") lead back to the codes.
    codes = districts["code"].astype(str).tolist()
    by_id = {f["id"]: codes[int(f["id"][1:])] for f in features}

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        code = by_id[feature["id"]]
        fill = fills.get(code)
        thick = code in highlighted
        return {
            "color": "#000000" if thick else _OUTLINE,
            "weight": 3.5 if thick else 1,
            "opacity": 1,
            "fillColor": _checked(fill) if fill else NO_DATA_COLOUR,
            "fillOpacity": fill_opacity,
        }

    def highlight_style(feature: dict[str, Any]) -> dict[str, Any]:
        return {"weight": 4, "color": "#000000"}

    if features and use_topology(len(features), topojson_min_districts):
        _topo_layer(features, style, highlight_style, name=layer_name).add_to(m)
    elif features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=escape_text(layer_name),
            style_function=style,
            highlight_function=highlight_style,
            tooltip=folium.GeoJsonTooltip(
                fields=["tip"], labels=False, sticky=True, class_name="palmap-district-tooltip"
            ),
            on_each_feature=_BIND_LINK_POPUP if popups else None,
            overlay=True,
            control=True,
        ).add_to(m)

    drawn: list[tuple[str, str, Any]] = []
    if resources is not None and len(resources):
        check_frame(resources, RESOURCE_COLUMNS, name="resources", geo=True)
        if categories is None:
            raise ValidationError("expected categories with resources, got none")
        resources = ensure_crs(resources, name="resources")
        table = category_table(categories, lang)
        drawn = resource_layers(
            resources.reset_index(drop=True),
            table,
            labels=texts,
            assets=assets,
            ids=list(resource_ids) if resource_ids is not None else None,
            show=show_resources,
            cluster_url=cluster_url,
            cluster_min=cluster_min_resources,
            lang=lang,
        )
        for _, _, layer in drawn:
            layer.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if legend is not None:
        Legend(legend.html()).add_to(m)
    if resource_legend and drawn:
        entries = [(colour, name) for name, colour, _ in drawn]
        Legend(
            MapLegend(resource_legend, entries, round_swatches=True).html(), position="bottomleft"
        ).add_to(m)
    return m


def _topo_layer(
    features: list[dict[str, Any]],
    style: Any,
    highlight_style: Any,
    *,
    name: str,
) -> TopoDistricts:
    """The features of :func:`district_map` as one :class:`TopoDistricts` layer."""
    topology = district_topology([shape(f["geometry"]) for f in features])
    styles, indexes = styled_rows([style(f) for f in features])
    rows = [
        [int(f["id"][1:]), f["properties"]["code"], f["properties"]["tip"],
         f["properties"].get("popup"), index]
        for f, index in zip(features, indexes, strict=True)
    ]  # fmt: skip
    return TopoDistricts(
        name=escape_text(name),
        topology=topology,
        rows=rows,
        styles=styles,
        highlight=highlight_style(features[0]),
        tooltip_class="palmap-district-tooltip",
    )


_ASSET_TAG = re.compile(r'<(?:script src="[^"]*"></script>|link rel="stylesheet" href="[^"]*"/?>)')
_STYLE_BLOCK = re.compile(r"<style>.*?</style>", re.S)


def merge_fragments(fragments: Sequence[MapFragments]) -> MapFragments:
    """Join several maps' fragments for one page: each script and stylesheet loaded once.

    The ``html`` of the result is that of the first map (place each map's own ``html``
    yourself); ``script`` runs every map's script in order.

    Examples
    --------
    >>> a = MapFragments('<script src="/l.js"></script><style>x</style>', "<div/>", "a();")
    >>> b = MapFragments('<script src="/l.js"></script><style>x</style><style>y</style>',
    ...                  "<div/>", "b();")
    >>> merged = merge_fragments([a, b])
    >>> merged.header.count("/l.js"), merged.header.count("<style>"), merged.script
    (1, 2, 'a();\\nb();')
    """
    if not fragments:
        raise ValidationError("expected at least one map to merge, got none")
    seen: set[str] = set()

    def once(match: re.Match[str]) -> str:
        text = match.group(0)
        if text in seen:
            return ""
        seen.add(text)
        return text

    headers = []
    for part in fragments:
        header = _ASSET_TAG.sub(once, part.header)
        headers.append(_STYLE_BLOCK.sub(once, header))
    return MapFragments(
        header="\n".join(headers),
        html=fragments[0].html,
        script="\n".join(part.script for part in fragments),
    )
