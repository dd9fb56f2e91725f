"""Issue 14, point 1, on the demo: every category's supply has its unit. load-demo sets the
capacity units of the categories whose resources have capacities (data/demo/categories.csv);
the access meta names each unit, and the pages where access per category is chosen or
categories are managed show it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from flask import Flask
from flask.testing import FlaskCliRunner

from mapping.supply import COUNT_UNIT, UNNAMED_UNIT
from tests.app.test_editing import _client

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"

#: What the demo's capacities count (data/demo/generate.py, CAPACITY_RANGES): children's
#: places in a day room, participants' places in a club and a gym, workstations in a lab.
EXPECTED = {
    "swietlica": "places",
    "kis": "places",
    "sala_gimnastyczna": "places",
    "pracownia_komputerowa": "workstations",
}


def _json(runner: FlaskCliRunner, *args: str) -> object:
    result = runner.invoke(args=[*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_after_load_demo_every_category_with_capacities_has_its_unit(
    runner: FlaskCliRunner,
) -> None:
    resources = pd.read_csv(DEMO / "resources.csv")
    with_capacity = set(resources.loc[resources["capacity"].notna(), "category"])
    assert with_capacity == set(EXPECTED)
    listed = _json(runner, "categories", "list")
    rows = listed["rows"] if isinstance(listed, dict) else listed
    units = {row["code"]: row["capacity_unit"] for row in rows}
    assert {code: units[code] for code in EXPECTED} == EXPECTED
    # A category without capacities counts resources and needs no unit.
    assert all(not units[code] for code in set(units) - with_capacity)
    again = runner.invoke(args=["load-demo"])
    assert again.exit_code == 0 and "categories: 0 inserted, 0 updated, 4 unchanged" in again.output


def test_the_access_meta_names_the_unit_of_every_category(runner: FlaskCliRunner) -> None:
    meta = _json(runner, "analyse", "access", "--year", "2013")["meta"]
    found = {c["code"]: (c["measure"], c["unit"]) for c in meta["access"]["categories"]}
    assert UNNAMED_UNIT not in {unit for _, unit in found.values()}
    for code, (measure, unit) in found.items():
        if code in EXPECTED:
            assert (measure, unit) == ("capacity", EXPECTED[code])
        else:
            assert (measure, unit) == ("count", COUNT_UNIT)
    assert "unit not set" not in json.dumps(meta)


def test_the_pages_show_each_categorys_unit(accounts: Flask) -> None:
    client = _client(accounts, "ola")
    polish = client.get("/kategorie?lang=pl").get_data(True)
    assert 'data-supply-unit="sala_gimnastyczna">' in polish
    gym = polish.split('data-supply-unit="sala_gimnastyczna">')[1].split("<")[0]
    lab = polish.split('data-supply-unit="pracownia_komputerowa">')[1].split("<")[0]
    pitch = polish.split('data-supply-unit="boisko">')[1].split("<")[0]
    assert "miejsca" in gym and "stanowiska komputerowe" in lab
    assert "każdy liczy się jako 1" in pitch
    english = accounts.test_client().get("/targets?lang=en").get_data(True)
    assert ">school gym (places)</option>" in english
    assert ">playground (resources, each counts 1)</option>" in english
