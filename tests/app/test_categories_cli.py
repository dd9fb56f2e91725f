"""`palmap categories list|add|rename` on the demo database, and what the pages make of it."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.db import get_engine
from mapping.categories import DEFAULT_CATEGORIES
from mapping.db import categories as stored
from mapping.db import store

SENIORS = (
    "klub_seniora",
    "--name-pl",
    "klub seniora",
    "--name-en",
    "senior club",
    "--colour",
    "#bbcc33",
    "--capacity-unit",
    "places",
)


def run(runner: FlaskCliRunner, *args: str | Path, status: int = 0) -> str:
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == status, result.output
    return result.output


def test_list_shows_every_category_with_its_resources(runner: FlaskCliRunner, app: Flask) -> None:
    rows = json.loads(run(runner, "categories", "list", "--format", "json"))
    assert [r["code"] for r in rows] == sorted(c.code for c in DEFAULT_CATEGORIES)
    counts = store.counts_by_district_category(get_engine(app)).groupby("category")["count"].sum()
    for row in rows:
        assert row["resources"] == counts.get(row["code"], 0)
        assert set(row) == {
            "code",
            "name_pl",
            "name_en",
            "colour",
            "aliases",
            "capacity_unit",
            "resources",
        }
    table = run(runner, "categories", "list")
    assert "świetlica środowiskowa" in table and "None" not in table


def test_add_stores_the_category_and_the_pages_and_imports_know_it(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    # A page seen before the change, so that the cached copy must be replaced.
    assert "klub seniora" not in client.get("/zasoby").get_data(as_text=True)

    out = run(runner, "categories", "add", *SENIORS)
    assert "klub_seniora added" in out
    added = stored.get_category(get_engine(app), "klub_seniora")
    assert added is not None
    assert (added.name_pl, added.name_en, added.colour, added.capacity_unit) == (
        "klub seniora",
        "senior club",
        "#BBCC33",
        "places",
    )
    # The resources page's category filter offers it, in each language.
    assert "klub seniora" in client.get("/zasoby").get_data(as_text=True)
    assert "senior club" in client.get("/resources?lang=en").get_data(as_text=True)

    # An import accepts it by code or by name, and the overview draws it in its colour.
    path = tmp_path / "seniorzy.csv"
    path.write_text(
        "nazwa,kategoria,lat,lon\nKlub Pod Lipami,klub seniora,50.7714,16.2843\n",
        encoding="utf-8",
    )
    assert "loaded 1" in run(runner, "import", "resources", path)
    overview = client.get("/?lang=pl").get_data(as_text=True)
    assert "klub seniora" in overview
    assert "#BBCC33" in overview.upper()


def test_add_refuses_a_code_that_exists(runner: FlaskCliRunner, app: Flask) -> None:
    out = run(
        runner,
        "categories",
        "add",
        "swietlica",
        "--name-pl",
        "x",
        "--name-en",
        "y",
        "--colour",
        "#000000",
        status=3,
    )
    assert "code" in out and "already exists" in out and "rename" in out
    kept = stored.get_category(get_engine(app), "swietlica")
    assert kept is not None and kept.name_pl == "świetlica środowiskowa"


def test_add_refuses_a_bad_colour_or_code_naming_the_field_and_the_fix(
    runner: FlaskCliRunner, app: Flask
) -> None:
    before = store.table_counts(get_engine(app))["resource_category"]
    out = run(runner, "categories", "add", *SENIORS, "--colour", "red", status=3)
    assert "colour: expected # and six hexadecimal digits" in out and "#88CCEE" in out
    out = run(
        runner,
        "categories",
        "add",
        "Klub Młodzieży",
        "--name-pl",
        "x",
        "--name-en",
        "y",
        "--colour",
        "#000000",
        status=3,
    )
    assert "code: expected lowercase ASCII" in out and "'klub_mlodziezy'" in out
    out = run(runner, "categories", "add", "klub_mlodziezy", "--name-pl", "x", status=2)
    assert "--name-en" in out and "--colour" in out
    assert store.table_counts(get_engine(app))["resource_category"] == before


def test_rename_changes_names_and_colour_never_the_code(
    runner: FlaskCliRunner, client: FlaskClient, app: Flask
) -> None:
    engine = get_engine(app)
    before = stored.resource_counts(engine)["swietlica"]
    assert before > 0
    out = run(
        runner,
        "categories",
        "rename",
        "swietlica",
        "--name-pl",
        "świetlica dla dzieci",
        "--colour",
        "#eedd88",
        "--capacity-unit",
        "miejsca",
    )
    assert "swietlica is now" in out
    renamed = stored.get_category(engine, "swietlica")
    assert renamed is not None
    assert renamed.name_pl == "świetlica dla dzieci"
    assert renamed.name_en == "community day room for children"  # not given: kept
    assert renamed.colour == "#EEDD88"
    assert stored.resource_counts(engine)["swietlica"] == before  # resources still reference it
    assert "świetlica dla dzieci" in client.get("/zasoby").get_data(as_text=True)

    run(runner, "categories", "rename", "swietlica", "--capacity-unit", "")
    cleared = stored.get_category(engine, "swietlica")
    assert cleared is not None and cleared.capacity_unit is None


def test_rename_of_an_unknown_code_or_without_changes_is_refused(runner: FlaskCliRunner) -> None:
    out = run(runner, "categories", "rename", "kino", "--name-en", "cinema", status=3)
    assert "'kino'" in out and "swietlica" in out  # the known codes
    out = run(runner, "categories", "rename", "kis", status=2)
    assert "--name-pl" in out
