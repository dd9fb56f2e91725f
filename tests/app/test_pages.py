"""The pages on the demo data: routes and aliases, 404s that list what exists, the
resources list/map/downloads agreeing, small counts suppressed, names escaped, ETag and 304."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import parse_qsl, urlsplit

import geopandas as gpd
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from shapely import Point

from app.db import get_engine
from mapping.db import store
from mapping.render.assets import remote_asset_urls

#: One URL of every page, Polish route first, then its English alias.
PAGES = [
    ("/mapa/needs_index", "/map/needs_index"),
    ("/mapa/social_assistance", "/map/social_assistance"),
    ("/mapa/social_assistance_rate?year=2013&scheme=fisher_jenks&k=4",
     "/map/social_assistance_rate"),
    ("/mapa/needs_index?method=imd&weights=social_assistance=2,long_term_unemployed=1",
     "/map/needs_index?method=imd"),
    ("/porownanie/needs_index", "/compare/needs_index"),
    ("/porownanie/long_term_unemployed_rate?from=2010&to=2021", "/compare/residents"),
    ("/dzielnice", "/districts"),
    ("/dzielnice/lubiechow", "/districts/sobiecin?year=2012"),
    ("/zasoby", "/resources"),
    ("/zasoby?category=swietlica&district=sobiecin&q=swietlica", "/resources?q=klub"),
    ("/obszary", "/targets"),
    ("/obszary?year=2013&method=imd&w_social_assistance=2&access_weight=1&supply_weight=1"
     "&category=swietlica&top=3", "/targets?top=8"),
]  # fmt: skip
ALL_URLS = [url for pair in PAGES for url in pair]

HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "${document.title=1}",
    "`</script><script>alert(2)</script>",
)


def _get(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _decoded(page: str) -> str:
    """The page with JSON's \\uXXXX escapes decoded (names travel inside the maps' GeoJSON)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def _cells(page: str, table_id: str) -> list[list[str]]:
    """The text of every body cell of one table, row by row."""
    body = page.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(
            r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows
    ]  # fmt: skip


def _row(page: str, table_id: str, district: str) -> list[str]:
    body = page.split(f'id="{table_id}"', 1)[1]
    match = re.search(rf'<tr data-district="{district}"[^>]*>(.*?)</tr>', body, re.S)
    assert match, district
    return [
        html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    ]


# --------------------------------------------------------------------------- routes


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_page_answers_in_both_languages(client: FlaskClient, url: str, lang: str) -> None:
    sep = "&" if "?" in url else "?"
    page = _get(client, f"{url}{sep}lang={lang}")
    assert f'<html lang="{lang}">' in page
    assert remote_asset_urls(page) == []
    # The header links every page, in the visitor's language.
    nav = page.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    if lang == "pl":
        for path in ("/mapa", "/porownanie", "/dzielnice", "/zasoby", "/obszary"):
            assert f'href="{path}"' in nav
        assert "Obszary docelowe" in nav
    else:
        for path in ("/map", "/compare", "/districts", "/resources", "/targets"):
            assert f'href="{path}"' in nav
        assert "Target areas" in nav


def test_english_aliases_serve_the_same_page(client: FlaskClient) -> None:
    for polish, english in [
        ("/mapa/needs_index", "/map/needs_index"),
        ("/dzielnice/gaj", "/districts/gaj"),
        ("/zasoby?category=ngo", "/resources?category=ngo"),
        ("/obszary", "/targets"),
        ("/porownanie/residents", "/compare/residents"),
    ]:
        pl = _get(client, polish)
        en = _get(client, english)
        title = re.search(r"<h1>(.*?)</h1>", pl, re.S).group(1)
        assert title == re.search(r"<h1>(.*?)</h1>", en, re.S).group(1)
    assert client.get("/zasoby.csv").data == client.get("/resources.csv").data
    assert client.get("/zasoby.geojson").data == client.get("/resources.geojson").data


