"""Every number in every query is finite and in range, else a 400 that names the range.

The sweep reads the app's ``url_map``, so a route added later is swept too: each GET route gets
every numeric setting that any page reads, with the values that broke the exports once
(``int(float("nan"))`` answered 500; docs/SECURITY.md, "Numbers in a query").
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

#: Every numeric query setting of any page, embed or export (mapping/pages/query.py).
NUMERIC = (
    "year",
    "from",
    "to",
    "k",
    "top",
    "page",
    "zoom",
    "centre",
    "width",
    "height",
    "dpi",
    "access_weight",
    "supply_weight",
    "mv",
    "w_social_assistance",
    "d_income",
    "weights",
)
NON_FINITE = ("nan", "NaN", "inf", "-inf", "Infinity", "-Infinity", "1e400", "-1e400")
#: What stands for each part of a rule (the demo data's layer and district).
SAMPLE = {
    "layer": "needs_index",
    "code": "lubiechow",
    "int:resource_id": "5",
    "token": "t" * 32,
    "before": "2012",
    "after": "2013",
    "edition": "2013",
    "collection_id": "districts",
    "feature_id": "gaj",
}
SKIPPED = ("/static/",)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The demo app with the editions the sample names (``/edycje/2012/2013``) published."""
    runner = app.test_cli_runner()
    for code in ("2012", "2013"):
        done = runner.invoke(args=["edition", "publish", code, "--title", f"Mapy {code}"])
        assert done.exit_code == 0, done.output
    return app.test_client()


def _value(name: str, payload: str) -> str:
    if name == "centre":
        return f"{payload},16.3"
    if name == "weights":
        return f"social_assistance={payload}"
    return payload


def _urls(app: Flask) -> list[str]:
    """One URL per GET route and format (``<any(png,svg):fmt>`` gives one URL for each)."""
    urls: list[str] = []
    for rule in app.url_map.iter_rules():
        path = str(rule)
        if "GET" not in (rule.methods or ()) or path.startswith(SKIPPED):
            continue
        variants = [path]
        for match in re.finditer(r"<any\(([^)]*)\):(\w+)>", path):
            variants = [
                v.replace(match.group(0), option)
                for v in variants
                for option in match.group(1).split(",")
            ]
        for part, value in SAMPLE.items():
            variants = [v.replace(f"<{part}>", value) for v in variants]
        assert all("<" not in v for v in variants), f"no sample value for a part of {path}"
        urls.extend(variants)
    return sorted(set(urls))


def test_the_sweep_covers_the_exports_the_hostile_visitor_broke(app: Flask) -> None:
    urls = _urls(app)
    for fmt in ("png", "svg", "pdf"):
        for base in ("/mapa/needs_index", "/map/needs_index", "/porownanie/needs_index"):
            assert f"{base}.{fmt}" in urls
        assert f"/obszary/mapa.{fmt}" in urls and f"/targets/map.{fmt}" in urls
    assert len(urls) >= 50, len(urls)


def _small(url: str, name: str) -> str:
    """The smallest size for an export (so that a route ignoring ``name`` renders quickly)."""
    if not url.endswith((".png", ".svg", ".pdf")):
        return ""
    return "".join(f"&{size}=50" for size in ("width", "height", "dpi") if size != name)


def _get(client: FlaskClient, url: str) -> tuple[int, dict | None]:
    response = client.get(url, headers={"Accept": "application/json"})
    body = response.get_json(silent=True) if response.status_code >= 400 else None
    return response.status_code, body


def test_no_route_answers_500_to_a_number_that_is_not_finite(client: FlaskClient) -> None:
    """Every route x setting x value: a page that reads the setting answers 400 (or 404 for a
    year, which lists the years with data); one that does not read it ignores it (200 or the
    route's redirect). Never 500."""
    failures: list[str] = []
    checked = used = 0
    for url in _urls(client.application):
        for name in NUMERIC:
            for payload in NON_FINITE:
                query = f"{url}?{name}={_value(name, payload)}{_small(url, name)}"
                status, body = _get(client, query)
                checked += 1
                if status >= 500:
                    failures.append(f"{query}: {status}")
                elif status == 400:
                    used += 1
                    assert body and body["error"] == "invalid_setting", (query, body)
                    if "range" in body:
                        low, high = body["range"]["min"], body["range"]["max"]
                        assert f"{low:g}" in body["message"] and f"{high:g}" in body["message"]
                elif status == 404:
                    used += 1
                    assert body and body["known"], (query, body)
                elif status not in (200, 302):
                    failures.append(f"{query}: {status}")
                if status in (200, 302):
                    break  # the route does not read this setting: one value shows it
    assert not failures, failures[:20]
    assert checked > 1000 and used > 300, (checked, used)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize(
    "base",
    [
        "/mapa/needs_index",
        "/map/needs_index",
        "/porownanie/needs_index",
        "/compare/needs_index",
        "/obszary/mapa",
        "/targets/map",
    ],
)
@pytest.mark.parametrize("name", ["dpi", "width", "height"])
def test_every_static_export_names_the_range_of_a_bad_size(
    client: FlaskClient, base: str, fmt: str, name: str
) -> None:
    bounds = {"dpi": (50, 600), "width": (50, 1189), "height": (50, 1189)}[name]
    for payload in NON_FINITE:
        status, body = _get(client, f"{base}.{fmt}?{name}={payload}")
        assert status == 400, (base, fmt, name, payload, status)
        assert body is not None
        assert body["range"] == {"min": bounds[0], "max": bounds[1]}
        assert name in body["message"] and payload in body["message"]
        assert "allowed" not in body  # a range, not a list of values
