"""The programme's rules (mapping.programme), the table readers (mapping.io.programme) and the
core of its pages (mapping.pages.programme), on plain objects."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from mapping.analysis import AnalysisData
from mapping.indicators import IndicatorRegistry
from mapping.io.programme import actions_from_table, partnerships_from_table
from mapping.io.programme_export import actions_frame, partnerships_frame
from mapping.io.report import ImportReport
from mapping.pages.data import PageData
from mapping.pages.errors import QueryError, UnknownItemError
from mapping.pages.programme import (
    ActionsQuery,
    build_actions,
    build_partnerships,
    parse_actions_query,
)
from mapping.pages.text import Translator
from mapping.programme import (
    ACTION_TYPES,
    FUNDING_SOURCES,
    MEMBER_KINDS,
    STATUSES,
    Action,
    Funding,
    Member,
    Partnership,
    action_problems,
    match_named,
)

ACTION = Action(
    "a1",
    "Festyn",
    "IV.5",
    date(2012, 6, 1),
    status="done",
    partnership="p1",
    districts=("a",),
    funding=(Funding("eu", 1000.0), Funding("city", 250.5)),
    end_date=date(2013, 1, 31),
    planned_participants=100,
    actual_participants=90,
    reserve_list=10,
)
PARTNERSHIP = Partnership("p1", "Razem", None, (Member("MOPS", "institution", "lider", None),))


def test_every_named_list_has_both_languages_and_unique_codes() -> None:
    for choices in (ACTION_TYPES, FUNDING_SOURCES, STATUSES, MEMBER_KINDS):
        codes = [c.code for c in choices]
        assert len(codes) == len(set(codes))
        assert all(c.name_pl and c.name_en and c.name_pl != c.code for c in choices)
    assert [c.code for c in ACTION_TYPES] == [f"IV.{i}" for i in range(1, 8)]
    assert match_named("EFS", FUNDING_SOURCES) == "eu"
    assert match_named("w toku", STATUSES) == "running"
    assert match_named("--", STATUSES) is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": date(2012, 5, 31)}, "end_date"),
        ({"planned_participants": -1}, "planned_participants"),
        ({"status": "cancelled"}, "actual_participants"),
        ({"status": "planned"}, "actual_participants"),
        ({"funding": (Funding("eu", -5.0),)}, "funding"),
        ({"funding": (Funding("eu", 1.0), Funding("eu", 2.0))}, "funding"),
        ({"funding": (Funding("lottery", 1.0),)}, "funding"),
        ({"districts": ("a", "a")}, "districts"),
        ({"districts": ("zz",)}, "districts"),
        ({"partnership": "p9"}, "partnership"),
        ({"code": "a 1"}, "code"),
        ({"title": ""}, "title"),
        ({"action_type": "IV.8"}, "type"),
    ],
)
def test_each_rule_names_its_field(change: dict, field: str) -> None:
    assert action_problems(ACTION, districts={"a"}, partnerships={"p1"}) == []
    problems = action_problems(replace(ACTION, **change), districts={"a"}, partnerships={"p1"})
    assert [p.field for p in problems] == [field]
    assert all(p.fix for p in problems)


def test_an_export_frame_reads_back_to_the_same_records() -> None:
    districts = pd.DataFrame({"code": ["a"], "name": ["Aleja"]})
    frame = actions_frame([ACTION]).astype(str).replace({"None": ""})
    frame.index = pd.Index([2])
    report = ImportReport(unit="line")
    assert actions_from_table(frame, report, districts=districts, partnerships={"p1"}) == [ACTION]
    assert report.findings == []
    frame = partnerships_frame([PARTNERSHIP, Partnership("p2", "Pusty")]).astype(str)
    assert partnerships_from_table(frame, ImportReport()) == [
        PARTNERSHIP,
        Partnership("p2", "Pusty"),
    ]


def test_a_partnership_with_a_bad_row_is_left_out_whole() -> None:
    table = pd.DataFrame(
        {
            "partnership": ["p1", "p1", "p2"],
            "name": ["Razem", "Inna nazwa", "Dwa"],
            "member": ["MOPS", "Bank", "SP 1"],
            "kind": ["institution", "bank", "school"],
        },
        index=[2, 3, 4],
    )
    report = ImportReport(unit="line")
    assert [p.code for p in partnerships_from_table(table, report)] == ["p2"]
    assert sorted((f.row, f.field) for f in report.errors()) == [(3, "kind"), (3, "name")]
    assert report.valid == 1


def _data() -> PageData:
    districts = gpd.GeoDataFrame(
        {"id": [1, 2], "code": ["a", "b"], "name": ["Aleja", "Bór"], "source": [None, None]},
        geometry=[box(16.0, 50.7, 16.1, 50.8), box(16.1, 50.7, 16.2, 50.8)],
        crs=4326,
    ).assign(schematic=True)
    empty = pd.DataFrame(
        columns=["code", "name_pl", "name_en", "unit", "higher_is_more_need", "denominator"]
    )
    analysis = AnalysisData(
        districts=districts,
        resources=gpd.GeoDataFrame({"id": [], "category": []}, geometry=[], crs=4326),
        categories=pd.DataFrame(columns=["code", "name_pl", "name_en", "colour"]),
        registry=IndicatorRegistry(empty),
        values=pd.DataFrame(columns=["district_code", "indicator", "year", "value"]),
    )
    return PageData.from_analysis(analysis)


def test_the_actions_page_counts_districts_and_leaves_those_without_actions_grey() -> None:
    tr = Translator.plain("en")
    other = replace(
        ACTION,
        code="a2",
        districts=("a",),
        action_type="IV.6",
        start_date=date(2011, 1, 1),
        end_date=None,
    )
    page = build_actions(_data(), [ACTION, other], [PARTNERSHIP], ActionsQuery(), tr)
    assert page.fills == {"a": page.fills["a"], "b": None} and page.fills["a"]
    assert [(r["code"], r["actions"]) for r in page.district_rows] == [("a", 2), ("b", 0)]
    assert page.totals["funds"] == "2,501 PLN" and page.totals["actual"] == "180"
    chosen = build_actions(_data(), [ACTION, other], [PARTNERSHIP], ActionsQuery(year=2013), tr)
    assert [r["code"] for r in chosen.rows] == ["a1"]  # runs from 2012 to 2013
    assert chosen.legend is not None and chosen.legend.entries[0][1] == "1"
    partnerships = build_partnerships([PARTNERSHIP], [ACTION, other], Translator.plain("pl"))
    assert partnerships.rows[0]["actions"] == 2
    assert partnerships.rows[0]["members"][0]["kind"] == "instytucja publiczna"


def test_the_query_refuses_unknown_values() -> None:
    tr = Translator.plain("en")
    known = {"districts": {"a": "Aleja"}, "partnerships": [PARTNERSHIP], "tr": tr}
    query = parse_actions_query(
        {"type": "IV.2", "district": "a", "year": "2012", "partnership": "p1"}, **known
    )
    assert query == ActionsQuery("IV.2", "a", 2012, "p1")
    for args, error in (
        ({"type": "IV.8"}, QueryError),
        ({"year": "nan"}, QueryError),
        ({"year": "3000"}, QueryError),
        ({"district": "zz"}, UnknownItemError),
        ({"partnership": "zz"}, UnknownItemError),
    ):
        with pytest.raises(error):
            parse_actions_query(args, **known)


def test_a_partnership_form_reads_back_and_names_the_member_line() -> None:
    from mapping.pages.partnership_form import check_partnership_form, partnership_values

    values = partnership_values(PARTNERSHIP)
    assert check_partnership_form(values) == (PARTNERSHIP, [])
    found, problems = check_partnership_form({**values, "member_3": "Bank", "kind_3": "bank"})
    assert found is None and [(p.row, p.field) for p in problems] == [(3, "kind")]
    emptied = {**values, "member_1": "", "role_1": ""}
    assert check_partnership_form(emptied)[0] == replace(PARTNERSHIP, members=())