def test_default_pages_redirect_to_the_needs_index(client: FlaskClient) -> None:
    assert client.get("/mapa").headers["Location"].endswith("/mapa/needs_index")
    assert client.get("/map?lang=en").headers["Location"].endswith("/map/needs_index")
    assert client.get("/porownanie?lang=pl").headers["Location"].endswith("/porownanie/needs_index")
    # The layer select of a map page moves to that layer, other settings kept.
    response = client.get("/mapa/needs_index?layer=residents&year=2012&k=3")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/mapa/residents"
    assert dict(parse_qsl(target.query)) == {"year": "2012", "k": "3"}


def test_language_switch_keeps_the_page_and_its_settings(client: FlaskClient) -> None:
    page = _get(client, "/obszary?year=2012&top=3")
    switch = re.search(r'<a class="lang" href="([^"]+)"[^>]*>EN</a>', page).group(1)
    target = urlsplit(html.unescape(switch))
    assert target.path == "/targets"
    assert dict(parse_qsl(target.query)) == {"year": "2012", "top": "3", "lang": "en"}


# --------------------------------------------------------------------------- 404s and 400s


def test_unknown_layer_lists_every_layer(client: FlaskClient) -> None:
    page = _get(client, "/mapa/poverty", 404)
    for code in ("needs_index", "residents", "social_assistance", "social_assistance_rate"):
        assert f'href="/mapa/{code}"' in page
    assert "residents_rate" not in page  # residents has no denominator, so no rate layer
    page = _get(client, "/compare/poverty?lang=en", 404)
    assert 'href="/compare/children_assisted_rate"' in page
    assert "There is no layer poverty." in page


def test_unknown_year_lists_the_years_with_data(client: FlaskClient) -> None:
    page = _get(client, "/mapa/social_assistance?year=1999&k=3", 404)
    assert "Brak danych za rok 1999" in page
    for year in (2010, 2011, 2012, 2013, 2021):
        assert f"/mapa/social_assistance?year={year}&amp;k=3" in page
    page = _get(client, "/porownanie/needs_index?from=2000", 404)
    assert "from=2010" in page
    _get(client, "/obszary?year=abc", 404)
    _get(client, "/dzielnice/gaj?year=2030", 404)


def test_unknown_district_and_category_list_what_exists(client: FlaskClient) -> None:
    page = _get(client, "/dzielnice/atlantyda", 404)
    assert "Nie ma dzielnicy atlantyda" in page
    assert page.count('href="/dzielnice/') == 21
    page = _get(client, "/zasoby?category=kasyno", 404)
    assert 'href="/zasoby?category=swietlica"' in page
    page = _get(client, "/resources?district=atlantis&lang=en", 404)
    assert 'href="/resources?district=gaj"' in page
    data = client.get("/mapa/nope?lang=pl", headers={"Accept": "application/json"}).get_json()
    assert data["status"] == 404
    assert {"label": "Wskaźnik potrzeb", "url": "/mapa/needs_index"} in data["known"]


def test_settings_out_of_range_are_400_naming_what_works(client: FlaskClient) -> None:
    page = _get(client, "/mapa/needs_index?scheme=rainbow", 400)
    assert "quantiles, equal_interval, fisher_jenks" in page
    _get(client, "/mapa/needs_index?k=99", 400)
    _get(client, "/mapa/needs_index?method=magic", 400)
    _get(client, "/mapa/needs_index?w_social_assistance=-1", 400)
    _get(client, "/mapa/needs_index?weights=social_assistance=0", 400)
    _get(client, "/porownanie/needs_index?from=2013&to=2013", 400)
    _get(client, "/obszary?access_weight=lots", 400)
    _get(client, "/obszary?top=100", 400)


# --------------------------------------------------------------------------- map pages


