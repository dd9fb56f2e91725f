"""WCAG 2.1 A/AA in Chromium: axe-core on every HTML page of the app, in both languages, and the
keyboard on a map page and its share dialog.

palmap serves public bodies, which Polish law holds to WCAG 2.1 AA. axe-core comes from the
``axe-playwright-python`` package of the ``dev`` extra (its bundled ``axe.min.js``; never a copy
in this repository, never a CDN). The list of pages is the app's ``url_map``: every GET rule is
either an HTML page below (checked by axe) or named in ``NOT_HTML`` with what it answers, so a
new page fails :func:`test_every_route_is_an_audited_page_or_named_as_not_html` until it is
audited.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from app import create_app
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Every HTML page: its url_map rule -> a URL of it (the demo data's layers and districts).
HTML_PAGES: dict[str, str] = {
    "/": "/",
    "/mapa/<layer>": "/mapa/needs_index",
    "/map/<layer>": "/map/needs_index",
    "/mapa/<layer>.<any(png,svg,pdf,html):fmt>": "/mapa/needs_index.html",
    "/map/<layer>.<any(png,svg,pdf,html):fmt>": "/map/needs_index.html",
    "/porownanie/<layer>": "/porownanie/needs_index",
    "/compare/<layer>": "/compare/needs_index",
    "/dzielnice": "/dzielnice",
    "/districts": "/districts",
    "/dzielnice/<code>": "/dzielnice/lubiechow?edition=2013",  # a published edition's page
    "/districts/<code>": "/districts/lubiechow",
    "/zasoby": "/zasoby",
    "/resources": "/resources",
    "/obszary": "/obszary",
    "/targets": "/targets",
    "/obszary/karta": "/obszary/karta",
    "/targets/sheet": "/targets/sheet",
    "/embed/mapa/<layer>": "/embed/mapa/needs_index?edition=2013",
    "/partnerstwa": "/partnerstwa",
    "/partnerships": "/partnerships",
    "/dzialania": "/dzialania",
    "/actions": "/actions?type=IV.6",
    "/ankiety": "/ankiety",
    "/surveys": "/surveys?question=2",
    "/embed/map/<layer>": "/embed/map/needs_index",
    "/embed/porownanie/<layer>": "/embed/porownanie/needs_index",
    "/embed/compare/<layer>": "/embed/compare/needs_index",
    "/embed/zasoby": "/embed/zasoby",
    "/embed/resources": "/embed/resources",
    "/embed/obszary": "/embed/obszary",
    "/embed/targets": "/embed/targets",
    "/edycje": "/edycje",
    "/editions": "/editions",
    "/edycje/<before>/<after>": "/edycje/2013/2013",
    "/sprawozdanie/<edition>": "/sprawozdanie/2013",
    "/report/<edition>": "/report/2013",
    "/editions/<before>/<after>": "/editions/2013/2013",
    "/logowanie": "/logowanie",
    "/login": "/login",
    "/wyloguj": "/wyloguj",
    "/logout": "/logout",
    # The OGC API's pages as HTML (f=html; JSON by default: tests/app/test_ogc.py).
    "/ogc": "/ogc?f=html",
    "/ogc/conformance": "/ogc/conformance?f=html",
    "/ogc/api": "/ogc/api?f=html",
    "/ogc/collections": "/ogc/collections?f=html",
    "/ogc/collections/<collection_id>": "/ogc/collections/edition-2013-districts?f=html",
    "/ogc/collections/<collection_id>/queryables": "/ogc/collections/resources/queryables?f=html",
    "/ogc/collections/<collection_id>/items": "/ogc/collections/resources/items?f=html&limit=50",
    "/ogc/collections/<collection_id>/items/<feature_id>": (
        "/ogc/collections/districts/items/gaj?f=html"
    ),
}

#: Pages only a logged-in editor sees: their rule -> a URL (audited logged in, below).
PRIVATE_PAGES: dict[str, str] = {
    "/dzialania/nowe": "/dzialania/nowe",
    "/actions/new": "/actions/new",
    "/dzialania/<code>/edycja": "/dzialania/demo-2012-01/edycja",
    "/actions/<code>/edit": "/actions/demo-2012-01/edit",
    "/partnerstwa/nowe": "/partnerstwa/nowe",
    "/partnerships/new": "/partnerships/new",
    "/partnerstwa/<code>/edycja": "/partnerstwa/pal-polnoc/edycja",
    "/partnerships/<code>/edit": "/partnerships/pal-centrum/edit",
    "/zasoby/<int:resource_id>/edycja": "/zasoby/5/edycja",
    "/resources/<int:resource_id>/edit": "/resources/5/edit",
    "/dziennik": "/dziennik",
    "/audit": "/audit",
    "/dane/import": "/dane/import",
    "/data/import": "/data/import",
    "/zasoby/nowy": "/zasoby/nowy",
    "/resources/new": "/resources/new",
    "/kosz": "/kosz",
    "/trash": "/trash",
    "/konta": "/konta",
    "/accounts": "/accounts",
    "/wskazniki/dane": "/wskazniki/dane",
    "/indicators/data": "/indicators/data",
    "/kategorie": "/kategorie",
    "/categories": "/categories",
    "/dzielnice/<code>/edycja": "/dzielnice/lubiechow/edycja",
    "/districts/<code>/edit": "/districts/lubiechow/edit",
}

#: The error page, in the site's layout and in an embed's: (URL, status).
ERROR_PAGES: list[tuple[str, int]] = [
    ("/mapa/no_such_layer", 404),
    ("/no-such-page", 404),
    ("/mapa/needs_index?k=99", 400),
    ("/embed/mapa/needs_index?legend=2", 400),
    ("/embed/mapa/no_such_layer", 404),
]

#: GET rules that answer something other than an HTML page, and what.
NOT_HTML: dict[str, str] = {
    "/sprawozdanie/<edition>.<any(pdf,docx):fmt>": "the yearly report as PDF or DOCX",
    "/report/<edition>.<any(pdf,docx):fmt>": "the yearly report as PDF or DOCX",
    "/dziennik.csv": "CSV (editors)",
    "/audit.csv": "CSV (editors)",
    "/dane/import/<token>": "the preview of an upload (audited in tests/browser/test_editing.py)",
    "/data/import/<token>": "the preview of an upload (audited in tests/browser/test_editing.py)",
    "/dane/szablon/<any(resources,districts,indicators,partnerships,actions,surveys):kind>"
    ".<any(xlsx,csv):fmt>": "XLSX or CSV",
    "/data/template/<any(resources,districts,indicators,partnerships,actions,surveys):kind>"
    ".<any(xlsx,csv):fmt>": "XLSX or CSV",
    "/zasoby/klastry": "JSON: the resources of one map view as clusters",
    "/resources/clusters": "JSON: the resources of one map view as clusters",
    "/mapa": "redirect to /mapa/<layer>",
    "/map": "redirect to /map/<layer>",
    "/porownanie": "redirect to /porownanie/<layer>",
    "/compare": "redirect to /compare/<layer>",
    "/mapa/<layer>/tabela.csv": "CSV",
    "/map/<layer>/table.csv": "CSV",
    "/porownanie/<layer>/tabela.csv": "CSV",
    "/compare/<layer>/table.csv": "CSV",
    "/porownanie/<layer>.<any(png,svg,pdf):fmt>": "image or PDF",
    "/compare/<layer>.<any(png,svg,pdf):fmt>": "image or PDF",
    "/obszary/mapa.<any(png,svg,pdf):fmt>": "image or PDF",
    "/targets/map.<any(png,svg,pdf):fmt>": "image or PDF",
    "/obszary/karta.pdf": "PDF",
    "/targets/sheet.pdf": "PDF",
    "/zasoby.csv": "CSV",
    "/resources.csv": "CSV",
    "/ankiety.csv": "CSV",
    "/surveys.csv": "CSV",
    "/zasoby.geojson": "GeoJSON",
    "/resources.geojson": "GeoJSON",
    "/static/<path:filename>": "static files",
    "/static/vendor/<name>/<path:filename>": "Leaflet's files",
    "/zdrowie": "JSON: liveness (tests/deploy/test_health.py)",
    "/health": "JSON: liveness (tests/deploy/test_health.py)",
    "/gotowosc": "JSON: readiness (tests/deploy/test_health.py)",
    "/ready": "JSON: readiness (tests/deploy/test_health.py)",
}

#: Narrow exclusions, each a rule of axe and a selector of the nodes it may skip, and why.
EXCLUSIONS: list[tuple[str, str, str]] = []


def _with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def _excluded(page, violation: dict) -> tuple[list[dict], list[str]]:
    """The nodes of ``violation`` left after the exclusions, and a line for each node skipped."""
    kept, skipped = [], []
    for node in violation["nodes"]:
        target = node["target"][0] if node["target"] else ""
        reason = next(
            (
                why
                for rule, selector, why in EXCLUSIONS
                if rule == violation["id"]
                and isinstance(target, str)
                and page.evaluate(
                    "([t, s]) => { const e = document.querySelector(t);"
                    " return !!e && e.matches(s); }",
                    [target, selector],
                )
            ),
            None,
        )
        if reason is None:
            kept.append(node)
        else:
            skipped.append(f"excluded {violation['id']} on {target}: {reason}")
    return kept, skipped


def audit(page) -> list[str]:
    """Run axe-core (WCAG 2.1 A and AA) on ``page``; one line per violation and node."""
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        TAGS,
    )
    lines = []
    for violation in result["violations"]:
        nodes, skipped = _excluded(page, violation)
        for line in skipped:
            print(line)
        if not nodes:
            continue
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} [{len(nodes)} nodes]"
        )
        lines += [
            f"    {node['target']} {node.get('failureSummary', '')!r}"[:400] for node in nodes
        ]
    return lines


def _load(page, url: str) -> int:
    response = page.goto(url, wait_until="load")
    if page.locator(".leaflet-container").count():
        page.wait_for_selector(".leaflet-overlay-pane path", state="attached")
    page.wait_for_timeout(150)
    return response.status


def test_every_route_is_an_audited_page_or_named_as_not_html(tmp_path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'routes.sqlite'}",
            "SECRET_KEY": "test",
        }
    )
    rules = {rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert set(HTML_PAGES) & set(NOT_HTML) == set()
    listed = set(HTML_PAGES) | set(NOT_HTML) | set(PRIVATE_PAGES)
    assert rules - listed == set(), "a new page: add it to HTML_PAGES (or PRIVATE_PAGES)"
    assert listed <= rules


#: Pages of the live server's edition 2013 besides the routes' examples: two editions compared
#: (the live data against 2013; "no clear change" in the change map, its legend and table).
EDITION_PAGES: list[str] = ["/porownanie/social_assistance_rate?against=2013&from=2010&to=2013"]


def _pages() -> Iterator[tuple[str, int]]:
    for url in HTML_PAGES.values():
        yield url, 200
    for url in EDITION_PAGES:
        yield url, 200
    yield from ERROR_PAGES


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize(("url", "status"), list(_pages()))
def test_every_page_passes_axe_wcag21_aa(
    page, live_server: str, url: str, status: int, lang: str
) -> None:
    assert _load(page, live_server + _with_lang(url, lang)) == status
    found = audit(page)
    if found:
        print(f"{url} ({lang}):", *found, sep="\n  ")
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize(
    "url",
    [
        *PRIVATE_PAGES.values(),
        "/wyloguj",
        "/dziennik?actor=nobody",
        "/edycje",
        "/obszary?edition=2013",  # with the target-area choice form
    ],
)
def test_every_editor_page_passes_axe_wcag21_aa(
    page, editor_server: str, url: str, lang: str
) -> None:
    log_in(page, editor_server, "anna.nowak")  # an admin sees every editor page
    assert _load(page, editor_server + _with_lang(url, lang)) == 200
    found = audit(page)
    assert found == [], "\n".join(found)


# Every element the keyboard should reach (visible, enabled, not taken out of the tab order).
MARK_FOCUSABLE = """(scope) => {
    const root = scope ? document.querySelector(scope) : document;
    const all = [...root.querySelectorAll(
        'a[href], button, input, select, textarea, summary, [tabindex]')];
    const wanted = all.filter(e => {
        if (e.tabIndex < 0 || e.disabled || e.closest('[hidden], [inert]')) return false;
        if (!scope && e.closest('dialog')) return false;
        const style = getComputedStyle(e), box = e.getBoundingClientRect();
        return style.visibility !== 'hidden' && style.display !== 'none'
            && box.width > 0 && box.height > 0
            && !(e.closest('details:not([open])') && e.tagName !== 'SUMMARY');
    });
    wanted.forEach((e, i) => e.setAttribute('data-kb', (scope ? 'd' : 'p') + i));
    return wanted.map(e => e.getAttribute('data-kb'));
}"""

# The focused element's key and whether its focus shows (an outline or a box shadow).
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    return {key: e.getAttribute('data-kb'), tag: e.tagName + '.' + e.className,
            visible: outline || shadow};
}"""


