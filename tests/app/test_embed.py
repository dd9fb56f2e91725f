"""The /embed/ pages (README "Embedding a map in another website"): who may frame them, their
options, their language, and the share
dialog of the map pages; and the resource list paged for large sets."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.i18n import COOKIE
from mapping.pages import query as page_query
from tests.app.conftest import make_app

ORIGINS = "https://www.um.walbrzych.pl http://127.0.0.1:8123"
POLICY = "frame-ancestors 'self' https://www.um.walbrzych.pl http://127.0.0.1:8123"


def _frame_ancestors(response) -> str:
    """The frame-ancestors directive of the response's Content-Security-Policy."""
    directives = response.headers["Content-Security-Policy"].split("; ")
    return next(d for d in directives if d.startswith("frame-ancestors"))


# (Polish URL, English URL) of every embed.
EMBEDS = [
    ("/embed/mapa/needs_index", "/embed/map/needs_index"),
    ("/embed/mapa/social_assistance_rate?year=2013&k=4", "/embed/map/social_assistance_rate?k=4"),
    ("/embed/porownanie/needs_index", "/embed/compare/needs_index"),
    ("/embed/zasoby", "/embed/resources"),
    ("/embed/zasoby?category=swietlica&district=sobiecin", "/embed/resources?q=klub"),
    ("/embed/obszary", "/embed/targets"),
    ("/embed/obszary?method=imd&top=3&access_weight=1", "/embed/targets?top=4"),
]
PAGES = [
    "/",
    "/mapa/needs_index",
    "/map/needs_index",
    "/porownanie/needs_index",
    "/dzielnice",
    "/dzielnice/gaj",
    "/zasoby",
    "/obszary",
    "/targets",
    "/zasoby.csv",
    "/no-such-page",
    "/embed",  # not under /embed/
    "/embedded/zasoby",
]
# Map pages -> the embed their share dialog offers.
SHARED = [
    ("/", "/embed/zasoby?lang=pl"),
    ("/?lang=en", "/embed/resources?lang=en"),
    ("/mapa/needs_index?year=2012&k=3", "/embed/mapa/needs_index?year=2012&amp;k=3&amp;lang=pl"),
    ("/map/needs_index?lang=en", "/embed/map/needs_index?lang=en"),
    ("/porownanie/needs_index?from=2010", "/embed/porownanie/needs_index?from=2010&amp;lang=pl"),
    ("/zasoby?category=swietlica", "/embed/zasoby?category=swietlica&amp;lang=pl"),
    ("/obszary?top=3", "/embed/obszary?top=3&amp;lang=pl"),
    ("/targets?top=3&lang=en", "/embed/targets?top=3&amp;lang=en"),
    # The district pages: the list's map is the needs index of the latest year; a district's map
    # is its resources.
    ("/dzielnice", "/embed/mapa/needs_index?year=2021&amp;lang=pl"),
    ("/districts?lang=en", "/embed/map/needs_index?year=2021&amp;lang=en"),
    ("/dzielnice/podzamcze?year=2012", "/embed/zasoby?district=podzamcze&amp;lang=pl"),
]


