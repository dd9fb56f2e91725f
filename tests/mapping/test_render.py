"""Tests of mapping.render: escaping, local assets and the interactive overview map.

Maps are checked on fragments of the rendered HTML (element ids are random): the GeoJSON, layer
names and legend embedded in the script are decoded and inspected, never compared as snapshots.
"""

from __future__ import annotations

import ast
import html
import importlib
import json
import logging
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely import Point, box

import mapping.render
from mapping.errors import ConfigurationError, CRSError, NotFoundError, ValidationError
from mapping.render import interactive
from mapping.render.assets import (
    ASSET_FILES,
    VENDOR_PACKAGES,
    RemoteAssetError,
    asset_urls,
    localise_html,
    remote_asset_urls,
    vendor_dir,
)
from mapping.render.choropleth import MapLegend, district_map
from mapping.render.embed import EmbedMapOptions, embed_map
from mapping.render.escape import Link, escape_text, popup_html, safe_url
from mapping.render.interactive import (
    DEFAULT_LABELS,
    MapFragments,
    MapView,
    map_fragments,
    overview_map,
    standalone_html,
)

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_TEMPLATE = "${document.title=1}"
XSS_SCRIPT = "a`b</script><script>alert(2)</script>\\`"
LOCAL_URLS = {
    "/static/vendor/leaflet/leaflet.js",
    "/static/vendor/leaflet/leaflet.css",
    "/static/vendor/markercluster/leaflet.markercluster.js",
    "/static/vendor/markercluster/MarkerCluster.css",
    "/static/vendor/markercluster/MarkerCluster.Default.css",
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [1, 2, 3],
            "code": ["srodmiescie", "podgorze", "piaskowa"],
            "name": ["Śródmieście", "Podgórze <i>&</i>", "Piaskowa Góra"],
            "source": ["demo"] * 3,
            "schematic": [True, True, False],
        },
        geometry=[
            box(16.26, 50.76, 16.28, 50.78),
            box(16.28, 50.76, 16.30, 50.78),
            box(16.26, 50.78, 16.30, 50.80),
        ],
        crs=4326,
    )


@pytest.fixture
def resources() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "name": [XSS_IMG, XSS_TEMPLATE, XSS_SCRIPT, "Klub Pod Lipą", "Bez punktu", "Ośrodek"],
            "category": ["kis", "kis", "mops", "mops", "kis", "mops"],
            "address": ["Rynek 1", "ul. Długa 2", None, "ul. Krótka 3", "ul. Zaginiona 9", ""],
            "operator": ["Gmina", None, "MOPS", 'Fundacja "Razem"', None, "Gmina"],
            "website": [
                "https://example.org/?a=1&b=2",
                None,
                "javascript:alert(1)",
                " JaVaScRiPt:alert(1)",
                "https://lost.example.org",
                "data:text/html,<script>alert(3)</script>",
            ],
        },
        geometry=[
            Point(16.265, 50.765),
            Point(16.2712345678, 50.7712345678),
            Point(16.29, 50.77),
            Point(16.285, 50.79),
            None,
            Point(16.295, 50.765),
        ],
        crs=4326,
    )


@pytest.fixture
def categories() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["kis", "mops", "boisko"],
            "name_pl": ["Klub Integracji Społecznej", "MOPS <punkt>", "boisko szkolne"],
            "name_en": ["Social integration club", "Welfare office", "School pitch"],
            "aliases": ["KIS", "", ""],
            "colour": ["#882255", "#CC6677", "#44AA99"],
        }
    )


@pytest.fixture
def page(districts, resources, categories) -> str:
    return standalone_html(overview_map(districts, resources, categories, tiles="none"))


# --------------------------------------------------------------------------- helpers


