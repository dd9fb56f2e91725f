"""The overview map as a person sees it in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import XSS_NAMES

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "overview.png"


# Counts what the Leaflet map really holds and draws (folium names its map `map_<id>` on window).
MAP_STATE = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const state = {polygons: 0, drawn: 0, resources: 0, clusterLayers: 0, popups: []};
    map.eachLayer(l => {
        if (l instanceof L.Polygon && l.feature) {
            state.polygons++;
            if (l._path && l._path.isConnected) state.drawn++;
        }
        if (l instanceof L.MarkerClusterGroup) {
            state.clusterLayers++;
            for (const m of l.getLayers()) {
                state.resources++;
                const popup = m.getPopup && m.getPopup();
                if (popup) {
                    const div = document.createElement('div');
                    div.innerHTML = popup.getContent();
                    state.popups.push(div.textContent);
                }
            }
        }
    });
    return state;
}"""


def _open(page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
    page.wait_for_timeout(300)


def test_overview_draws_districts_and_resource_layers(page, live_server: str) -> None:
    _open(page, live_server + "/")
    state = page.evaluate(MAP_STATE)
    assert state["polygons"] == 21
    assert state["drawn"] == 21
    # One clustered layer per demo category (all eleven) with every placed resource in them.
    assert state["clusterLayers"] == 11
    assert state["resources"] >= 80
    assert page.locator(".leaflet-control-layers-overlays label").count() == 1 + 11
    assert page.locator(".marker-cluster, path.leaflet-interactive").count() > 21
    assert page.locator(".palmap-legend").is_visible()
    assert page.console_errors == []
    assert page.failed_requests == []
    assert "Granice schematyczne" in page.inner_text("body")


def test_overview_writes_readme_screenshot(page, live_server: str) -> None:
    _open(page, live_server + "/")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000


def test_xss_names_show_as_text_and_run_nothing(page, hostile_server: str) -> None:
    _open(page, hostile_server + "/")
    title = page.title()
    popups = page.evaluate(MAP_STATE)["popups"]
    for name in XSS_NAMES:
        assert any(name in text for text in popups), f"no popup shows {name!r} as text"
    # Open one hostile popup for real: Leaflet inserts its HTML into the page.
    page.evaluate(
        """() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.eachLayer(l => {
                if (l instanceof L.MarkerClusterGroup) {
                    for (const m of l.getLayers()) {
                        if (m.getPopup && m.getPopup().getContent().includes('onerror')) {
                            // At street level clustering is off and the marker is on the map.
                            map.setView(m.getLatLng(), 18, {animate: false});
                            setTimeout(() => m.openPopup(), 300);
                        }
                    }
                }
            });
        }"""
    )
    page.wait_for_selector(".leaflet-popup-content")
    page.wait_for_timeout(500)
    assert "<img src=x onerror=alert(1)>" in page.inner_text(".leaflet-popup-content")
    assert page.dialogs == []
    assert page.title() == title
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.console_errors == []


def test_language_switch_changes_the_interface(page, live_server: str) -> None:
    _open(page, live_server + "/?lang=en")
    assert "Schematic boundaries, not official" in page.inner_text("body")
    assert page.locator("html").get_attribute("lang") == "en"
    # The cookie keeps English on the next page without ?lang.
    _open(page, live_server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    _open(page, live_server + "/?lang=pl")
    assert "Granice schematyczne" in page.inner_text("body")
