"""The distance choice on the pages that show access (issue 15, walking distance): a district's
page and the target areas take ``distance`` (validated, kept in the share link), say which
distance was used, and ``distance=network`` without a network is a clear 400, never a 500."""

from __future__ import annotations

import html
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.network_osm import grid_osm


def get(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def test_network_without_a_network_is_a_clear_400(client: FlaskClient) -> None:
    page = get(client, "/dzielnice/sobiecin?distance=network", 400)
    assert "nie wczytano sieci pieszej" in page and "palmap import network" in page
    data = client.get(
        "/districts/sobiecin?distance=network&lang=en", headers={"Accept": "application/json"}
    ).get_json()
    assert data["status"] == 400 and data["error"] == "invalid_setting"
    assert "no walking network" in data["message"]
    assert data["allowed"] == ["detour", "straight"]
    get(client, "/obszary?access_weight=1&distance=network", 400)
    page = get(client, "/districts/sobiecin?distance=crow&lang=en", 400)
    assert "network, detour, straight" in page


def test_the_district_page_says_which_distance_and_keeps_it_in_its_links(
    client: FlaskClient,
) -> None:
    page = get(client, "/districts/sobiecin?lang=en")
    assert "Straight-line distances times 1.3 (no walking network is loaded" in page
    assert '<option value="network"' not in page  # nothing to choose without a network
    page = get(client, "/districts/sobiecin?distance=straight&lang=en")
    assert "Straight-line distances; resources anywhere in the city count." in page
    assert '<option value="straight" selected>' in page
    page = get(client, "/obszary?access_weight=1&distance=straight")
    assert "distance=straight" in page  # the share link and the sheet's links


def test_with_a_network_the_pages_measure_along_it(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    before = get(client, "/districts/sobiecin?lang=en")
    result = runner.invoke(args=["import", "network", str(grid_osm(tmp_path / "grid.osm"))])
    assert result.exit_code == 0, result.output
    page = get(client, "/districts/sobiecin?lang=en")
    assert page != before  # the import raised the data version: the page is drawn again
    assert "Walking distances along the street and path network" in page
    assert '<option value="network"' in page
    page = get(client, "/dzielnice/sobiecin?distance=network&lang=pl")
    assert "Odległości piesze wzdłuż sieci ulic" in page
    get(client, "/obszary?access_weight=1&distance=network")
    get(client, "/dzielnice/sobiecin?distance=detour")
