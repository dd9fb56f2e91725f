"""The core of the pages without Flask: queries parsed from plain dicts, one function per page,
files with the same bytes for the same query (on the demo frames, no database, no app)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from mapping.analysis import AnalysisData
from mapping.categories import DEFAULT_CATEGORIES
from mapping.demo import load_demo_frames
from mapping.indicators import IndicatorRegistry
from mapping.pages.comparison import build_comparison_page
from mapping.pages.data import PageData
from mapping.pages.districts import build_district, build_districts
from mapping.pages.embed_query import parse_embed_options, parse_export_query
from mapping.pages.errors import QueryError, UnknownItemError
from mapping.pages.exports import indicator_map_file, stable_html
from mapping.pages.indicator_map import build_indicator_map, indicator_table
from mapping.pages.query import (
    parse_compare_query,
    parse_district_query,
    parse_map_query,
    parse_resource_query,
    parse_target_query,
)
from mapping.pages.resources import build_resources
from mapping.pages.targets import build_ranking
from mapping.pages.text import Translator

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
tr = Translator.plain("en")


@pytest.fixture(scope="module")
def data() -> PageData:
    demo = load_demo_frames(DEMO)
    categories = pd.DataFrame([c._asdict() for c in DEFAULT_CATEGORIES])
    analysis = AnalysisData(
        districts=demo.districts,
        resources=demo.resources.assign(id=range(1, len(demo.resources) + 1)),
        categories=categories,
        registry=IndicatorRegistry(demo.indicators),
        values=demo.indicator_values,
    )
    return PageData.from_analysis(analysis, min_count=5)


def test_the_core_needs_no_web_framework() -> None:
    # A fresh interpreter: importing every page module loads neither Flask nor the app.
    code = (
        "import sys, pkgutil, importlib, mapping.pages as p\n"
        "for m in pkgutil.iter_modules(p.__path__):\n"
        "    importlib.import_module(f'mapping.pages.{m.name}')\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "('flask', 'flask_babel', 'werkzeug', 'click', 'app'))\n"
        "assert not bad, bad\n"
        "print(len([m for m in pkgutil.iter_modules(p.__path__)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 12


def test_indicator_map_page_from_a_plain_dict(data: PageData) -> None:
    args = {"year": "2013", "scheme": "equal_interval", "k": "4"}
    query = parse_map_query(args, data.analysis, tr, layer="social_assistance_rate")
    assert (query.year, query.scheme, query.k, query.layer.kind) == (
        2013,
        "equal_interval",
        4,
        "rate",
    )
    page = build_indicator_map(data, query, tr)
    built = page.choropleth
    assert len(built.breaks) == 4 and len(page.rows) == len(data.analysis.districts)
    assert built.legend.title == "Social assistance per 1,000, 2013" or "2013" in built.legend.title
    assert [r["district_code"] for r in indicator_table(data, query)] == list(
        built.values.table["district_code"]
    )


def test_unknown_items_and_settings_carry_what_works(data: PageData) -> None:
    with pytest.raises(UnknownItemError) as unknown:
        parse_map_query({}, data.analysis, tr, layer="poverty")
    assert unknown.value.field == "layer" and ("Needs index", "needs_index") in unknown.value.known
    with pytest.raises(UnknownItemError) as year:
        parse_map_query({"year": "1999"}, data.analysis, tr, layer="needs_index")
    assert year.value.field == "year" and ("2013", "2013") in year.value.known
    with pytest.raises(QueryError) as scheme:
        parse_map_query({"scheme": "rainbow"}, data.analysis, tr, layer="needs_index")
    assert scheme.value.allowed == ("quantiles", "equal_interval", "fisher_jenks")
    assert scheme.value.status_code == 400 and unknown.value.status_code == 404


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e400", "abc"])
def test_every_number_is_finite_and_in_range(data: PageData, raw: str) -> None:
    analysis = data.analysis
    for parse in (
        lambda: parse_map_query({"w_social_assistance": raw}, analysis, tr, layer="needs_index"),
        lambda: parse_target_query({"access_weight": raw}, analysis, tr),
        lambda: parse_export_query({"dpi": raw}, tr),
        lambda: parse_export_query({"width": raw}, tr),
        lambda: parse_embed_options({"zoom": raw}, analysis, tr, default_tiles="none"),
        lambda: parse_embed_options({"centre": f"{raw},16"}, analysis, tr, default_tiles="none"),
    ):
        with pytest.raises(QueryError, match=r"from -?\d+ to \d+|-90 to 90"):
            parse()


def test_every_page_builds_from_the_core(data: PageData) -> None:
    analysis = data.analysis
    compare = parse_compare_query({"from": "2010", "to": "2013"}, analysis, tr, layer="needs_index")
    page = build_comparison_page(data, compare, tr)
    assert sum(page.counts.values()) <= len(analysis.districts)
    ranking = build_ranking(data, parse_target_query({"top": "3"}, analysis, tr), tr, runs=50)
    assert [r["rank"] for r in ranking.rows][:3] == [1, 2, 3] and len(ranking.top_codes) == 3
    assert build_districts(data, tr).year == 2021
    code = str(analysis.districts["code"].iloc[0])
    district = build_district(data, parse_district_query({}, analysis, tr, code=code), tr)
    assert district.indicators and district.total == len(analysis.districts)
    resources = build_resources(data, parse_resource_query({"q": ""}, analysis, tr), tr)
    assert len(resources.chosen) == len(analysis.resources) and resources.first == 1
    with pytest.raises(QueryError, match="from 1 to 1"):
        build_resources(data, parse_resource_query({"page": "2"}, analysis, tr), tr)


@pytest.mark.parametrize("fmt", ["svg", "pdf", "html"])
def test_files_are_the_same_bytes_for_the_same_query(data: PageData, fmt: str) -> None:
    query = parse_map_query({}, data.analysis, tr, layer="needs_index")
    export = parse_export_query({"dpi": "60", "width": "100", "height": "100"}, tr)
    from mapping.pages.indicator_map import build_choropleth

    files = [
        indicator_map_file(
            data, build_choropleth(data, query, tr), tr, export, fmt, today=date(2026, 1, 2)
        )
        for _ in range(2)
    ]
    assert files[0] == files[1] and len(files[0]) > 1000


def test_folium_names_are_numbered_in_order() -> None:
    page = "var map_" + "a" * 32 + " = L.map(); geo_json_" + "b" * 32 + "_styler(map_" + "a" * 32
    assert stable_html(page) == (
        "var map_"
        + "0" * 31
        + "1 = L.map(); geo_json_"
        + "0" * 31
        + "2_styler(map_"
        + "0" * 31
        + "1"
    )


def test_translator_from_the_compiled_catalogues(tmp_path: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = Path(__file__).resolve().parents[2] / "app" / "translations" / "pl" / "LC_MESSAGES"
    target = tmp_path / "pl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (source / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="pl")
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    polish = Translator.from_catalogues(tmp_path, "pl")
    assert polish("Needs index") != "Needs index"
    assert polish.number(1234.5) == "1\xa0234,5"
    assert polish.long_date(date(2026, 12, 1)).endswith("2026")
