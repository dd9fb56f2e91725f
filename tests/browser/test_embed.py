"""Embeds in Chromium: framed by an allowed site they draw, framed by any other site they are
refused, and no other page can be framed at all; the share dialog of the map pages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.browser.conftest import _serve, host_page_server

pytestmark = pytest.mark.browser

# What a frame holds: its address, and the district paths its Leaflet map drew (Chromium's error
# page for a refused frame has a function named L of its own, hence the checks).
FRAME_STATE = """() => {
    const leaflet = typeof L !== 'undefined' && typeof L.Map === 'function';
    const map = leaflet ? Object.values(window).find(v => v instanceof L.Map) : undefined;
    let polygons = 0, drawn = 0;
    if (map) map.eachLayer(l => {
        if (l instanceof L.Polygon && l.feature) {
            polygons++;
            if (l._path && l._path.isConnected) drawn++;
        }
    });
    return {
        href: location.href,
        polygons: polygons,
        drawn: drawn,
        forms: document.querySelectorAll('form').length,
        navs: document.querySelectorAll('nav').length,
        header: document.querySelectorAll('.site-header').length,
        lang: document.documentElement.lang,
    };
}"""

EMBEDS = [
    ("/embed/mapa/needs_index", "pl"),
    ("/embed/map/needs_index?lang=en", "en"),
    ("/embed/porownanie/social_assistance_rate?from=2010&to=2021", "pl"),
    ("/embed/zasoby?category=swietlica", "pl"),
    ("/embed/resources?lang=en", "en"),
    ("/embed/obszary?top=3", "pl"),
    ("/embed/targets?lang=en&layers=swietlica", "en"),
]


@pytest.fixture(scope="module")
def partner() -> Iterator[str]:
    """The partner site allowed to frame the embeds (its origin is in PALMAP_EMBED_ORIGINS)."""
    with host_page_server() as url:
        yield url


@pytest.fixture(scope="module")
def stranger() -> Iterator[str]:
    """Another site on another port: another origin, not allowed."""
    with host_page_server() as url:
        yield url


@pytest.fixture(scope="module")
def embed_server(tmp_path_factory: pytest.TempPathFactory, partner: str) -> Iterator[str]:
    """palmap with the demo data, allowing the partner's origin to frame its embeds."""
    yield from _serve(
        tmp_path_factory.mktemp("embed"), hostile=False, config={"EMBED_ORIGINS": partner}
    )


def _frame(page, host: str, src: str):
    """Open ``host``'s page framing ``src``; return the frame once it drew or was refused."""
    page.goto(f"{host}/?src={quote(src, safe='')}", wait_until="load")
    frame = page.main_frame.child_frames[0]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if frame.url.startswith("chrome-error://"):
            return frame
        try:
            if frame.evaluate(FRAME_STATE)["drawn"] >= 21:
                return frame
        except Exception:  # noqa: BLE001 - the frame is still navigating
            pass
        page.wait_for_timeout(100)
    return frame


def _refusals(page) -> list[str]:
    return [text for text in page.console_errors if "frame-ancestors" in text]


@pytest.mark.parametrize(("path", "lang"), EMBEDS)
def test_an_allowed_site_frames_the_embed_and_it_draws_the_districts(
    page, partner: str, embed_server: str, path: str, lang: str
) -> None:
    frame = _frame(page, partner, embed_server + path)
    state = frame.evaluate(FRAME_STATE)
    assert state["href"].startswith(embed_server + "/embed/")
    assert state["polygons"] == 21
    assert state["drawn"] == 21
    # The map alone: no site header, navigation or form; the page's language.
    assert state["navs"] == state["forms"] == state["header"] == 0
    assert state["lang"] == lang
    link = frame.locator(".embed-title a")
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("href").startswith("/")
    assert page.console_errors == []
    assert page.failed_requests == []


