"""The programme's pages with ``?edition=CODE`` (/partnerstwa, /dzialania, /ankiety and
/ankiety.csv): the records of the edition's programme year (mapping.pages.programme_year) on
its frozen district boundaries; links and forms stay in the edition; without it, live data."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

#: The demo's actions running in 2012 (the cancelled football tournament demo-2012-04 left out)
#: and pal-centrum's 2013 action in its 2012 target area (podgorze-i, podgorze-ii); its 2011
#: action in podgorze-i ended before 2012 (demo-2011-04), so it is not in the edition.
ACTIONS_2012 = ["demo-2012-01", "demo-2012-02", "demo-2012-03", "demo-2013-02"]


@pytest.fixture
def edition_2012(app: Flask) -> Flask:
    """The demo published as edition 2012, pal-centrum's target area chosen in it."""
    from app.db import get_engine
    from mapping.db import target_areas
    from mapping.target_areas import TargetAreaRecord

    done = app.test_cli_runner().invoke(args=["edition", "publish", "2012", "--title", "Mapy"])
    assert done.exit_code == 0, done.output
    area = TargetAreaRecord("pal-centrum", "2012", ("podgorze-i", "podgorze-ii"), note="x")
    with app.app_context(), get_engine().begin() as conn:
        target_areas.save_target_area(conn, area, "{}", actor="test", how="cli")
    return app


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-action="([^"]+)"', page)


def _get(client: FlaskClient, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    return answer.get_data(as_text=True)


def _map_and_table(page: str) -> tuple[str, str, list[str]]:
    """The map's data (its script: geometries and fills), the districts table, the actions."""
    table = re.search(r'id="districts-table">(.*?)</table>', page, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    return "".join(s for s in scripts if "geo_json" in s), table[1], sorted(_rows(page))


def test_an_edition_shows_its_programme_year(edition_2012: Flask) -> None:
    client = edition_2012.test_client()
    live = _get(client, "/dzialania")
    assert len(_rows(live)) == 15 and 'id="programme-year"' not in live
    assert "Dane bieżące" in live  # the live page says so
    pinned = _get(client, "/dzialania?edition=2012")
    assert _rows(pinned) == ACTIONS_2012
    assert 'class="edition-notice edition-pinned"' in pinned and "Edycja 2012" in pinned
    assert 'id="programme-year"' in pinned and "z 2012" in pinned
    english = _get(client, "/actions?edition=2012&lang=en")
    assert _rows(english) == ACTIONS_2012 and "the programme's records of 2012" in english


def test_a_moved_action_or_a_redrawn_district_leaves_the_edition_as_it_was(
    edition_2012: Flask,
) -> None:
    from app.db import get_engine

    client = edition_2012.test_client()
    url = "/dzialania?edition=2012"
    before = _map_and_table(_get(client, url))
    assert "podgorze-i" in before[0] and 'data-district="podgorze-i"' in before[1]
    live_before = _map_and_table(_get(client, "/dzialania"))
    with edition_2012.app_context(), get_engine().begin() as conn:
        # demo-2012-01 (pal-centrum, podgorze-i|ii: the 2012 target area) moves to 2014;
        # demo-2013-01 moves into 2013's other districts; podgorze-i is redrawn and renamed.
        conn.execute(
            sa.text("UPDATE action SET start_date = :s, end_date = :e WHERE code = 'demo-2012-01'"),
            {"s": date(2014, 1, 15), "e": date(2014, 12, 15)},
        )
        conn.execute(
            sa.text("UPDATE action SET start_date = :s WHERE code = 'demo-2013-01'"),
            {"s": date(2013, 6, 1)},
        )
        conn.execute(
            sa.text(
                "UPDATE district SET name = 'Podgórze Nowe', geom = "
                "(SELECT geom FROM district WHERE code = 'gaj') WHERE code = 'podgorze-i'"
            )
        )
    after = _map_and_table(_get(client, url))
    assert after == before
    assert "Podgórze Nowe" not in after[1]
    live_after = _map_and_table(_get(client, "/dzialania"))
    assert live_after[0] != live_before[0] and "Podgórze Nowe" in live_after[1]


def test_links_and_forms_keep_the_edition(edition_2012: Flask) -> None:
    client = edition_2012.test_client()
    for url in ("/dzialania?edition=2012", "/partnerstwa?edition=2012", "/ankiety?edition=2012"):
        page = _get(client, url)
        notice = re.search(r'<p class="edition-notice edition-pinned">(.*?)</p>', page, re.S)
        rest = page.replace(notice[0], "")
        links = [
            h.replace("&amp;", "&")
            for h in re.findall(r'href="(/[^"]*)"', rest)
            if not h.startswith(("/static", "/vendor", "/logowanie", "/edycje"))
        ]
        assert links and all("edition=" in h for h in links), (url, links)
        assert all("edition=2012" in h for h in links if "karta" not in h), (url, links)
        if "partnerstwa" not in url:
            assert '<input type="hidden" name="edition" value="2012">' in page, url
    filtered = _get(client, "/dzialania?edition=2012&type=IV.6&lang=pl")
    assert _rows(filtered) == ["demo-2012-01"]
    assert client.get("/dzialania?edition=2012&year=2013").status_code == 200


def test_partnerships_and_surveys_of_an_edition(edition_2012: Flask) -> None:
    client = edition_2012.test_client()
    page = _get(client, "/partnerstwa?edition=2012")
    assert "Edycja 2012" in page and page.count("justification sheet") <= 1
    assert len(re.findall(r"<li><strong>Edycja ", page)) == 1  # the 2012 target area only
    live = _get(client, "/partnerstwa")
    assert "Dane bieżące" in live
    shown = set(_rows(_get(client, "/dzialania?edition=2012")))
    csv = _get(client, "/ankiety.csv?edition=2012").splitlines()
    codes = {line.split(",")[1] for line in csv[1:] if line.startswith("action,")}
    assert codes and codes <= shown
    every = {
        line.split(",")[1]
        for line in _get(client, "/ankiety.csv").splitlines()[1:]
        if line.startswith("action,")
    }
    assert every - shown  # the live download has other years' actions
    assert (
        client.get("/ankiety.csv?edition=2012")
        .headers["Content-Disposition"]
        .endswith('palmap-surveys-2012.csv"')
    )
    assert "Edycja 2012" in _get(client, "/ankiety?edition=2012")
    assert client.get("/ankiety?edition=1999").status_code == 404
