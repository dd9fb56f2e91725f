"""The district layer of the overview map: light fills, schematic boundaries dashed.

(The district maps with colours per district, :func:`mapping.render.choropleth.district_map`,
build their own layer.)
"""

from __future__ import annotations

from collections.abc import Hashable
from types import MappingProxyType
from typing import Any, Final

import folium
import geopandas as gpd
from folium.map import Layer
from shapely.geometry import shape

from mapping.render.assets import AssetUrls
from mapping.render.escape import escape_text
from mapping.render.geometry import display_geometries, polygonal, rounded
from mapping.render.inputs import is_true
from mapping.render.topo import TopoDistricts, district_topology, styled_rows, use_topology

__all__ = ["districts_layer"]

_DISTRICT_STYLE: Final = MappingProxyType(
    {"color": "#34495e", "weight": 1.5, "opacity": 0.9, "fillColor": "#5d7fa3", "fillOpacity": 0.08}
)
_SCHEMATIC_STYLE: Final = MappingProxyType({"dashArray": "6 4"})
_DISTRICT_HIGHLIGHT: Final = MappingProxyType({"weight": 3, "fillOpacity": 0.18})
#: Border width of a large set's districts, drawn on a canvas: Chromium draws lines of up to 1 px
#: as hairlines and wider ones as outlines, 6 to 15 times slower (the 2,477 gminy: 80-160 ms at
#: 1.5 px, 5-13 ms at 1 px); at national scale a district is some 15 px across anyway.
_LARGE_SET_WEIGHT: Final = 1.0


def districts_layer(
    districts: gpd.GeoDataFrame,
    *,
    name: str,
    assets: AssetUrls | None = None,
    topojson_min: int | None = None,
) -> tuple[Layer | None, bool]:
    """Return the districts layer (None when nothing to draw) and whether any is schematic.

    From ``topojson_min`` districts on (:func:`mapping.render.topo.use_topology`) and with
    ``assets``, the layer is a :class:`~mapping.render.topo.TopoDistricts`."""
    geometries = display_geometries(districts.geometry)
    features: list[dict[str, Any]] = []
    schematic_ids: set[Hashable] = set()
    any_schematic = False
    for position, (title, schematic, geometry) in enumerate(
        zip(districts["name"], districts["schematic"], geometries, strict=True)
    ):
        if is_true(schematic):
            any_schematic = True
        geometry = polygonal(geometry)
        if geometry is None:
            continue
        feature_id = f"d{position}"
        if is_true(schematic):
            schematic_ids.add(feature_id)
        features.append(
            {
                "type": "Feature",
                "id": feature_id,
                "properties": {"name_html": escape_text(title)},
                "geometry": rounded(geometry),
            }
        )
    if not features:
        return None, any_schematic

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        extra = _SCHEMATIC_STYLE if feature["id"] in schematic_ids else {}
        return {**_DISTRICT_STYLE, **extra}

    def highlight(feature: dict[str, Any]) -> dict[str, Any]:
        return dict(_DISTRICT_HIGHLIGHT)

    if assets is not None and use_topology(len(features), topojson_min):
        topology = district_topology([shape(f["geometry"]) for f in features])
        styles, indexes = styled_rows([{**style(f), "weight": _LARGE_SET_WEIGHT} for f in features])
        rows = [
            [int(str(f["id"])[1:]), "", str(f["properties"]["name_html"]), None, index]
            for f, index in zip(features, indexes, strict=True)
        ]
        topo = TopoDistricts(
            name=escape_text(name),
            topology=topology,
            rows=rows,
            styles=styles,
            highlight=dict(_DISTRICT_HIGHLIGHT),
            tooltip_class="palmap-district-tooltip",
        )
        return topo, any_schematic

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