class _Assets(HTMLParser):
    """Collect script src and link href values of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.scripts.append(values["src"])
        if tag == "link" and values.get("href"):
            self.links.append(values["href"])


def _assets(page: str) -> _Assets:
    parser = _Assets()
    parser.feed(page)
    return parser


def _geojson_blobs(page: str) -> list[dict]:
    """Every FeatureCollection that the page adds to a GeoJSON layer, decoded."""
    return [json.loads(blob) for blob in re.findall(r"_add\((\{.*\})\);\n", page)]


def _features(page: str, prop: str) -> list[dict]:
    return [
        feature
        for blob in _geojson_blobs(page)
        for feature in blob["features"]
        if prop in feature["properties"]
    ]


def _overlay_names(page: str) -> list[str]:
    block = re.search(r"overlays\s*:\s*\{(.*?)\n\s*\},", page, re.S)
    assert block is not None
    return [json.loads(key) for key in re.findall(r'("(?:[^"\\]|\\.)*") : \w+,', block.group(1))]


def _legend(page: str) -> str | None:
    found = re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', page)
    return json.loads(found.group(1)) if found else None


class _Fragment(HTMLParser):
    """Tags, attributes and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse_fragment(fragment: str) -> _Fragment:
    parser = _Fragment()
    parser.feed(fragment)
    parser.close()
    return parser


def _js(text: str) -> str:
    """``text`` as it appears inside a JSON string embedded in a <script> by folium/Jinja."""
    return (
        json.dumps(text)[1:-1]
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


# --------------------------------------------------------------------------- escape_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (pd.NaT, ""),
        ("", ""),
        (12, "12"),
        (1.5, "1.5"),
        ("Rynek 1", "Rynek 1"),
        (XSS_IMG, "&lt;img src=x onerror=alert(1)&gt;"),
        (XSS_TEMPLATE, "&#36;{document.title=1}"),
        ("a`b", "a&#96;b"),
        ("</script>", "&lt;/script&gt;"),
        ("C:\\dir", "C:&#92;dir"),
        ("\"quoted\" 'single'", "&quot;quoted&quot; &#x27;single&#x27;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("Łódź", "Łódź"),
    ],
)
def test_escape_text_cases(value, expected):
    assert escape_text(value) == expected


@given(st.text())
def test_escape_text_is_inert_and_shows_the_original(text):
    escaped = escape_text(text)
    assert not set(escaped) & set("<>\"'`$\\\x00")
    assert html.unescape(escaped) == text.replace("\x00", "\ufffd")


# --------------------------------------------------------------------------- safe_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org", "https://example.org"),
        ("http://example.org/a?b=1&c=2#d", "http://example.org/a?b=1&c=2#d"),
        ("HTTPS://Example.org/path", "HTTPS://Example.org/path"),
        ("  https://example.org/ \n", "https://example.org/"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://wałbrzych.pl", "https://wałbrzych.pl"),
    ],
)
def test_safe_url_accepts_http_urls(value, expected):
    assert safe_url(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        float("nan"),
        pd.NA,
        42,
        "",
        "   ",
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.org",
        "/relative/path",
        "relative.html",
        "//example.org/protocol-relative",
        "https://",
        "https:///path-only",
        "https:\\\\evil.example",
        "https://good.example\\@evil.example",
        "https://user:secret@example.org",
        "https://example.org:99999/",
        "https://exa mple.org",
        'https://example.org/"onmouseover="alert(1)',
        "https://example.org/<script>",
        "https://example.org/" + "a" * 3000,
    ],
)
def test_safe_url_refuses(value):
    assert safe_url(value) is None


# --------------------------------------------------------------------------- popup_html


def test_popup_html_escapes_everything_and_links_only_safe_urls():
    snippet = popup_html(
        [
            ("<b>Label</b>", XSS_TEMPLATE),
            ("Safe", Link("https://example.org/?a=1&b=2")),
            ("Unsafe", Link("javascript:alert(1)", text="click")),
            ("Empty", None),
            ("Blank", ""),
        ],
        title=XSS_IMG,
    )
    parsed = _parse_fragment(snippet)
    tags = [tag for tag, _ in parsed.tags]
    assert tags == ["div", "strong", "dl", "dt", "dd", "dt", "dd", "a", "dt", "dd"]
    anchors = [attrs for tag, attrs in parsed.tags if tag == "a"]
    assert anchors == [
        {"href": "https://example.org/?a=1&b=2", "rel": "noopener noreferrer", "target": "_blank"}
    ]
    assert parsed.text[:3] == [XSS_IMG, "<b>Label</b>", XSS_TEMPLATE]
    assert "click" in parsed.text
    assert "Empty" not in parsed.text and "Blank" not in parsed.text
    assert "javascript:" not in snippet


