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
    return pd.read_csv(io.StringIO(run(runner, *args, "--format", "csv")))


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
    rows = json.loads(first)
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
    target = tmp_path / "needs.json"
    run(runner, "analyse", "needs", "--year", "2012", "--format", "json", "-o", str(target))
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 21


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