def test_indicator_map_has_legend_breaks_unit_source_and_a_table(client: FlaskClient) -> None:
    page = _get(client, "/mapa/social_assistance_rate?year=2021&scheme=equal_interval&k=4")
    legend = re.search(r'<p class="legend-text">(.*?)</p>', page, re.S).group(1)
    classes = re.findall(r"(-?[\d ,]+) – (-?[\d ,]+)", html.unescape(legend))
    assert len(classes) == 4
    # Equal intervals: the four classes have the same width (decimal comma in Polish).
    bounds = [float(a.replace(",", ".")) for a, _ in classes] + [
        float(classes[-1][1].replace(",", "."))
    ]
    widths = {round(b - a, 1) for a, b in zip(bounds, bounds[1:], strict=False)}
    assert max(widths) - min(widths) <= 0.2
    decoded = _decoded(page)
    assert "palmap-classes" in decoded  # the legend inside the map
    assert "na 1000 (mieszkańcy)" in page  # the unit
    assert "Źródło: ilustracyjne wartości demonstracyjne, nieoficjalne" in page
    rows = _cells(page, "values-table")
    assert len(rows) == 21
    assert [r[0] for r in rows][:3] == ["1 / 21", "2 / 21", "3 / 21"]
    # Tooltips carry the value and the rank.
    assert "Miejsce" in decoded and "/ 21" in decoded


def test_numbers_follow_the_language(client: FlaskClient) -> None:
    pl = _cells(_get(client, "/mapa/needs_index?lang=pl"), "values-table")
    en = _cells(_get(client, "/mapa/needs_index?lang=en"), "values-table")
    assert re.fullmatch(r"-?\d+,\d\d", pl[0][2])
    assert re.fullmatch(r"-?\d+\.\d\d", en[0][2])
    assert pl[0][2].replace(",", ".") == en[0][2]
    residents = _cells(_get(client, "/mapa/residents?lang=pl"), "values-table")
    assert any("\xa0" in row[2] for row in residents)  # 19 301 with a no-break space


def test_needs_index_weights_and_method_change_the_map(client: FlaskClient) -> None:
    equal = _cells(_get(client, "/mapa/needs_index"), "values-table")
    weighted = _cells(
        _get(client, "/mapa/needs_index?weights=long_term_unemployed=1"), "values-table"
    )
    form = _cells(
        _get(
            client,
            "/mapa/needs_index?w_long_term_unemployed=1&w_social_assistance=0"
            "&w_children_assisted=0&w_disability_support=0",
        ),
        "values-table",
    )
    assert weighted != equal
    assert [r[1] for r in form] == [r[1] for r in weighted]
    assert "IMD" in _get(client, "/mapa/needs_index?method=imd")


def test_comparison_uses_pooled_breaks_and_judges_change_by_direction(
    client: FlaskClient,
) -> None:
    page = _get(client, "/porownanie/social_assistance_rate?from=2010&to=2021")
    rows = _cells(page, "change-table")
    assert len(rows) == 21
    for row in rows:
        if row[4] in ("poprawa", "pogorszenie"):
            change = float(row[3].replace(",", ".").replace("+", ""))
            # More assistance per 1,000 residents is more need: a fall is an improvement.
            assert (change < 0) == (row[4] == "poprawa"), row
    # One set of classes for both years, shown once under the pair.
    shared = re.search(r'id="shared-legend">(.*?)</p>', page, re.S).group(1)
    assert len(re.findall(r" – ", shared)) == 5
    decoded = _decoded(page)
    assert decoded.count("palmap-classes") == 1  # the change map's legend
    assert page.count('class="folium-map"') == 3
    # Leaflet is loaded once for the three maps.
    assert page.count('src="/static/vendor/leaflet/leaflet.js"') == 1


def test_district_page_has_charts_rank_resources_and_access(client: FlaskClient) -> None:
    page = _get(client, "/dzielnice/sobiecin")
    # One chart per indicator: residents, its three age groups (issue 14) and four needs.
    assert page.count('<svg class="palmap-chart"') == 8
    assert re.search(r"Miejsce wg potrzeb</dt><dd>\d+ / 21</dd>", page)
    assert "Dostęp do zasobów" in page and " m</dd>" in page
    assert "supply-table" in page and "district-resources" in page
    names = re.findall(r"<li><strong>(.*?)</strong>", page)
    listing = _get(client, "/zasoby?district=sobiecin")
    assert len(names) == len(_cells(listing, "resources-table")) > 0