def test_popup_html_without_title_or_rows():
    assert popup_html([]) == '<div class="palmap-popup"></div>'


# --------------------------------------------------------------------------- assets


def test_every_asset_file_exists_in_its_package():
    assert set(VENDOR_PACKAGES) == {"leaflet", "markercluster"}
    for package, file in ASSET_FILES.values():
        assert (vendor_dir(package) / file).is_file()


def test_asset_urls_under_a_prefix():
    urls = asset_urls("/static/vendor/")
    assert set(urls.all()) == LOCAL_URLS
    assert urls.leaflet_js == "/static/vendor/leaflet/leaflet.js"
    assert asset_urls("file:///tmp/vendor").leaflet_css == "file:///tmp/vendor/leaflet/leaflet.css"


@pytest.mark.parametrize(
    "prefix", ['/static"><script>alert(1)</script>', "/static vendor", "javascript:alert(1)//"]
)
def test_asset_urls_refuses_unsafe_prefixes(prefix):
    with pytest.raises(ConfigurationError, match="asset URL prefix"):
        asset_urls(prefix)


def test_vendor_dir_unknown_name():
    with pytest.raises(NotFoundError, match="got 'jquery'"):
        vendor_dir("jquery")


def test_remote_asset_urls_finds_scripts_stylesheets_and_imports():
    page = """<html><head>
    <script src="/static/vendor/leaflet/leaflet.js"></script>
    <script src="https://code.jquery.com/jquery.js"></script>
    <link rel="stylesheet" href="//cdn.example/x.css">
    <link rel="canonical" href="https://palmap.example/map">
    <style>@import url("https://fonts.example/f.css"); .a { background: url(/local.png); }</style>
    </head><body><script>var t = "<script src='https://not.an.asset/x.js'>";</script>
    <a href="https://example.org">link</a></body></html>"""
    assert remote_asset_urls(page) == [
        "https://code.jquery.com/jquery.js",
        "//cdn.example/x.css",
        "https://fonts.example/f.css",
    ]


def test_localise_html_rewrites_known_cdn_urls():
    page = (
        '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>\n'
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>\n'
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/'
        'leaflet.markercluster.js"></script>\n'
        "<script>var s = 'https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js';</script>"
    )
    local = localise_html(page, "/static/vendor")
    assert remote_asset_urls(local) == []
    assert set(_assets(local).scripts) == {
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/markercluster/leaflet.markercluster.js",
    }
    # Script text is not touched.
    assert "var s = 'https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js'" in local


def test_localise_html_refuses_unknown_remote_assets():
    page = folium.Map(tiles=None).get_root().render()
    with pytest.raises(RemoteAssetError, match="jquery"):
        localise_html(page, "/static/vendor")


# --------------------------------------------------------------------------- overview map: assets


def test_page_loads_exactly_the_local_assets(page):
    assets = _assets(page)
    assert remote_asset_urls(page) == []
    assert set(assets.scripts) | set(assets.links) == LOCAL_URLS
    assert len(assets.scripts) == 2 and len(assets.links) == 3
    lowered = page.lower()
    for unwanted in ("jquery", "bootstrap", "glyphicons", "font-awesome", "fontawesome", "awesome"):
        assert unwanted not in lowered
    assert "d3.js" not in lowered and "d3.min.js" not in lowered


def test_no_tiles_means_no_tile_layer(page):
    assert "L.tileLayer(" not in page
    assert '"maxZoom": 18' in page


def test_osm_tiles_are_drawn_but_assets_stay_local(districts, resources, categories):
    page = standalone_html(overview_map(districts, resources, categories, tiles="osm"))
    assert "L.tileLayer(" in page
    assert '"https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert _js("OpenStreetMap</a> contributors") in page
    assert remote_asset_urls(page) == []
    assert set(_assets(page).scripts) | set(_assets(page).links) == LOCAL_URLS


