"""Issue 11, points 2, 6 and 7 (docs/SECURITY.md): no page holds the Host a visitor sent; the page
cache's key is the page's own arguments; every response has a Content-Security-Policy that allows
only palmap's scripts, a Permissions-Policy, HSTS and Secure cookies under PALMAP_HTTPS=1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from werkzeug.middleware.proxy_fix import ProxyFix

from app import create_app
from app.cache import page_cache
from mapping.errors import ConfigurationError
from tests.app.conftest import make_app
from tests.browser.test_accessibility import ERROR_PAGES, HTML_PAGES, NOT_HTML

#: A URL of every GET rule that is not an HTML page, where it can hold text (images, PDFs and
#: static files cannot hold a host name the request sent).
TEXT_FILES: dict[str, str] = {
    "/mapa": "/mapa",
    "/map": "/map",
    "/porownanie": "/porownanie",
    "/compare": "/compare",
    "/mapa/<layer>/tabela.csv": "/mapa/needs_index/tabela.csv",
    "/map/<layer>/table.csv": "/map/needs_index/table.csv",
    "/porownanie/<layer>/tabela.csv": "/porownanie/needs_index/tabela.csv",
    "/compare/<layer>/table.csv": "/compare/needs_index/table.csv",
    "/zasoby.csv": "/zasoby.csv",
    "/resources.csv": "/resources.csv",
    "/ankiety.csv": "/ankiety.csv",
    "/surveys.csv": "/surveys.csv",
    "/zasoby.geojson": "/zasoby.geojson",
    "/resources.geojson": "/resources.geojson",
    "/zasoby/klastry": "/zasoby/klastry?bbox=16,50,17,51&zoom=16",
    "/resources/clusters": "/resources/clusters?bbox=16,50,17,51&zoom=16",
    # (editors only: an anonymous request gets the redirect to the login page)
    "/dziennik.csv": "/dziennik.csv",
    "/audit.csv": "/audit.csv",
    "/dane/import/<token>": "/dane/import/" + "t" * 32,
    "/data/import/<token>": "/data/import/" + "t" * 32,
    "/zdrowie": "/zdrowie",
    "/health": "/health",
    "/gotowosc": "/gotowosc",
    "/ready": "/ready",
}
BINARY = {rule for rule in NOT_HTML if rule not in TEXT_FILES}
EVIL = "evil.example"


def _loaded(app: Flask) -> Flask:
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return app


def _urls() -> list[str]:
    urls = [*HTML_PAGES.values(), *TEXT_FILES.values(), *(url for url, _ in ERROR_PAGES)]
    urls.append("/obszary?top=4&w_social_assistance=2")
    return [
        f"{url}{'&' if '?' in url else '?'}lang={lang}" for url in urls for lang in ("pl", "en")
    ]


def test_every_text_route_is_checked() -> None:
    assert set(TEXT_FILES) <= set(NOT_HTML)
    assert all(re.search(r"\.<any\(|\.pdf$|^/static/", rule) for rule in BINARY), BINARY


# --------------------------------------------------------------------------- point 2: Host


@pytest.mark.parametrize("proxies", [0, 1])
def test_no_page_holds_the_host_a_visitor_sent(tmp_path: Path, proxies: int) -> None:
    """The share links of /obszary held ``http://evil.example/...``, cached for every visitor."""
    app = _loaded(make_app(tmp_path, TRUSTED_PROXIES=proxies))
    client = app.test_client()
    hostile = {"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https", "X-Forwarded-Port": "444"}
    for url in _urls():
        for response in (
            client.get(url, base_url=f"http://{EVIL}", headers=hostile),
            client.get(url),  # a later visitor, from the page cache
        ):
            text = response.get_data(as_text=True) + str(response.headers)
            assert EVIL not in text, f"{url} ({response.status_code})"


def _probe(app: Flask) -> FlaskClient:
    app.add_url_rule(
        "/probe", "probe", lambda: f"{request.remote_addr} {request.scheme} {request.host}"
    )
    return app.test_client()


