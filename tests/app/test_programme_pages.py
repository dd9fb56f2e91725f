"""/partnerstwa (/partnerships) and /dzialania (/actions): both routes and languages, the
filters and their totals, the map and its table, errors in the one JSON shape, hostile names
shown as text, and the page cache refreshed by an import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.app.test_pages import HOSTILE, _decoded


def get(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def rows(page: str, attribute: str) -> list[str]:
    return re.findall(rf'<tr {attribute}="([^"]+)"', page)


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/partnerstwa", "<h1>Partnerstwa</h1>"),
        ("/partnerships?lang=en", "<h1>Partnerships</h1>"),
        ("/dzialania", "<h1>Działania</h1>"),
        ("/actions?lang=en", "<h1>Actions</h1>"),
    ],
)
def test_both_routes_in_both_languages(client: FlaskClient, url: str, heading: str) -> None:
    page = get(client, url)
    assert heading in page
    if "partner" in url:
        assert "Ośrodek pomocy społecznej (demo)" in page
        assert ("grupa mieszkańców" if "lang=en" not in url else "resident group") in page
    else:
        assert "leaflet" in page and "data-map-alternative" in page
        assert len(rows(page, "data-action")) == 15
        assert len(rows(page, "data-district")) == 21


def test_the_filters_select_actions_and_their_totals(client: FlaskClient) -> None:
    page = get(client, "/actions?lang=en&type=IV.6")
    assert rows(page, "data-action") == ["demo-2011-03", "demo-2012-01", "demo-2013-01"]
    # 30 + 37 + 41 actual participants; 91,000 + 152,000 + 110,000 PLN.
    totals = re.search(r'<dl class="totals" id="totals">(.*?)</dl>', page, re.S)[1]
    assert "<dd>108</dd>" in totals and "<dd>353,000 PLN</dd>" in totals
    page = get(client, "/actions?lang=en&year=2013&district=sobiecin")
    assert rows(page, "data-action") == ["demo-2013-01", "demo-2013-03"]
    page = get(client, "/dzialania?partnership=pal-centrum&year=2011")
    assert rows(page, "data-action") == ["demo-2011-02", "demo-2011-03", "demo-2011-04"]
    assert "353\xa0000 zł" in get(client, "/dzialania?type=IV.6&lang=pl")
    # The map's table: the number of matching actions in each district.
    page = get(client, "/actions?lang=en&type=IV.5")
    table = re.search(r'id="districts-table">(.*?)</table>', page, re.S)[1]
    sobiecin = re.search(r'data-district="sobiecin">(.*?)</tr>', table, re.S)[1]
    assert '<td class="num">1</td>' in sobiecin


@pytest.mark.parametrize(
    ("url", "status", "value"),
    [
        ("/dzialania?type=IV.9", 400, "IV.9"),
        ("/dzialania?year=20x3", 400, "20x3"),
        ("/dzialania?district=atlantis", 404, "atlantis"),
        ("/actions?partnership=pal-nowhere", 404, "pal-nowhere"),
    ],
)
def test_a_bad_filter_is_a_400_or_a_404_in_the_one_shape(
    client: FlaskClient, url: str, status: int, value: str
) -> None:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == status and value in body["message"]
    assert body["error"] == ("invalid_setting" if status == 400 else "not_found")


def test_hostile_names_are_shown_as_text(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    names = [h.replace(",", " ").replace('"', "'") for h in HOSTILE]
    partnerships = tmp_path / "p.csv"
    partnerships.write_text(
        "partnership,name,description,member,kind,role,contact\n"
        + "".join(f"xss-{i},{n},{n},{n},ngo,{n},{n}\n" for i, n in enumerate(names)),
        encoding="utf-8",
    )
    actions = tmp_path / "a.csv"
    actions.write_text(
        "code,title,type,partnership,districts,start_date,description\n"
        + "".join(f"xss-{i},{n},IV.5,xss-{i},gaj,2012-01-01,{n}\n" for i, n in enumerate(names)),
        encoding="utf-8",
    )
    for kind, path in (("partnerships", partnerships), ("actions", actions)):
        result = runner.invoke(args=["import", kind, str(path)])
        assert result.exit_code == 0, result.output
    for url in ("/partnerstwa", "/dzialania", "/dzialania?partnership=xss-0"):
        raw = get(client, url)
        decoded = _decoded(raw)
        for text in (raw, decoded):
            assert "<img src=x" not in text
            assert "alert(2)</script>" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in decoded
        for script in re.findall(r"<script>(.*?)</script>", raw, re.S):
            assert "${document" not in _decoded(script)


def test_an_import_refreshes_the_cached_pages(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    assert "Nowy festyn" not in get(client, "/dzialania")
    path = tmp_path / "a.csv"
    path.write_text(
        "code,title,type,districts,start_date\nnew-1,Nowy festyn,IV.5,gaj,2013-05-01\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["import", "actions", str(path)])
    assert result.exit_code == 0, result.output
    assert "Nowy festyn" in get(client, "/dzialania")
    assert "Nowy festyn" in get(client, "/dzialania?district=gaj")