def test_custom_tiles_with_attribution(districts, resources, categories):
    m = overview_map(
        districts,
        resources,
        categories,
        tiles="https://tiles.example.org/{z}/{x}/{y}.png",
        tiles_attribution="<b>Tiles</b> & co",
    )
    page = standalone_html(m)
    assert '"https://tiles.example.org/{z}/{x}/{y}.png"' in page
    assert _js("&lt;b&gt;Tiles&lt;/b&gt; &amp; co") in page
    assert _js("<b>Tiles</b>") not in page
    assert remote_asset_urls(page) == []


def test_custom_tiles_on_this_server(districts, resources, categories):
    m = overview_map(
        districts, resources, categories, tiles="/tiles/{z}/{x}/{y}.png", tiles_attribution="Own"
    )
    assert '"/tiles/{z}/{x}/{y}.png"' in standalone_html(m)


@pytest.mark.parametrize("attribution", [None, "", "   "])
def test_custom_tiles_without_attribution_raise(districts, resources, categories, attribution):
    with pytest.raises(ConfigurationError, match="tiles_attribution"):
        overview_map(
            districts,
            resources,
            categories,
            tiles="https://tiles.example.org/{z}/{x}/{y}.png",
            tiles_attribution=attribution,
        )


@pytest.mark.parametrize(
    "tiles",
    [
        "https://tiles.example.org/{z}/{x}.png",
        "javascript:alert('{z}{x}{y}')",
        "//tiles.example.org/{z}/{x}/{y}.png",
        'https://tiles.example.org/{z}/{x}/{y}.png"</script>',
        "OpenStreetMap",
    ],
)
def test_unusable_tiles_raise(districts, resources, categories, tiles):
    with pytest.raises(ConfigurationError, match="tile"):
        overview_map(districts, resources, categories, tiles=tiles, tiles_attribution="x")


def test_asset_prefix_is_used(districts, resources, categories):
    m = overview_map(districts, resources, categories, tiles="none", asset_prefix="/assets/")
    scripts = _assets(standalone_html(m)).scripts
    assert scripts == [
        "/assets/leaflet/leaflet.js",
        "/assets/markercluster/leaflet.markercluster.js",
    ]


# --------------------------------------------------------------------------- overview map: XSS


def test_raw_xss_strings_never_reach_the_page(page):
    for raw in ("<img src=x", "${document", "a`b", "<script>alert", "alert(2)</script>"):
        assert raw not in page
    # Every "</script>" in the page closes a script element that the page opened.
    assert page.count("</script>") == len(re.findall(r"<script[\s>]", page))
    assert "javascript:" not in page.lower()
    assert "data:text/html" not in page


def test_popups_hold_only_our_escaped_html(page, resources):
    features = _features(page, "popup")
    drawn = resources[resources.geometry.notna()]
    assert len(features) == len(drawn)
    titles = []
    for feature in features:
        # Only our escaped popup and the row id the resource page uses to filter markers.
        assert set(feature["properties"]) == {"popup", "rid"}
        assert feature["properties"]["rid"].isdigit()
        parsed = _parse_fragment(feature["properties"]["popup"])
        assert {tag for tag, _ in parsed.tags} <= {"div", "strong", "dl", "dt", "dd", "a"}
        for tag, attrs in parsed.tags:
            if tag == "a":
                assert attrs["href"].startswith("https://")
                assert attrs["rel"] == "noopener noreferrer"
        titles.append(parsed.text[0])
    assert titles == list(drawn["name"])
    hrefs = [
        attrs["href"]
        for feature in features
        for tag, attrs in _parse_fragment(feature["properties"]["popup"]).tags
        if tag == "a"
    ]
    assert hrefs == ["https://example.org/?a=1&b=2"]


