"""The edition cycle in Chromium, as the people who run it do it (issue 13, "In Chromium:
publish an edition, embed it, change data, the embed still shows the edition").

An admin publishes an edition on ``/edycje``; the share dialog of its map gives an iframe code
that carries the edition; a partner's site frames it; an editor then changes a value in the
values table; the partner's embed still draws the published value, while the live embed draws
the new one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.browser.conftest import _add_accounts, _serve, host_page_server, log_in

pytestmark = pytest.mark.browser

CODE = "cykl-2021"
LAYER = "social_assistance_rate"
DISTRICT = "podzamcze"
YEAR = 2021

#: Each district polygon's code -> its tooltip (which holds the value) and its fill colour.
DRAWN_VALUES = """() => {
    const map = Object.values(window).find(v => typeof L !== 'undefined' && v instanceof L.Map);
    const out = {};
    if (map) map.eachLayer(l => {
        const p = l.feature && l.feature.properties;
        if (l instanceof L.Polygon && p && p.code && l._path && l._path.isConnected) {
            out[p.code] = p.tip + ' | ' + l.options.fillColor;
        }
    });
    return out;
}"""


@pytest.fixture(scope="module")
def partner() -> Iterator[str]:
    with host_page_server() as url:
        yield url


@pytest.fixture(scope="module")
def cycle_server(tmp_path_factory: pytest.TempPathFactory, partner: str) -> Iterator[str]:
    """The demo data, an admin and an editor, and the partner allowed to frame embeds."""
    yield from _serve(
        tmp_path_factory.mktemp("cycle"),
        hostile=False,
        config={"EMBED_ORIGINS": partner, "LOGIN_LIMIT": "1000 per minute"},
        prepare=_add_accounts,
    )


def _framed_values(page, partner: str, src: str) -> dict[str, object]:
    """Frame ``src`` on the partner's site; the values its map drew, once all 21 are drawn."""
    page.goto(f"{partner}/?src={quote(src, safe='')}", wait_until="load")
    frame = page.main_frame.child_frames[0]
    deadline = time.monotonic() + 60
    drawn: dict[str, object] = {}
    while time.monotonic() < deadline:
        try:
            drawn = frame.evaluate(DRAWN_VALUES)
        except Exception:  # noqa: BLE001 - the frame is still navigating
            drawn = {}
        if len(drawn) == 21:
            return drawn
        page.wait_for_timeout(100)
    raise AssertionError(f"the embed {src} drew {len(drawn)} districts, not 21")


def _year_values(drawn: dict[str, object]) -> dict[str, str]:
    """Each district's value for YEAR as its tooltip prints it."""
    found = {
        code: re.search(rf"<dt>{YEAR}</dt><dd>(.*?)</dd>", str(tip)) for code, tip in drawn.items()
    }
    assert all(found.values()), drawn
    return {code: match.group(1) for code, match in found.items() if match}


def _share_code_src(page, url: str) -> str:
    """Open ``url``, open its share dialog by keyboard, return the iframe code's ``src``."""
    page.goto(url, wait_until="load")
    page.locator("#share-open").focus()
    page.keyboard.press("Enter")
    code = page.input_value("#share-code")
    return page.evaluate(
        """(code) => new DOMParser().parseFromString(code, 'text/html')
                         .body.firstElementChild.getAttribute('src')""",
        code,
    )


def test_publish_embed_change_and_the_embed_keeps_the_edition(
    browser, cycle_server: str, partner: str
) -> None:
    context = browser.new_context(locale="pl-PL", viewport={"width": 1366, "height": 900})
    # A cold render of a pinned map is a second or two; a machine shared with other work can
    # make it much slower, which is not what this test is about.
    context.set_default_timeout(120_000)
    context.set_default_navigation_timeout(120_000)
    try:
        admin = context.new_page()
        # 1. The admin publishes the edition from /edycje.
        log_in(admin, cycle_server, "anna.nowak")
        admin.goto(f"{cycle_server}/edycje")
        admin.fill("#e-code", CODE)
        admin.fill("#e-title", "Mapy zasobów <i>2021</i>")
        with admin.expect_navigation():
            admin.click("form.edit-form button[type=submit]")
        row = admin.locator("table.data-table tbody tr", has_text=CODE)
        assert row.count() == 1
        assert "Mapy zasobów <i>2021</i>" in row.inner_text()  # the title is text, not markup
        assert row.locator("i").count() == 0

        # 2. Its map's share dialog gives an iframe code that carries the edition.
        src = _share_code_src(admin, f"{cycle_server}/mapa/{LAYER}?edition={CODE}&year={YEAR}")
        assert src.startswith(f"{cycle_server}/embed/mapa/{LAYER}")
        assert parse_qs(urlsplit(src).query)["edition"] == [CODE]
        live_src = _share_code_src(admin, f"{cycle_server}/mapa/{LAYER}?year={YEAR}")
        assert "edition" not in parse_qs(urlsplit(live_src).query)

        # 3. A partner's site frames both; they agree before anything changes.
        viewer = context.new_page()
        pinned_before = _framed_values(viewer, partner, src)
        live_before = _framed_values(viewer, partner, live_src)
        assert pinned_before == live_before

        # 4. An editor changes this district's count in the values table.
        editor_context = browser.new_context(locale="pl-PL")
        editor_context.set_default_navigation_timeout(120_000)
        try:
            editor = editor_context.new_page()
            log_in(editor, cycle_server, "jan.kowalski")
            editor.goto(f"{cycle_server}/wskazniki/dane?year={YEAR}")
            cell = editor.locator(f'input[name="v:{DISTRICT}:social_assistance"]')
            old = float(cell.input_value())
            cell.fill(str(int(old * 3)))
            with editor.expect_navigation():
                editor.click("form.values-form button[type=submit]")
            assert editor.locator("#problems").count() == 0
            assert editor.locator("#stale").count() == 0
        finally:
            editor_context.close()

        # 5. The pinned embed draws exactly what it drew; the live one draws the new value.
        pinned_after = _framed_values(viewer, partner, src)
        live_after = _framed_values(viewer, partner, live_src)
        assert pinned_after == pinned_before
        before, after = _year_values(live_before), _year_values(live_after)
        assert after[DISTRICT] != before[DISTRICT]
        # Only that district's value moved (ranks and classes of the others may follow it).
        assert {k: v for k, v in after.items() if k != DISTRICT} == {
            k: v for k, v in before.items() if k != DISTRICT
        }
        # The pinned embed names its edition.
        viewer.goto(f"{partner}/?src={quote(src, safe='')}", wait_until="load")
        frame = viewer.main_frame.child_frames[0]
        frame.wait_for_selector(".embed-title")
        assert CODE in frame.locator("body").inner_text()
    finally:
        context.close()