def test_districts_list_links_every_district(client: FlaskClient) -> None:
    page = _get(client, "/dzielnice")
    rows = _cells(page, "districts-table")
    assert len(rows) == 21
    assert sum(int(r[3]) for r in rows) == 116  # every demo resource lies in a district
    assert _decoded(page).count("palmap-district-link") == 21


# --------------------------------------------------------------------------- resources


def _list_ids(page: str) -> list[int]:
    body = page.split('id="resources-table"', 1)[1] if 'id="resources-table"' in page else ""
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', body)]


def _map_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'"rid": "(\d+)"', page)}


def _placed_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr data-id="(\d+)" data-placed="yes"', page)}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "category=plac_zabaw",
        "district=srodmiescie",
        "q=szkoly",
        "q=SWIETLICA+srodowiskowa",
        "category=mops&district=srodmiescie",
        "category=ngo&q=nothing-matches-this",
    ],
)
def test_resources_list_map_and_downloads_hold_the_same_rows(
    client: FlaskClient, query: str
) -> None:
    page = _get(client, f"/zasoby?{query}")
    listed = _list_ids(page)
    assert len(listed) == len(set(listed))
    assert _map_ids(page) == _placed_ids(page)  # the map draws exactly the listed points
    rows = list(csv.DictReader(io.StringIO(_get(client, f"/zasoby.csv?{query}"))))
    assert [int(r["id"]) for r in rows] == listed
    geo = json.loads(_get(client, f"/zasoby.geojson?{query}"))
    assert [f["properties"]["id"] for f in geo["features"]] == listed
    placed = {f["id"] for f in geo["features"] if f["geometry"] is not None}
    assert placed == _map_ids(page)
    if query == "":
        assert len(listed) == 116 and len(placed) == 113
    if query == "category=ngo&q=nothing-matches-this":
        assert listed == [] and "Żaden zasób nie pasuje" in page


def test_resource_filters_filter(client: FlaskClient) -> None:
    rows = list(csv.DictReader(io.StringIO(_get(client, "/zasoby.csv?category=plac_zabaw"))))
    assert rows and {r["category"] for r in rows} == {"plac_zabaw"}
    rows = list(csv.DictReader(io.StringIO(_get(client, "/zasoby.csv?district=srodmiescie"))))
    assert rows and {r["district_code"] for r in rows} == {"srodmiescie"}
    # The three real MOPS addresses have no point: listed, exported, not drawn.
    assert sum(1 for r in rows if not r["lon"]) == 3
    rows = list(csv.DictReader(io.StringIO(_get(client, "/zasoby.csv?q=%C5%9Bwietlica"))))
    assert rows and all("świetlica" in (r["name"] + r["description"]).lower() for r in rows)
    response = client.get("/zasoby.csv?category=ngo")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get("/zasoby.geojson").mimetype == "application/geo+json"


def test_csv_guards_formulas(app: Flask, client: FlaskClient) -> None:
    frame = gpd.GeoDataFrame(
        {
            "external_id": ["f1", "f2"],
            "name": ['=HYPERLINK("http://evil")', "@SUM(A1)"],
            "category": ["ngo", "ngo"],
            "address": ["+48 123", "\tTab"],
            "operator": ["-2+3", "ok"],
            "district_code": ["gaj", "gaj"],
            "synthetic": [True, True],
        },
        geometry=[None, None],
        crs=4326,
    )
    with get_engine(app).begin() as conn:
        store.save_resources(conn, frame)
    rows = list(csv.DictReader(io.StringIO(_get(client, "/zasoby.csv?district=gaj"))))
    by_id = {r["external_id"]: r for r in rows}
    assert by_id["f1"]["name"] == '\'=HYPERLINK("http://evil")'
    assert by_id["f1"]["address"] == "'+48 123"
    assert by_id["f1"]["operator"] == "'-2+3"
    assert by_id["f2"]["name"] == "'@SUM(A1)"
    assert by_id["f2"]["address"] == "'\tTab"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


# --------------------------------------------------------------------------- target areas