def test_popup_rows_are_labelled_in_the_language(districts, resources, categories):
    page = standalone_html(overview_map(districts, resources, categories, lang="en", tiles="none"))
    popup = _features(page, "popup")[0]["properties"]["popup"]
    text = _parse_fragment(popup).text
    assert text == [
        XSS_IMG,
        "Category",
        "Social integration club",
        "Address",
        "Rynek 1",
        "Operator",
        "Gmina",
        "Website",
        "https://example.org/?a=1&b=2",
    ]


def test_custom_labels_are_escaped(districts, resources, categories):
    labels = {"districts": "<u>Osiedla</u>", "address": "Adres ${x}"}
    page = standalone_html(
        overview_map(districts, resources, categories, tiles="none", labels=labels)
    )
    assert "&lt;u&gt;Osiedla&lt;/u&gt;" in _overlay_names(page)
    assert "<u>Osiedla" not in page and "${x}" not in page
    popup = _features(page, "popup")[0]["properties"]["popup"]
    assert "Adres ${x}" in _parse_fragment(popup).text


# --------------------------------------------------------------------------- overview map: content


def test_each_category_has_a_layer_named_in_the_language(districts, resources, categories):
    for lang, names in {
        "pl": ["Klub Integracji Społecznej", "MOPS <punkt>"],
        "en": ["Social integration club", "Welfare office"],
    }.items():
        page = standalone_html(overview_map(districts, resources, categories, lang=lang))
        overlays = _overlay_names(page)
        assert overlays[0] == DEFAULT_LABELS[lang]["districts"]
        assert len(overlays) == 3  # districts + two categories with points; none for "boisko"
        for name, overlay in zip(names, overlays[1:], strict=True):
            assert overlay.endswith(escape_text(name))
            assert "palmap-swatch" in overlay
        assert "#882255" in overlays[1] and "#cc6677" in overlays[2]


def test_each_category_is_one_cluster_of_circle_markers(page):
    assert page.count("L.markerClusterGroup(") == 2
    assert page.count("new L.CircleMarker(latlng, opts)") == 2
    # The popup is exactly the server-built HTML: no folium table around it.
    assert page.count("layer.bindPopup(feature.properties.popup, {maxWidth: 320});") == 2
    assert ".bindPopup(\n    function(layer)" not in page
    assert '"fillColor": "#882255"' in page and '"fillColor": "#cc6677"' in page


def test_district_names_are_escaped_in_the_data(page, districts):
    features = _features(page, "name_html")
    assert [f["properties"]["name_html"] for f in features] == [
        escape_text(name) for name in districts["name"]
    ]
    assert all(set(f["properties"]) == {"name_html"} for f in features)
    assert 'let fields = ["name_html"];' in page
    assert _js("Podgórze &lt;i&gt;&amp;&lt;/i&gt;") in page


def test_schematic_districts_are_dashed_and_noted(page):
    legend = _legend(page)
    assert legend is not None
    assert "Granice schematyczne, nieoficjalne" in legend
    assert '"dashArray": "6 4"' in page


def test_legend_lists_the_categories_drawn(districts, resources, categories):
    districts = districts.assign(schematic=False)
    page = standalone_html(overview_map(districts, resources, categories, lang="en"))
    legend = _parse_fragment(_legend(page))
    assert legend.text == ["Legend", "Social integration club", "Welfare office"]
    assert "Schematic boundaries" not in page
    assert '"dashArray": "6 4"' not in page


def test_coordinates_are_rounded(page):
    for blob in _geojson_blobs(page):
        for value in re.findall(r"-?\d+\.\d+", json.dumps(blob["features"])):
            assert len(value.split(".")[1]) <= 6
    point = _features(page, "popup")[1]["geometry"]["coordinates"]
    assert point == [16.271235, 50.771235]


def test_map_fits_the_districts(page):
    assert re.search(r"fitBounds\(\s*\[\[50\.76, 16\.26\], \[50\.8, 16\.3\]\]", page)
    # Fitted before the layers are added: each is projected once, at the fitted view.
    assert page.index("fitBounds(") < page.index("L.geoJson(")