def test_forwarded_headers_are_believed_only_from_the_trusted_proxies(tmp_path: Path) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    forwarded["X-Forwarded-Host"] = "palmap.example.org"
    none = make_app(tmp_path / "none")
    assert not isinstance(none.wsgi_app, ProxyFix)
    answer = _probe(none).get("/probe", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert answer.get_data(as_text=True) == "10.0.0.2 http localhost"
    one = make_app(tmp_path / "one", TRUSTED_PROXIES=1)
    assert isinstance(one.wsgi_app, ProxyFix)
    answer = _probe(one).get("/probe", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert answer.get_data(as_text=True) == "203.0.113.7 https palmap.example.org"
    with pytest.raises(ConfigurationError, match="PALMAP_TRUSTED_PROXIES"):
        make_app(tmp_path / "bad", TRUSTED_PROXIES=-1)


# --------------------------------------------------------------------------- point 6: cache key


def test_unknown_repeated_or_reordered_arguments_make_one_entry_and_one_render(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.views import maps

    renders = []
    build = maps.build_indicator_map

    def counting(*args, **kwargs):
        renders.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(maps, "build_indicator_map", counting)
    client = app.test_client()
    page_cache(app).clear()
    urls = [f"/mapa/needs_index?year=2013&k=4&bust={n}" for n in range(20)]
    urls += [
        "/mapa/needs_index?k=4&year=2013",
        "/mapa/needs_index?year=2013&year=2012&k=4&k=7",  # the first value counts, as before
        "/mapa/needs_index?year=2013&k=4&scheme=",  # empty: as if absent
        "/mapa/needs_index?utm_source=x&year=2013&k=4&fbclid=y",
    ]
    answers = [client.get(url) for url in urls]
    assert {a.status_code for a in answers} == {200}
    assert len(renders) == 1
    assert page_cache(app).size[0] == 1
    assert len({a.headers["ETag"] for a in answers}) == 1
    assert len({a.get_data() for a in answers}) == 1
    # Nothing the first visitor added beyond the page's arguments is on the page.
    assert b"bust" not in answers[0].get_data()
    # The page's own arguments still make their own pages.
    assert client.get("/mapa/needs_index?year=2013&k=3").status_code == 200
    assert len(renders) == 2


def test_a_page_still_reads_every_argument_it_declares(client: FlaskClient) -> None:
    page = client.get(
        "/obszary?w_social_assistance=3&w_long_term_unemployed=1&access_weight=1&top=4"
    ).get_data(as_text=True)
    assert page.count('class="top"') == 4
    moved = client.get("/mapa/needs_index?layer=social_assistance&year=2012&bust=1")
    assert moved.status_code == 302
    assert moved.headers["Location"] == "/mapa/social_assistance?year=2012"


# --------------------------------------------------------------------------- point 7: headers


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


HTML_URLS = [*HTML_PAGES.values(), *(url for url, _ in ERROR_PAGES)]


@pytest.fixture(scope="module")
def osm_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    return _loaded(make_app(tmp_path_factory.mktemp("osm"), TILES="osm")).test_client()


@pytest.mark.parametrize("url", HTML_URLS)
def test_every_page_allows_only_its_own_scripts(osm_client: FlaskClient, url: str) -> None:
    from app.security import script_hashes

    response = osm_client.get(url)
    html = response.get_data(as_text=True)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert set(policy["script-src"][1:]) == set(script_hashes(html))
    if response.status_code == 200:
        assert script_hashes(html), "every page has inline scripts"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    expected = ["'self'"] if url.startswith("/embed/") else ["'none'"]
    assert policy["frame-ancestors"] == expected
    # No inline event handler anywhere (they would need 'unsafe-inline').
    assert not re.findall(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.I), url
    # The map's tiles come from OpenStreetMap here; nothing else from elsewhere.
    images = ["'self'", "data:", "https://tile.openstreetmap.org"]
    if "L.tileLayer(" in html:
        assert policy["img-src"] == images
    else:
        assert policy["img-src"] == images[:2]


def test_tiles_are_allowed_only_where_a_map_draws_them(client: FlaskClient) -> None:
    """The test app has no base map (PALMAP_TILES=none); an embed or a file may ask for OSM."""
    osm = "https://tile.openstreetmap.org"
    assert _policy(client.get("/mapa/needs_index"))["img-src"] == ["'self'", "data:"]
    assert osm in _policy(client.get("/embed/mapa/needs_index?tiles=osm"))["img-src"]
    assert osm in _policy(client.get("/mapa/needs_index.html?tiles=osm"))["img-src"]
    assert osm not in _policy(client.get("/mapa/needs_index.html"))["img-src"]


def test_a_cached_page_keeps_its_policy_and_a_304_keeps_the_stored_one(
    client: FlaskClient,
) -> None:
    first = client.get("/dzielnice")
    again = client.get("/dzielnice")
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    same = client.get("/dzielnice", headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304
    assert "Content-Security-Policy" not in same.headers


def test_every_response_has_the_permissions_policy_and_no_hsts_without_https(
    client: FlaskClient,
) -> None:
    for url in ("/", "/zasoby.csv", "/no-such-page", "/static/favicon.svg"):
        response = client.get(url)
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "geolocation=()" in response.headers["Permissions-Policy"]
        assert "microphone=()" in response.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in response.headers
        assert "Content-Security-Policy" in response.headers
        response.close()
    cookie = client.get("/?lang=en").headers["Set-Cookie"]
    assert "Secure" not in cookie


def test_https_sends_hsts_and_secure_cookies(tmp_path: Path) -> None:
    client = _loaded(make_app(tmp_path, HTTPS=1)).test_client()
    for url in ("/", "/zasoby.csv", "/no-such-page"):
        response = client.get(url)
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        )
    cookie = client.get("/?lang=en").headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie
    with pytest.raises(ConfigurationError, match="PALMAP_HTTPS"):
        make_app(tmp_path / "bad", HTTPS=2)


def test_the_https_setting_is_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PALMAP_HTTPS", "1")
    monkeypatch.setenv("PALMAP_TRUSTED_PROXIES", "2")
    # (under HTTPS palmap refuses a short or known secret: tests/app/test_accounts.py)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s" * 40})
    assert app.config["HTTPS"] == 1 and app.config["TRUSTED_PROXIES"] == 2


def test_the_standalone_map_says_its_charset_once(client: FlaskClient) -> None:
    response = client.get("/mapa/needs_index.html")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    again = client.get("/mapa/needs_index.html")  # from the page cache
    assert again.headers["Content-Type"] == "text/html; charset=utf-8"


def test_a_query_over_the_limit_is_a_414_with_every_header(client: FlaskClient) -> None:
    from app.security import MAX_QUERY_BYTES

    for url in ("/", "/mapa/needs_index", "/embed/zasoby"):
        response = client.get(f"{url}?q={'a' * 100_000}")
        assert response.status_code == 414
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response.headers["Permissions-Policy"]
    assert client.get(f"/zasoby?q={'a' * (MAX_QUERY_BYTES - 2)}").status_code == 200


class _Recorder(dict):
    """Query arguments that note every name a parser asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def test_each_page_declares_exactly_the_arguments_its_parser_reads(app: Flask) -> None:
    """A cached page sees only its declared arguments (mapping.pages.arguments): one its parser
    reads but the list misses would be silently ignored, one too many would bust the cache."""
    from app import pages
    from mapping.pages import arguments as take
    from mapping.pages import embed_query, query

    with app.test_request_context("/"):
        data, tr = pages.page_data().analysis, pages.translator()
        parsers = [
            (lambda a: query.parse_map_query(a, data, tr, layer="needs_index"), take.MAP_ARGS),
            (
                # ``against`` (two editions) is read by app.pages.against_edition first.
                lambda a: (
                    a.get("against"),
                    query.parse_compare_query(a, data, tr, layer="needs_index"),
                ),
                take.COMPARE_ARGS,
            ),
            (lambda a: query.parse_target_query(a, data, tr), take.TARGET_ARGS),
            (lambda a: query.parse_district_query(a, data, tr, code="gaj"), take.DISTRICT_ARGS),
            (lambda a: query.parse_resource_query(a, data, tr), take.RESOURCE_ARGS),
            (lambda a: embed_query.parse_export_query(a, tr), take.EXPORT_ARGS),
            (
                lambda a: embed_query.parse_embed_options(a, data, tr, default_tiles="none"),
                take.EMBED_ARGS,
            ),
        ]
        for parse, declared in parsers:
            recorder = _Recorder()
            parse(recorder)
            expanded = {
                name
                for name, _value in take.canonical_args(
                    dict.fromkeys(recorder.read | set(declared), "1"),
                    declared,
                    data.registry.codes,
                    take.domain_codes(data.registry),
                )
            }
            assert recorder.read == expanded, declared
