"""Editions on the pages: ``?edition=CODE`` shows the frozen data, byte for byte, after later
changes; every link, form and share code stays in the edition; /edycje publishes them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.app.test_editing import TOKEN, _audit, _client

PINNED = [
    "/mapa/social_assistance_rate?year=2013&edition=2013",
    "/embed/mapa/social_assistance_rate?year=2013&edition=2013",
    "/?edition=2013",
    "/dzielnice/gaj?edition=2013",
    "/zasoby?edition=2013",
    "/mapa/social_assistance_rate/tabela.csv?year=2013&edition=2013",
    "/mapa/social_assistance_rate.svg?year=2013&edition=2013&width=120&height=120",
    "/mapa/social_assistance_rate.png?year=2013&edition=2013&width=80&height=80&dpi=50",
    "/obszary/karta?edition=2013",
]
#: Public pages that show only live data: none. The programme's pages (partnerships, actions,
#: surveys) read the edition too: its programme year on its frozen boundaries
#: (tests/app/test_programme_editions.py).
LIVE_ONLY: tuple[str, ...] = ()
#: Routes that never show the data (accounts, editors' pages, the files of the page itself).
NOT_DATA = (
    *LIVE_ONLY,
    # The programme's forms (new, edit): editors' pages, not data.
    "/partnerstwa/",
    "/partnerships/",
    "/dzialania/",
    "/actions/",
    "/logowanie",
    "/login",
    "/wyloguj",
    "/logout",
    "/edycje",
    "/editions",
    "/vendor/",
    "/zasoby/5/",
    "/resources/5/",
    "/zasoby/nowy",
    "/resources/new",
    "/dane/",
    "/data/",
    "/dziennik",
    "/audit",
    "/kosz",
    "/trash",
    "/konta",
    "/accounts",
    "/kategorie",
    "/categories",
    "/dzielnice/lubiechow/edycja",
    "/districts/lubiechow/edit",
    "/wskazniki/dane",
    "/indicators/data",
    # The yearly report takes its edition in the path (/sprawozdanie/2013), never ?edition=:
    # it is always the report of one published edition (tests/app/test_report.py).
    "/sprawozdanie/",
    "/report/",
    # Health checks for a load balancer (JSON about the server, not the data).
    "/zdrowie",
    "/health",
    "/gotowosc",
    "/ready",
    # The OGC API has each published edition as collections of its own (edition-2013-...):
    # tests/app/test_ogc.py.
    "/ogc",
)


@pytest.fixture
def published(accounts: Flask) -> Flask:
    runner = accounts.test_cli_runner()
    done = runner.invoke(args=["edition", "publish", "2013", "--title", "Mapy <b>2013</b>"])
    assert done.exit_code == 0, done.output
    return accounts


def _change_the_live_data(app: Flask) -> None:
    from app.db import get_engine

    with app.app_context(), get_engine().begin() as conn:
        conn.execute(sa.text("UPDATE indicator_value SET value = value * 2 + 1"))
        conn.execute(sa.text("UPDATE resource SET name = 'Zmieniona' WHERE id = 5"))
        conn.execute(sa.text("UPDATE district SET name = 'Nowy Gaj' WHERE code = 'gaj'"))


def test_a_pinned_page_keeps_its_bytes_after_the_live_data_changes(published: Flask) -> None:
    from app.cache import page_cache

    client = published.test_client()
    before = {url: client.get(url) for url in PINNED}
    assert all(answer.status_code == 200 for answer in before.values())
    live_before = client.get("/mapa/social_assistance_rate?year=2013").get_data()
    _change_the_live_data(published)
    with published.app_context():
        page_cache(published).clear()  # rendered again, not served from the cache
    for url, answer in before.items():
        again = client.get(url)
        assert again.get_data() == answer.get_data(), url
        assert again.headers["ETag"] == answer.headers["ETag"], url
    live = client.get("/mapa/social_assistance_rate?year=2013").get_data()
    assert live != live_before
    assert "Nowy Gaj" in client.get("/dzielnice/gaj").get_data(True)
    assert "Nowy Gaj" not in client.get("/dzielnice/gaj?edition=2013").get_data(True)


def test_every_public_page_reads_the_edition(published: Flask) -> None:
    """Every GET route that shows data (read from the url_map: a new one is swept too) answers
    an unknown edition with 404: it reads ``edition``, so its pinned link cannot show live data."""
    from tests.app.test_hostile_numbers import _urls

    client = published.test_client()
    urls = [u for u in _urls(published) if not u.startswith(NOT_DATA)]
    assert len(urls) >= 40, urls
    small = "&width=50&height=50&dpi=50"
    # The map's cluster endpoint answers a view: without one it is a 400 (its own test).
    view = "&bbox=16.1,50.7,16.4,50.9&zoom=12"
    for url in urls:
        extra = small if url.endswith((".png", ".svg", ".pdf")) else ""
        extra += view if url.endswith(("/zasoby/klastry", "/resources/clusters")) else ""
        unknown = client.get(f"{url}?edition=1999{extra}", follow_redirects=True)
        assert unknown.status_code == 404, url
        assert client.get(f"{url}?edition=2013{extra}").status_code in (200, 302), url


def test_an_editions_files_name_it_and_its_day(published: Flask) -> None:
    client = published.test_client()
    svg = client.get(PINNED[6]).get_data(True)
    assert "Edycja 2013, opublikowana" in svg and "Wyeksportowano" not in svg
    sheet = client.get("/obszary/karta?edition=2013").get_data(True)
    assert "Edycja 2013, opublikowana:" in sheet


def _links(html: str) -> list[str]:
    return [
        h.replace("&amp;", "&")
        for h in re.findall(r'href="(/[^"]*)"', html)
        if not h.startswith(("/static", "/vendor"))
    ]


def test_links_forms_and_share_codes_stay_in_the_edition(published: Flask) -> None:
    client = published.test_client()
    html = client.get("/mapa/social_assistance_rate?year=2013&edition=2013").get_data(True)
    notice = re.search(r'<p class="edition-notice edition-pinned">(.*?)</p>', html, re.S)
    assert notice and "Edycja 2013" in notice[1]
    assert "Mapy &lt;b&gt;2013&lt;/b&gt;" in notice[1]  # the title is text
    live = re.search(r'href="([^"]*)">Zobacz dane bieżące', notice[1])
    assert live and "edition" not in live[1] and "year=2013" in live[1]
    rest = html.replace(notice[0], "")
    page_links = [h for h in _links(rest) if not h.startswith(("/logowanie", "/edycje"))]
    assert page_links and all("edition=2013" in h for h in page_links), page_links
    assert '<input type="hidden" name="edition" value="2013">' in html
    embed = re.search(r'data-embed-url="([^"]*)"', html)
    assert embed and "edition=2013" in embed[1] and embed[1].count("edition=") == 1
    shared = re.search(r'data-page-url="([^"]*)"', html)
    for url in (embed[1], shared[1]):
        assert url.count("?") == 1 and "year=2013" in url, url  # one query, not two
    assert "edition=2013" in re.search(r"&lt;iframe src=&#34;([^&]*)&", html)[1]
    english = re.search(r'href="([^"]*)" hreflang="en"', html)
    assert english and "edition=2013" in english[1]


def test_an_embed_names_its_edition(published: Flask) -> None:
    client = published.test_client()
    pinned = client.get("/embed/mapa/social_assistance_rate?year=2013&edition=2013")
    live = client.get("/embed/mapa/social_assistance_rate?year=2013")
    assert "· Edycja 2013" in pinned.get_data(True)
    opened = re.search(r'id="embed-attribution"><a href="([^"]*)"', pinned.get_data(True))
    assert opened and opened[1].count("?") == 1 and "edition=2013" in opened[1]
    assert "Edycja" not in live.get_data(True)


def test_live_pages_say_so_and_unknown_editions_are_404(published: Flask) -> None:
    client = published.test_client()
    html = client.get("/mapa/social_assistance_rate?year=2013").get_data(True)
    assert "Dane bieżące" in html and "edition-pinned" not in html
    assert "edition=" not in html
    assert "Live data" in client.get("/map/social_assistance_rate?year=2013&lang=en").get_data(True)
    for code in ("1999", "<script>alert(1)</script>", "x" * 300):
        answer = client.get("/mapa/social_assistance_rate", query_string={"edition": code})
        assert answer.status_code == 404, code
        assert "<script>alert(1)" not in answer.get_data(True)
        assert "edition-notice" not in answer.get_data(True)
    listed = client.get(
        "/mapa/social_assistance_rate?edition=1999&year=2013",
        headers={"Accept": "application/json"},
    ).get_json()
    assert listed["error"] == "not_found"
    assert listed["known"] == [
        {
            "label": "2013: Mapy <b>2013</b>",
            "url": "/map/social_assistance_rate?year=2013&edition=2013",
        }
    ]


def test_editions_page_publishes_for_admins_only(published: Flask) -> None:
    anonymous, editor, admin = (
        published.test_client(),
        _client(published, "jan"),
        _client(published, "ola"),
    )
    page = anonymous.get("/edycje").get_data(True)
    assert "2013" in page and "?edition=2013" in page and 'name="csrf_token"' not in page
    assert 'name="csrf_token"' not in editor.get("/editions").get_data(True)
    token = TOKEN.search(admin.get("/edycje").get_data(True))[1]
    assert (
        editor.post(
            "/edycje", data={"code": "2014", "title": "x", "csrf_token": "forged"}
        ).status_code
        == 400
    )
    draft = admin.post(
        "/edycje", data={"code": "2014", "title": "Mapy 2014", "draft": "1", "csrf_token": token}
    )
    assert draft.status_code == 302
    assert "2014" not in anonymous.get("/edycje").get_data(True)  # a draft is not public
    assert "2014" in editor.get("/edycje").get_data(True)
    assert anonymous.get("/?edition=2014").status_code == 404
    again = admin.post("/edycje", data={"code": "2013", "title": "Inna", "csrf_token": token})
    assert again.status_code == 302
    assert "2013-2" in admin.get(again.headers["Location"]).get_data(True)  # the fix is named
    done = admin.post("/edycje", data={"code": "2014", "title": "Mapy 2014", "csrf_token": token})
    assert done.status_code == 302 and anonymous.get("/?edition=2014").status_code == 200
    entries, _total = _audit(published)
    assert {(e["actor"], e["new_value"]) for e in entries if e["field"] == "status"} >= {
        ("ola", "published")
    }


def test_edition_list_command(published: Flask) -> None:
    listed = published.test_cli_runner().invoke(args=["edition", "list", "--format", "csv"])
    assert listed.exit_code == 0
    assert listed.output.splitlines()[0] == "code,title,status,published_by,published_at,digest"
    assert listed.output.splitlines()[1].startswith("2013,Mapy <b>2013</b>,published,cli:")
    again = published.test_cli_runner().invoke(args=["edition", "publish", "2013", "--title", "x"])
    assert again.exit_code == 3 and "2013-2" in again.output


def test_two_editions_compared_on_a_page_and_by_command(published: Flask) -> None:
    _change_the_live_data(published)
    runner = published.test_cli_runner()
    assert runner.invoke(args=["edition", "publish", "2014", "--title", "x"]).exit_code == 0
    client = published.test_client()
    html = client.get("/edycje/2013/2014").get_data(True)
    assert "Edycje 2013 i 2014: porównanie" in html
    assert "Zmieniona" in html and "zmieniono nazwę" in html  # resource 5, district gaj
    assert "Nowy Gaj" in html
    assert "Zmiany od 2013" in client.get("/edycje").get_data(True)
    assert client.get("/edycje/2013/1999").status_code == 404
    assert client.get("/edycje/2013/%3Cb%3E").status_code == 404
    listed = runner.invoke(args=["edition", "diff", "2013", "2014", "--format", "csv"])
    assert listed.exit_code == 0
    assert listed.output.splitlines()[0] == "id,name,category,change,fields,moved_m"
    assert "5,Zmieniona," in listed.output
    values = runner.invoke(args=["edition", "diff", "2013", "2014", "--what", "values"])
    assert values.exit_code == 0 and "changed" in values.output


def _set_2013(app: Flask, values: dict[tuple[str, str], int]) -> None:
    from app.db import get_engine

    with app.app_context(), get_engine().begin() as conn:
        for (district, indicator), value in values.items():
            conn.execute(
                sa.text(
                    "UPDATE indicator_value SET value = :v WHERE year = 2013 AND indicator = :i "
                    "AND district_id = "
                    "(SELECT id FROM district WHERE code = :d)"
                ),
                {"v": value, "i": indicator, "d": district},
            )


def test_changed_values_between_editions_read_no_clear_change_within_chance(
    accounts: Flask,
) -> None:
    """Issue 14, point 8, in `palmap edition diff --what values` (table, CSV, JSON) and on
    /edycje/A/B: Konradów 62.6 -> 62.2 per 1,000 is "no clear change", Podgórze II
    143.6 -> 119.9 (532 -> 444 of 3,704) improved, as the comparison page's Poisson test says."""
    import io
    import json

    import pandas as pd

    runner = accounts.test_cli_runner()
    _set_2013(
        accounts,
        {
            ("konradow", "social_assistance"): 128,
            ("konradow", "residents"): 2045,
            ("podgorze-ii", "social_assistance"): 532,
        },
    )
    assert runner.invoke(args=["edition", "publish", "a", "--title", "A"]).exit_code == 0
    _set_2013(
        accounts,
        {
            ("konradow", "social_assistance"): 120,
            ("konradow", "residents"): 1929,
            ("podgorze-ii", "social_assistance"): 444,
        },
    )
    assert runner.invoke(args=["edition", "publish", "b", "--title", "B"]).exit_code == 0
    args = ["edition", "diff", "a", "b", "--what", "values", "--format"]
    table = runner.invoke(args=[*args, "table"])
    assert table.exit_code == 0, table.output
    line = next(
        row for row in table.output.splitlines() if "konradow" in row and "social_ass" in row
    )
    assert "no_clear_change" in line
    csv = runner.invoke(args=[*args, "csv"]).output
    rows = pd.read_csv(io.StringIO(csv)).set_index(["district_code", "indicator"])
    assert rows.loc[("konradow", "social_assistance"), "status"] == "no_clear_change"
    assert rows.loc[("konradow", "social_assistance"), "rate_before"].round(1) == 62.6
    assert rows.loc[("podgorze-ii", "social_assistance"), "status"] == "improved"
    document = json.loads(runner.invoke(args=[*args, "json"]).output)
    listed = document["rows"] if isinstance(document, dict) else document
    statuses = {(r["district_code"], r["indicator"]): r["status"] for r in listed}
    assert statuses[("konradow", "social_assistance")] == "no_clear_change"
    assert statuses[("podgorze-ii", "social_assistance")] == "improved"
    client = accounts.test_client()
    for url, words in (
        ("/edycje/a/b?year=2013&lang=pl", ("brak wyraźnej zmiany", "poprawa")),
        ("/editions/a/b?year=2013&lang=en", ("no clear change", "improved")),
    ):
        html = client.get(url).get_data(True)
        cells = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', html)
        konradow = next(c for name, c in cells if name == "Konradów" and "data-status" in c)
        podgorze = next(c for name, c in cells if name == "Podgórze II" and "data-status" in c)
        assert 'data-status="no_clear_change"' in konradow and words[0] in konradow
        assert 'data-status="improved"' in podgorze and words[1] in podgorze