@pytest.fixture(scope="module")
def embed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo data; the embeds may be framed by the two origins of ORIGINS."""
    app = make_app(Path(tmp_path_factory.mktemp("embed")), EMBED_ORIGINS=ORIGINS)
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    yield app


@pytest.fixture
def embed_client(embed_app: Flask) -> FlaskClient:
    return embed_app.test_client()


def _get(client: FlaskClient, url: str, status: int = 200, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _english(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "lang=en"


# --------------------------------------------------------------------------- framing


@pytest.mark.parametrize(("polish", "english"), EMBEDS)
def test_every_embed_may_be_framed_by_palmap_and_the_listed_origins(
    embed_client: FlaskClient, polish: str, english: str
) -> None:
    for url, lang in ((polish, "pl"), (_english(english), "en")):
        response = embed_client.get(url)
        assert response.status_code == 200, url
        assert _frame_ancestors(response) == POLICY
        assert "X-Frame-Options" not in response.headers
        assert "Set-Cookie" not in response.headers
        page = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in page
        assert page.count("L.map(") == 1


@pytest.mark.parametrize("url", PAGES)
def test_every_other_page_refuses_to_be_framed(embed_client: FlaskClient, url: str) -> None:
    response = embed_client.get(url)
    assert _frame_ancestors(response) == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_without_origins_only_palmap_may_frame_the_embeds(client: FlaskClient) -> None:
    response = client.get("/embed/zasoby")
    assert _frame_ancestors(response) == "frame-ancestors 'self'"
    assert "X-Frame-Options" not in response.headers


def test_errors_under_embed_keep_the_embed_policy(embed_client: FlaskClient) -> None:
    response = embed_client.get("/embed/mapa/kasyno")
    assert response.status_code == 404
    assert _frame_ancestors(response) == POLICY


@pytest.mark.parametrize(
    ("url", "status"),
    [("/embed/mapa/kasyno", 404), ("/embed/zasoby?zoom=40", 400), ("/embed/nic", 404)],
)
def test_an_error_inside_a_frame_has_no_site_navigation(
    embed_client: FlaskClient, url: str, status: int
) -> None:
    # The site's pages refuse to be framed: an embed's error offers them in a new tab only.
    page = _get(embed_client, url, status)
    assert "site-header" not in page and "<nav" not in page
    assert 'class="embed-page embed-message"' in page
    links = re.findall(r"<a [^>]*>", page)
    assert links
    for link in links:
        href = re.search(r'href="([^"]*)"', link).group(1)
        assert href.startswith("/embed/") or 'target="_blank"' in link, link
    # Outside /embed/ the error page is the site's, with its navigation.
    assert "site-header" in _get(embed_client, "/mapa/kasyno", 404)


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize(("polish", "english"), EMBEDS)
def test_an_embed_is_the_map_alone(embed_client: FlaskClient, polish: str, english: str) -> None:
    page = _get(embed_client, polish)
    # No site header, navigation, form or language switch; read-only.
    for absent in ("<nav", "<form", "site-header", "lang-switch", "<input", "<select", "<button"):
        assert absent not in page, absent
    assert 'class="embed-map"' in page
    assert 'class="embed-title"' in page
    assert "Otwórz w palmap" in page
    assert 'target="_blank" rel="noopener"' in page
    # The schematic note travels with the map (in its attribution).
    assert "Granice schematyczne, nieoficjalne" in page
    assert "Open in palmap" in _get(embed_client, _english(english))


def test_title_and_legend_can_be_left_out(embed_client: FlaskClient) -> None:
    full = _get(embed_client, "/embed/mapa/needs_index")
    assert 'class="embed-title"' in full
    assert full.count("palmap-legend leaflet-bar") == 1
    bare = _get(embed_client, "/embed/mapa/needs_index?title=0&legend=0")
    assert 'class="embed-title"' not in bare
    assert '<h1 class="visually-hidden">' in bare
    assert "palmap-legend leaflet-bar" not in bare
    resources = _get(embed_client, "/embed/zasoby?legend=0")
    assert "palmap-legend leaflet-bar" not in resources


def test_layers_put_those_categories_on_top(embed_client: FlaskClient) -> None:
    plain = _get(embed_client, "/embed/obszary")
    assert "L.markerClusterGroup(" not in plain
    page = _get(embed_client, "/embed/obszary?layers=swietlica,plac_zabaw")
    assert page.count("L.markerClusterGroup(") == 2
    # Switched on: each cluster is added to the map (the indicator page adds them switched off).
    assert len(re.findall(r"marker_cluster_\w+\.addTo\(map_\w+\)", page)) == 2
    off = _get(embed_client, "/embed/mapa/needs_index")
    assert off.count("L.markerClusterGroup(") == 11
    assert not re.findall(r"marker_cluster_\w+\.addTo\(map_\w+\)", off)
    on = _get(embed_client, "/embed/mapa/needs_index?layers=boisko")
    assert on.count("L.markerClusterGroup(") == 1
    assert len(re.findall(r"marker_cluster_\w+\.addTo\(map_\w+\)", on)) == 1
    only = _get(embed_client, "/embed/zasoby?layers=swietlica")
    assert only.count("L.markerClusterGroup(") == 1


def test_zoom_and_centre_set_the_view(embed_client: FlaskClient) -> None:
    page = _get(embed_client, "/embed/zasoby?zoom=14.5&centre=50.77,16.28")
    view = re.search(r"\}\)\(map_\w+, (\[\[.*?\]\]),\s+(.*?)\);", page, re.S)
    assert json.loads(view.group(1)) == [[50.726557, 16.22551], [50.850455, 16.34648]]
    assert view.group(2) == "[50.77, 16.28], 14.5"
    # The districts are fitted without animation, once, before the asked view.
    assert not re.search(r"map_\w+\.fitBounds\(", page)
    assert '<body class="embed-page" data-fixed-view>' in page
    fitted = _get(embed_client, "/embed/zasoby")
    assert '<body class="embed-page">' in fitted
    assert "centre || map.getCenter()" not in fitted
    assert len(re.findall(r"map_\w+\.fitBounds\(", fitted)) == 1
    only_zoom = _get(embed_client, "/embed/zasoby?zoom=13")
    assert re.search(r"\]\],\s+null, 13\.0\);", only_zoom)


def test_tiles_are_chosen_from_two_names_never_a_url(embed_client: FlaskClient) -> None:
    assert "tile.openstreetmap.org" not in _get(embed_client, "/embed/zasoby")  # app: none
    assert "tile.openstreetmap.org" in _get(embed_client, "/embed/zasoby?tiles=osm")
    assert "tile.openstreetmap.org" not in _get(embed_client, "/embed/zasoby?tiles=none")
    page = _get(embed_client, "/embed/zasoby?tiles=https://evil.example/{z}/{x}/{y}.png", 400)
    assert "evil.example/{z}" not in page.replace("&#34;", '"').split("podano")[0]
    assert "osm, none" in page


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("legend=2", ["legend", "0, 1"]),
        ("title=yes", ["title", "0, 1"]),
        ("zoom=99", ["zoom", "1", "18"]),
        ("zoom=abc", ["zoom", "1", "18"]),
        ("zoom=nan", ["zoom", "1", "18"]),
        ("centre=50.77", ["centre", "50.77,16.28"]),
        ("centre=91,16", ["centre", "-90", "90"]),
        ("centre=50,abc", ["centre", "-180", "180"]),
        ("layers=kasyno", ["layers", "swietlica", "plac_zabaw"]),
        ("layers=swietlica,,kasyno", ["layers", "swietlica"]),
        ("layers=,", ["layers", "swietlica"]),
        ("tiles=satellite", ["tiles", "osm, none"]),
        ("lang=de", ["lang", "pl, en"]),
    ],
)
def test_options_out_of_range_are_a_400_that_names_the_allowed_values(
    embed_client: FlaskClient, query: str, names: list[str]
) -> None:
    for path in ("/embed/zasoby", "/embed/mapa/needs_index", "/embed/obszary"):
        response = embed_client.get(f"{path}?{query}", headers={"Accept": "application/json"})
        assert response.status_code == 400, (path, query)
        message = response.get_json()["message"]
        for name in names:
            assert name in message, (query, message)


def test_unknown_layer_year_or_filter_is_a_404_like_the_pages(embed_client: FlaskClient) -> None:
    page = _get(embed_client, "/embed/mapa/kasyno", 404)
    assert 'href="/embed/mapa/needs_index"' in page
    page = _get(embed_client, "/embed/map/kasyno?lang=en", 404)
    assert 'href="/embed/map/needs_index"' in page
    page = _get(embed_client, "/embed/mapa/needs_index?year=1900", 404)
    assert 'href="/embed/mapa/needs_index?year=2021"' in page
    _get(embed_client, "/embed/obszary?year=1900", 404)
    _get(embed_client, "/embed/zasoby?category=kasyno", 404)
    _get(embed_client, "/embed/porownanie/needs_index?from=1900", 404)


def test_the_same_query_gives_the_same_classes_as_the_page(embed_client: FlaskClient) -> None:
    query = "year=2013&scheme=equal_interval&k=4&palette=cividis"
    page = _get(embed_client, f"/mapa/social_assistance_rate?{query}")
    embed = _get(embed_client, f"/embed/mapa/social_assistance_rate?{query}")
    legend = re.search(r'<p class="legend-text">(.*?)</p>', page, re.S).group(1)
    classes = re.findall(r"</span>([^<]*–[^<]*)</span>", legend)
    assert len(classes) == 4
    decoded = json.loads(re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', embed).group(1))
    for text in classes:
        assert html.unescape(text.strip()) in html.unescape(decoded)


def test_language_comes_from_the_query_alone(embed_client: FlaskClient) -> None:
    embed_client.set_cookie(COOKIE, "en")
    # The pages follow the cookie; an embed does not read it (nor set one).
    assert "Overview map" in _get(embed_client, "/")
    response = embed_client.get("/embed/zasoby")
    assert '<html lang="pl">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    response = embed_client.get("/embed/zasoby?lang=en")
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_embeds_are_cached_with_an_etag(embed_client: FlaskClient) -> None:
    first = embed_client.get("/embed/obszary?top=3")
    etag = first.headers["ETag"]
    again = embed_client.get("/embed/obszary?top=3", headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = embed_client.get("/embed/obszary?top=3&legend=0")
    assert other.headers["ETag"] != etag


def test_hostile_filters_are_text_in_an_embed(embed_client: FlaskClient) -> None:
    hostile = "<img src=x onerror=alert(1)></title><script>alert(2)</script>"
    page = _get(embed_client, "/embed/zasoby", query_string={"q": hostile})
    assert "<img src=x" not in page
    assert "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


# --------------------------------------------------------------------------- share dialog


@pytest.mark.parametrize(("url", "embed"), SHARED)
def test_map_pages_have_the_share_dialog(embed_client: FlaskClient, url: str, embed: str) -> None:
    page = _get(embed_client, url)
    assert '<dialog id="share-dialog"' in page
    english = "lang=en" in url
    assert ("Share / embed" if english else "Udostępnij / osadź") in page
    # The iframe code is text in the dialog: escaped once for the page.
    code = re.search(r'<textarea id="share-code"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert code.startswith("&lt;iframe src=&#34;")
    assert code.endswith("&gt;&lt;/iframe&gt;")
    assert f"&lt;iframe src=&#34;{embed.replace('&amp;', '&amp;amp;')}&#34;" in code
    assert "width=&#34;800&#34; height=&#34;500&#34;" in code
    # Labelled size fields; the embed in the dialog exists.
    for field in ("share-page-url", "share-width", "share-height", "share-code"):
        assert f'<label for="{field}">' in page
    src = html.unescape(re.search(r'data-embed-url="([^"]*)"', page).group(1))
    assert src == html.unescape(embed)
    assert embed_client.get(src).status_code == 200


def test_pages_without_a_map_have_no_share_dialog(embed_client: FlaskClient) -> None:
    assert "share-dialog" not in _get(embed_client, "/embed/zasoby")
    assert "share-dialog" not in _get(embed_client, "/obszary/karta")
    assert "share-dialog" not in _get(embed_client, "/no-such-page", 404)


def test_a_district_filter_fits_the_resource_map_to_that_district(
    embed_client: FlaskClient,
) -> None:
    def fitted(url: str) -> list[list[float]]:
        found = re.findall(r"map_\w+\.fitBounds\(\s*(\[\[.*?\]\])", _get(embed_client, url), re.S)
        assert len(found) == 1, url
        return json.loads(found[0])

    city = fitted("/embed/zasoby")
    for url in ("/embed/zasoby?district=podzamcze", "/zasoby?district=podzamcze"):
        (south, west), (north, east) = fitted(url)
        assert city[0][0] <= south < north <= city[1][0]
        assert city[0][1] <= west < east <= city[1][1]
        # A smaller box than the city's.
        assert (north - south) * (east - west) < 0.5 * (city[1][0] - city[0][0]) * (
            city[1][1] - city[0][1]
        )


def test_a_hostile_query_cannot_add_markup_to_the_iframe_code(embed_client: FlaskClient) -> None:
    hostile = "\"'><img src=x onerror=alert(1)></textarea><script>alert(2)</script>"
    page = _get(embed_client, "/zasoby", query_string={"q": hostile})
    assert "<img src=x" not in page
    assert "<script>alert(2)" not in page
    assert "</textarea><script>" not in page
    code = re.search(r'<textarea id="share-code"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    shown = html.unescape(code)  # what the visitor sees and copies
    assert shown.count("<") == 2 and shown.count(">") == 2  # <iframe ...></iframe> only
    assert "%3Cimg%20src%3Dx" in shown or "%3Cimg+src%3Dx" in shown


# --------------------------------------------------------------------------- scale


def test_the_resource_list_is_paged_while_the_map_shows_every_row(
    embed_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_query, "PAGE_SIZE", 50)
    page = _get(embed_client, "/zasoby?page=2")
    assert page.count("<tr data-id=") == 50
    assert "wiersze 51–100" in page
    assert 'href="/zasoby?page=1"' in page and 'href="/zasoby?page=3"' in page
    assert "116 z 116" in re.search(r'id="result-count">([^<]*)', page).group(1)
    # The map holds every placed resource, not only the listed 50.
    assert page.count('"rid": "') == 113
    last = _get(embed_client, "/zasoby?page=3")
    assert last.count("<tr data-id=") == 16
    for wrong in ("0", "4", "x", "-1"):
        response = embed_client.get(f"/zasoby?page={wrong}", headers={"Accept": "application/json"})
        assert response.status_code == 400
        message = response.get_json()["message"]
        assert "1" in message and "3" in message


def test_large_sets_travel_as_compact_escaped_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above FAST_RESOURCES_ABOVE points a map sends one array per category; every string in
    it is escaped by escape_text, websites only when safe_url accepts them."""
    import geopandas as gpd
    import pandas as pd
    from shapely import Point, box

    from mapping.render import interactive

    monkeypatch.setattr(interactive, "FAST_RESOURCES_ABOVE", 2)
    hostile = ["<img src=x onerror=alert(1)>", "${document.title=1}", "a`b</script><script>x()"]
    districts = gpd.GeoDataFrame(
        {"name": ["Gaj"], "schematic": [False]}, geometry=[box(16.2, 50.7, 16.3, 50.8)], crs=4326
    )
    resources = gpd.GeoDataFrame(
        {
            "name": hostile + ["Klub"],
            "category": ["kis", "kis", "mops", "kis"],
            "address": hostile[::-1] + [None],
            "operator": [None, "Gmina", None, ""],
            "website": ["javascript:alert(1)", "https://example.org/?a=1&b=2", None, "data:x"],
        },
        geometry=[Point(16.25, 50.75), Point(16.26, 50.75), Point(16.27, 50.75), None],
        crs=4326,
    )
    categories = pd.DataFrame(
        {
            "code": ["kis", "mops"],
            "name_pl": ["Klub <b>", "MOPS"],
            "name_en": ["Club", "Office"],
            "colour": ["#882255", "#cc6677"],
        }
    )
    page = interactive.standalone_html(
        interactive.overview_map(districts, resources, categories, tiles="none")
    )
    for raw in ("<img src=x", "${document", "a`b", "</script><script>x", "javascript:"):
        assert raw not in page
    assert page.count("L.markerClusterGroup(") == 1  # one shared cluster
    assert page.count("palmapFastPoints(map_") == 1
    # Each category's rows are a JSON text in a JavaScript string, parsed by JSON.parse.
    blobs = re.findall(r"\.category\(JSON\.parse\((\".*?\")\)\);\n", page)
    rows = [json.loads(json.loads(blob)) for blob in blobs]
    assert [r["colour"] for r in rows] == ["#882255", "#cc6677"]
    assert rows[0]["name"] == "Klub &lt;b&gt;"
    kis = rows[0]["rows"]
    assert [row[3] for row in kis] == [
        "&lt;img src=x onerror=alert(1)&gt;",
        "&#36;{document.title=1}",
    ]
    assert [row[6] for row in kis] == ["", "https://example.org/?a=1&amp;b=2"]
    assert kis[0][:3] == [50.75, 16.25, "0"]
    assert rows[1]["rows"][0][3] == "a&#96;b&lt;/script&gt;&lt;script&gt;x()"
