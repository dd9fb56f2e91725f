"""Interactive Leaflet maps, drawn with folium, that load only local Leaflet and markercluster.

folium's default page loads Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from CDNs
and escapes nothing. The maps here load only the files named by
:func:`mapping.render.assets.asset_urls` (no jQuery, Bootstrap, glyphicons, Font Awesome or
awesome-markers: resources are drawn as circle markers and the legend is plain HTML and CSS), and
every user-supplied string is escaped by :mod:`mapping.render.escape` before it reaches the page.

:func:`overview_map` draws districts and resources; :func:`map_fragments` and
:func:`standalone_html` render a map and refuse any page that would still load a remote script or
stylesheet. This module is the front door; the parts live in their own modules:

* :mod:`~mapping.render.inputs`: languages, UI labels, the frames' columns and their checks;
* :mod:`~mapping.render.basemap`: the local-asset map, the page style and the tile layer;
* :mod:`~mapping.render.controls`: the legend and the metric scale bar;
* :mod:`~mapping.render.geometry`: rounding, drawable geometries, display bounds;
* :mod:`~mapping.render.districts`: the overview's district layer;
* :mod:`~mapping.render.resources`: the resource layers and the category table;
* :mod:`~mapping.render.fastpoints`: the fast point layer of large resource sets;
* :mod:`~mapping.render.view`: the first view, fitted or a fixed centre and zoom;
* :mod:`~mapping.render.fragments`: page fragments and standalone documents.
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from mapping.crs import ensure_crs
from mapping.render.assets import asset_urls
from mapping.render.basemap import OSM_ATTRIBUTION, OSM_TILES, base_map, tile_layer
from mapping.render.controls import Legend, legend_html
from mapping.render.districts import districts_layer
from mapping.render.fragments import MapFragments, map_fragments, standalone_html
from mapping.render.geometry import bounds as display_bounds
from mapping.render.inputs import (
    CATEGORY_COLUMNS,
    DEFAULT_LABELS,
    DISTRICT_COLUMNS,
    RESOURCE_COLUMNS,
    SUPPORTED_LANGS,
    check_frame,
    labels_for,
)
from mapping.render.resources import FAST_RESOURCES_ABOVE, category_table, resource_layers
from mapping.render.view import MapView, place_view

__all__ = [
    "DEFAULT_LABELS",
    "FAST_RESOURCES_ABOVE",
    "OSM_ATTRIBUTION",
    "OSM_TILES",
    "SUPPORTED_LANGS",
    "MapFragments",
    "MapView",
    "map_fragments",
    "overview_map",
    "standalone_html",
]


def overview_map(
    districts: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    categories: pd.DataFrame,
    *,
    lang: str = "pl",
    tiles: str = "osm",
    tiles_attribution: str | None = None,
    osm_data: bool = False,
    asset_prefix: str = "/static/vendor",
    labels: Mapping[str, str] | None = None,
    view: MapView | None = None,
    topojson_min_districts: int | None = None,
    cluster_url: str | None = None,
    cluster_min_resources: int | None = None,
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
    osm_data
        The map shows data from OpenStreetMap: the ODbL attribution is added
        (:mod:`mapping.render.attribution`).
    asset_prefix
        Where the vendor files are served; see :func:`mapping.render.assets.asset_urls`.
    labels
        UI strings overriding :data:`DEFAULT_LABELS` of ``lang``: ``districts``, ``legend``,
        ``schematic_note``, ``category``, ``address``, ``operator``, ``website``. Plain text.
    view
        A fixed first view (centre and/or zoom); default: fitted to the districts.
    topojson_min_districts, cluster_url, cluster_min_resources
        Large sets: districts as a topology, resources loaded per view; see
        :func:`mapping.render.choropleth.district_map`.

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
    texts = labels_for(lang, labels)
    assets = asset_urls(asset_prefix)
    tiles_layer = tile_layer(tiles, tiles_attribution)
    check_frame(districts, DISTRICT_COLUMNS, name="districts", geo=True)
    check_frame(resources, RESOURCE_COLUMNS, name="resources", geo=True)
    check_frame(categories, CATEGORY_COLUMNS, name="categories", geo=False)
    districts = ensure_crs(districts, name="districts")
    resources = ensure_crs(resources, name="resources")

    bounds = display_bounds(districts, resources)
    m = base_map(bounds, assets=assets, tile_layer=tiles_layer, zoom_start=13, osm_data=osm_data)
    place_view(m, bounds, view)  # before the layers: each is projected once

    district_layer, any_schematic = districts_layer(
        districts, name=texts["districts"], assets=assets, topojson_min=topojson_min_districts
    )
    if district_layer is not None:
        district_layer.add_to(m)

    table = category_table(categories, lang)
    # FAST_RESOURCES_ABOVE is read here, at call time, so that it can be tuned on this module.
    drawn = resource_layers(
        resources,
        table,
        labels=texts,
        assets=assets,
        fast_above=FAST_RESOURCES_ABOVE,
        cluster_url=cluster_url,
        cluster_min=cluster_min_resources,
        lang=lang,
    )
    for _, _, layer in drawn:
        layer.add_to(m)

    # Collapsed: the legend already lists the categories; the control is one click away.
    folium.LayerControl(collapsed=True).add_to(m)
    if drawn or any_schematic:
        note = texts["schematic_note"] if any_schematic else None
        entries = [(name, colour) for name, colour, _ in drawn]
        Legend(legend_html(entries, title=texts["legend"], note=note)).add_to(m)
    return m
