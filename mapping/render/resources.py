"""The resource layers: one per category, clustered circle markers with a popup each.

Up to :data:`FAST_RESOURCES_ABOVE` points, each category is a markercluster of GeoJSON circle
markers whose popups are built here (:func:`~mapping.render.escape.popup_html`). Above it, the
categories are :class:`~mapping.render.fastpoints.FastPoints` layers sharing one cluster, and the
browser builds markers and popups from compact, escaped rows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.utilities import JsCode

from mapping.clusters import CLUSTER_MIN_RESOURCES
from mapping.render.assets import AssetUrls
from mapping.render.clusters import ServerClusters
from mapping.render.controls import swatch
from mapping.render.escape import Link, escape_text, escape_texts, popup_html, safe_url
from mapping.render.fastpoints import FastPoints
from mapping.render.geometry import COORD_DECIMALS, placed_points, point_lon_lat
from mapping.render.inputs import SUPPORTED_LANGS, is_true

__all__ = [
    "FALLBACK_COLOUR",
    "FAST_RESOURCES_ABOVE",
    "CategoryTable",
    "LocalMarkerCluster",
    "category_name",
    "category_table",
    "fast_resource_layers",
    "resource_layers",
]

logger = logging.getLogger(__name__)

#: Above this many points a map sends resources as compact arrays (:class:`FastPoints`) rather
#: than one GeoJSON feature with its popup HTML each: at 10,000 points that is about 1 MB instead
#: of 6.5 MB, and one cluster without animations instead of eleven animated ones.
FAST_RESOURCES_ABOVE: Final = 2_000

#: Colour of a category without a usable one, and of resources of an unknown category.
FALLBACK_COLOUR: Final = "#777777"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

#: Category code -> (display name, ``#rrggbb`` colour), in the categories' order.
CategoryTable = Mapping[object, tuple[str, str]]

# Binds the server-built, already escaped popup HTML and nothing else.
_BIND_POPUP: Final = JsCode(
    "function (feature, layer) {\n"
    "    layer.bindPopup(feature.properties.popup, {maxWidth: 320});\n"
    "}"
)

_POPUP_LABELS: Final = ("category", "address", "operator", "website")


class LocalMarkerCluster(MarkerCluster):
    """A markercluster layer that loads the local markercluster script and stylesheets."""

    default_js: Any = ()
    default_css: Any = ()

    def __init__(self, *, assets: AssetUrls, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.default_js = assets.markercluster_js_links
        self.default_css = assets.markercluster_css_links


def _colour(value: object, *, code: object) -> str:
    if isinstance(value, str) and _COLOUR.fullmatch(value.strip()):
        return value.strip().lower()
    logger.warning("category %r has colour %r, not #rrggbb; drawing it grey", code, value)
    return FALLBACK_COLOUR


def category_table(categories: pd.DataFrame, lang: str) -> dict[object, tuple[str, str]]:
    """Category code -> (display name in ``lang``, colour), in the frame's order.

    The name falls back to the other language, then to the code; a colour that is not
    ``#rrggbb`` is logged and drawn as :data:`FALLBACK_COLOUR`.
    """
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


def category_name(table: CategoryTable, code: object) -> str:
    """Display name of ``code``; the code itself (or "?") for a category not in the table."""
    if code in table:
        return table[code][0]
    return "?" if code is None else str(code)


def _named_layers(
    table: CategoryTable, codes: Sequence[object]
) -> list[tuple[object, str, str, str]]:
    """``(code, display name, colour, layer name)`` of each drawn category: those of the table
    first, in its order, then the unknown ones; layer names made unique (the layer control
    keys layers by name)."""
    ordered = [code for code in table if code in codes]
    ordered += [code for code in codes if code not in table]
    named = []
    seen_names: set[str] = set()
    for code in ordered:
        shown = category_name(table, code)
        colour = table[code][1] if code in table else FALLBACK_COLOUR
        layer_name = f"{swatch(colour)}{escape_text(shown)}"
        if layer_name in seen_names:  # LayerControl keys layers by name
            layer_name = f"{layer_name} ({escape_text(code)})"
        seen_names.add(layer_name)
        named.append((code, shown, colour, layer_name))
    return named


def _marker_style(colour: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {
            "color": "#ffffff",
            "weight": 1.5,
            "fillColor": colour,
            "fillOpacity": 0.9,
        }

    return style


def _popup_rows(row: Any, category: str, labels: Mapping[str, str]) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        (labels["category"], category),
        (labels["address"], row.address),
        (labels["operator"], row.operator),
    ]
    url = safe_url(row.website)
    if url is not None:
        rows.append((labels["website"], Link(url)))
    return rows


def _features_by_category(
    resources: gpd.GeoDataFrame,
    table: CategoryTable,
    *,
    labels: Mapping[str, str],
    ids: Sequence[object] | None,
) -> dict[object, list[dict[str, Any]]]:
    """The GeoJSON point features of the placed resources, by category code (None: none)."""
    by_category: dict[object, list[dict[str, Any]]] = {}
    skipped = 0
    columns = ["name", "category", "address", "operator", "website", "geometry"]
    for position, row in enumerate(resources[columns].itertuples(index=False)):
        lon_lat = point_lon_lat(row.geometry)
        if lon_lat is None:
            skipped += 1
            continue
        code = row.category if is_true(row.category) else None
        rows = _popup_rows(row, category_name(table, code), labels)
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
    return by_category


def resource_layers(
    resources: gpd.GeoDataFrame,
    table: CategoryTable,
    *,
    labels: Mapping[str, str],
    assets: AssetUrls,
    ids: Sequence[object] | None = None,
    show: bool = True,
    fast_above: int | None = None,
    cluster_url: str | None = None,
    cluster_min: int | None = None,
    lang: str = "pl",
) -> list[tuple[str, str, Layer]]:
    """Return (display name, colour, layer) per category with at least one point.

    ``ids`` (one per row, default the row position) become the features' ``rid`` property, so
    that a page can tell which rows are drawn; ``show=False`` adds the layers switched off.
    Above ``fast_above`` points (default :data:`FAST_RESOURCES_ABOVE`) the layers are those of
    :func:`fast_resource_layers`. With ``cluster_url``, from ``cluster_min`` points on (default
    :data:`mapping.clusters.CLUSTER_MIN_RESOURCES`; 0: never) every category shares one
    :class:`~mapping.render.clusters.ServerClusters` layer that loads the view's resources from
    that URL (each category's entry holds the same layer).
    """
    placed = placed_points(resources.geometry)
    least = CLUSTER_MIN_RESOURCES if cluster_min is None else int(cluster_min)
    if cluster_url and least > 0 and int(placed.sum()) >= least:
        named = _named_layers(table, list(dict.fromkeys(resources["category"][placed])))
        layer = ServerClusters(
            assets=assets,
            url=cluster_url,
            categories={str(code): (shown, colour) for code, shown, colour, _ in named},
            lang=lang,
            show=show,
        )
        return [(shown, colour, layer) for _, shown, colour, _ in named]
    limit = FAST_RESOURCES_ABOVE if fast_above is None else fast_above
    if int(placed.sum()) > limit:
        return fast_resource_layers(
            resources, placed, table, labels=labels, assets=assets, ids=ids, show=show
        )
    by_category = _features_by_category(resources, table, labels=labels, ids=ids)
    layers: list[tuple[str, str, Layer]] = []
    for code, shown, colour, layer_name in _named_layers(table, list(by_category)):
        cluster = LocalMarkerCluster(
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


def _compact_rows(
    resources: gpd.GeoDataFrame, placed: np.ndarray, ids: Sequence[object] | None
) -> dict[object, list[list[Any]]]:
    """``[lat, lon, rid, name, address, operator, website]`` of each placed resource, every
    string escaped (website only when :func:`safe_url` accepts it), by category code."""
    positions = np.flatnonzero(placed)
    coords = np.round(
        shapely.get_coordinates(np.asarray(resources.geometry.array)[positions]), COORD_DECIMALS
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
    keys = {code: code if is_true(code) else None for code in set(codes)}
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
    return by_category


def fast_resource_layers(
    resources: gpd.GeoDataFrame,
    placed: np.ndarray,
    table: CategoryTable,
    *,
    labels: Mapping[str, str],
    assets: AssetUrls,
    ids: Sequence[object] | None,
    show: bool,
) -> list[tuple[str, str, Layer]]:
    """The layers of :func:`resource_layers` for a large set: one :class:`FastPoints` per
    category with at least one point (``placed``: :func:`placed_points`), the first of which
    holds the shared cluster, so they must be added to the map in this order."""
    by_category = _compact_rows(resources, placed, ids)
    settings = {
        "labels": {key: escape_text(labels[key]) for key in _POPUP_LABELS},
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
    layers: list[tuple[str, str, Layer]] = []
    lead: FastPoints | None = None
    for code, shown, colour, layer_name in _named_layers(table, list(by_category)):
        layer = FastPoints(
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
