"""mapping.method: the ``meta`` of every analysis output, and the files that carry it."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from mapping.analysis import access_categories, access_table
from mapping.method import csv_with_meta, json_with_meta, method_meta, rank_meta, read_meta
from tests.mapping.test_units import toy

HOSTILE = '=HYPERLINK("http://x"), @SUM(1), +1, -1, tab\there'


def test_meta_of_access_says_categories_units_weights_and_versions() -> None:
    data = toy(units=("m²", None))
    categories = access_categories(data, year=2021)
    meta = method_meta(
        "access",
        data,
        settings={"year": 2021, "category": None},
        access=categories,
        indicators=["residents"],
    )
    assert meta["settings"] == {"year": 2021}
    assert meta["access"]["categories"] == [
        {
            "code": "gym",
            "weight": 0.5,
            "measure": "capacity",
            "unit": "m²",
            "resources": 1,
            "imputed_capacities": 0,
            "imputed_as": None,
        },
        {
            "code": "room",
            "weight": 0.5,
            "measure": "capacity",
            "unit": "capacity (unit not set)",
            "resources": 2,
            "imputed_capacities": 0,
            "imputed_as": None,
        },
    ]
    assert meta["access"]["left_out"] == {"ngo": "no resource"}
    assert meta["data_version"] == "toy" and meta["palmap_version"]
    assert meta["sources"] == {"residents": "[pl] ewidencja, 2021 [en] register, 2021"}


def test_rank_meta_lists_the_terms_and_denominators() -> None:
    meta = rank_meta(toy(), year=2021, weights={"poor": 1}, access_weight=2, supply_weight=1)
    assert meta["weights"] == {"poor": 1.0, "access": 2.0, "supply": 1.0}
    assert meta["denominators"] == {"poor": "residents", "residents": None}
    assert meta["supply"].startswith("weighted mean over the categories")
    assert [c["code"] for c in meta["access"]["categories"]] == ["gym", "room"]


def test_csv_and_json_carry_the_same_meta_and_pandas_reads_the_table() -> None:
    data = toy()
    table = access_table(data, year=2021)
    meta = method_meta("access", data, access=access_categories(data, year=2021))
    text = csv_with_meta(table, meta)
    assert read_meta(text) == json.loads(json_with_meta(table, meta))["meta"]
    back = pd.read_csv(io.StringIO(text), comment="#")
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
    rows = json.loads(json_with_meta(table, meta))["rows"]
    assert [r["district_code"] for r in rows] == ["a", "b", "c"]


def test_no_cell_of_a_meta_row_starts_a_formula() -> None:
    """SECURITY.md: a hostile source text in the meta rows of a CSV (a spreadsheet splits each
    row at its commas) never starts a cell with = + - @; read back it is the text as given."""
    meta = {"sources": {"poor": HOSTILE, "x": "plain, text"}, "list": [HOSTILE, "a,b"]}
    text = csv_with_meta(pd.DataFrame({"a": [1]}), meta)
    comment_lines = [line for line in text.splitlines() if line.startswith("#")]
    assert len(comment_lines) == 2
    for cells in csv.reader(comment_lines):
        for cell in cells:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert read_meta(text) == meta
