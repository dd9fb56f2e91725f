"""The table under the indicator map in pages of ``TABLE_PAGE_SIZE`` rows (issue 16, national
scale): the 2,477 gminy as one table were half of the page and half a second of its load. The
map still draws every district, the CSV holds every row, and a page that does not exist is a 400
naming the range.

The demo's 21 districts are one page; the tests make the pages 5 rows long to see several."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask.testing import FlaskClient

from mapping.pages import indicator_map
from tests.app.test_pages import _cells, _get

URL = "/mapa/needs_index?year=2013"


def _codes(page: str) -> list[str]:
    body = page.split('id="values-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-district="([^"]+)"', body)


def _pager_links(page: str) -> dict[str, str]:
    nav = re.search(r'<nav class="pager".*?</nav>', page, re.S)
    assert nav, "no pager"
    return {rel: href.replace("&amp;", "&") for rel, href in re.findall(
        r'<a rel="(prev|next)" href="([^"]+)"', nav.group(0))}  # fmt: skip


def test_the_demo_is_one_page_without_a_pager(client: FlaskClient) -> None:
    page = _get(client, URL)
    assert len(_codes(page)) == 21
    assert 'class="pager"' not in page
    assert _cells(_get(client, URL + "&page=1"), "values-table") == _cells(page, "values-table")


@pytest.mark.parametrize("value", ["2", "0", "-1", "x", "1.5", "9" * 30])
def test_a_page_that_does_not_exist_is_a_400_naming_the_range(
    client: FlaskClient, value: str
) -> None:
    text = _get(client, f"{URL}&page={value}", 400)
    assert "od 1 do 1" in text  # "expected a whole number from 1 to 1" in Polish


def test_pages_of_five_rows_hold_every_district_once_by_rank(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indicator_map, "TABLE_PAGE_SIZE", 5)
    csv_text = _get(client, "/mapa/needs_index/tabela.csv?year=2013")
    every = [r["district_code"] for r in csv.DictReader(
        line for line in io.StringIO(csv_text) if not line.startswith("#"))]  # fmt: skip
    seen: list[str] = []
    url: str | None = URL
    numbers = []
    while url:
        page = _get(client, url)
        codes = _codes(page)
        assert 1 <= len(codes) <= 5
        ranks = [int(row[0].split()[0]) for row in _cells(page, "values-table")]
        numbers.append(ranks)
        seen += codes
        # The map draws all 21 districts on every page of the table.
        assert len(set(re.findall(r'"code": "([a-z-]+)"', page))) == 21
        links = _pager_links(page)
        url = links.get("next")
        if url:
            assert "#values-table" in url
            url = url.split("#", 1)[0]
    assert sorted(seen) == sorted(every) and len(seen) == 21  # every district once
    assert [len(n) for n in numbers] == [5, 5, 5, 5, 1]
    assert [rank for part in numbers for rank in part] == list(range(1, 22))  # by rank
    last = _get(client, URL + "&page=5")
    assert "wiersze 21–21" in last and "strona 5 z 5" in last
    previous = _pager_links(last)["prev"]
    assert dict(parse_qsl(urlsplit(previous).query))["page"] == "4"
    second = _get(client, URL + "&page=2")
    assert "page" not in dict(parse_qsl(urlsplit(_pager_links(second)["prev"]).query))
    assert _get(client, f"{URL}&page=6", 400).count("od 1 do 5") == 1


def test_the_page_of_the_table_stays_out_of_every_other_link(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV, the exports, the embed and the layer form are of the whole map: none of their
    links carries ``page`` (the language switch keeps it: the same page in the other
    language)."""
    monkeypatch.setattr(indicator_map, "TABLE_PAGE_SIZE", 5)
    page = _get(client, URL + "&page=3")
    links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"#]+)', page)]
    pager = set(_pager_links(page).values())
    with_page = [
        h for h in links if "page=" in h and "lang=" not in h and h + "#values-table" not in pager
    ]
    assert with_page == [], with_page
    assert "tabela.csv?year=2013" in page


DISTRICTS = "/dzielnice"


def _district_rows(page: str) -> list[str]:
    body = page.split('id="districts-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-district="([^"]+)"', body)


def test_the_district_list_is_one_page_for_the_demo(client: FlaskClient) -> None:
    page = _get(client, DISTRICTS)
    assert len(_district_rows(page)) == 21
    assert 'class="pager"' not in page and "wiersze" not in page
    assert "od 1 do 1" in _get(client, DISTRICTS + "?page=2", 400)


def test_the_district_list_in_pages_of_five_rows(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A national set's list (2,477 gminy: 1.36 MB as one table) comes a page at a time, as
    the indicator map's table does; the map draws every district on each page."""
    whole = _district_rows(_get(client, DISTRICTS + "?page=1"))  # 100 a page: all 21
    assert len(whole) == 21
    monkeypatch.setattr(indicator_map, "TABLE_PAGE_SIZE", 5)
    seen: list[str] = []
    sizes = []
    url: str | None = DISTRICTS
    while url:
        page = _get(client, url)
        rows = _district_rows(page)
        sizes.append(len(rows))
        seen += rows
        assert "Liczba dzielnic: 21." in page  # the lede counts every district, not the page's
        assert len(set(re.findall(r'"code": "([a-z-]+)"', page))) == 21
        url = _pager_links(page).get("next")
        if url:
            assert url.endswith("#districts-table")
            url = url.split("#", 1)[0]
    assert sizes == [5, 5, 5, 5, 1]
    assert seen == whole  # every district once, in the order of the whole list
    last = _get(client, DISTRICTS + "?page=5")
    assert "wiersze 21–21" in last and "strona 5 z 5" in last
    assert "Mapa pokazuje wszystkie." in last
    back = _pager_links(_get(client, DISTRICTS + "?page=2"))["prev"]
    assert "page" not in dict(parse_qsl(urlsplit(back).query))  # the first page's own URL
    assert "od 1 do 5" in _get(client, DISTRICTS + "?page=6", 400)
    english = _get(client, "/districts?page=2&lang=en")
    assert "rows 6–10" in english and "The map shows all of them." in english