def _tab_through(
    page, wanted: list[str], limit: int, key: str = "Tab"
) -> tuple[set[str], list[str]]:
    """Press ``key`` up to ``limit`` times; the keys reached and the elements whose focus hid."""
    reached, hidden = set(), []
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["key"] is None:
            continue
        reached.add(focused["key"])
        if not focused["visible"]:
            hidden.append(focused["tag"])
        if reached >= set(wanted):
            break
    return reached, hidden


def test_the_keyboard_reaches_every_control_of_a_map_page_and_its_share_dialog(
    page, live_server: str
) -> None:
    _load(page, live_server + "/mapa/needs_index")
    wanted = page.evaluate(MARK_FOCUSABLE, None)
    assert len(wanted) > 15
    reached, hidden = _tab_through(page, wanted, limit=len(wanted) * 3)
    missing = page.evaluate(
        "(keys) => keys.map(k => document.querySelector(`[data-kb='${k}']`).outerHTML"
        ".slice(0, 120))",
        sorted(set(wanted) - reached),
    )
    assert missing == [], "not reached by Tab"
    assert hidden == [], "focus not visible"

    # The share dialog opens from the keyboard, keeps the focus inside, and gives it back.
    page.focus("#share-open")
    page.keyboard.press("Enter")
    page.wait_for_selector("#share-dialog[open]")
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    inside = page.evaluate(MARK_FOCUSABLE, "#share-dialog")
    assert len(inside) >= 6
    # Forward from the first field (autofocus), then backward to the close button before it.
    first = page.evaluate(FOCUSED)
    reached, hidden = _tab_through(page, inside, limit=len(inside) * 2)
    page.focus("#share-page-url")
    back, hidden_back = _tab_through(page, inside, limit=3, key="Shift+Tab")
    reached |= back | {first["key"]}
    hidden += hidden_back
    assert set(inside) - reached == set(), "not reached by Tab in the dialog"
    assert hidden == [], "focus not visible in the dialog"
    assert audit(page) == [], "the open dialog"
    page.focus("#share-code")
    page.keyboard.press("Escape")
    assert page.evaluate("document.getElementById('share-dialog').open") is False
    assert page.evaluate("document.activeElement.id") == "share-open"
    assert page.console_errors == []


