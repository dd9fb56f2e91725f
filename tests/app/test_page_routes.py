"""Every page is registered by ``page_route`` with its English alias, and every error answers
JSON in one shape (the "Add a page" recipe of CONTRIBUTING.md and the one error shape of
docs/ARCHITECTURE.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import pages
from mapping.errors import ValidationError

APP = Path(__file__).resolve().parents[2] / "app"
#: Routes without a language: the overview (``/`` is both), static files, vendored assets.
#: The OGC API (/ogc) keeps the standard's English paths, which clients build themselves.
OGC = {
    f"ogc.{name}"
    for name in (
        "landing",
        "conformance",
        "api",
        "collections",
        "collection",
        "queryables",
        "items",
        "item",
    )
}
NO_LANGUAGE = {"static", "vendor.asset", "maps.overview", *OGC}


def test_every_page_has_its_english_alias_registered_by_page_route(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    pages_seen = 0
    for endpoint in sorted(endpoints - NO_LANGUAGE):
        base = endpoint.removesuffix(pages.EN)
        assert base in endpoints and base + pages.EN in endpoints, endpoint
        view = app.view_functions[endpoint]
        routes = getattr(view, pages.ROUTES_ATTRIBUTE, None)
        assert routes, f"{endpoint} is not registered with pages.page_route"
        polish = {str(r) for r in app.url_map.iter_rules(base)}
        english = {str(r) for r in app.url_map.iter_rules(base + pages.EN)}
        # (a blueprint's url_prefix comes in front of the rules given to page_route)
        assert all(any(rule.endswith(p) for p, _e in routes) for rule in polish), polish
        assert all(any(rule.endswith(e) for _p, e in routes) for rule in english), english
        pages_seen += 1
    assert pages_seen >= 2 * 20
    # Nothing registers an alias by hand any more.
    for path in APP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'endpoint="\w+_en"', text), path


def test_the_add_a_page_recipe_names_what_exists() -> None:
    from mapping.pages import indicator_map, query, text

    assert callable(pages.page_route) and callable(pages.translator) and callable(pages.page_data)
    assert callable(query.parse_map_query) and callable(indicator_map.build_indicator_map)
    assert callable(text.Translator.plain)


def test_page_route_registers_both_rules_on_an_app() -> None:
    app = Flask(__name__)

    @pages.page_route(app, "/proba/<code>", "/trial/<code>", endpoint="trial")
    def trial(code: str) -> str:
        return code

    client = app.test_client()
    assert client.get("/proba/a").data == b"a" and client.get("/trial/b").data == b"b"
    assert getattr(trial, pages.ROUTES_ATTRIBUTE) == (("/proba/<code>", "/trial/<code>"),)


def _json(client: FlaskClient, url: str, status: int) -> dict:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    return response.get_json()


def test_every_json_error_has_one_shape(empty_app: Flask, tmp_path: Path) -> None:
    def refuse() -> str:
        raise ValidationError("expected a district code, got nothing")

    empty_app.add_url_rule("/test-mapping-error", view_func=refuse)
    runner = empty_app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        assert runner.invoke(args=command).exit_code == 0
    client = empty_app.test_client()
    setting = _json(client, "/mapa/needs_index?scheme=rainbow", 400)
    district = _json(client, "/dzielnice/atlantyda?lang=en", 404)
    embed = _json(client, "/embed/zasoby?zoom=nan", 400)
    mapping = _json(client, "/test-mapping-error", 422)
    http = _json(client, "/no-such-page", 404)
    shape = {"error", "message", "status", "title"}
    for body in (setting, district, embed, mapping, http):
        assert shape <= set(body), body
        assert re.fullmatch(r"[a-z_]+", body["error"]), body
        assert isinstance(body["message"], str) and body["message"]
    assert (setting["error"], setting["status"]) == ("invalid_setting", 400)
    assert "quantiles, equal_interval, fisher_jenks" in setting["message"]
    assert setting["allowed"] == ["quantiles", "equal_interval", "fisher_jenks"]
    assert (district["error"], district["status"]) == ("not_found", 404)
    assert {"label": "Gaj", "url": "/districts/gaj"} in district["known"]
    assert (mapping["error"], mapping["status"]) == ("validation_failed", 422)
    assert mapping["message"] == "expected a district code, got nothing"
    assert (http["error"], http["status"]) == ("not_found", 404)


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("/mapa/needs_index.png?dpi=nan", ["dpi", "50", "600"]),
        ("/mapa/needs_index.png?width=inf", ["width", "50", "1189"]),
        ("/mapa/needs_index.png?height=1e400", ["height", "50", "1189"]),
        ("/mapa/needs_index?w_social_assistance=nan", ["0", "100"]),
        ("/mapa/needs_index?weights=social_assistance=1e400", ["0", "100"]),
        ("/obszary?access_weight=inf", ["0", "100"]),
        ("/obszary?supply_weight=-1", ["0", "100"]),
        ("/embed/mapa/needs_index?zoom=1e400", ["zoom", "1", "18"]),
        ("/embed/obszary?centre=nan,16", ["centre", "-90", "90"]),
    ],
)
def test_numbers_must_be_finite_and_in_range(
    client: FlaskClient, url: str, names: list[str]
) -> None:
    body = _json(client, url, 400)
    for name in names:
        assert name in body["message"], (url, body["message"])
