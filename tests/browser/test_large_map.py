"""Large district and resource sets in Chromium (issue 16, national scale): the districts come
as TopoJSON and are drawn as polygons with tooltips, the resources come from the cluster
endpoint for each view, and the pages stay clean under axe.

The demo data plus 1,000 random resources is served with the thresholds at 1
(``TOPOJSON_MIN_DISTRICTS`` and ``CLUSTER_MIN_RESOURCES``) so that the large-set layers draw the
demo's 21 districts and its resources: the same code paths as Poland's gminy and a million
resources.
"""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pytest
from flask import Flask
from shapely import points
from shapely.ops import polylabel

from app.db import get_engine
from mapping.db import store
from tests.browser.conftest import _serve
from tests.browser.test_accessibility import audit

pytestmark = pytest.mark.browser

STATE = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const state = {polygons: 0, tipped: 0, clusters: 0, singles: 0, total: null};
    map.eachLayer(l => {
        // The large set's district layer: districts drawn by its last paint on its canvas,
        // one tooltip for the layer.
        if (l.palmapCount !== undefined) {
            state.polygons += l.palmapDrawn;
            if (l.getTooltip()) state.tipped += l.palmapDrawn;
        }
        if (l.palmapTotal !== undefined) state.total = l.palmapTotal;
    });
    state.clusters = document.querySelectorAll('.leaflet-marker-pane .marker-cluster').length;
    map.eachLayer(l => {
        if (l instanceof L.CircleMarker && l.feature && l.feature.properties.rid !== undefined)
            state.singles++;
    });
    return state;
}"""

# The district layer of a large set and the map (mapping/data/topo_districts.js).
LAYER = """(() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let layer = null;
    map.eachLayer(l => { if (l.palmapCount !== undefined) layer = l; });
    return {map, layer};
})()"""

#: Each demo district's name and its pole of inaccessibility (lat, lon), filled by the fixture.
LABELS: dict[str, tuple[float, float]] = {}


ADDED = 1_000
PLACED = 113 + ADDED  # the demo's resources with a point, and the random ones


def _add_resources(app: Flask) -> None:
    engine = get_engine(app)
    west, south, east, north = store.load_districts(engine).total_bounds
    rng = np.random.default_rng(16)
    xy = np.column_stack([rng.uniform(west, east, ADDED), rng.uniform(south, north, ADDED)])
    frame = gpd.GeoDataFrame(
        {
            "external_id": [f"many-{i}" for i in range(ADDED)],
            "name": [f"Zasób {i}" for i in range(ADDED)],
            "category": ["ngo"] * ADDED,
            "address": ["ul. Prywatna 1"] * ADDED,
            "operator": [None] * ADDED,
            "website": [None] * ADDED,
            "district_code": [None] * ADDED,
            "synthetic": [True] * ADDED,
        },
        geometry=points(xy),
        crs=4326,
    )
    with engine.begin() as conn:
        store.save_resources(conn, frame, match_within_m=0.0)


def _prepare(app: Flask) -> None:
    _add_resources(app)
    districts = store.load_districts(get_engine(app))
    for name, geometry in zip(districts["name"], districts.geometry, strict=True):
        label = polylabel(
            geometry
            if geometry.geom_type == "Polygon"
            else max(geometry.geoms, key=lambda part: part.area),
            tolerance=1e-5,
        )
        LABELS[str(name)] = (label.y, label.x)


@pytest.fixture(scope="module")
def large_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = {"TOPOJSON_MIN_DISTRICTS": 1, "CLUSTER_MIN_RESOURCES": 1}
    yield from _serve(
        tmp_path_factory.mktemp("large"), hostile=False, config=config, prepare=_prepare
    )


def _until(page, condition: str) -> None:
    """Wait until ``condition`` (JavaScript on ``state``, the result of STATE) holds."""
    page.wait_for_function(f"() => {{ const state = ({STATE})(); return {condition}; }}",
                           timeout=30_000)  # fmt: skip


def _state(page) -> dict:
    return page.evaluate(STATE)


def test_topojson_districts_render_and_clusters_load_on_pan(page, large_server):
    elsewhere: list[str] = []
    requests: list[str] = []
    page.on("request", lambda r: "/zasoby/klastry" in r.url and requests.append(r.url))
    page.on("request", lambda r: r.url.startswith(large_server) or elsewhere.append(r.url))
    page.goto(large_server + "/", wait_until="load")
    # The view fitted to the districts holds every placed resource, drawn as clusters.
    _until(page, f"state.total === {PLACED}")
    state = _state(page)
    assert state["polygons"] == 21 and state["tipped"] == 21, state
    assert state["clusters"] > 0 and state["singles"] < PLACED, state
    first = len(requests)
    # Every district is found where it lies: the layer's own decoding, projection and
    # hit-testing put each district's pole of inaccessibility inside that district.
    page.evaluate(f"() => {LAYER}.map.setZoom(15, {{animate: false}})")
    found = page.evaluate(
        f"labels => {{ const {{map, layer}} = {LAYER}; const out = {{}};"
        " for (const [name, ll] of Object.entries(labels)) {"
        "  map.setView(ll, 15, {animate: false});"
        "  out[name] = layer.palmapTip(layer.palmapDistrictAt(map.latLngToLayerPoint(ll)));"
        " } return out; }",
        LABELS,
    )
    assert len(found) == 21
    for name, tip in found.items():
        assert name in tip, (name, tip)
    # The layer projects as Leaflet does: its drawn extent is that of its bounds, to a pixel
    # or two (points less than a pixel apart are left out), here at zoom 15.
    gaps = page.evaluate(
        f"() => {{ const {{map, layer}} = {LAYER}; const b = layer.getBounds();"
        " const nw = map.latLngToLayerPoint(b.getNorthWest()),"
        " se = map.latLngToLayerPoint(b.getSouthEast()), px = layer._pxBounds;"
        " return [nw.x - px.min.x, nw.y - px.min.y, se.x - px.max.x, se.y - px.max.y]; }"
    )
    assert all(abs(gap) <= 2 for gap in gaps), gaps
    page.evaluate(f"() => {LAYER}.map.fitBounds({LAYER}.layer.getBounds(), {{animate: false}})")
    # The clusters of that view are in before a point is taken as free of markers (a cluster
    # drawn after the check would cover the pointer).
    _until(page, f"state.total === {PLACED}")
    page.wait_for_load_state("networkidle")
    # A real mouse over a district (a point that no marker covers) shows that district's
    # tooltip and outlines it; moving to another district changes both.
    shown = []
    for name, (lat, lon) in LABELS.items():
        spot = page.evaluate(
            f"ll => {{ const {{map}} = {LAYER}; const box = map.getContainer()"
            ".getBoundingClientRect(); const p = map.latLngToContainerPoint(ll);"
            " const x = box.left + p.x, y = box.top + p.y; const under ="
            " document.elementFromPoint(x, y); return under && under.tagName === 'CANVAS'"
            " ? {x, y} : null; }",
            [lat, lon],
        )
        if spot is None:
            continue
        page.mouse.move(spot["x"] - 1, spot["y"])
        page.mouse.move(spot["x"], spot["y"])
        page.wait_for_function(
            "name => [...document.querySelectorAll('.palmap-district-tooltip')]"
            ".some(t => t.textContent.includes(name))",
            arg=name,
            timeout=5_000,
        )
        lit = page.evaluate(f"() => {LAYER}.layer.palmapTip({LAYER}.layer._lit)")
        assert name in lit
        shown.append(name)
        if len(shown) == 2:
            break
    assert len(shown) == 2, "fewer than two district labels free of markers"
    # Pan far east: the map asks again, and the new view has no resource.
    page.evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
        " map.panBy([3000, 0], {animate: false}); }"
    )
    _until(page, "state.total === 0")
    assert len(requests) > first
    assert "bbox=" in requests[-1] and "zoom=" in requests[-1]
    # Everything came from palmap itself.
    assert page.console_errors == [] and page.failed_requests == [] and elsewhere == []


def test_cluster_markers_zoom_in_and_singles_open_a_text_popup(page, large_server):
    page.goto(large_server + "/", wait_until="load")
    _until(page, f"state.total === {PLACED} && state.clusters > 0")
    # The first fit to the districts moves the map once more; a cluster is focused once every
    # answer of the view is in (a redraw in between would replace the focused marker).
    page.wait_for_load_state("networkidle")
    cluster = page.locator(".leaflet-marker-pane .marker-cluster").first
    assert cluster.get_attribute("title")  # a named button for keyboard and screen readers
    zoom = page.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()")
    cluster.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => Object.values(window).find(v => v instanceof L.Map).getZoom() > {zoom}",
        timeout=10_000,
    )
    # Closer in, few enough for single markers; a popup shows name and category as text.
    page.evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
        " map.setZoom(17, {animate: false}); }"
    )
    _until(page, "state.singles > 0 && state.clusters === 0")
    page.evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
        " map.eachLayer(l => { if (l.getPopup && l.getPopup() && l.feature) { l.openPopup(); } });"
        " }"
    )
    popup = page.locator(".leaflet-popup-content .palmap-popup").last
    assert popup.locator(".palmap-popup-title").inner_text().strip()
    assert "Prywatna" not in page.content()  # addresses stay on the server
    assert page.console_errors == []


@pytest.mark.parametrize("url", ["/", "/mapa/needs_index"])
def test_large_set_pages_pass_axe(page, large_server, url):
    page.goto(large_server + url, wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
    page.wait_for_timeout(300)
    assert audit(page) == []
    assert page.console_errors == []


def test_a_click_on_a_large_set_district_opens_its_link(page, large_server):
    page.goto(large_server + "/dzielnice", wait_until="load")
    _until(page, "state.polygons === 21")
    name, (lat, lon) = next(iter(LABELS.items()))
    spot = page.evaluate(
        f"ll => {{ const {{map}} = {LAYER}; const box = map.getContainer()"
        ".getBoundingClientRect(); const p = map.latLngToContainerPoint(ll);"
        " return {x: box.left + p.x, y: box.top + p.y}; }",
        [lat, lon],
    )
    page.mouse.click(spot["x"], spot["y"])
    link = page.locator(".leaflet-popup-content a.palmap-district-link")
    link.wait_for(timeout=5_000)
    assert link.inner_text().strip() and "/dzielnice/" in (link.get_attribute("href") or "")
    # The link is the clicked district's: its page is titled with the district's name.
    page.goto(large_server + link.get_attribute("href"), wait_until="load")
    assert name in page.locator("h1").inner_text()
    assert page.console_errors == []
