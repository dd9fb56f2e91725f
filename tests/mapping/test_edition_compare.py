"""Two editions on the comparison page across a boundary change (issue 13): the earlier counts
carried onto the later districts by areal weighting keep their totals, and every estimated
value is marked on the maps, in the tooltips, the table, the CSV and the static file."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from mapping.analysis import AnalysisData
from mapping.demo import load_demo_frames
from mapping.indicators.registry import IndicatorRegistry
from mapping.pages.comparison import CHANGE_COLUMNS, build_comparison, change_table
from mapping.pages.data import PageData
from mapping.pages.edition_compare import comparison_inputs
from mapping.pages.errors import QueryError, UnknownItemError
from mapping.pages.exports import change_map_spec
from mapping.pages.maps import change_map
from mapping.pages.text import Translator
from mapping.render.interactive import map_fragments
from mapping.render.static import legend_handles

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def earlier() -> AnalysisData:
    demo = load_demo_frames(DEMO)
    return AnalysisData(
        districts=demo.districts,
        resources=demo.resources.assign(id=range(1, len(demo.resources) + 1)),
        categories=pd.DataFrame({"code": ["x"], "name_pl": ["x"], "name_en": ["x"]}),
        registry=IndicatorRegistry(demo.indicators),
        values=demo.indicator_values,
    )


@pytest.fixture(scope="module")
def later(earlier: AnalysisData) -> AnalysisData:
    """Gaj merged into Rusinowa; the later edition's values have no Gaj."""
    frame = earlier.districts.copy()
    gaj = frame.loc[frame["code"] == "gaj"].geometry.iloc[0]
    rusinowa = frame["code"] == "rusinowa"
    frame.loc[rusinowa, "geometry"] = frame.loc[rusinowa].geometry.iloc[0].union(gaj)
    districts = gpd.GeoDataFrame(frame[frame["code"] != "gaj"].reset_index(drop=True), crs=4326)
    values = earlier.values[earlier.values["district_code"] != "gaj"]
    return dataclasses.replace(earlier, districts=districts, values=values)


def _inputs(
    earlier: AnalysisData, later: AnalysisData, args: dict[str, str], lang: str = "en"
) -> tuple[PageData, object, frozenset[str]]:
    page = PageData.from_analysis(later)
    page = dataclasses.replace(page, edition="2013", published=date(2013, 12, 1))
    return comparison_inputs(
        page,
        args,
        Translator.plain(lang),
        layer="social_assistance_rate",
        against=("2010", earlier),
    )


def test_counts_carried_across_the_boundary_keep_their_totals(
    earlier: AnalysisData, later: AnalysisData
) -> None:
    data, query, estimated = _inputs(earlier, later, {"from": "2010", "to": "2013"})
    assert estimated == {"rusinowa"}
    assert (query.against, query.first, query.last) == ("2010", 2010, 2013)
    values = data.analysis.values
    for indicator in ("social_assistance", "residents"):
        before = earlier.values[
            (earlier.values["indicator"] == indicator) & (earlier.values["year"] == 2010)
        ]
        carried = values[(values["indicator"] == indicator) & (values["year"] == 2010)]
        assert carried["value"].sum() == pytest.approx(before["value"].sum(), rel=1e-6)
        # Rusinowa's estimate is its own count plus Gaj's (Gaj lies wholly inside it now).
        own = before.set_index("district_code")["value"]
        guess = carried.set_index("district_code")["value"]["rusinowa"]
        assert guess == pytest.approx(own["rusinowa"] + own["gaj"], rel=1e-6)
    # The later year is the later edition's own.
    assert set(values[values["year"] == 2013]["district_code"]) == set(later.districts["code"])


def test_estimates_are_marked_on_the_maps_the_table_the_csv_and_the_file(
    earlier: AnalysisData, later: AnalysisData
) -> None:
    tr = Translator.plain("en")
    data, query, estimated = _inputs(earlier, later, {})
    assert (query.first, query.last) == (2013, 2021)  # the latest before the later year
    built = build_comparison(data, query, tr, estimated=estimated)
    assert built.estimated == {"rusinowa"}
    assert (built.first_label, built.last_label) == ("2013 (edition 2010)", "2021 (edition 2013)")
    rows = {row["code"]: row for row in built.change_rows}
    assert rows["rusinowa"]["estimated"] and "(estimate)" in rows["rusinowa"]["before"]
    assert not any(row["estimated"] for code, row in rows.items() if code != "rusinowa")
    # Tooltips: the earlier year's map and the change map say "estimate".
    assert ("Estimate", "areal weighting") in built.before.tooltips["rusinowa"]
    assert "(estimate)" in dict(built.change_tips["rusinowa"])["2013"]
    assert "Estimate" not in dict(built.before.tooltips["podzamcze"])
    # The legend of the change map has the outline's entry.
    assert built.change_legend.note and "Thick outline" in built.change_legend.note
    # The interactive change map draws Rusinowa with the thick outline of a highlight.
    html = map_fragments(change_map(data, built, {"tiles": "none"}, name="Change")).script
    assert '"weight": 3.5' in html
    # CSV: the column "estimated", true for Rusinowa only.
    table = change_table(built)
    assert list(table[0]) == list(CHANGE_COLUMNS)
    assert {row["district_code"] for row in table if row["estimated"]} == {"rusinowa"}
    # Static file: Rusinowa outlined, with a legend entry for the outline.
    spec = change_map_spec(data, built, tr, date(2026, 1, 1))
    assert tuple(spec.highlight) == ("rusinowa",)
    labels = [handle.get_label() for handle in legend_handles(data.analysis.districts, spec)]
    assert spec.highlight_label in labels


def test_without_a_boundary_change_nothing_is_an_estimate(earlier: AnalysisData) -> None:
    data, query, estimated = _inputs(earlier, earlier, {"from": "2010", "to": "2013"})
    assert estimated == frozenset()
    built = build_comparison(data, query, Translator.plain("pl"), estimated=estimated)
    assert built.change_legend.note is None
    statuses = {row["code"]: row["status"] for row in built.change_rows}
    assert statuses["konradow"] == "no_clear_change" and statuses["podgorze-ii"] == "improved"
    labels = {row["code"]: row["status_label"] for row in built.change_rows}
    assert labels["konradow"] == "no clear change"  # Translator.plain: the msgid


def test_wrong_years_or_layers_of_the_earlier_edition(
    earlier: AnalysisData, later: AnalysisData
) -> None:
    with pytest.raises(UnknownItemError) as missing:
        _inputs(earlier, later, {"from": "1999"})
    assert [label for label, _ in missing.value.known] == ["2010", "2011", "2012", "2013", "2021"]
    with pytest.raises(QueryError):
        _inputs(earlier, later, {"from": "2013", "to": "2013"})
    smaller = dataclasses.replace(
        earlier, values=earlier.values[earlier.values["indicator"] != "social_assistance"]
    )
    with pytest.raises(UnknownItemError):
        _inputs(smaller, later, {})