def test_another_site_cannot_frame_the_embed(
    page, stranger: str, partner: str, embed_server: str, live_server: str
) -> None:
    # The same embed, from a site whose origin is not listed: Chromium refuses it.
    frame = _frame(page, stranger, embed_server + "/embed/mapa/needs_index")
    assert frame.url.startswith("chrome-error://")
    assert frame.evaluate(FRAME_STATE)["polygons"] == 0
    assert len(_refusals(page)) == 1
    # The partner itself, framing a palmap that does not list it (the default: no origins).
    page.console_errors.clear()
    frame = _frame(page, partner, live_server + "/embed/zasoby")
    assert frame.url.startswith("chrome-error://")
    assert frame.evaluate(FRAME_STATE)["polygons"] == 0
    assert "frame-ancestors 'self'" in _refusals(page)[0]


@pytest.mark.parametrize("path", ["/mapa/needs_index", "/zasoby", "/obszary", "/"])
def test_a_page_that_is_not_an_embed_is_refused_everywhere(
    page, partner: str, stranger: str, embed_server: str, path: str
) -> None:
    for host in (partner, stranger):
        page.console_errors.clear()
        frame = _frame(page, host, embed_server + path)
        assert frame.url.startswith("chrome-error://"), host
        assert frame.evaluate(FRAME_STATE)["polygons"] == 0
        assert "frame-ancestors 'none'" in _refusals(page)[0]
    # Not even palmap may frame it (an embed page of palmap adds the iframe itself).
    page.console_errors.clear()
    page.goto(embed_server + "/embed/zasoby", wait_until="load")
    page.evaluate(
        """(src) => { const f = document.createElement('iframe'); f.src = src;
                      document.body.append(f); }""",
        embed_server + path,
    )
    page.wait_for_function("() => document.querySelectorAll('iframe').length === 1")
    frame = page.main_frame.child_frames[0]
    deadline = time.monotonic() + 10
    while not frame.url.startswith("chrome-error://") and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert frame.url.startswith("chrome-error://")
    assert "frame-ancestors 'none'" in _refusals(page)[0]


@pytest.mark.parametrize(
    ("path", "embed_path", "button"),
    [
        ("/mapa/needs_index", "/embed/mapa/needs_index?lang=pl", "Udostępnij / osadź"),
        ("/map/needs_index?lang=en", "/embed/map/needs_index?lang=en", "Share / embed"),
        ("/", "/embed/zasoby?lang=pl", "Udostępnij / osadź"),
        ("/porownanie/needs_index", "/embed/porownanie/needs_index?lang=pl", "Udostępnij / osadź"),
        ("/zasoby?category=swietlica", "/embed/zasoby?category=swietlica&lang=pl", None),
        ("/targets?top=3&lang=en", "/embed/targets?top=3&lang=en", "Share / embed"),
        ("/dzielnice/podzamcze", "/embed/zasoby?district=podzamcze&lang=pl", None),
    ],
)
def test_the_share_dialog_gives_the_link_the_code_and_a_live_preview(
    browser, embed_server: str, path: str, embed_path: str, button: str | None
) -> None:
    context = browser.new_context(locale="pl-PL", viewport={"width": 1366, "height": 768})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=embed_server)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(embed_server + path, wait_until="load")
        page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
        opener = page.locator("#share-open")
        if button:
            assert opener.inner_text() == button
        # The preview's frame is made when the dialog first opens, not with every load.
        assert page.locator("iframe").count() == 0 and len(page.frames) == 1
        # From the keyboard: focus the button, Enter opens the dialog, focus moves inside it.
        opener.focus()
        page.keyboard.press("Enter")
        dialog = page.locator("#share-dialog")
        assert dialog.evaluate("d => d.open")
        assert page.evaluate("document.activeElement.closest('dialog') !== null")
        link = page.input_value("#share-page-url")
        assert link.startswith(embed_server + path.split("?")[0])
        code = page.input_value("#share-code")
        src = embed_server + embed_path
        parsed = page.evaluate(
            """(code) => {
                const body = new DOMParser().parseFromString(code, 'text/html').body;
                const f = body.firstElementChild;
                return {count: body.children.length, tag: f.tagName, src: f.getAttribute('src'),
                        width: f.getAttribute('width'), height: f.getAttribute('height'),
                        title: f.getAttribute('title')};
            }""",
            code,
        )
        assert parsed["count"] == 1 and parsed["tag"] == "IFRAME"
        assert parsed["src"] == src
        assert (parsed["width"], parsed["height"]) == ("800", "500")
        assert parsed["title"]
        # Width and height are labelled inputs that rewrite the code.
        assert page.locator("label[for=share-width]").count() == 1
        assert page.locator("label[for=share-height]").count() == 1
        page.fill("#share-width", "640")
        page.fill("#share-height", "420")
        code = page.input_value("#share-code")
        assert 'width="640"' in code and 'height="420"' in code
        # The preview is the embed itself, drawn.
        preview = page.frame_locator("#share-preview")
        preview.locator(".leaflet-overlay-pane path.leaflet-interactive").first.wait_for(
            state="attached"
        )
        assert page.get_attribute("#share-preview", "src") == src
        assert page.get_attribute("#share-preview", "title") in (
            "Podgląd osadzonej mapy",
            "Preview of the embedded map",
        )
        frame = next(f for f in page.frames if f.url == src)
        assert frame.evaluate(FRAME_STATE)["drawn"] == 21
        # The copy button copies the code.
        page.click("[data-copy=share-code]")
        page.wait_for_function("() => document.querySelector('.share-status').textContent")
        assert page.evaluate("navigator.clipboard.readText()") == code
        # Escape closes it and gives the focus back to the button.
        page.keyboard.press("Escape")
        assert not dialog.evaluate("d => d.open")
        assert page.evaluate("document.activeElement.id") == "share-open"
        # Opened again, it keeps its one preview.
        page.keyboard.press("Enter")
        assert dialog.evaluate("d => d.open") and page.locator("iframe").count() == 1
        page.keyboard.press("Escape")
        assert errors == []
    finally:
        context.close()


