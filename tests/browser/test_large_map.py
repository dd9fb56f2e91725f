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

from app.db import get_engine
from mapping.db import store
from tests.browser.conftest import _serve
from tests.browser.test_accessibility import audit

pytestmark = pytest.mark.browser

STATE = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const state = {polygons: 0, tipped: 0, clusters: 0, singles: 0, total: null};
    map.eachLayer(l => {
        // A district drawn on the layer's canvas (large sets; an SVG path otherwise), whose
        // tooltip is its layer's (one for all the districts).
        const drawn = l._path ? l._path.isConnected : !!(l._renderer && l._renderer._ctx);
        if (l instanceof L.Polygon && l.feature && drawn) {
            state.polygons++;
            const group = Object.values(l._eventParents || {})[0];
            if (l.getTooltip() || (group && group.getTooltip())) state.tipped++;
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


@pytest.fixture(scope="module")
def large_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = {"TOPOJSON_MIN_DISTRICTS": 1, "CLUSTER_MIN_RESOURCES": 1}
    yield from _serve(
        tmp_path_factory.mktemp("large"), hostile=False, config=config, prepare=_add_resources
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
    # Hovering a district shows its tooltip (name from the decoded topology's rows).
    # (Opened from Leaflet: the cluster icons lie over the districts' centres.)
    page.evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
        " let done = false; map.eachLayer(l => { if (!done && l instanceof L.Polygon"
        " && l.feature) { l.fire('mouseover', {latlng: l.getBounds().getCenter()}, true);"
        " done = true; } }); }"
    )
    tooltip = page.locator(".palmap-district-tooltip")
    assert tooltip.count() == 1 and tooltip.inner_text().strip()
    # A real mouse over a district (a point of the canvas that no marker covers) shows that
    # district's tooltip: the canvas finds the polygon under the pointer.
    spot = page.evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
        " const box = map.getContainer().getBoundingClientRect(); let found = null;"
        " map.eachLayer(l => { if (found || !(l instanceof L.Polygon) || !l.feature) return;"
        " const p = map.latLngToContainerPoint(l.getCenter()); const x = box.left + p.x,"
        " y = box.top + p.y; const under = document.elementFromPoint(x, y);"
        " if (under && under.tagName === 'CANVAS' && l._containsPoint(p))"
        " found = {x: x, y: y, tip: l.feature.properties.tip}; }); return found; }"
    )
    assert spot, "no district centre free of markers"
    page.mouse.move(spot["x"] - 1, spot["y"])
    page.mouse.move(spot["x"], spot["y"])
    page.wait_for_function(
        "tip => [...document.querySelectorAll('.palmap-district-tooltip')]"
        ".some(t => t.innerHTML === tip)",
        arg=spot["tip"],
        timeout=5_000,
    )
    # Pan far east: the map asks again, and the new view has no resource.
    page.evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
        " map.panBy([3000, 0], {animate: false}); }"
    )
    _until(page, "state.total === 0")
    assert len(requests) > first
    assert "bbox=" in requests[-1] and "zoom=" in requests[-1]
    # Everything, topojson-client included, came from palmap itself.
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
