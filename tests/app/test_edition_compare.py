"""Two editions on the comparison page (issue 13) and change without noise (issue 14, point 8):
``/porownanie/<layer>?edition=B&against=A``, its CSV, its files and its embed; estimates of
redrawn districts marked; changes within chance read "no clear change" in both languages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import geopandas as gpd
import pytest
from flask import Flask

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
PAGE = "/porownanie/social_assistance_rate?against=2013&from=2010&to=2013"


@pytest.fixture
def published(app: Flask) -> Flask:
    runner = app.test_cli_runner()
    done = runner.invoke(args=["edition", "publish", "2013", "--title", "Mapy 2013"])
    assert done.exit_code == 0, done.output
    return app


def _row(html: str, code: str) -> str:
    found = re.search(rf'<tr data-district="{code}"[^>]*>.*?</tr>', html, re.S)
    assert found, code
    return found.group(0)


def _csv(text: str) -> dict[str, dict[str, str]]:
    return {row["district_code"]: row for row in csv.DictReader(io.StringIO(text))}


def test_the_live_data_against_an_edition_in_both_languages(published: Flask) -> None:
    client = published.test_client()
    html = client.get(PAGE).get_data(True)
    assert 'data-status="no_clear_change"' in _row(html, "konradow")
    assert "brak wyraźnej zmiany" in _row(html, "konradow")
    assert 'data-status="improved"' in _row(html, "podgorze-ii")
    assert "2010 (edycja 2013)" in html and "2013 (dane bieżące)" in html
    assert "brak wyraźnej zmiany: 18" in html
    assert re.search(r'<option value="2013" selected>2013: Mapy 2013</option>', html)
    assert "data-estimated" not in html  # the same boundaries: nothing estimated
    english = client.get(PAGE.replace("/porownanie/", "/compare/") + "&lang=en").get_data(True)
    assert "no clear change" in _row(english, "konradow")
    assert "2010 (edition 2013)" in english and "2013 (live data)" in english
    # The CSV beside it, the report file and the embed take the same query.
    rows = _csv(
        client.get(
            PAGE.replace(
                "/porownanie/social_assistance_rate",
                "/porownanie/social_assistance_rate/tabela.csv",
            )
        ).get_data(True)
    )  # noqa: E501
    assert rows["konradow"]["status"] == "no_clear_change"
    assert rows["podgorze-ii"]["status"] == "improved"
    assert rows["konradow"]["estimated"] == "false"
    assert float(rows["konradow"]["p_value"]) > 0.9
    png = client.get(PAGE.replace("?", ".png?") + "&width=60&height=60&dpi=50")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert (
        "palmap-social_assistance_rate-2010-2013-against-2013" in png.headers["Content-Disposition"]
    )
    embed = client.get("/embed" + PAGE)
    assert embed.status_code == 200
    assert "brak wyra" in embed.get_data(True)  # in the legend, inside the map's script


def test_an_unknown_or_unpublished_edition_is_a_404_naming_the_published(
    published: Flask,
) -> None:
    client = published.test_client()
    for code in ("1999", "%3Cb%3Ex%3C/b%3E", "x" * 300):
        answer = client.get(f"/porownanie/social_assistance_rate?against={code}")
        assert answer.status_code == 404
        html = answer.get_data(True)
        assert "?against=2013" in html
        assert "<b>x" not in html
    assert "x" * 40 + "…" in html  # the message shows the code cut to 40 characters
    runner = published.test_cli_runner()
    assert (
        runner.invoke(args=["edition", "publish", "d1", "--title", "x", "--draft"]).exit_code == 0
    )
    assert client.get("/porownanie/social_assistance_rate?against=d1").status_code == 404
    assert (
        client.get("/porownanie/social_assistance_rate?against=2013&from=1999").status_code == 404
    )


def _redraw(tmp_path: Path) -> Path:
    """The demo's districts with part of Gaj given to Rusinowa (both redrawn)."""
    districts = gpd.read_file(DEMO / "districts.geojson")
    metric = districts.to_crs(2180)
    gaj = metric.loc[metric["code"] == "gaj"].geometry.iloc[0]
    kept = gaj.buffer(-150)
    rusinowa = metric["code"] == "rusinowa"
    metric.loc[rusinowa, "geometry"] = (
        metric.loc[rusinowa].geometry.iloc[0].union(gaj.difference(kept))
    )
    metric.loc[metric["code"] == "gaj", "geometry"] = kept
    path = tmp_path / "redrawn.geojson"
    metric.to_crs(4326).to_file(path, driver="GeoJSON")
    return path


def test_a_boundary_change_between_editions_marks_the_estimates(
    published: Flask, tmp_path: Path
) -> None:
    runner = published.test_cli_runner()
    path = _redraw(tmp_path)
    done = runner.invoke(
        args=["import", "districts", str(path), "--code-field", "code", "--name-field", "name"]
    )
    assert done.exit_code == 0, done.output
    assert runner.invoke(args=["edition", "publish", "2014", "--title", "x"]).exit_code == 0
    client = published.test_client()
    page = "/porownanie/social_assistance_rate?edition=2014&against=2013&from=2013&to=2021"
    html = client.get(page).get_data(True)
    marked = set(re.findall(r'<tr data-district="([a-z-]+)"[^>]*data-estimated="true"', html))
    assert marked == {"gaj", "rusinowa"}
    assert "(szacunek)" in _row(html, "gaj")
    assert "Gruby obrys" in html  # the change map's legend entry
    assert "Szacunek" in html  # the earlier year's tooltips
    table = page.replace("/social_assistance_rate?", "/social_assistance_rate/tabela.csv?")
    rows = _csv(client.get(table).get_data(True))
    assert {code for code, row in rows.items() if row["estimated"] == "true"} == {
        "gaj",
        "rusinowa",
    }
    svg = client.get(page.replace("?", ".svg?") + "&width=120&height=120").get_data(True)
    assert "Gruby obrys" in svg
    # The edition diff links every indicator's comparison map of the two editions.
    diff = client.get("/edycje/2013/2014").get_data(True)
    assert re.search(r'href="/porownanie/social_assistance_rate\?[^"]*against=2013', diff)
