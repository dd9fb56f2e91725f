"""The standalone map works from a file with every network request blocked."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import block_network
from tests.browser.test_overview import MAP_STATE

pytestmark = pytest.mark.browser


def test_standalone_html_draws_offline(page, live_server: str, tmp_path: Path) -> None:
    with urllib.request.urlopen(live_server + "/mapa/needs_index.html?year=2013") as response:
        html = response.read()
    target = tmp_path / "mapa.html"
    target.write_bytes(html)
    blocked = block_network(page)
    page.goto(target.as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
    state = page.evaluate(MAP_STATE)
    assert state["polygons"] == 21 and state["drawn"] == 21
    assert blocked == []  # it never even tried the network
    assert page.console_errors == []
    assert page.locator(".palmap-legend").is_visible()
