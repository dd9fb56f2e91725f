"""Large district and resource sets in Chromium (issue 16, national scale): the districts come
as TopoJSON and are drawn as polygons with tooltips, the resources come from the cluster
endpoint for each view, and the pages stay clean under axe.

The demo data is served with the thresholds at 1 (``TOPOJSON_MIN_DISTRICTS`` and
``CLUSTER_MIN_RESOURCES``) so that the large-set layers draw the demo's 21 districts and 113
placed resources: the same code paths as Poland's gminy and a million resources.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import _serve, block_network
from tests.browser.test_accessibility import audit

pytestmark = pytest.mark.browser

STATE = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const state = {polygons: 0, tipped: 0, clusters: 0, singles: 0, total: null};
    map.eachLayer(l => {
        if (l instanceof L.Polygon && l.feature && l._path && l._path.isConnected) {
            state.polygons++;
            if (l.getTooltip()) state.tipped++;
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


@pytest.fixture(scope="module")
def large_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = {"TOPOJSON_MIN_DISTRICTS": 1, "CLUSTER_MIN_RESOURCES": 1}
    yield from _serve(tmp_path_factory.mktemp("large"), hostile=False, config=config)


def _state(page) -> dict:
    return page.evaluate(STATE)


def test_topojson_districts_render_and_clusters_load_on_pan(page, large_server):
    blocked = block_network(page)
    requests: list[str] = []
    page.on("request", lambda r: "/zasoby/klastry" in r.url and requests.append(r.url))
    page.goto(large_server + "/", wait_until="load")
    page.wait_for_function(f"({STATE})().total !== null", timeout=30_000)
    state = _state(page)
    assert state["polygons"] == 21 and state["tipped"] == 21, state
    assert state["total"] == 113, state
    assert state["clusters"] + state["singles"] > 0, state
    first = len(requests)
    # Hovering a district shows its tooltip (name from the decoded topology's rows).
    page.locator(".leaflet-overlay-pane path.leaflet-interactive").first.hover()
    assert page.locator(".palmap-district-tooltip").count() == 1
    # Pan far east: the map asks again, and the new view has no resource.
    page.evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
        " map.panBy([3000, 0], {animate: false}); }"
    )
    page.wait_for_function(f"({STATE})().total === 0", timeout=30_000)
    assert len(requests) > first
    assert "bbox=" in requests[-1] and "zoom=" in requests[-1]
    assert page.console_errors == [] and page.failed_requests == [] and blocked == []


def test_cluster_markers_zoom_in_and_singles_open_a_text_popup(page, large_server):
    page.goto(large_server + "/", wait_until="load")
    page.wait_for_function(f"({STATE})().total !== null", timeout=30_000)
    page.evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
        " map.setZoom(9, {animate: false}); }"
    )
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-marker-pane .marker-cluster').length > 0",
        timeout=30_000,
    )
    cluster = page.locator(".leaflet-marker-pane .marker-cluster").first
    assert cluster.get_attribute("title")  # a named button for keyboard and screen readers
    zoom = page.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()")
    cluster.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => Object.values(window).find(v => v instanceof L.Map).getZoom() > {zoom}",
        timeout=10_000,
    )
    assert page.console_errors == []


@pytest.mark.parametrize("url", ["/", "/mapa/needs_index"])
def test_large_set_pages_pass_axe(page, large_server, url):
    page.goto(large_server + url, wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane path", state="attached")
    page.wait_for_timeout(300)
    assert audit(page) == []
    assert page.console_errors == []