def test_resources_without_points_are_skipped(districts, categories):
    nowhere = gpd.GeoDataFrame(
        {
            "name": ["A", "B"],
            "category": ["kis", "mops"],
            "address": ["x", "y"],
            "operator": [None, None],
            "website": [None, None],
        },
        geometry=[None, Point()],
        crs=4326,
    )
    page = standalone_html(overview_map(districts, nowhere, categories))
    assert _features(page, "popup") == []
    assert "L.markerClusterGroup(" not in page
    assert _overlay_names(page) == ["Dzielnice"]
    assert "Granice schematyczne" in _legend(page)


def test_empty_frames_still_render():
    empty = gpd.GeoDataFrame(
        {c: [] for c in ("name", "schematic", "category", "address", "operator", "website")},
        geometry=[],
        crs=4326,
    )
    categories = pd.DataFrame(columns=["code", "name_pl", "name_en", "colour"])
    page = standalone_html(overview_map(empty, empty, categories, tiles="none"))
    assert "L.map(" in page and "fitBounds" not in page
    assert _legend(page) is None


def test_unknown_category_and_bad_colour_are_drawn_grey(districts, resources, categories, caplog):
    categories.loc[1, "colour"] = "red;}</style>"
    resources.loc[0, "category"] = "<new>"
    with caplog.at_level(logging.WARNING, logger="mapping.render.resources"):
        page = standalone_html(overview_map(districts, resources, categories))
    assert "not #rrggbb" in caplog.text
    overlays = _overlay_names(page)
    assert overlays[-1].endswith("&lt;new&gt;") and "#777777" in overlays[-1]
    assert "red;}" not in page


def test_districts_in_another_crs_are_reprojected(districts, resources, categories):
    page = standalone_html(overview_map(districts.to_crs(2180), resources, categories))
    for feature in _features(page, "name_html"):
        lon, lat = feature["geometry"]["coordinates"][0][0]
        assert 16 < lon < 17 and 50 < lat < 51


def test_large_districts_are_simplified_for_display(resources, categories):
    # A circle of ~30,000 vertices split into two halves that share their edge.
    circle = Point(16.28, 50.78).buffer(0.02, quad_segs=7500)
    west = circle.intersection(box(16.0, 50.0, 16.28, 51.0))
    east = circle.intersection(box(16.28, 50.0, 17.0, 51.0))
    big = gpd.GeoDataFrame(
        {"name": ["W", "E"], "schematic": [False, False]}, geometry=[west, east], crs=4326
    )
    page = standalone_html(overview_map(big, resources, categories))
    shown = [shapely.geometry.shape(f["geometry"]) for f in _features(page, "name_html")]
    assert sum(shapely.get_num_coordinates(g) for g in shown) < 3_000
    assert math.isclose(shown[0].area + shown[1].area, circle.area, rel_tol=0.01)


# --------------------------------------------------------------------------- input checks


def test_unknown_language_raises(districts, resources, categories):
    with pytest.raises(ConfigurationError, match="'de'"):
        overview_map(districts, resources, categories, lang="de")


def test_frames_must_have_the_columns(districts, resources, categories):
    with pytest.raises(ValidationError, match="schematic"):
        overview_map(districts.drop(columns="schematic"), resources, categories)
    with pytest.raises(ValidationError, match="GeoDataFrame"):
        overview_map(pd.DataFrame(districts), resources, categories)
    with pytest.raises(ValidationError, match="colour"):
        overview_map(districts, resources, categories.drop(columns="colour"))


def test_frames_without_crs_raise(districts, resources, categories):
    with pytest.raises(CRSError):
        overview_map(districts.set_crs(None, allow_override=True), resources, categories)


# --------------------------------------------------------------------------- rendering


def test_map_fragments_for_a_page_template(districts, resources, categories):
    parts = map_fragments(overview_map(districts, resources, categories, tiles="none"))
    assert isinstance(parts, MapFragments)
    assert set(_assets(parts.header).scripts) == {
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/markercluster/leaflet.markercluster.js",
    }
    assert "palmap-swatch" in parts.header
    assert re.fullmatch(r'\s*<div class="folium-map" id="map_\w+" ></div>\s*', parts.html)
    map_id = re.search(r'id="(map_\w+)"', parts.html).group(1)
    assert f"var {map_id} = L.map(" in parts.script
    assert "<script" not in parts.script and "</script>" not in parts.script


