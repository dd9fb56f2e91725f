"""Standalone pages: every vendored asset inlined, nothing left to fetch."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely import Point, box

from mapping.render.assets import inline_assets, remote_asset_urls
from mapping.render.interactive import overview_map, standalone_html


def test_standalone_overview_needs_no_server() -> None:
    districts = gpd.GeoDataFrame(
        {"code": ["a"], "name": ["A"], "schematic": [True]},
        geometry=[box(16.2, 50.7, 16.3, 50.8)],
        crs=4326,
    )
    resources = gpd.GeoDataFrame(
        {
            "name": ["R"],
            "category": ["kis"],
            "address": [None],
            "operator": [None],
            "website": [None],
        },
        geometry=[Point(16.25, 50.75)],
        crs=4326,
    )
    categories = pd.DataFrame(
        {"code": ["kis"], "name_pl": ["KIS"], "name_en": ["KIS"], "colour": ["#882255"]}
    )
    page = standalone_html(
        overview_map(districts, resources, categories, tiles="none", asset_prefix="/static/vendor")
    )
    assert 'src="/static/vendor' in page
    inlined = inline_assets(page, "/static/vendor")
    assert "/static/vendor" not in inlined
    assert remote_asset_urls(inlined) == []
    assert "data:image/png;base64," in inlined  # the layer-control icon of leaflet.css
    assert inlined.count("<script>") >= 2
    assert len(inlined) > len(page) + 100_000
