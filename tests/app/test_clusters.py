"""The cluster endpoint and the large-set map pages (issue 16, national scale)."""

from __future__ import annotations

import pytest

from app.db import get_engine
from mapping.db import store

BOX = "bbox=15.0,50.0,17.5,51.5"


def test_cluster_endpoint_counts_every_placed_resource(app, client):
    resources = store.load_resources(get_engine(app))
    placed = int((resources.geometry.notna() & ~resources.geometry.is_empty).sum())
    for url in (f"/zasoby/klastry?{BOX}&zoom=3", f"/resources/clusters?{BOX}&zoom=16"):
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.mimetype == "application/json"
        body = answer.get_json()
        assert body["total"] == placed
        counted = sum(c[2] for c in body.get("clusters", [])) + len(body.get("points", []))
        assert counted == placed


def test_cluster_endpoint_sends_only_public_fields(app, client):
    resources = store.load_resources(get_engine(app))
    body = client.get(f"/zasoby/klastry?{BOX}&zoom=16").get_json()
    assert {len(row) for row in body["points"]} == {5}
    text = client.get(f"/zasoby/klastry?{BOX}&zoom=16").get_data(as_text=True)
    for column in ("address", "operator", "website"):
        for value in resources[column].dropna().astype(str):
            if len(value) > 6:
                assert value not in text, (column, value)


@pytest.mark.parametrize(
    "query",
    ["", "bbox=1,2,3&zoom=3", "bbox=a,b,c,d&zoom=3", f"{BOX}&zoom=99", f"{BOX}&zoom=x",
     "bbox=20,50,10,51&zoom=3"],
)  # fmt: skip
def test_cluster_endpoint_refuses_a_malformed_view_with_400(client, query):
    answer = client.get(f"/zasoby/klastry?{query}")
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["error"] == "invalid_setting"
    assert body["message"].split(":")[0] in {"bbox", "zoom"}


def test_large_sets_send_topojson_and_no_resources_in_the_page(app, client):
    app.config.update(TOPOJSON_MIN_DISTRICTS=1, CLUSTER_MIN_RESOURCES=1)
    for url in ("/", "/mapa/needs_index"):
        page = client.get(url).get_data(as_text=True)
        assert "palmapTopoDistricts" in page
        assert "palmapServerClusters" in page and "/zasoby/klastry" in page
        assert "palmapFastPoints" not in page
        # No resource row travels with the page: the first demo resource's name is absent.
        assert "Rada Osiedla Konradów" not in page
        # The page draws the topology itself: no decoder script is loaded.
        assert "/static/vendor/topojson" not in page


def test_small_sets_keep_geojson_and_markers(client):
    page = client.get("/").get_data(as_text=True)
    assert "palmapTopoDistricts" not in page and "palmapServerClusters" not in page
