"""OGC API - Features at /ogc (issue 16): documents, paging, bbox and crs (Part 2), filters,
datetime, errors, privacy, the OpenAPI document (validated, and schemathesis against it)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Transformer

from tests.app.conftest import make_app

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
LOGIN = "ogc.tester.login"
PASSWORD = "a secret password 1234"


def _loaded(path: Path, **overrides: object) -> Flask:
    app = make_app(path, **overrides)
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo", "--with-editions"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="module")
def ogc_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The demo with its editions 2010-2013, an account, an audit entry and a draft edition."""
    app = _loaded(tmp_path_factory.mktemp("ogc"))
    runner = app.test_cli_runner()
    done = runner.invoke(
        args=["user", "add", LOGIN, "--role", "admin", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(args=["edition", "publish", "wiosna", "--title", "Szkic", "--draft"])
    assert done.exit_code == 0, done.output
    return app


@pytest.fixture
def api(ogc_app: Flask) -> FlaskClient:
    return ogc_app.test_client()


def _json(client: FlaskClient, url: str, status: int = 200) -> dict:
    answer = client.get(url)
    assert answer.status_code == status, (url, answer.get_data(True)[:500])
    return answer.get_json(force=True)


def _all(client: FlaskClient, cid: str, extra: str = "") -> list[dict]:
    body = _json(client, f"/ogc/collections/{cid}/items?limit=10000{extra}")
    assert body["numberReturned"] == body["numberMatched"] == len(body["features"])
    return body["features"]


def _href(body: dict, rel: str) -> str | None:
    return next((x["href"] for x in body["links"] if x["rel"] == rel), None)


def test_landing_page_links_the_api_its_documentation_conformance_and_data(api) -> None:
    body = _json(api, "/ogc")
    rels = {x["rel"]: x for x in body["links"]}
    assert rels["service-desc"]["href"] == "/ogc/api"
    assert rels["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    assert rels["service-doc"]["type"] == "text/html"
    assert {"self", "conformance", "data"} <= set(rels)
    classes = _json(api, "/ogc/conformance")["conformsTo"]
    for name in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    html = api.get("/ogc", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and "WFS / OGC API - Features" in html.get_data(True)


def test_the_openapi_document_validates(api) -> None:
    from openapi_spec_validator import validate

    answer = api.get("/ogc/api")
    assert answer.mimetype == "application/vnd.oai.openapi+json"
    document = answer.get_json(force=True)
    validate(document)
    limit = next(
        p
        for p in document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 10000, "default": 10}


def test_collections_are_districts_resources_indicators_actions_and_each_edition(
    api, ogc_app
) -> None:
    from app.cache import page_cache
    from app.db import get_engine
    from mapping.layers import Layer, layer_years

    body = _json(api, "/ogc/collections")
    ids = [c["id"] for c in body["collections"]]
    assert len(ids) == len(set(ids))
    with ogc_app.app_context():
        data = page_cache(ogc_app).current(get_engine()).data
    expected = {"districts", "resources", "actions"}
    expected |= {f"resources-{code}" for code in data.categories["code"]}
    for item in data.registry:
        for year in layer_years(data, Layer(item.code, "value", item)):
            expected.add(f"indicator-{item.code}-{year}")
    assert expected <= set(ids)
    for code in ("2010", "2011", "2012", "2013"):
        assert {f"edition-{code}-{x}" for x in ("districts", "resources", "actions")} <= set(ids)
    assert "edition-2013-indicator-social_assistance-2013" in ids
    assert "edition-2012-indicator-social_assistance-2013" not in ids  # values up to its year
    assert not [i for i in ids if "wiosna" in i], "a draft edition is no collection"
    for c in body["collections"]:
        assert c["crs"][0] == CRS84 and f"{EPSG}2180" in c["crs"] and c["storageCrs"] == CRS84
        west, south, east, north = c["extent"]["spatial"]["bbox"][0]
        assert 16 < west < east < 17 and 50 < south < north < 51
    one = _json(api, "/ogc/collections/indicator-social_assistance-2013")
    assert one["extent"]["temporal"]["interval"] == [
        ["2013-01-01T00:00:00Z", "2013-12-31T23:59:59Z"]
    ]
    assert _href(one, "items") == "/ogc/collections/indicator-social_assistance-2013/items?f=json"


def test_paging_follows_next_and_prev_through_every_feature(api) -> None:
    total = _json(api, "/ogc/collections/resources/items?limit=1")["numberMatched"]
    assert total > 100
    seen: list[int] = []
    url: str | None = "/ogc/collections/resources/items?limit=7"
    pages = 0
    while url:
        answer = api.get(url)
        assert answer.mimetype == "application/geo+json"
        body = answer.get_json(force=True)
        assert body["numberMatched"] == total and body["numberReturned"] == len(body["features"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["timeStamp"])
        assert (_href(body, "prev") is None) == (pages == 0)
        seen += [f["id"] for f in body["features"]]
        url = _href(body, "next")
        pages += 1
    assert pages == -(-total // 7) and len(seen) == total == len(set(seen))
    default = _json(api, "/ogc/collections/resources/items")
    assert default["numberReturned"] == 10
    _json(api, "/ogc/collections/resources/items?limit=10001", 400)


def _points(features: list[dict]) -> dict[int, tuple[float, float]]:
    return {f["id"]: tuple(f["geometry"]["coordinates"]) for f in features if f["geometry"]}


def test_crs_answers_coordinates_in_the_asked_crs_and_axis_order(api) -> None:
    lonlat = _points(_all(api, "resources"))
    ids = sorted(lonlat)
    lon = np.array([lonlat[i][0] for i in ids])
    lat = np.array([lonlat[i][1] for i in ids])
    for code, expected in (
        (
            "3857",
            Transformer.from_crs("OGC:CRS84", "EPSG:3857", always_xy=True).transform(lon, lat),
        ),
        # EPSG:2180 as EPSG defines it: northing (x) first, then easting (y).
        (
            "2180",
            Transformer.from_crs("OGC:CRS84", "EPSG:2180", always_xy=False).transform(lon, lat),
        ),
        ("4326", (lat, lon)),  # latitude first
    ):
        answer = api.get(f"/ogc/collections/resources/items?limit=10000&crs={EPSG}{code}")
        assert answer.headers["Content-Crs"] == f"<{EPSG}{code}>"
        got = _points(answer.get_json(force=True)["features"])
        first = np.array([got[i][0] for i in ids])
        second = np.array([got[i][1] for i in ids])
        tolerance = 1e-6 if code == "4326" else 0.01
        assert np.allclose(first, expected[0], atol=tolerance), code
        assert np.allclose(second, expected[1], atol=tolerance), code
    one = api.get(f"/ogc/collections/resources/items/{ids[0]}?crs={EPSG}2180")
    assert one.headers["Content-Crs"] == f"<{EPSG}2180>"
    assert one.get_json(force=True)["geometry"]["coordinates"][0] > 300000  # northing


def test_bbox_in_2180_selects_exactly_the_features_in_that_box(api) -> None:
    features = _all(api, "resources", f"&crs={EPSG}2180")
    points = _points(features)
    northing = np.array([p[0] for p in points.values()])
    easting = np.array([p[1] for p in points.values()])
    box = (
        float(np.percentile(northing, 30)),
        float(np.percentile(easting, 30)),
        float(np.percentile(northing, 80)),
        float(np.percentile(easting, 80)),
    )
    inside = {i for i, (n, e) in points.items() if box[0] <= n <= box[2] and box[1] <= e <= box[3]}
    assert 10 < len(inside) < len(points)
    text = ",".join(map(str, box))
    got = _all(api, "resources", f"&bbox={text}&bbox-crs={EPSG}2180")
    assert {f["id"] for f in got} == inside
    # The same box in CRS84 (its envelope) holds these and maybe a few more.
    polygons = _all(api, "districts", f"&bbox={text}&bbox-crs={EPSG}2180")
    assert 0 < len(polygons) < 21
    lonlat = _all(api, "resources", "&bbox=16.0,50.0,17.0,51.0")
    assert len(lonlat) == len(points)
    flipped = _all(api, "resources", f"&bbox=50.0,16.0,51.0,17.0&bbox-crs={EPSG}4326")
    assert len(flipped) == len(points)


def test_property_filters_on_the_queryables(api) -> None:
    schema = _json(api, "/ogc/collections/resources/queryables")
    assert schema["type"] == "object" and schema["properties"]["category"]["type"] == "string"
    assert schema["properties"]["capacity"]["type"] == "integer"
    some = _all(api, "resources", "&category=swietlica")
    assert some and {f["properties"]["category"] for f in some} == {"swietlica"}
    assert len(some) == len(_all(api, "resources-swietlica"))
    assert all(f["properties"]["capacity"] == 20 for f in _all(api, "resources", "&capacity=20"))
    gaj = _all(api, "indicator-residents-2013", "&district_code=gaj")
    assert [f["id"] for f in gaj] == ["gaj"]
    refused = _json(api, "/ogc/collections/resources/items?colour=red", 400)
    assert refused["parameter"] == "colour" and "category" in refused["description"]
    assert (
        _json(api, "/ogc/collections/resources/items?capacity=many", 400)["parameter"] == "capacity"
    )


def test_datetime_selects_by_year_and_by_action_dates(api, ogc_app) -> None:
    from app.db import get_engine
    from mapping.db import programme

    cid = "indicator-social_assistance-2013"
    assert len(_all(api, cid, "&datetime=2013-06-01")) == 21
    assert len(_all(api, cid, "&datetime=2013-12-31T23:00:00Z")) == 21
    assert _all(api, cid, "&datetime=2010-01-01/2012-12-31") == []
    assert len(_all(api, cid, "&datetime=../2013-01-01")) == 21
    with ogc_app.app_context():
        actions = programme.load_actions(get_engine())
    in_2012 = {a.code for a in actions if 2012 in a.years}
    got = {f["id"] for f in _all(api, "actions", "&datetime=2012-01-01/2012-12-31")}
    assert got == in_2012 and 0 < len(got) < len(actions)
    assert (
        _json(api, "/ogc/collections/districts/items?datetime=2013", 400)["parameter"] == "datetime"
    )
    assert (
        _json(api, f"/ogc/collections/{cid}/items?datetime=2013-13-01", 400)["parameter"]
        == "datetime"
    )


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/ogc/collections/atlantyda", 404, "collectionId"),
        ("/ogc/collections/atlantyda/items", 404, "collectionId"),
        ("/ogc/collections/districts/items/atlantyda", 404, "featureId"),
        ("/ogc/collections/resources/items/999999", 404, "featureId"),
        ("/ogc/collections/districts/items?limit=abc", 400, "limit"),
        ("/ogc/collections/districts/items?limit=1e400", 400, "limit"),
        ("/ogc/collections/districts/items?offset=-1", 400, "offset"),
        ("/ogc/collections/districts/items?bbox=1,2,3", 400, "bbox"),
        ("/ogc/collections/districts/items?bbox=nan,1,2,3", 400, "bbox"),
        ("/ogc/collections/districts/items?bbox=3,1,2,4", 400, "bbox"),
        (f"/ogc/collections/districts/items?bbox=1e300,1,2e300,4&bbox-crs={EPSG}2180", 400, "bbox"),
        ("/ogc/collections/districts/items?crs=EPSG:2180", 400, "crs"),
        ("/ogc/collections/districts/items?bbox-crs=x", 400, "bbox-crs"),
        ("/ogc/collections/districts/items?f=xml", 400, "f"),
        ("/ogc/collections?year=2013", 400, "year"),
        ("/ogc/collections/districts/items/gaj?limit=5", 400, "limit"),
    ],
)
def test_errors_are_ogc_exceptions_naming_the_parameter(api, url, status, parameter) -> None:
    answer = api.get(url)
    assert answer.status_code == status, answer.get_data(True)
    body = answer.get_json(force=True)
    assert body["parameter"] == parameter and body["status"] == status
    assert body["code"] in ("InvalidParameterValue", "NotFound")
    assert body["description"].startswith(parameter)
    assert body["error"] == ("invalid_setting" if status == 400 else "not_found")
    html = api.get(url + ("&" if "?" in url else "?") + "f=html" if "f=" not in url else url)
    assert html.status_code == status


def test_small_counts_are_hidden_as_on_the_pages(tmp_path: Path) -> None:
    """With PALMAP_MIN_COUNT 100, every count of people below 100 and every rate built on one
    are null in every indicator collection, exactly where the map pages hide them."""
    from app.cache import page_cache
    from app.db import get_engine
    from mapping.layers import Layer, layer_values
    from mapping.privacy import suppress

    app = _loaded(tmp_path, MIN_COUNT=100)
    client = app.test_client()
    ids = [c["id"] for c in _json(client, "/ogc/collections")["collections"]]
    with app.app_context():
        data = page_cache(app).current(get_engine()).data
    sup = suppress(data.values, data.registry, min_count=100)
    hidden = 0
    for cid in [i for i in ids if i.startswith("indicator-")]:
        code, year = re.fullmatch(r"indicator-(.+)-(\d{4})", cid).groups()
        item = data.registry[code]
        page = layer_values(data, Layer(code, "value", item), year=int(year), suppression=sup)
        shown = page.table.set_index("district_code")
        for feature in _all(client, cid):
            props = feature["properties"]
            row = shown.loc[feature["id"]]
            assert props["value_hidden"] == bool(row["hidden"])
            if row["hidden"]:
                hidden += 1
                assert props["value"] is None and props["value_label"] == "< 100"
                assert props["rate"] is None and props["rate_smoothed"] is None
            if item.denominator and sup.hides_rate(feature["id"], code, int(year)):
                assert props["rate"] is None and props["rate_hidden"]
    assert hidden > 20
    # The live table of the map page hides the same districts.
    csv_text = client.get("/mapa/social_assistance/tabela.csv?year=2013").get_data(True)
    features = {f["id"]: f for f in _all(client, "indicator-social_assistance-2013")}
    for line in csv_text.splitlines():
        cells = line.split(",")
        if cells and cells[0] in features and features[cells[0]]["properties"]["value_hidden"]:
            assert "< 100" in line or "" in cells


PUBLIC = {
    "code",
    "name",
    "source",
    "schematic",
    "id",
    "external_id",
    "category",
    "address",
    "district_code",
    "capacity",
    "operator",
    "phone",
    "website",
    "opening_hours",
    "description",
    "synthetic",
    "district_name",
    "indicator",
    "year",
    "unit",
    "value",
    "value_hidden",
    "value_label",
    "rate",
    "rate_smoothed",
    "rate_hidden",
    "small_denominator",
    "title",
    "type",
    "type_name",
    "partnership",
    "districts",
    "start_date",
    "end_date",
    "status",
    "planned_participants",
    "actual_participants",
    "reserve_list",
    "funding_pln",
}


def test_no_collection_holds_private_data(api, ogc_app) -> None:
    """Every feature of every collection: only public properties, and no account, password
    hash, audit entry, survey count or draft anywhere."""
    from app.db import get_engine
    from mapping.db import audit

    with ogc_app.app_context(), get_engine().begin() as conn:
        conn.execute(sa.text("UPDATE resource SET name = 'Audytowana' WHERE id = 5"))
        entries = list(audit.list_entries(conn)) if hasattr(audit, "list_entries") else []
        hashes = [str(h) for (h,) in conn.execute(sa.text("SELECT password_hash FROM account"))]
    ids = [c["id"] for c in _json(api, "/ogc/collections")["collections"]]
    assert not [i for i in ids if re.search("survey|ankiet|account|audit|konta|wiosna", i)]
    forbidden = [LOGIN, PASSWORD, *hashes, "$argon2", "respondent"]
    for cid in ids:
        body = api.get(f"/ogc/collections/{cid}/items?limit=10000").get_data(True)
        assert not [word for word in forbidden if word in body], cid
        for feature in _json(api, f"/ogc/collections/{cid}/items?limit=10000")["features"]:
            assert set(feature["properties"]) <= PUBLIC, (cid, set(feature["properties"]) - PUBLIC)
    assert entries is not None


def test_an_edit_shows_within_a_second_and_editions_do_not_change(api, ogc_app) -> None:
    """The API reads the data version at most once a second per worker (VERSION_CHECK_SECONDS):
    an edit made in the database (by palmap, QGIS or psql) shows after that."""
    from app.views import ogc

    assert ogc.VERSION_CHECK_SECONDS == 1.0
    before = _json(api, "/ogc/collections/edition-2013-resources/items/7")["properties"]["name"]
    with ogc_app.app_context():
        from app.db import get_engine

        with get_engine().begin() as conn:
            conn.execute(sa.text("UPDATE resource SET name = 'Nowa nazwa OGC' WHERE id = 7"))
    time.sleep(ogc.VERSION_CHECK_SECONDS + 0.1)
    assert (
        _json(api, "/ogc/collections/resources/items/7")["properties"]["name"] == "Nowa nazwa OGC"
    )
    assert (
        _json(api, "/ogc/collections/edition-2013-resources/items/7")["properties"]["name"]
        == before
    )


def test_no_answer_holds_the_host_the_request_named(api) -> None:
    evil = "evil.example"
    for url in (
        "/ogc",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/collections/districts",
        "/ogc/collections/districts/items?limit=2",
        "/ogc/collections/districts/items/gaj",
        "/ogc/collections/districts/queryables",
        "/ogc/collections/nope",
    ):
        answer = api.get(url, base_url=f"http://{evil}", headers={"X-Forwarded-Host": evil})
        assert evil not in answer.get_data(True) + str(answer.headers), url


def test_items_are_served_from_encoded_bytes_quickly(api) -> None:
    url = "/ogc/collections/resources/items?limit=100"
    api.get(url)
    start = time.perf_counter()
    for _ in range(50):
        assert api.get(url).status_code == 200
    assert (time.perf_counter() - start) / 50 < 0.02


def test_schemathesis_finds_no_server_error_and_no_schema_violation(ogc_app) -> None:
    """A property-based run of the API against its own OpenAPI document (in-process WSGI)."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]
    schema = schemathesis.openapi.from_wsgi("/ogc/api", ogc_app)
    failures: list[str] = []
    started = time.perf_counter()
    for result in schema.get_all_operations():
        _check_operation(result.ok(), checks, failures)
    assert not failures, "\n".join(failures[:5])
    assert time.perf_counter() - started < 60


def _check_operation(operation, checks, failures: list[str]) -> None:
    from hypothesis import HealthCheck, Phase, given, settings

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case) -> None:
        try:
            case.call_and_validate(checks=checks)
        except Exception as error:  # noqa: BLE001  # collected and shown together
            failures.append(f"{operation.label}: {str(error)[:800]}")
            raise

    try:
        run()
    except Exception:  # noqa: BLE001, S110  # reported through failures
        pass
