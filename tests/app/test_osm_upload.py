"""OpenStreetMap extracts from the web upload page (``/dane/import``, kinds ``osm`` and
``osm_districts``): editors only, the rehearsal's counts and report, confirm writes, the same
refusals as ``palmap import osm``."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from app.db import get_engine
from mapping.db import store
from tests.app.test_upload import _login, _token, _upload
from tests.mapping.io.osm_extract import EXPECTED, Extract, city_extract


def _osm_ids(app: Flask) -> set[str]:
    with app.app_context():
        ids = store.load_resources(get_engine())["external_id"].astype(str)
    return {i for i in ids if i.startswith("osm:")}


def test_an_editor_imports_an_osm_extract_with_preview_and_confirm(
    app: Flask, tmp_path: Path
) -> None:
    client = _login(app)
    sent = _upload(client, city_extract().pbf(tmp_path), "miasto.osm.pbf", kind="osm")
    assert sent.status_code == 302
    preview_url = sent.headers["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    text = page.get_data(True)
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', text))
    assert counts["Nowe"] == "10"
    assert "amenity=cafe" in text and "node/8" in text  # left out, and why
    assert "folium-map" in text
    assert _osm_ids(app) == set()  # the rehearsal kept nothing
    done = client.post(preview_url + "/zatwierdz", data={"csrf_token": _token(client)})
    assert done.status_code == 302
    assert _osm_ids(app) == set(EXPECTED)
    log = client.get("/dziennik.csv").get_data(True)
    assert "jan,upload,osm,upload:miasto.osm.pbf" in log


def test_osm_districts_by_upload_with_an_admin_level(app: Flask) -> None:
    e = Extract()
    e.box(
        1,
        305_000,
        320_000,
        314_000,
        336_000,
        boundary="administrative",
        admin_level="8",
        name="Miasto",
    )
    e.box(
        2,
        305_000,
        320_000,
        309_000,
        328_000,
        boundary="administrative",
        admin_level="9",
        name="Dzielnica A",
    )
    e.box(
        3,
        309_000,
        320_000,
        314_000,
        328_000,
        boundary="administrative",
        admin_level="9",
        name="Dzielnica B",
    )
    client = _login(app)
    sent = _upload(client, e.xml(), "granice.osm", kind="osm_districts", admin_level="8")
    preview_url = sent.headers["Location"]
    text = client.get(preview_url).get_data(True)
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', text))
    assert counts["Nowe"] == "1" and "admin_level 8" in text
    bad = _upload(client, e.xml(), "granice.osm", kind="osm_districts", admin_level="x")
    assert bad.status_code == 400


def test_a_file_that_is_not_osm_is_refused_and_viewers_cannot_upload(app: Flask) -> None:
    client = _login(app)
    sent = _upload(client, b"nazwa;kategoria\nA;mops\n", "zasoby.osm", kind="osm")
    page = client.get(sent.headers["Location"])
    assert page.status_code == 422 and "OSM XML" in page.get_data(True)
    anonymous = app.test_client()
    assert anonymous.post("/dane/import", data={"kind": "osm"}).status_code in (302, 400, 403)
    assert _osm_ids(app) == set()
