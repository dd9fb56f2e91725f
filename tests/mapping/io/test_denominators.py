"""Indicator definitions: any indicator may be a denominator; a missing or cyclic one is refused
at its row (issue 14, point 3)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from mapping.db import store
from mapping.io.flow import run_import
from mapping.io.indicators import indicators_from_table
from mapping.io.report import ImportReport
from mapping.io.tabular import read_table

HEADER = "code,name_pl,unit,higher_is_more_need,denominator\n"
STORED = {"residents": None, "residents_0_17": None, "unemployed": "residents"}


def _definitions(*rows: str) -> tuple[pd.DataFrame, ImportReport]:
    data = (HEADER + "".join(row + "\n" for row in rows)).encode()
    return read_table(data, filename="define.csv")


def test_a_stored_or_defined_indicator_is_accepted_as_denominator() -> None:
    table, report = _definitions(
        "kids_assisted,dzieci w rodzinach z pomocą,osoby,tak,residents_0_17",
        "working_age,w wieku produkcyjnym,osoby,nie,",
        "long_unemployed,długotrwale bezrobotni,osoby,tak,working_age",
    )
    out = indicators_from_table(table, report, known=STORED)
    assert not report.errors()
    assert out.set_index("code")["denominator"].to_dict() == {
        "kids_assisted": "residents_0_17",
        "working_age": None,
        "long_unemployed": "working_age",
    }


def test_a_missing_denominator_is_refused_at_its_row() -> None:
    table, report = _definitions(
        "ok,dobry,osoby,tak,residents",
        "kids_assisted,dzieci,osoby,tak,residents_0_18",
    )
    out = indicators_from_table(table, report, known=STORED)
    [finding] = report.errors()
    assert (finding.row, finding.field, finding.value) == (3, "denominator", "residents_0_18")
    assert "expected the code of an indicator as denominator" in str(finding.problem)
    assert "residents_0_17" in str(finding.fix) and "define that indicator" in str(finding.fix)
    assert list(out["code"]) == ["ok"]


def test_a_cycle_of_denominators_is_refused_at_each_of_its_rows() -> None:
    table, report = _definitions(
        "a,a,osoby,tak,b",
        "b,b,osoby,tak,a",
        "c,c,osoby,tak,a",  # leads into the cycle but is not on it
        # redefines a stored indicator so that it closes a cycle through the stored one
        "residents,mieszkańcy,osoby,nie,unemployed",
    )
    out = indicators_from_table(table, report, known=STORED)
    found = {(f.row, str(f.problem)) for f in report.errors()}
    assert found == {
        (
            2,
            "expected denominators that end at an indicator without one, got the cycle a -> b -> a",
        ),
        (
            3,
            "expected denominators that end at an indicator without one, got the cycle b -> a -> b",
        ),
        (
            5,
            "expected denominators that end at an indicator without one, got the cycle "
            "residents -> unemployed -> residents",
        ),
    }
    assert {f.fix for f in report.errors()} == {"leave the denominator of one of them empty"}
    assert list(out["code"]) == ["c"]


def test_the_import_refuses_definitions_with_a_missing_denominator(engine: Engine) -> None:
    define = (HEADER + "kids_assisted,dzieci,osoby,tak,residents_0_17\n").encode()
    result = run_import(
        "indicators",
        b"district,indicator,year,value\n",
        filename="v.csv",
        engine=engine,
        definitions=(define, "define.csv"),
    )
    assert result.status == "refused"
    assert result.definitions is not None
    [finding] = result.definitions.errors()
    assert (finding.row, finding.field, finding.value) == (2, "denominator", "residents_0_17")
    assert "kids_assisted" not in set(store.load_indicators(engine)["code"])
