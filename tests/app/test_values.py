"""A year's indicator values edited as a table or pasted from a spreadsheet (``/wskazniki/dane``):
the import's checks, a fingerprint against lost updates, the audit log."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.app.test_editing import _audit, _client

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _table(client: FlaskClient, year: int = 2013) -> dict[str, str]:
    html = client.get(f"/wskazniki/dane?year={year}").get_data(True)
    fields = dict(re.findall(r'<input name="(v:[^"]+)"[^>]*?value="([^"]*)"', html, flags=re.S))
    token = TOKEN.search(html)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', html)
    assert token and fingerprint and fields
    return {**fields, "csrf_token": token[1], "fingerprint": fingerprint[1], "year": str(year)}


def _stored(app: Flask, district: str, indicator: str, year: int) -> float:
    from app.db import get_engine
    from mapping.db import store

    with app.app_context():
        frame = store.load_indicator_values(get_engine(), indicator=indicator, year=year)
    return float(frame.set_index("district_code").loc[district, "value"])


def test_a_typed_value_is_saved_and_logged(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    form = _table(editor)
    assert form["v:srodmiescie:residents"]  # the stored value is shown
    answer = editor.post("/wskazniki/dane", data={**form, "v:srodmiescie:residents": "12345"})
    assert answer.status_code == 302
    assert _stored(accounts, "srodmiescie", "residents", 2013) == 12345
    assert "zmienione 1" in editor.get(answer.headers["Location"]).get_data(True)
    entries, total = _audit(accounts)
    assert total == 2 and {e["actor"] for e in entries} == {"jan"}
    assert {e["how"] for e in entries} == {"form"}
    save = next(e for e in entries if e["record_id"] == "form:tabela 2013")
    assert '"updated": 1' in save["new_value"]
    cell = next(e for e in entries if e["record_id"] == "srodmiescie/residents/2013")
    assert cell["table_name"] == "indicator_value" and cell["field"] == "value"
    assert float(cell["old_value"]) == float(form["v:srodmiescie:residents"])
    assert cell["new_value"] == "12345.0"


def test_an_emptied_cell_deletes_its_value_and_the_log_keeps_the_old_one(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    form = _table(editor)
    old = form["v:gaj:social_assistance"]
    assert old
    kept = {k: v for k, v in form.items() if k != "v:gaj:residents"}  # a cell not sent: kept
    answer = editor.post("/wskazniki/dane", data={**kept, "v:gaj:social_assistance": " "})
    assert answer.status_code == 302
    assert "usunięte 1" in editor.get(answer.headers["Location"]).get_data(True)
    assert _stored(accounts, "gaj", "residents", 2013) > 0
    try:
        _stored(accounts, "gaj", "social_assistance", 2013)
    except KeyError:
        pass
    else:
        raise AssertionError("the emptied cell's value is still stored")
    entries, _total = _audit(accounts)
    cell = next(e for e in entries if e["record_id"] == "gaj/social_assistance/2013")
    assert float(cell["old_value"]) == float(old) and cell["new_value"] is None
    assert '"deleted": 1' in next(e for e in entries if e["field"] is None)["new_value"]
    assert _table(editor)["v:gaj:social_assistance"] == ""


def test_a_refused_table_keeps_what_was_typed_including_emptied_cells(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    form = _table(editor)
    typed = {**form, "v:gaj:social_assistance": "", "v:gaj:residents": "dużo"}
    refused = editor.post("/wskazniki/dane", data=typed)
    assert refused.status_code == 422
    html = refused.get_data(True)
    fields = dict(re.findall(r'<input name="(v:[^"]+)"[^>]*?value="([^"]*)"', html, flags=re.S))
    assert fields["v:gaj:residents"] == "dużo" and fields["v:gaj:social_assistance"] == ""
    assert _stored(accounts, "gaj", "social_assistance", 2013) == float(
        form["v:gaj:social_assistance"]
    )


def test_large_values_show_every_digit(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    answer = editor.post("/wskazniki/dane", data={**_table(editor), "v:gaj:residents": "1234567"})
    assert answer.status_code == 302
    assert _table(editor)["v:gaj:residents"] == "1234567"  # not 1.23457e+06


def test_a_stale_table_is_a_409_and_saves_nothing(accounts: Flask) -> None:
    first, second = _client(accounts, "jan"), _client(accounts, "ola")
    old, other = _table(first), _table(second)
    saved = second.post("/wskazniki/dane", data={**other, "v:gaj:residents": "999"})
    assert saved.status_code == 302
    stale = first.post("/wskazniki/dane", data={**old, "v:gaj:residents": "111"})
    assert stale.status_code == 409 and 'id="stale"' in stale.get_data(True)
    assert _stored(accounts, "gaj", "residents", 2013) == 999


def test_pasted_cells_are_imported_and_bad_ones_refused_with_the_cell(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    paste = "district_code\tresidents\tsocial_assistance\nsobiecin\t4321\t77\n"
    answer = editor.post("/wskazniki/dane", data={**_table(editor), "paste": paste})
    assert answer.status_code == 302
    assert _stored(accounts, "sobiecin", "social_assistance", 2013) == 77
    bad = "district_code\tresidents\nsobiecin\tdużo\n"
    refused = editor.post("/wskazniki/dane", data={**_table(editor), "paste": bad})
    assert refused.status_code == 422 and "dużo" in refused.get_data(True)
    assert _stored(accounts, "sobiecin", "residents", 2013) == 4321


def test_only_editors_reach_the_table(accounts: Flask) -> None:
    anonymous = accounts.test_client()
    assert anonymous.get("/wskazniki/dane").status_code == 302
    assert anonymous.get("/indicators/data?year=2012").status_code == 302
    editor = _client(accounts, "jan")
    assert editor.get("/indicators/data?year=2012").status_code == 200
    assert editor.get("/wskazniki/dane?year=abc").status_code == 400
