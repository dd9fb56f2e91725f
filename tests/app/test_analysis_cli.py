"""`palmap analyse` and `palmap rank` on the demo data."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from flask.testing import FlaskCliRunner


def run(runner: FlaskCliRunner, *args: str, status: int = 0) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == status, result.output
    return result.output


def csv(runner: FlaskCliRunner, *args: str) -> pd.DataFrame:
    # The CSV starts with its meta as "# key: value" rows (README): read as documented.
    return pd.read_csv(io.StringIO(run(runner, *args, "--format", "csv")), comment="#")


def test_supply_is_long_per_district_and_category(runner: FlaskCliRunner) -> None:
    table = csv(runner, "analyse", "supply", "--year", "2021")
    assert list(table.columns[:2]) == ["district_code", "district_name"]
    assert {"category", "count", "capacity", "per_1000", "per_km2"} <= set(table.columns)
    assert table["district_code"].nunique() == 21
    assert len(table) >= 21 * 11
    one = csv(runner, "analyse", "supply", "--year", "2021", "--category", "swietlica")
    assert set(one["category"]) == {"swietlica"} and len(one) == 21


def test_needs_has_21_ranked_rows(runner: FlaskCliRunner) -> None:
    table = csv(runner, "analyse", "needs", "--year", "2013", "--method", "imd")
    assert len(table) == 21
    assert sorted(table["rank"]) == list(range(1, 22))
    assert {"district_code", "district_name", "needs_index"} <= set(table.columns)
    assert table["needs_index"].between(0, 100).all()


def test_access_has_the_five_measures(runner: FlaskCliRunner) -> None:
    table = csv(runner, "analyze", "access", "--year", "2021", "--category", "plac_zabaw")
    assert len(table) == 21
    for column in ("demand", "nearest_m", "coverage", "2sfca", "e2sfca"):
        assert column in table.columns
    assert table["coverage"].between(0, 1).all()
    # 1.0 is the population-weighted city average.
    weighted = (table["e2sfca"] * table["demand"]).sum() / table["demand"].sum()
    assert weighted == pytest.approx(1.0)


def test_gaps_label_every_district(runner: FlaskCliRunner) -> None:
    table = csv(runner, "analyse", "gaps", "--year", "2013", "--category", "swietlica")
    assert len(table) == 21
    assert set(table["quadrant"]) <= {
        "high_need_low_access",
        "high_need_high_access",
        "low_need_low_access",
        "low_need_high_access",
    }


def test_rank_is_reproducible_with_a_seed(runner: FlaskCliRunner) -> None:
    args = (
        "rank",
        "--year",
        "2013",
        "--weights",
        "social_assistance=2,long_term_unemployed=1",
        "--runs",
        "200",
        "--seed",
        "7",
        "--format",
        "json",
    )
    first, second = run(runner, *args), run(runner, *args)
    assert first == second
    rows = json.loads(first)["rows"]
    assert len(rows) == 21
    for key in (
        "district_code",
        "district_name",
        "score",
        "rank",
        "rank_low",
        "rank_high",
        "stability",
        "social_assistance",
        "long_term_unemployed",
    ):
        assert key in rows[0]
    assert [r["rank"] for r in rows] == list(range(1, 22))
    assert all(r["rank_low"] <= r["rank_high"] for r in rows)
    assert {r["stability"] for r in rows} <= {"robust", "fragile"}
    # The crisis sub-areas of the demo data lead the ranking.
    assert rows[0]["district_code"] in {
        "nowe-miasto",
        "sobiecin",
        "stary-zdroj",
        "srodmiescie",
        "bialy-kamien",
        "podgorze-i",
        "podgorze-ii",
    }


def test_rank_with_access_term_runs(runner: FlaskCliRunner) -> None:
    table = csv(
        runner,
        "rank",
        "--year",
        "2021",
        "--weights",
        "children_assisted=1",
        "--category",
        "swietlica",
        "--access-weight",
        "1",
        "--supply-weight",
        "0.5",
    )
    assert len(table) == 21


def test_table_output_and_file_output(runner: FlaskCliRunner, tmp_path) -> None:
    text = run(runner, "analyse", "needs", "--year", "2012")
    assert "district_code" in text and "Nowe Miasto" in text
    # The meta goes to stderr as the CSV's comment rows would read.
    assert (
        '# analysis: "needs"' in runner.invoke(args=["analyse", "needs", "--year", "2012"]).stderr
    )
    target = tmp_path / "needs.json"
    run(runner, "analyse", "needs", "--year", "2012", "--format", "json", "-o", str(target))
    assert len(json.loads(target.read_text(encoding="utf-8"))["rows"]) == 21


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("analyse", "needs", "--year", "2015"), "years with data: 2010, 2011, 2012, 2013, 2021"),
        (("analyse", "supply", "--year", "2013", "--category", "bar"), "known: boisko"),
        (("analyse", "needs", "--year", "2013", "--weights", "nope=1"), "known indicators"),
        (("rank", "--year", "2013", "--weights", "x"), "code=number"),
    ],
)
def test_missing_inputs_exit_3_naming_what_exists(
    runner: FlaskCliRunner, args: tuple[str, ...], message: str
) -> None:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 3
    assert message in result.output


def test_districts_without_residents_exit_3(app, runner: FlaskCliRunner) -> None:
    from app.db import get_engine
    from mapping.db import store

    engine = get_engine(app)
    values = store.load_indicator_values(engine)
    values = values[~((values["indicator"] == "residents") & (values["district_code"] == "gaj"))]
    # Rebuild the database's values without Gaj's residents.
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM indicator_value")
        store.save_indicator_values(conn, values)
    result = runner.invoke(args=["analyse", "access", "--year", "2021"])
    assert result.exit_code == 3
    assert "gaj" in result.output and "residents" in result.output


def test_every_analysis_output_carries_how_it_was_made(runner: FlaskCliRunner) -> None:
    """Issue 14, point 9: JSON has a ``meta`` object, CSV the same meta as comment rows that
    ``pandas.read_csv(comment="#")`` skips; both say the method, settings, categories and units,
    demand model, denominators, smoothing, sources and versions."""
    from mapping.method import read_meta

    args = ("analyse", "access", "--year", "2021")
    document = json.loads(run(runner, *args, "--format", "json"))
    meta, rows = document["meta"], document["rows"]
    assert meta["analysis"] == "access" and meta["settings"] == {
        "year": 2021,
        "radius_m": 500.0,
        "grid_m": 100.0,
        "distance": "detour",  # issue 15: no walking network loaded, straight x 1.3
    }
    assert meta["distance"]["detour_factor"] == 1.3
    access = meta["access"]
    assert access["category"] is None and access["combination"].startswith("weighted mean")
    units = {c["code"]: (c["measure"], c["unit"]) for c in access["categories"]}
    assert units["sala_gimnastyczna"] == ("capacity", "places")  # data/demo/categories.csv
    assert units["plac_zabaw"] == ("count", "resources")
    assert sum(c["weight"] for c in access["categories"]) == pytest.approx(1.0)
    # Every category is either used or left out with its reason.
    assert set(units) | set(access["left_out"]) == {
        "boisko",
        "kis",
        "lokal_komunalny",
        "mops",
        "ngo",
        "obiekt_sportowy",
        "plac_zabaw",
        "pracownia_komputerowa",
        "rada_osiedla",
        "sala_gimnastyczna",
        "swietlica",
    }
    assert meta["demand_model"]["model"] == "grid"  # the demo has no population surface
    assert meta["denominators"] == {"residents": None} and meta["smoothing"].startswith("none")
    assert "[en]" in meta["sources"]["residents"]
    assert meta["data_version"].startswith("live data, version ")
    assert meta["palmap_version"]
    text = run(runner, *args, "--format", "csv")
    assert text.startswith("# analysis: ")
    assert read_meta(text) == meta
    table = pd.read_csv(io.StringIO(text), comment="#")
    pd.testing.assert_frame_equal(table, pd.DataFrame(rows), check_exact=False, rtol=1e-9)
    ranking = json.loads(
        run(
            runner,
            "rank",
            "--year",
            "2013",
            "--weights",
            "social_assistance=2,children_assisted=1",
            "--access-weight",
            "1",
            "--runs",
            "20",
            "--format",
            "json",
        )
    )["meta"]
    assert ranking["weights"] == {"social_assistance": 2.0, "children_assisted": 1.0, "access": 1.0}
    assert ranking["settings"]["runs"] == 20 and ranking["access"]["categories"]
    assert set(ranking["denominators"]) == {"social_assistance", "children_assisted", "residents"}
    for command in (("analyse", "needs"), ("analyse", "supply"), ("analyse", "gaps")):
        meta = json.loads(run(runner, *command, "--year", "2013", "--format", "json"))["meta"]
        assert meta["analysis"] == command[1] and meta["palmap_version"]


def test_a_ranking_without_category_never_mixes_units(app, runner: FlaskCliRunner) -> None:
    """``palmap rank --access-weight --supply-weight`` without ``--category``: gym capacities
    counted in another unit (x 10) change neither a score nor a rank. Before issue 14 the access
    term summed the capacities of every category, and this changed the ranking."""
    from app.db import get_engine

    args = (
        "rank",
        "--year",
        "2021",
        "--weights",
        "children_assisted=1,social_assistance=1",
        "--access-weight",
        "1",
        "--supply-weight",
        "1",
        "--runs",
        "50",
        "--format",
        "json",
    )
    before = json.loads(run(runner, *args))["rows"]
    engine = get_engine(app)
    scale = "UPDATE resource SET capacity = capacity * {} WHERE category = 'sala_gimnastyczna'"
    with engine.begin() as conn:
        conn.exec_driver_sql(scale.format("10"))
    try:
        after = json.loads(run(runner, *args))["rows"]
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(scale.format("0.1"))
    assert [r["district_code"] for r in after] == [r["district_code"] for r in before]
    assert [r["score"] for r in after] == pytest.approx([r["score"] for r in before], abs=1e-12)


def test_category_and_category_weights_exclude_each_other(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "analyse",
            "access",
            "--year",
            "2021",
            "--category",
            "swietlica",
            "--category-weights",
            "swietlica=1",
        ]
    )
    assert result.exit_code == 3
    assert "either a category or category weights" in result.output
    result = runner.invoke(
        args=["analyse", "gaps", "--year", "2021", "--category-weights", "swietlica=0"]
    )
    assert result.exit_code == 3
    assert "categories to choose from: boisko" in result.output
