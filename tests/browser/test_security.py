"""The Content-Security-Policy in Chromium (issue 11, point 7; docs/SECURITY.md): every HTML page
of the app draws under its policy with no violation and no console error, and a script added
to a page without its hash does not run."""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import ERROR_PAGES, HTML_PAGES, _load, _with_lang

pytestmark = pytest.mark.browser

#: Records every CSP violation of the page (in every frame, from the first script on).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
        + ` at ${event.sourceFile}:${event.lineNumber}`
    );
});
"""


def _pages() -> list[tuple[str, int]]:
    return [*((url, 200) for url in HTML_PAGES.values()), *ERROR_PAGES]


@pytest.fixture
def watched(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def _violations(page) -> list[str]:
    found = []
    for frame in page.frames:
        found += frame.evaluate("window.__violations || []")
    return found


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize(("url", "status"), _pages())
def test_every_page_draws_under_its_policy_without_a_violation(
    watched, live_server: str, url: str, status: int, lang: str
) -> None:
    assert _load(watched, live_server + _with_lang(url, lang)) == status
    policy = watched.evaluate(
        "async () => (await fetch(location.href)).headers.get('content-security-policy')"
    )
    assert "script-src 'self' 'sha256-" in policy or status != 200
    if watched.locator(".leaflet-container").count():
        # The map's own scripts ran: Leaflet drew the districts.
        assert watched.locator(".leaflet-overlay-pane path").count() > 0
    assert _violations(watched) == []
    console = [m for m in watched.console_errors if "Content Security Policy" in m or "CSP" in m]
    assert console == []
    # 4xx pages log their own status as a console error; nothing else may be there.
    others = [m for m in watched.console_errors if "status of 4" not in m]
    assert others == []


def test_the_share_dialog_and_its_preview_work_under_the_policy(watched, live_server: str) -> None:
    assert _load(watched, live_server + "/mapa/needs_index") == 200
    watched.click("#share-open")
    watched.wait_for_selector("#share-dialog[open]")
    frame = watched.frame_locator("#share-preview")
    frame.locator(".leaflet-overlay-pane path").first.wait_for(state="attached")
    assert watched.input_value("#share-page-url").startswith(live_server + "/mapa/needs_index")
    assert _violations(watched) == []


def test_a_script_added_without_its_hash_is_blocked(watched, live_server: str) -> None:
    assert _load(watched, live_server + "/obszary") == 200
    ran = watched.evaluate(
        """() => new Promise((done) => {
            const script = document.createElement("script");
            script.textContent = "window.__injected = true;";
            document.body.appendChild(script);
            setTimeout(() => done(window.__injected === true), 100);
        })"""
    )
    assert ran is False
    assert any("script-src" in v for v in _violations(watched))
    handler = watched.evaluate(
        """() => new Promise((done) => {
            const button = document.createElement("button");
            button.setAttribute("onclick", "window.__clicked = true");
            document.body.appendChild(button);
            button.click();
            setTimeout(() => done(window.__clicked === true), 100);
        })"""
    )
    assert handler is False


def test_the_print_button_of_the_sheet_has_no_inline_handler(watched, live_server: str) -> None:
    assert _load(watched, live_server + "/obszary/karta") == 200
    watched.evaluate("window.print = () => { window.__printed = true; }")
    watched.click("#sheet-print")
    assert watched.evaluate("window.__printed === true")
    assert _violations(watched) == []


def test_the_targets_share_link_is_shown_absolute(watched, live_server: str) -> None:
    assert _load(watched, live_server + "/obszary?top=4") == 200
    link = watched.input_value("#share-link")
    assert link.startswith(live_server + "/obszary?") and "top=4" in link


# A 1x1 transparent PNG: the tile server's answer (the test machine may have no internet).
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def osm_server(tmp_path_factory: pytest.TempPathFactory):
    from tests.browser.conftest import _serve

    served = _serve(tmp_path_factory.mktemp("osm"), hostile=False, config={"TILES": "osm"})
    yield next(served)
    served.close()


@pytest.mark.parametrize(
    "url", ["/", "/mapa/needs_index", "/embed/zasoby", "/mapa/needs_index.html?tiles=osm"]
)
def test_base_tiles_load_under_the_policy(watched, osm_server: str, url: str) -> None:
    tiles: list[str] = []

    def tile(route) -> None:
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PIXEL)

    watched.route("https://tile.openstreetmap.org/**", tile)
    assert _load(watched, osm_server + url) == 200
    watched.wait_for_selector(".leaflet-tile-loaded", state="attached")
    assert tiles
    assert _violations(watched) == []