def test_a_hostile_query_stays_text_in_the_iframe_code(page, embed_server: str) -> None:
    hostile = "\"'><img src=x onerror=alert(1)></textarea><script>alert(2)</script>"
    page.goto(f"{embed_server}/zasoby?q={quote(hostile)}", wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", state="attached")
    page.click("#share-open")
    code = page.input_value("#share-code")
    parsed = page.evaluate(
        """(code) => {
            const body = new DOMParser().parseFromString(code, 'text/html').body;
            return {count: body.querySelectorAll('*').length, tag: body.firstElementChild.tagName,
                    src: body.firstElementChild.getAttribute('src')};
        }""",
        code,
    )
    assert parsed["count"] == 1 and parsed["tag"] == "IFRAME"
    assert parsed["src"].startswith(embed_server + "/embed/zasoby?q=%22%27%3E%3Cimg")
    page.frame_locator("#share-preview").locator(".embed-title h1").wait_for()
    title = page.frame_locator("#share-preview").locator(".embed-title h1").inner_text()
    assert "<img src=x onerror=alert(1)>" in title
    assert page.locator("img[src='x']").count() == 0
    assert page.dialogs == []
    assert page.console_errors == []


@pytest.mark.parametrize(("width", "height", "folded"), [(400, 300, True), (1000, 700, False)])
def test_the_legend_folds_in_a_small_frame_and_opens_on_click(
    browser, embed_server: str, width: int, height: int, folded: bool
) -> None:
    context = browser.new_context(locale="pl-PL", viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(embed_server + "/embed/mapa/needs_index", wait_until="load")
        toggle = page.locator(".palmap-legend .palmap-legend-toggle")
        toggle.wait_for()
        classes = page.locator(".palmap-legend ul.palmap-classes")
        assert toggle.get_attribute("aria-expanded") == ("false" if folded else "true")
        assert classes.is_visible() is not folded
        # A button: the keyboard opens and folds it as a click does.
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == ("true" if folded else "false")
        assert classes.is_visible() is folded
        toggle.click()
        assert classes.is_visible() is not folded
    finally:
        context.close()
