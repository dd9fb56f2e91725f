"""``palmap import osm`` end to end on the demo database (issue 15, "Resources from OSM" and
"Districts from OSM"): the report of what was left out, XML and PBF alike, re-import and
``--replace``, districts, hostile names escaped on the pages, and the OpenStreetMap attribution
(ODbL) on maps, embeds, static exports and the yearly report only when the data holds OSM rows."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.db import get_engine
from mapping.db import store
from tests.mapping.io.osm_extract import EXPECTED, Extract, city_extract

COPYRIGHT = "openstreetmap.org/copyright"


def run(runner: FlaskCliRunner, *args: str | Path, status: int = 0) -> str:
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == status, result.output
    return result.output


def osm_rows(app: Flask) -> dict[str, tuple[str, str]]:
    stored = store.load_resources(get_engine(app))
    from_osm = stored[stored["external_id"].astype(str).str.startswith("osm:")]
    return dict(
        zip(
            from_osm["external_id"],
            zip(from_osm["category"], from_osm["name"], strict=True),
            strict=True,
        )
    )


def test_import_osm_reports_what_was_left_out_and_why(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "city.osm"
    path.write_bytes(city_extract().xml())
    before = len(store.load_resources(get_engine(app)))
    out = run(runner, "import", "osm", path, "--dry-run")
    assert "Dry run" in out and len(store.load_resources(get_engine(app))) == before
    report = tmp_path / "report.csv"
    out = run(runner, "import", "osm", path, "--report", report)
    assert "loaded 10" in out and "Left out 3 feature(s)" in out
    assert osm_rows(app) == EXPECTED
    with report.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    reasons = {r["value"]: r["problem"] for r in rows if r["field"] == "osm"}
    assert set(reasons) == {"node/7", "node/8", "way/101"}
    assert "amenity=cafe" in reasons["node/8"]
    assert any(r["field"] == "name" and "no name" in r["problem"] for r in rows)


def test_pbf_through_the_cli_gives_the_same_resources(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "city.osm.pbf"
    path.write_bytes(city_extract().pbf(tmp_path))
    run(runner, "import", "osm", path)
    assert osm_rows(app) == EXPECTED


def test_reimport_keeps_gone_rows_until_replace(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "city.osm"
    path.write_bytes(city_extract().xml())
    run(runner, "import", "osm", path)
    edited = city_extract()
    edited.nodes = [n for n in edited.nodes if n[0] != 6]
    path.write_bytes(edited.xml())
    out = run(runner, "import", "osm", path)
    assert "unchanged 9" in out and "no longer in the extract: kept" in out
    assert "osm:node/6" in osm_rows(app)
    out = run(runner, "import", "osm", path, "--replace")
    assert "Removed 1 resource(s)" in out
    assert "osm:node/6" not in osm_rows(app)
    # The demo's own resources stay.
    assert len(store.load_resources(get_engine(app))) > 9


def test_a_bad_mapping_or_flags_are_refused(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "city.osm"
    path.write_bytes(city_extract().xml())
    mapping = tmp_path / "tags.csv"
    mapping.write_text("key,value,category\nleisure,pitch,pole\n", encoding="utf-8")
    out = run(runner, "import", "osm", path, "--mapping", mapping, status=3)
    assert "line 2" in out and "'pole'" in out
    run(runner, "import", "osm", path, "--admin-level", "9", status=2)
    assert osm_rows(app) == {}


def test_districts_from_places_are_schematic(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    e = Extract()
    e.node(10, 307_000, 324_000, place="suburb", name="Osiedle Pierwsze")
    e.node(11, 312_000, 324_000, place="quarter", name="Osiedle Drugie")
    path = tmp_path / "places.osm"
    path.write_bytes(e.xml())
    out = run(runner, "import", "osm", path, "--districts", "--places", "suburb,quarter")
    assert "loaded 2" in out and "draft district" in out
    stored = store.load_districts(get_engine(app)).set_index("code")
    assert bool(stored.loc["osiedle-pierwsze", "schematic"])


def test_hostile_names_are_escaped_on_the_pages(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    path = tmp_path / "city.osm"
    path.write_bytes(city_extract().xml())
    run(runner, "import", "osm", path)
    page = client.get("/zasoby?q=script").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


PAGES = ("/", "/mapa/social_assistance_rate", "/embed/zasoby", "/embed/mapa/social_assistance_rate")


def _svg_texts(client: FlaskClient, url: str) -> str:
    svg = client.get(url).get_data(as_text=True)
    return " ".join(html.unescape(t) for t in re.findall(r">([^<>]+)</text>", svg))


def test_osm_attribution_only_where_the_data_holds_osm(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    svg_url = "/mapa/social_assistance_rate.svg"
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert COPYRIGHT not in response.get_data(as_text=True), url
    assert "OpenStreetMap" not in _svg_texts(client, svg_url)
    assert "OpenStreetMap" not in _svg_texts(client, "/obszary/mapa.svg")
    path = tmp_path / "city.osm"
    path.write_bytes(city_extract().xml())
    run(runner, "import", "osm", path)
    for url in PAGES:
        page = client.get(url).get_data(as_text=True)
        assert COPYRIGHT in page and "OpenStreetMap contributors" in page, url
    assert "© OpenStreetMap contributors, ODbL" in _svg_texts(client, svg_url)
    assert "© OpenStreetMap contributors, ODbL" in _svg_texts(client, "/obszary/mapa.svg")
    sheet = client.get("/obszary/karta").get_data(as_text=True)
    assert "OpenStreetMap contributors" in html.unescape(sheet)
    standalone = client.get("/mapa/social_assistance_rate.html").get_data(as_text=True)
    assert COPYRIGHT in standalone


@pytest.mark.parametrize("with_osm", [False, True])
def test_the_yearly_report_lists_osm_among_its_sources(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path, with_osm: bool
) -> None:
    if with_osm:
        path = tmp_path / "city.osm"
        path.write_bytes(city_extract().xml())
        run(runner, "import", "osm", path)
    run(runner, "edition", "publish", "2012", "--title", "Mapy 2012")
    page = client.get("/sprawozdanie/2012").get_data(as_text=True)
    assert (COPYRIGHT in page) is with_osm