#: Pages that hold no map (forms).
#: (The yearly report's maps are static images with their text alternative and the tables.)
NO_MAP = {
    "/logowanie",
    "/login",
    "/wyloguj",
    "/logout",
    "/partnerstwa",
    "/partnerships",
    "/sprawozdanie/2013",
    "/report/2013",
    "/ankiety",
    "/surveys?question=2",
    "/edycje",
    "/editions",
    "/edycje/2013/2013",
    "/editions/2013/2013",
}
# The OGC API's HTML pages are tables of features, without a map.
MAP_PAGES = [
    url
    for url in HTML_PAGES.values()
    if not url.endswith(".html") and url not in NO_MAP and not url.startswith("/ogc")
]


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_map_page_has_its_data_as_a_table_or_text(page, live_server: str, lang: str) -> None:
    """WCAG 1.1.1: a map's data are also a table on the page, or links to the pages with them."""
    checked = 0
    for url in MAP_PAGES:
        _load(page, live_server + _with_lang(url, lang))
        if not page.locator(".leaflet-container").count():
            continue
        checked += 1
        names = page.evaluate(
            "() => [...document.querySelectorAll('.leaflet-container')]"
            ".map(m => [m.getAttribute('role'), m.getAttribute('aria-label')])"
        )
        assert all(role == "region" and label for role, label in names), (url, names)
        if url.startswith("/embed/"):
            # The embed links to its full page, which holds the table.
            links = page.locator("a[href]:not([href*='leafletjs'])").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
            assert any(not h.startswith("/embed/") for h in links), url
            continue
        alternative = page.locator("[data-map-alternative]")
        assert alternative.count() == 1, url
        rows = alternative.locator("table tbody tr, li").count()
        links = alternative.locator("a[href]").evaluate_all("a => a.map(x => x.href)")
        assert rows > 0 or links, url
        for href in links if not rows else []:
            _load(page, href)
            assert page.locator("table.data-table tbody tr").count() > 0, href
    assert checked == len([u for u in MAP_PAGES if u != "/obszary/karta" and "sheet" not in u])