def test_rendering_twice_gives_the_same_page(districts, resources, categories):
    m = overview_map(districts, resources, categories)
    first = standalone_html(m)
    assert map_fragments(m).script in first
    assert standalone_html(m) == first


def test_a_plain_folium_map_is_refused():
    with pytest.raises(RemoteAssetError, match="cdn"):
        standalone_html(folium.Map(tiles=None))
    with pytest.raises(RemoteAssetError):
        map_fragments(folium.Map(tiles=None))


def test_district_collections_keep_their_polygons(resources, categories):
    collection = shapely.GeometryCollection(
        [
            shapely.MultiPolygon([box(16.26, 50.76, 16.27, 50.77)]),
            shapely.LineString([(16, 50), (17, 51)]),
        ]
    )
    odd = gpd.GeoDataFrame(
        {"name": ["Mixed", "Line only", "Empty"], "schematic": [False, False, False]},
        geometry=[collection, shapely.LineString([(16, 50), (17, 51)]), shapely.Polygon()],
        crs=4326,
    )
    page = standalone_html(overview_map(odd, resources, categories))
    features = _features(page, "name_html")
    assert [f["properties"]["name_html"] for f in features] == ["Mixed"]
    assert features[0]["geometry"]["type"] == "MultiPolygon"


def test_z_values_are_dropped(resources, categories):
    with_z = gpd.GeoDataFrame(
        {"name": ["Z"], "schematic": [False]},
        geometry=[shapely.Polygon([(16.26, 50.76, 300), (16.27, 50.76, 300), (16.27, 50.77, 300)])],
        crs=4326,
    )
    page = standalone_html(overview_map(with_z, resources, categories))
    ring = _features(page, "name_html")[0]["geometry"]["coordinates"][0]
    assert all(len(position) == 2 for position in ring)


# --------------------------------------------------------------------------- embed


