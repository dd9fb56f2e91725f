"""The pages as a person sees them in Chromium (locale pl-PL), in both languages."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import XSS_NAMES

pytestmark = pytest.mark.browser

# Every Leaflet map on the page: its district polygons (drawn or not), the resource ids of its
# clustered markers, and the text of its legends.
MAPS_STATE = """() => {
    const maps = Object.values(window).filter(v => v instanceof L.Map);
    return maps.map(map => {
        const state = {polygons: 0, drawn: 0, rids: [], legends: [], tips: []};
        map.eachLayer(l => {
            if (l instanceof L.Polygon && l.feature) {
                state.polygons++;
                if (l._path && l._path.isConnected) state.drawn++;
                const div = document.createElement('div');
                div.innerHTML = l.feature.properties.tip || '';
                state.tips.push(div.textContent);
            }
            if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) {
                for (const m of l.getLayers()) state.rids.push(m.feature.properties.rid);
            }
        });
        for (const el of map.getContainer().querySelectorAll('.palmap-legend')) {
            state.legends.push(el.innerText);
        }
        return state;
    });
}"""

# (Polish URL, English URL, number of maps, districts drawn on each map)
PAGES = [
    ("/mapa/needs_index", "/map/needs_index", 1),
    ("/mapa/children_assisted_rate?year=2021", "/map/children_assisted_rate?year=2021", 1),
    ("/porownanie/needs_index", "/compare/needs_index", 3),
    ("/dzielnice", "/districts", 1),
    ("/dzielnice/lubiechow", "/districts/lubiechow", 1),
    ("/zasoby", "/resources", 1),
    ("/obszary", "/targets", 1),
]
PHONE = {"width": 390, "height": 844}


def _open(page, url: str) -> list[dict]:
    page.goto(url, wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
    page.wait_for_timeout(200)
    return page.evaluate(MAPS_STATE)


def _clean(page) -> None:
    assert page.console_errors == []
    assert page.failed_requests == []
    assert page.dialogs == []


# A map's own idea of its size against its frame's.
MAP_SIZE = """() => {
    const map = window.palmapMaps[0], box = map.getContainer();
    return [map.getSize().x, map.getSize().y, box.clientWidth, box.clientHeight];
}"""


def test_a_map_follows_its_frame_when_the_layout_changes(page, live_server: str) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    _open(page, live_server + "/mapa/needs_index")
    wide = page.evaluate(MAP_SIZE)
    assert wide[:2] == wide[2:] and wide[0] > 500
    # The frame narrows with no resize of the window (which Leaflet follows by itself): Leaflet
    # measured its frame once, and the page's ResizeObserver tells it the new size.
    page.evaluate("document.querySelector('.map-box').style.width = '300px'")
    page.wait_for_function(f"() => {{ const s = ({MAP_SIZE})(); return s[0] === s[2]; }}")
    narrow = page.evaluate(MAP_SIZE)
    assert narrow[:2] == narrow[2:] and narrow[0] <= 300
    _clean(page)


@pytest.mark.parametrize(("polish", "english", "maps"), PAGES)
def test_pages_load_and_draw_every_district_in_both_languages(
    page, live_server: str, polish: str, english: str, maps: int
) -> None:
    for url, lang, nav_text in (
        (polish, "pl", "Obszary docelowe"),
        (english + ("&" if "?" in english else "?") + "lang=en", "en", "Target areas"),
    ):
        states = _open(page, live_server + url)
        assert len(states) == maps
        # The page's scripts find the maps in the page's registry (templates/base.html).
        assert page.evaluate("window.palmapMaps.length") == maps
        for state in states:
            assert state["polygons"] == 21
            assert state["drawn"] == 21
        assert page.locator("html").get_attribute("lang") == lang
        assert nav_text in page.inner_text("header")
        _clean(page)


def test_indicator_legend_shows_the_breaks_of_the_table(page, live_server: str) -> None:
    state = _open(page, live_server + "/mapa/social_assistance_rate?year=2021&k=4")[0]
    assert len(state["legends"]) == 1
    legend = state["legends"][0]
    shown = page.inner_text(".legend-text")
    breaks = [part.strip() for part in shown.split("Klasy:")[1].split("\n") if "–" in part]
    assert len(breaks) == 4
    for text in breaks:
        assert text in legend
    assert "na 1000 (mieszkańcy)" in legend
    # The scheme chosen on the page changes the breaks.
    page.select_option("#f-scheme", "equal_interval")
    page.click("form.controls button[type=submit]")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
    other = page.evaluate(MAPS_STATE)[0]["legends"][0]
    assert other != legend
    assert "scheme=equal_interval" in page.url
    _clean(page)


def test_tooltips_show_value_rank_and_small_counts(page, live_server: str) -> None:
    state = _open(page, live_server + "/mapa/children_assisted?year=2021")[0]
    tips = {tip.split("2021")[0]: tip for tip in state["tips"]}
    assert "< 5" in tips["Lubiechów"]
    assert any("Miejsce" in tip and "/ 20" in tip for tip in state["tips"])  # 1 hidden
    _clean(page)


def test_filtering_resources_changes_the_markers_to_the_listed_set(page, live_server: str) -> None:
    state = _open(page, live_server + "/zasoby")[0]
    every = page.locator("#resources-table tbody tr").count()
    assert every == 116
    assert len(state["rids"]) == 113  # three real addresses have no point
    page.select_option("#f-category", "swietlica")
    page.fill("#f-q", "środowiskowa")
    page.press("#f-q", "Enter")  # the form works from the keyboard
    page.wait_for_url("**/zasoby?*")
    state = page.evaluate(MAPS_STATE)[0]
    rows = page.locator("#resources-table tbody tr")
    listed = [rows.nth(i).get_attribute("data-id") for i in range(rows.count())]
    placed = [
        rows.nth(i).get_attribute("data-id")
        for i in range(rows.count())
        if rows.nth(i).get_attribute("data-placed") == "yes"
    ]
    assert 0 < len(listed) < every
    assert sorted(state["rids"]) == sorted(placed)
    # The downloads linked on the page hold exactly the listed rows.
    csv_url = page.get_attribute("#download-csv", "href")
    assert "category=swietlica" in csv_url
    body = page.request.get(live_server + csv_url).text()
    assert [r["id"] for r in csv.DictReader(io.StringIO(body))] == listed
    geo_url = page.get_attribute("#download-geojson", "href")
    features = json.loads(page.request.get(live_server + geo_url).text())["features"]
    assert [str(f["id"]) for f in features] == listed
    _clean(page)


def test_language_switch_changes_the_interface(page, live_server: str) -> None:
    _open(page, live_server + "/obszary?top=3")
    assert "Ranking" in page.inner_text("main")
    assert "stabilna" in page.inner_text("#ranking-table")
    page.click(".lang-switch a[hreflang=en]")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
    assert urlsplit(page.url).path == "/targets"
    assert "top=3" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert "robust" in page.inner_text("#ranking-table")
    assert "Target areas" in page.inner_text("h1")
    # The cookie keeps English on the next page.
    _open(page, live_server + "/dzielnice")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Needs rank" in page.inner_text("main")
    page.click(".lang-switch a[hreflang=pl]")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
    assert urlsplit(page.url).path == "/dzielnice"
    assert "Miejsce wg potrzeb" in page.inner_text("main")
    _clean(page)


def _ranking(page) -> list[str]:
    return page.locator("#ranking-table tbody tr").all_inner_texts()


def test_a_shared_target_areas_link_reproduces_the_ranking(page, browser, live_server: str) -> None:
    _open(page, live_server + "/obszary")
    default = _ranking(page)
    page.fill("#w-social_assistance", "0")
    page.fill("#w-disability_support", "3")
    page.fill("#f-access", "1")
    page.select_option("#f-method", "imd")
    page.select_option("#f-top", "3")
    page.click("#weights-form button[type=submit]")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
    chosen = _ranking(page)
    assert chosen != default
    assert page.locator("#ranking-table tr.top").count() == 3
    link = page.input_value("#share-link")
    for setting in ("w_disability_support=3", "access_weight=1", "method=imd", "top=3"):
        assert setting in link
    # Someone else opens the link: a fresh browser context, no cookie, the same ranking.
    other = browser.new_context(locale="pl-PL", viewport={"width": 1366, "height": 768})
    try:
        shared = other.new_page()
        shared.goto(link, wait_until="load")
        shared.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
        assert shared.locator("#ranking-table tbody tr").all_inner_texts() == chosen
        assert shared.input_value("#w-disability_support") == "3"
    finally:
        other.close()
    _clean(page)


def test_comparison_change_map_colours_improved_and_worsened(page, live_server: str) -> None:
    states = _open(page, live_server + "/porownanie/social_assistance_rate?from=2010&to=2021")
    assert len(states) == 3
    change_legend = states[2]["legends"][0]
    statuses = page.locator("#change-table tbody tr td:last-child").all_inner_texts()
    # A change within the chance variation of the counts reads "no clear change" (README, the
    # /porownanie row).
    allowed = {"poprawa", "pogorszenie", "bez zmian", "brak wyraźnej zmiany"}
    assert {s.strip() for s in statuses} <= allowed
    assert "brak wyraźnej zmiany" in {s.strip() for s in statuses}
    for status in {s.strip() for s in statuses}:
        assert status in change_legend
    # The two year maps share the breaks, shown once under them; each district's colour is
    # the colour of its class in that legend.
    shared = page.inner_text("#shared-legend")
    assert shared.count("–") == 5
    assert states[0]["legends"] == [] and states[1]["legends"] == []
    _clean(page)


def test_hostile_names_are_text_on_the_pages(page, hostile_server: str) -> None:
    for url in ("/zasoby?category=ngo", "/dzielnice/" + _first_district(page, hostile_server)):
        page.goto(hostile_server + url, wait_until="load")
        page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
        text = page.inner_text("main")
        for name in XSS_NAMES:
            assert name in text, (url, name)
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("a[href^='javascript:']").count() == 0
        _clean(page)


def _first_district(page, server: str) -> str:
    """The district holding the hostile resources (placed in the first district by code)."""
    page.goto(server + "/dzielnice", wait_until="load")
    return page.locator("#districts-table tbody tr").first.get_attribute("data-district")


def test_pages_are_keyboard_usable_and_label_every_field(page, live_server: str) -> None:
    for url in ("/mapa/needs_index", "/porownanie/needs_index", "/zasoby", "/obszary"):
        _open(page, live_server + url)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('main input, main select')]
                .filter(f => !f.labels || f.labels.length === 0).map(f => f.name || f.id)"""
        )
        assert unlabelled == [], url
    # Tab from the top reaches the skip link, then the navigation.
    _open(page, live_server + "/zasoby")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('nav') !== null")
    _clean(page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_page_renders_at_desktop_and_phone_size(
    browser, live_server: str, tmp_path_factory, size: str
) -> None:
    folder = Path(os.environ.get("PALMAP_SCREENSHOT_DIR") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    viewport = {"width": 1366, "height": 768} if size == "desktop" else PHONE
    context = browser.new_context(locale="pl-PL", viewport=viewport)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        for polish, _english, _maps in PAGES:
            page.goto(live_server + polish, wait_until="load")
            page.wait_for_selector(
                ".leaflet-overlay-pane path.leaflet-interactive", state="attached"
            )
            # Nothing sticks out sideways: the page scrolls only down (tables scroll inside).
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, (polish, size, overflow)
            box = page.locator(".map-box").first.bounding_box()
            share = 0.3 if "porownanie" in polish and size == "desktop" else 0.5
            assert box["width"] > viewport["width"] * share and box["height"] > 200
            name = polish.strip("/").replace("/", "_").split("?")[0] or "home"
            path = folder / f"{size}-{name}.png"
            page.screenshot(path=str(path))
            assert path.stat().st_size > 10_000
        assert errors == []
    finally:
        context.close()