def test_target_areas_show_the_ranking_with_intervals_and_a_share_link(
    client: FlaskClient,
) -> None:
    url = "/obszary?w_social_assistance=3&w_long_term_unemployed=1&access_weight=1&top=4"
    page = _get(client, url)
    rows = _cells(page, "ranking-table")
    assert [int(r[0]) for r in rows] == list(range(1, 22))
    for row in rows:
        low, high = (int(x) for x in row[3].split("–"))
        assert low <= high
        assert row[4].endswith("%")  # the share of the runs in the top 4
        assert row[5] in ("stabilna", "niestabilna")
    assert page.count('class="top"') == 4
    share = html.unescape(re.search(r'id="share-link"[^>]*value="([^"]+)"', page).group(1))
    query = dict(parse_qsl(urlsplit(share).query, keep_blank_values=True))
    assert query == {
        "year": "2021",
        "method": "zscore",
        "w_children_assisted": "0",
        "w_disability_support": "0",
        "w_long_term_unemployed": "1",
        "w_social_assistance": "3",
        "access_weight": "1",
        "supply_weight": "0",
        "category": "",
        "top": "4",
        "mv": "2",  # the method version: a shared link keeps its method
    }
    shared = _get(client, urlsplit(share).path + "?" + urlsplit(share).query)
    assert _cells(shared, "ranking-table") == rows
    # Another language, the same ranking (districts and ranks).
    english = _cells(_get(client, urlsplit(share).path + "?" + urlsplit(share).query
                          + "&lang=en"), "ranking-table")  # fmt: skip
    assert [(r[0], r[1]) for r in english] == [(r[0], r[1]) for r in rows]


def test_weights_change_the_ranking(client: FlaskClient) -> None:
    only = "/obszary?w_long_term_unemployed={}&w_social_assistance=0&w_children_assisted=0"
    first = _cells(_get(client, only.format(1) + "&w_disability_support=0"), "ranking-table")
    second = _cells(_get(client, only.format(0) + "&w_disability_support=1"), "ranking-table")
    assert [r[1] for r in first] != [r[1] for r in second]


# --------------------------------------------------------------------------- privacy


def _table_rows(text: str) -> list[str]:
    """A table download's CSV rows without its ``# key: value`` meta rows (README)."""
    return [line for line in text.splitlines() if not line.startswith("# ")]


def test_table_downloads_say_how_they_were_made(client: FlaskClient) -> None:
    """Issue 14, point 9: the needs index's table carries its method, weights, denominators,
    sources and data version as comment rows; pandas reads the table with comment="#"."""
    import pandas as pd

    from mapping.method import read_meta

    text = _get(client, "/mapa/needs_index/tabela.csv?year=2013&method=imd")
    meta = read_meta(text)
    assert meta["analysis"] == "needs" and meta["settings"]["method"] == "imd"
    assert set(meta["weights"]) == set(meta["denominators"]) == set(meta["sources"])
    assert meta["denominators"]["social_assistance"] == "residents"
    assert meta["data_version"].startswith("live data")
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert len(table) == 21 and list(table.columns)[:2] == ["district_code", "district_name"]
    rate = read_meta(_get(client, "/map/social_assistance_rate/table.csv?year=2013"))
    assert rate["analysis"] == "indicator" and rate["settings"]["kind"] == "rate"
    assert rate["denominators"] == {"social_assistance": "residents"}


