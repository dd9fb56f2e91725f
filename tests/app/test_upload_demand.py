"""The web upload (``/dane/import``) takes the demand layers of access too: a population surface
for a year and the residential areas, with the same rehearsal, row report, confirmation and audit
entry as the other kinds (issue 14; the role check of /dane/import is in test_role_matrix.py)."""

from __future__ import annotations

import json

from flask import Flask

from tests.app.test_upload import _login, _token, _upload


def _layer(*geometries: dict) -> bytes:
    features = [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[16.28, 50.77], [16.29, 50.77], [16.29, 50.78], [16.28, 50.78], [16.28, 50.77]]
    ],
}
POINT = {"type": "Point", "coordinates": [16.28, 50.77]}


def test_the_form_offers_the_population_surface_and_the_residential_areas(app: Flask) -> None:
    html = _login(app).get("/dane/import").get_data(True)
    assert '<option value="population">' in html and '<option value="residential">' in html


def test_residential_areas_upload_with_report_preview_confirm_and_audit(app: Flask) -> None:
    from app.db import get_engine
    from mapping.db import audit, residential

    client = _login(app)
    bad = _upload(client, _layer(SQUARE, POINT), "zabudowa.geojson", kind="residential")
    preview = client.get(bad.headers["Location"])
    page = preview.get_data(True)
    assert "<td>2</td><td>geometry</td><td>Point</td>" in page  # row, field, value
    assert "wyeksportuj obszary zabudowy mieszkaniowej jako wielokąty" in page  # the fix
    assert 'id="confirm"' not in page
    location = _upload(client, _layer(SQUARE), "zabudowa.geojson", kind="residential").headers[
        "Location"
    ]
    assert client.get(location).status_code == 200
    with app.app_context():
        assert len(residential.load_residential(get_engine())) == 0  # the rehearsal kept nothing
    answer = client.post(location + "/zatwierdz", data={"csrf_token": _token(client)})
    assert answer.status_code == 302
    with app.app_context():
        engine = get_engine()
        assert len(residential.load_residential(engine)) == 1
        entries, _total = audit.list_entries(engine, audit.AuditFilter(table="residential"))
        assert list(entries["how"]) == ["upload"] and list(entries["actor"]) == ["jan"]


def test_a_population_surface_uploads_for_the_year_given(app: Flask) -> None:
    from app.db import get_engine
    from mapping.db import population

    client = _login(app)
    data = b"Szer;Dl;osoby\n50,77;16,28;120\n"
    form = {"year": "2021", "field_population": "osoby", "field_lat": "Szer", "field_lon": "Dl"}
    location = _upload(client, data, "ludnosc.csv", kind="population", **form).headers["Location"]
    assert client.get(location).status_code == 200
    answer = client.post(location + "/zatwierdz", data={"csrf_token": _token(client)})
    assert answer.status_code == 302
    with app.app_context():
        stored = population.load_population(get_engine(), year=2021)
    assert stored["population"].tolist() == [120.0]