#: The pages and forms this stop added (editions, the programme, surveys, the report, the
#: editors' forms), audited at phone size too: their tables scroll in boxes of their own.
PHONE = {"width": 390, "height": 844}
PHONE_PUBLIC = [
    "/edycje",
    "/edycje/2013/2013",
    "/sprawozdanie/2013",
    "/partnerstwa",
    "/dzialania",
    "/ankiety",
    "/dzielnice/lubiechow?edition=2013",
]
PHONE_PRIVATE = [
    "/dzielnice/lubiechow/edycja",
    "/dzialania/nowe",
    "/partnerstwa/nowe",
    "/wskazniki/dane",
    "/obszary?edition=2013",
    "/edycje",
]


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize("url", PHONE_PUBLIC)
def test_new_pages_pass_axe_at_phone_size(browser, live_server: str, url: str, lang: str) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        assert _load(page, live_server + _with_lang(url, lang)) == 200
        found = audit(page)
        assert found == [], "\n".join(found)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, (url, width)  # nothing runs off the page
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize("url", PHONE_PRIVATE)
def test_new_editor_pages_pass_axe_at_phone_size(
    browser, editor_server: str, url: str, lang: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        log_in(page, editor_server, "anna.nowak")
        assert _load(page, editor_server + _with_lang(url, lang)) == 200
        found = audit(page)
        assert found == [], "\n".join(found)
    finally:
        context.close()