def test_small_counts_are_suppressed_on_pages_and_downloads(client: FlaskClient) -> None:
    # Lubiechów (405 residents) has 4 children in assisted families in 2021.
    page = _get(client, "/mapa/children_assisted?year=2021")
    row = _row(page, "values-table", "lubiechow")
    assert row[0] == "–" and row[2] == "< 5"
    assert "mniej niż 5 osób: pokazane jako < 5" in html.unescape(page)
    rate = _row(_get(client, "/mapa/children_assisted_rate?year=2021"), "values-table", "lubiechow")
    assert rate[2] == "–"  # 4 / 57 aged 0-17 * 1000 = 70.2 would point at those families
    table = list(
        csv.DictReader(_table_rows(_get(client, "/mapa/children_assisted/tabela.csv?year=2021")))
    )
    by_code = {r["district_code"]: r for r in table}
    assert by_code["lubiechow"]["value"] == "< 5" and by_code["lubiechow"]["rank"] == ""
    assert by_code["gaj"]["value"] not in ("", "< 5")
    rates = list(
        csv.DictReader(_table_rows(_get(client, "/map/children_assisted_rate/table.csv?year=2021")))
    )
    assert {r["district_code"]: r["value"] for r in rates}["lubiechow"] == ""
    compare = _get(client, "/porownanie/children_assisted?from=2013&to=2021")
    row = _row(compare, "change-table", "lubiechow")
    assert row[1] == "7" and row[2] == "< 5" and row[3] == "–"
    district = _get(client, "/dzielnice/lubiechow")
    card = district.split('data-indicator="children_assisted"', 1)[1].split("</article>", 1)[0]
    assert "< 5" in html.unescape(card)
    assert "70,2" not in card and "70,18" not in card
    assert "ukryte" in card  # the 2021 point of the rate chart is left out
    # The maps' tooltips say "< 5" too, never the count.
    tooltips = _decoded(page)
    assert "<dd>&lt; 5 osoby</dd>" in tooltips
    assert "<dd>4 osoby</dd>" not in tooltips
    assert "<dd>4</dd>" not in _decoded(compare)


def test_min_count_zero_turns_suppression_off_and_analysis_keeps_true_values(
    tmp_path,
) -> None:
    from tests.app.conftest import make_app

    pages = {}
    for min_count in (0, 5):
        app = make_app(tmp_path / str(min_count), MIN_COUNT=min_count)
        runner = app.test_cli_runner()
        for command in (["init-db"], ["load-demo"]):
            assert runner.invoke(args=command).exit_code == 0
        client = app.test_client()
        pages[min_count] = client
    row = _row(_get(pages[0], "/mapa/children_assisted?year=2021"), "values-table", "lubiechow")
    assert row[2] == "4"
    rate = _row(
        _get(pages[0], "/mapa/children_assisted_rate?year=2021"), "values-table", "lubiechow"
    )
    assert rate[2] == "70,2"  # 4 per 57 residents aged 0-17 (issue 14; was 4 / 405 residents)
    # The needs index and the ranking use the true values whatever is shown.
    for url, table in (("/mapa/needs_index", "values-table"), ("/obszary", "ranking-table")):
        assert _cells(_get(pages[0], url), table) == _cells(_get(pages[5], url), table)


# --------------------------------------------------------------------------- hostile names


@pytest.fixture
def hostile_client(app: Flask) -> FlaskClient:
    """The demo with a district and resources named like the XSS inputs of docs/SECURITY.md
    (point 1)."""
    engine = get_engine(app)
    districts = store.load_districts(engine)
    renamed = districts[districts["code"] == "gaj"].copy()
    renamed["name"] = HOSTILE[0]
    with engine.begin() as conn:
        store.save_districts(conn, renamed)
    centre = districts.to_crs(2180).geometry.iloc[1].representative_point()
    point = gpd.GeoSeries([centre], crs=2180).to_crs(4326).iloc[0]
    resources = gpd.GeoDataFrame(
        {
            "external_id": [f"xss-{i}" for i in range(len(HOSTILE))],
            "name": list(HOSTILE),
            "category": ["ngo"] * len(HOSTILE),
            "address": list(HOSTILE),
            "operator": list(HOSTILE),
            "website": ["javascript:alert(3)"] * len(HOSTILE),
            "district_code": [None] * len(HOSTILE),
            "synthetic": [True] * len(HOSTILE),
        },
        geometry=[Point(point.x + i * 1e-4, point.y) for i in range(len(HOSTILE))],
        crs=4326,
    )
    with engine.begin() as conn:
        store.save_resources(conn, resources)
    return app.test_client()


NAME_PAGES = [
    "/",
    "/mapa/needs_index",
    "/mapa/children_assisted?year=2021",
    "/porownanie/needs_index",
    "/dzielnice",
    "/dzielnice/gaj",
    "/dzielnice/lubiechow",
    "/zasoby",
    "/zasoby?category=ngo",
    "/obszary",
    "/obszary?top=9&lang=en",
]


