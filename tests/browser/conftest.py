"""A live palmap server on 127.0.0.1 and Debian's Chromium driven by Playwright.

Skipped, with the reason printed, only where /usr/bin/chromium is missing outside CI; in CI
(``CI`` set) or under ``make test`` a missing browser fails the run.
"""

from __future__ import annotations

import html
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pytest
from flask import Flask
from shapely import Point
from werkzeug.serving import make_server

from app import create_app
from app.db import get_engine
from mapping.db import store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
XSS_NAMES = (
    "<img src=x onerror=alert(1)>",
    "${document.title=1}",
    "`</script><script>alert(2)</script>",
)


def _require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"no Chromium at {CHROMIUM} (make test installs Debian's chromium)"
    if os.environ.get("CI") or os.environ.get("PALMAP_TEST_POSTGIS_URL"):
        pytest.fail(message)
    pytest.skip(message)


def _serve(
    folder: Path,
    *,
    hostile: bool,
    config: dict[str, object] | None = None,
    prepare: Callable[[Flask], None] | None = None,
) -> Iterator[str]:
    """Serve the app with the demo data (plus XSS-named resources) on a free loopback port.

    ``config`` adds settings (such as ``EMBED_ORIGINS``); ``prepare(app)`` adds data first.
    """
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": f"sqlite:///{folder / 'live.sqlite'}",
            "SECRET_KEY": "test",
            "TILES": "none",
            **(config or {}),
        }
    )
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    if hostile:
        _add_hostile_resources(app)
    if prepare is not None:
        prepare(app)
    # Port 0: the OS picks a free port; the server listens on loopback only.
    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _add_hostile_resources(app) -> None:
    engine = get_engine(app)
    centre = store.load_districts(engine).to_crs(2180).geometry.iloc[0].representative_point()
    point = gpd.GeoSeries([centre], crs=2180).to_crs(4326).iloc[0]
    hostile = gpd.GeoDataFrame(
        {
            "external_id": [f"xss-{i}" for i in range(len(XSS_NAMES))],
            "name": list(XSS_NAMES),
            "category": ["ngo"] * len(XSS_NAMES),
            "address": list(XSS_NAMES),
            "operator": list(XSS_NAMES),
            "website": ["javascript:alert(3)"] * len(XSS_NAMES),
            "district_code": [None] * len(XSS_NAMES),
            "synthetic": [True] * len(XSS_NAMES),
        },
        geometry=[Point(point.x + i * 1e-4, point.y) for i in range(len(XSS_NAMES))],
        crs=4326,
    )
    with engine.begin() as conn:
        store.save_resources(conn, hostile)


def _closing(app: Flask) -> Callable[..., Iterator[bytes]]:
    """``app`` whose answer is closed even when the browser drops the connection mid-answer
    (it navigated on): Werkzeug's development server then leaves the answer unclosed, and a
    static file it was sending (leaflet.js) raised ResourceWarning in a later test (seen once in
    a clean-clone run)."""

    def wsgi(environ: dict, start_response: Callable[..., object]) -> Iterator[bytes]:
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with exactly the demo data, published as the edition ``2013``."""
    yield from _serve(tmp_path_factory.mktemp("live"), hostile=False, prepare=_publish_2013)


def _publish_2013(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["edition", "publish", "2013", "--title", "Mapy 2013"])
    assert result.exit_code == 0, result.output


#: The accounts of the editor server (tests/browser/test_editing.py): login -> role.
ACCOUNTS = {"anna.nowak": "admin", "jan.kowalski": "editor"}
PASSWORD = "correct horse battery"


def _add_accounts(app: Flask) -> None:
    runner = app.test_cli_runner()
    for login, role in ACCOUNTS.items():
        result = runner.invoke(
            args=["user", "add", login, "--role", role, "--password-stdin"], input=PASSWORD + "\n"
        )
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo data and two accounts (an admin and an editor)."""
    # Every test logs in again from the same address: the login limit is not what they test.
    yield from _serve(
        tmp_path_factory.mktemp("editor"),
        hostile=False,
        config={"LOGIN_LIMIT": "1000 per minute"},
        prepare=_accounts_and_an_edition,
    )


def _accounts_and_an_edition(app: Flask) -> None:
    _add_accounts(app)
    _publish_2013(app)


def log_in(page: object, server: str, login: str) -> None:
    """Log ``page`` in through the login form, by keyboard, as a person would."""
    page.goto(f"{server}/logowanie")  # type: ignore[attr-defined]
    page.fill("#login", login)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.press("#password", "Enter")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server}/")  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo data and resources named like the XSS inputs of
    docs/SECURITY.md (point 1)."""
    yield from _serve(tmp_path_factory.mktemp("hostile"), hostile=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh page in Polish, recording console errors, failed requests and dialogs."""
    context = browser.new_context(locale="pl-PL", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.console_errors = []
    page.failed_requests = []
    page.dialogs = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("requestfailed", lambda r: page.failed_requests.append(r.url))
    page.on(
        "response", lambda r: r.status >= 400 and page.failed_requests.append(f"{r.status} {r.url}")
    )

    def _dialog(dialog) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", _dialog)
    yield page
    context.close()


class _HostPage(BaseHTTPRequestHandler):
    """``/?src=URL``: a page of another site holding one iframe of ``URL``."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        src = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner site'
            "</title></head><body><h1>A partner's page</h1>"
            f'<iframe id="palmap" src="{html.escape(src)}" width="800" height="500" '
            'title="palmap"></iframe></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def host_page_server() -> Iterator[str]:
    """Another site on 127.0.0.1 (a port the OS picks: another origin) framing a given URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def block_network(page) -> list[str]:
    """Let ``page`` load ``file:`` URLs only; return the list that collects every other URL it
    tried (each is aborted), for tests of pages that must work offline."""
    blocked: list[str] = []

    def route(request_route) -> None:
        if request_route.request.url.startswith("file:"):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return blocked