def _coded(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return districts[["code", "name", "geometry"]]


_FIXED_VIEW = re.compile(r"\}\)\((map_\w+), (\[\[.*?\]\]|null),\s+(\[.*?\]|null), (\S+)\);", re.S)


def test_embed_map_without_a_view_is_fitted_as_the_page(districts):
    script = map_fragments(
        embed_map(_coded(districts), EmbedMapOptions(tiles="none"), fills={})
    ).script
    assert len(re.findall(r"map_\w+\.fitBounds\(", script)) == 1
    assert "centre || map.getCenter()" not in script


@pytest.mark.parametrize(
    ("centre", "zoom", "shown"),
    [((50.77, 16.28), 14.5, ("[50.77, 16.28]", "14.5")), (None, 13, ("null", "13"))],
)
def test_embed_map_fixes_the_view_after_fitting_without_animation(districts, centre, zoom, shown):
    options = EmbedMapOptions(centre=centre, zoom=zoom, tiles="none")
    script = map_fragments(embed_map(_coded(districts), options, fills={})).script
    fitted = map_fragments(district_map(_coded(districts), fills={}, tiles="none")).script
    # No animated fit is left to end after the view and undo it ...
    assert not re.search(r"map_\w+\.fitBounds\(", script)
    assert "map.fitBounds(bounds, {animate: false})" in script
    found = _FIXED_VIEW.search(script)
    assert found is not None
    map_id = re.search(r"var (map_\w+) = L\.map\(", script).group(1)
    assert found.group(1) == map_id
    # ... and the view starts from the bounds the page would have fitted.
    page_bounds = re.search(r"map_\w+\.fitBounds\(\s*(\[\[.*?\]\])", fitted, re.S).group(1)
    assert json.loads(found.group(2)) == json.loads(page_bounds)
    assert (found.group(3), found.group(4)) == shown
    # The view comes right after the map, before its layers and controls: each layer is
    # projected once, at the first view.
    view_at = script.index(found.group(0))
    assert view_at < script.index("L.geoJson(") and view_at < script.index("L.control.layers(")


def test_embed_map_legend_off_leaves_out_both_legends(districts, resources, categories):
    arguments = {
        "fills": {"srodmiescie": "#440154"},
        "legend": MapLegend("Value", [("#440154", "1")]),
        "resources": resources,
        "categories": categories,
        "resource_legend": "Resources",
        "tiles": "none",
    }
    with_legends = map_fragments(
        embed_map(_coded(districts), EmbedMapOptions(tiles="none"), **arguments)
    ).script
    without = map_fragments(
        embed_map(_coded(districts), EmbedMapOptions(legend=False, tiles="none"), **arguments)
    ).script
    assert with_legends.count('L.DomUtil.create("div", "palmap-legend') == 2
    assert "palmap-legend" not in without
    # The resources stay: only the legends go.
    assert without.count("L.markerClusterGroup(") == with_legends.count("L.markerClusterGroup(")


def test_embed_map_tiles_come_from_the_options(districts):
    m = embed_map(_coded(districts), EmbedMapOptions(tiles="osm"), fills={}, tiles="none")
    assert "tile.openstreetmap.org" in map_fragments(m).script
    m = embed_map(_coded(districts), EmbedMapOptions(tiles="none"), fills={}, tiles="osm")
    assert "tile.openstreetmap.org" not in map_fragments(m).script


def test_embed_options_through_another_helper_give_the_same_map(districts):
    """``map_args()`` is for code that reaches district_map through a helper of its own."""
    options = EmbedMapOptions(centre=(50.78, 16.27), zoom=15, tiles="none")
    direct = map_fragments(embed_map(_coded(districts), options, fills={})).script
    helper = map_fragments(district_map(_coded(districts), fills={}, **options.map_args())).script
    ids = re.compile(r"[0-9a-f]{32}")
    assert ids.sub("x", direct) == ids.sub("x", helper)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"zoom": 0}, ["zoom", "1", "18", "0"]),
        ({"zoom": 18.5}, ["zoom", "1", "18"]),
        ({"zoom": float("nan")}, ["zoom", "nan"]),
        ({"centre": (91.0, 16.0)}, ["centre", "-90", "90", "91.0"]),
        ({"centre": (50.0, -181.0)}, ["centre", "-180", "180", "-181.0"]),
    ],
)
def test_embed_options_are_checked(arguments, words):
    with pytest.raises(ValidationError) as raised:
        EmbedMapOptions(**arguments)
    assert all(word in str(raised.value) for word in words)


def test_map_view_fixes_only_with_a_centre_or_zoom():
    assert not MapView().fixed
    assert MapView(centre=(50.0, 16.0)).fixed and MapView(zoom=1).fixed


# --------------------------------------------------------------------------- package layout

RENDER_PACKAGE = Path(mapping.render.__file__).parent


def _private_uses(tree: ast.AST) -> list[str]:
    """``from mapping... import _name`` and ``x._name`` on anything but self or cls."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mapping"):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("_")]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
        ):
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


@pytest.mark.parametrize("path", sorted(RENDER_PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_render_modules_are_small_and_use_no_private_names(path: Path) -> None:
    """Where rendering code belongs (CONTRIBUTING): a module per kind of thing drawn, each under
    600 lines, sharing only public names, never reaching into folium's or branca's private
    attributes."""
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 600
    assert _private_uses(ast.parse(text)) == []


def test_interactive_is_still_the_front_door() -> None:
    for name in (
        "DEFAULT_LABELS",
        "FAST_RESOURCES_ABOVE",
        "OSM_ATTRIBUTION",
        "OSM_TILES",
        "SUPPORTED_LANGS",
        "MapFragments",
        "MapView",
        "map_fragments",
        "overview_map",
        "standalone_html",
    ):
        assert name in interactive.__all__ and hasattr(interactive, name), name
    for path in RENDER_PACKAGE.glob("*.py"):
        module = importlib.import_module(f"mapping.render.{path.stem}")
        assert all(hasattr(module, name) for name in getattr(module, "__all__", ())), path.name