@pytest.mark.parametrize("url", NAME_PAGES)
def test_hostile_names_are_shown_escaped_on_every_page(
    hostile_client: FlaskClient, url: str
) -> None:
    raw = _get(hostile_client, url)
    decoded = _decoded(raw)
    for text in (raw, decoded):
        assert "<img src=x" not in text
        assert "alert(2)</script>" not in text
        assert "javascript:alert" not in text
    # Inside scripts (the maps' data) no template literal can open and no tag can close.
    for script in re.findall(r"<script>(.*?)</script>", raw, re.S):
        assert "${document" not in _decoded(script)
        assert "`</script>" not in _decoded(script)
    # The district renamed <img ...> is shown as text (in a table, inside the map).
    assert "&lt;img src=x onerror=alert(1)&gt;" in decoded
    if url in ("/", "/zasoby", "/zasoby?category=ngo", "/dzielnice/gaj"):
        # Resource names too; the backtick and dollar become character references in maps.
        assert "&#96;&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in decoded
        assert "&#36;{document.title=1}" in decoded


def test_hostile_names_in_downloads_are_data_not_markup(hostile_client: FlaskClient) -> None:
    geo = json.loads(_get(hostile_client, "/zasoby.geojson?category=ngo"))
    names = {f["properties"]["name"] for f in geo["features"]}
    assert set(HOSTILE) <= names
    rows = list(csv.DictReader(io.StringIO(_get(hostile_client, "/zasoby.csv?category=ngo"))))
    assert set(HOSTILE) <= {r["name"] for r in rows}


# --------------------------------------------------------------------------- cache


def test_etag_gives_304_until_the_data_change(app: Flask, client: FlaskClient) -> None:
    first = client.get("/mapa/needs_index")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert "Cookie" in first.headers["Vary"]
    again = client.get("/mapa/needs_index", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # Another query, another language: another ETag.
    assert client.get("/mapa/needs_index?k=3").headers["ETag"] != etag
    assert client.get("/mapa/needs_index?lang=en").headers["ETag"] != etag
    client.get("/?lang=pl")
    # New data: a new version, a new ETag, the new row on the page.
    frame = gpd.GeoDataFrame(
        {
            "external_id": ["new-1"],
            "name": ["Nowa świetlica przy Rynku"],
            "category": ["swietlica"],
            "district_code": ["gaj"],
            "synthetic": [True],
        },
        geometry=[None],
        crs=4326,
    )
    with get_engine(app).begin() as conn:
        store.save_resources(conn, frame)
    fresh = client.get("/zasoby?district=gaj", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert "Nowa świetlica przy Rynku" in fresh.get_data(as_text=True)
    changed = client.get("/mapa/needs_index", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_edits_that_change_no_count_show_on_the_next_request(
    app: Flask, client: FlaskClient
) -> None:
    first = client.get("/dzielnice")
    assert "Gaj" in first.get_data(as_text=True)
    engine = get_engine(app)
    renamed = store.load_districts(engine)
    renamed = renamed[renamed["code"] == "gaj"].copy()
    renamed["name"] = "Gaj Nowy"
    with engine.begin() as conn:
        store.save_districts(conn, renamed)
    assert "Gaj Nowy" in _get(client, "/dzielnice")
    # An edit made outside palmap (the sqlite3 shell, QGIS) shows at once too: the database's
    # triggers raise the data version.
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE district SET name = 'Gaj Stary' WHERE code = 'gaj'"))
    again = client.get("/dzielnice", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "Gaj Stary" in again.get_data(as_text=True)
    # Writing the same data again raises the version but keeps the pages and their ETag.
    etag = again.headers["ETag"]
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE district SET name = 'Gaj Stary' WHERE code = 'gaj'"))
    assert client.get("/dzielnice", headers={"If-None-Match": etag}).status_code == 304


def test_cached_pages_are_served_without_rendering(app: Flask, client: FlaskClient, monkeypatch):
    from mapping.pages import maps

    _get(client, "/porownanie/needs_index")
    monkeypatch.setattr(maps, "district_map", lambda *a, **k: pytest.fail("rendered again"))
    _get(client, "/porownanie/needs_index")
