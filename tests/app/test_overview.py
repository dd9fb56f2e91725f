"""The overview page `/` on the demo data."""

from __future__ import annotations

import html
import re

import geopandas as gpd
from flask import Flask
from flask.testing import FlaskClient
from shapely import Point

from app.db import get_engine
from mapping.db import store
from mapping.render.assets import remote_asset_urls

XSS = "<img src=x onerror=alert(1)>"


def _page(client: FlaskClient, url: str = "/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _map_data(page: str) -> str:
    """The page with JSON's \\uXXXX escapes decoded, so names inside the map's GeoJSON are found."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def test_overview_holds_every_district_and_resource_name(app: Flask, client: FlaskClient) -> None:
    page = _map_data(_page(client))
    engine = get_engine(app)
    districts = store.load_districts(engine)
    resources = store.load_resources(engine)
    assert len(districts) == 21
    # Names travel escaped inside the map's GeoJSON (HTML entities inside a JS string).
    for name in districts["name"]:
        assert html.escape(name, quote=True) in page, name
    drawn = resources[resources.geometry.notna()]
    assert len(drawn) >= 80
    for name in drawn["name"]:
        assert html.escape(name, quote=True).replace("`", "&#96;") in page, name


def test_overview_says_the_boundaries_are_schematic(client: FlaskClient) -> None:
    assert "Granice schematyczne, nieoficjalne" in _page(client)
    assert "Schematic boundaries, not official" in _page(client, "/?lang=en")


def test_overview_loads_nothing_from_a_cdn(client: FlaskClient) -> None:
    page = _page(client)
    assert remote_asset_urls(page) == []
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert scripts == [
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/markercluster/leaflet.markercluster.js",
    ]
    for url in scripts + re.findall(r'<link[^>]*href="([^"]+)"', page):
        response = client.get(url)
        response.close()  # file responses hold the file open until closed
        assert response.status_code == 200, url
    banned_assets = ("jquery", "bootstrap", "font-awesome", "awesome-markers", "glyphicons")
    for banned in (*banned_assets, "d3.min"):
        assert banned not in page.lower(), banned


def test_osm_tiles_carry_their_attribution(tmp_path) -> None:
    from tests.app.conftest import make_app

    app = make_app(tmp_path, TILES="osm")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    page = _page(app.test_client())
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert "OpenStreetMap" in page
    assert remote_asset_urls(page) == []


def test_a_hostile_name_never_appears_unescaped(app: Flask, client: FlaskClient) -> None:
    district = store.load_districts(get_engine(app)).to_crs(2180).geometry.iloc[3]
    point = gpd.GeoSeries([district.representative_point()], crs=2180).to_crs(4326).iloc[0]
    hostile = gpd.GeoDataFrame(
        {
            "external_id": ["x1"],
            "name": [XSS],
            "category": ["ngo"],
            "address": ["</script><script>alert(2)</script>"],
            "operator": ["${document.title=1}"],
            "website": ["javascript:alert(3)"],
            "district_code": [None],
            "synthetic": [True],
        },
        geometry=[Point(point.x, point.y)],
        crs=4326,
    )
    with get_engine(app).begin() as conn:
        store.save_resources(conn, hostile)
    raw = _page(client)
    page = _map_data(raw)
    assert XSS not in raw
    assert XSS not in page
    assert "<img src=x" not in page
    assert "alert(2)</script>" not in page
    assert "${document" not in page
    assert "javascript:alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_missing_schema_gives_a_page_that_says_run_init_db(empty_app: Flask) -> None:
    response = empty_app.test_client().get("/")
    assert response.status_code == 500
    assert "palmap init-db" in response.get_data(as_text=True)


def test_unknown_vendor_files_are_404(client: FlaskClient) -> None:
    assert client.get("/static/vendor/nope/x.js").status_code == 404
    assert client.get("/static/vendor/leaflet/../../../../etc/passwd").status_code == 404
    assert client.get("/static/vendor/leaflet/no-such.js").status_code == 404


def test_pages_refuse_framing_and_sniffing(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_answer_json_when_asked(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
    page = client.get("/no-such-page").get_data(as_text=True)
    assert "Powrót do mapy" in page
