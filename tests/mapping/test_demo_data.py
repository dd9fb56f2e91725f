"""Tests of the Wałbrzych demo data set, its generator and mapping.demo.load_demo_frames."""

from __future__ import annotations

import csv
import importlib.util
import itertools
import json
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import Point

from mapping.crs import METRIC_CRS, WEB_CRS
from mapping.demo import DemoData, load_demo_frames
from mapping.errors import ValidationError
from mapping.frames import (
    DISTRICT_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATOR_VALUE_COLUMNS,
    RESOURCE_COLUMNS,
)
from mapping.schematic import schematic_outline
from mapping.text import slugify

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
CATEGORIES = {
    "rada_osiedla",
    "mops",
    "swietlica",
    "sala_gimnastyczna",
    "boisko",
    "kis",
    "obiekt_sportowy",
    "pracownia_komputerowa",
    "plac_zabaw",
    "lokal_komunalny",
    "ngo",
}
CRISIS = {
    "bialy-kamien",
    "stary-zdroj",
    "srodmiescie",
    "sobiecin",
    "nowe-miasto",
    "podgorze-i",
    "podgorze-ii",
}
NEEDS = ("social_assistance", "long_term_unemployed", "children_assisted", "disability_support")
AGE_GROUPS = ("residents_0_17", "residents_18_64", "residents_65_plus")
# Each needs indicator is a rate on the people it can concern (issue 14, point 3).
DENOMINATORS = {
    "social_assistance": "residents",
    "long_term_unemployed": "residents_18_64",
    "children_assisted": "residents_0_17",
    "disability_support": "residents",
}
YEARS = [2010, 2011, 2012, 2013, 2021]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("palmap_demo_generate", DEMO / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="module")
def generated(generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    first = tmp_path_factory.mktemp("first")
    second = tmp_path_factory.mktemp("second")
    assert generator.main(["--output-dir", str(first)]) == 0
    generator.write_files(second)
    return [first, second]


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return load_demo_frames(DEMO)


@pytest.fixture(scope="module")
def values(demo: DemoData) -> pd.DataFrame:
    return demo.indicator_values.pivot_table(
        index=["district_code", "year"], columns="indicator", values="value"
    )


# ---------------------------------------------------------------------------------------------
# The generator


def test_generator_is_deterministic_and_committed_files_are_current(
    generator: ModuleType, generated: list[Path]
) -> None:
    first, second = generated
    for name in generator.OUTPUT_FILES:
        content = (first / name).read_bytes()
        assert content == (second / name).read_bytes(), f"{name} differs between two runs"
        assert content == (DEMO / name).read_bytes(), (
            f"data/demo/{name} is stale: run python data/demo/generate.py"
        )


def test_check_mode(
    generator: ModuleType, generated: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    for name in generator.OUTPUT_FILES:
        shutil.copy(generated[0] / name, tmp_path / name)
    assert generator.main(["--check", "--output-dir", str(tmp_path)]) == 0
    with (tmp_path / "indicators.csv").open("a", encoding="utf-8") as handle:
        handle.write("extra,row\n")
    assert generator.main(["--check", "--output-dir", str(tmp_path)]) == 1
    (tmp_path / "resources.csv").unlink()
    assert generator.main(["--check", "--output-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "indicators.csv" in err and "resources.csv" in err


# ---------------------------------------------------------------------------------------------
# districts.geojson


def test_geojson_is_rfc7946() -> None:
    text = (DEMO / "districts.geojson").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    assert not re.search(r"\d\.\d{7,}", text), "coordinates must have at most six decimals"
    for feature in document["features"]:
        assert set(feature["properties"]) == {"code", "name", "source", "schematic"}
        assert feature["properties"]["schematic"] is True
        assert "not official" in feature["properties"]["source"]
        assert feature["geometry"]["type"] == "MultiPolygon"
        for polygon in feature["geometry"]["coordinates"]:
            exterior = shapely.LinearRing(polygon[0])
            assert exterior.is_ccw  # right-hand rule: exterior rings counterclockwise
            for lon, lat in polygon[0]:
                assert 16.2 < lon < 16.4 and 50.7 < lat < 50.9


def test_districts_are_a_valid_coverage_of_the_outline(
    demo: DemoData, generator: ModuleType
) -> None:
    districts = demo.districts
    assert len(districts) == 21
    assert districts.crs == WEB_CRS
    assert districts.is_valid.all()
    assert (districts.geom_type == "MultiPolygon").all()
    metric = districts.to_crs(METRIC_CRS)
    for a, b in itertools.combinations(metric.geometry, 2):
        assert a.intersection(b).area < 1.0  # square metres
    centres = gpd.GeoDataFrame(
        geometry=[Point(lon, lat) for _, lat, lon in generator.CENTRES], crs=WEB_CRS
    )
    outline = schematic_outline(centres, area_km2=generator.CITY_AREA_KM2)
    outline_metric = gpd.GeoSeries([outline], crs=WEB_CRS).to_crs(METRIC_CRS).iloc[0]
    union = metric.union_all()
    assert abs(union.area - outline_metric.area) / outline_metric.area < 1e-3
    assert union.symmetric_difference(outline_metric).area / outline_metric.area < 1e-3
    assert union.area / 1e6 == pytest.approx(84.7, rel=5e-3)
    # Every centre point lies in its own district.
    by_name = dict(zip(districts["name"], districts.geometry, strict=True))
    for name, lat, lon in generator.CENTRES:
        assert by_name[name].contains(Point(lon, lat)), name


def test_district_codes(demo: DemoData) -> None:
    codes = list(demo.districts["code"])
    assert len(set(codes)) == 21
    assert {"bialy-kamien", "srodmiescie", "podgorze-i", "podgorze-ii"} <= set(codes)
    assert {"osiedle-wanda", "nowy-poniatow", "glinik-stary", "ksiaz"} <= set(codes)
    assert codes == [slugify(name) for name in demo.districts["name"]]
    assert "Biały Kamień" in set(demo.districts["name"])


# ---------------------------------------------------------------------------------------------
# resources.csv


def test_resources_cover_all_categories_and_districts(demo: DemoData) -> None:
    resources = demo.resources
    assert len(resources) >= 80
    assert set(resources["category"]) == CATEGORIES
    assert resources["external_id"].is_unique
    assert resources["external_id"].str.fullmatch(r"demo-\d{4}").all()
    councils = resources[resources["category"] == "rada_osiedla"]
    assert set(councils["district_code"]) == set(demo.districts["code"])
    # Some districts have nothing but their council, so gaps show on the maps.
    per_district = resources.groupby("district_code").size()
    assert (per_district == 1).sum() >= 3


def test_invented_points_lie_inside_their_district(demo: DemoData) -> None:
    districts = demo.districts.to_crs(METRIC_CRS).set_index("code").geometry
    invented = demo.resources[demo.resources["synthetic"]]
    assert invented.geometry.notna().all()
    for row in invented.to_crs(METRIC_CRS).itertuples():
        district = districts[row.district_code]
        assert district.contains(row.geometry), row.external_id
        assert district.boundary.distance(row.geometry) >= 49.5, row.external_id


def test_real_addresses_have_no_point(demo: DemoData) -> None:
    real = demo.resources[~demo.resources["synthetic"]]
    assert sorted(real["address"]) == [
        "ul. Beethovena 1A",
        "ul. Beethovena 24a",
        "ul. Mickiewicza 26",
    ]
    assert real.geometry.isna().all()
    assert (real["category"] == "mops").all()
    assert (real["district_code"] == "srodmiescie").all()
    invented = demo.resources[demo.resources["synthetic"]]
    assert (invented["source"] == "demo (invented)").all()


def test_resource_fields(demo: DemoData) -> None:
    resources = demo.resources
    with_capacity = resources["category"].isin(
        ["swietlica", "kis", "sala_gimnastyczna", "pracownia_komputerowa"]
    )
    assert resources.loc[with_capacity, "capacity"].notna().all()
    assert (resources.loc[with_capacity, "capacity"] > 0).all()
    assert resources.loc[~with_capacity, "capacity"].isna().all()
    assert resources["phone"].isna().all()
    assert resources["website"].isna().all()


def test_resources_csv_text() -> None:
    with (DEMO / "resources.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "external_id",
        "name",
        "category",
        "address",
        "district_code",
        "lat",
        "lon",
        "capacity",
        "operator",
        "phone",
        "website",
        "opening_hours",
        "description",
        "source",
        "synthetic",
    ]
    for row in rows:
        assert row["synthetic"] in ("true", "false")
        if row["synthetic"] == "true":
            assert re.fullmatch(r"50\.\d{6}", row["lat"]) and re.fullmatch(r"16\.\d{6}", row["lon"])
        else:
            assert row["lat"] == row["lon"] == ""


# ---------------------------------------------------------------------------------------------
# indicators.csv and indicator_values.csv


def test_indicator_registry(demo: DemoData) -> None:
    indicators = demo.indicators.set_index("code")
    assert list(indicators.index) == ["residents", *AGE_GROUPS, *NEEDS]
    for code in ("residents", *AGE_GROUPS):
        assert not indicators.loc[code, "higher_is_more_need"]
        assert indicators.loc[code, "denominator"] is None
        assert indicators.loc[code, "unit"] == "osoby"
    for code in AGE_GROUPS:
        assert "invented" in indicators.loc[code, "source"]
    for code in NEEDS:
        assert indicators.loc[code, "higher_is_more_need"]
        assert indicators.loc[code, "denominator"] == DENOMINATORS[code]
        assert "not official" in indicators.loc[code, "source"]


def test_age_groups_add_up_to_the_residents_and_hold_their_people(values: pd.DataFrame) -> None:
    groups = values[list(AGE_GROUPS)]
    assert (groups.sum(axis=1) == values["residents"]).all()
    shares = groups.div(values["residents"], axis=0)
    assert shares["residents_0_17"].between(0.10, 0.25).all()
    assert shares["residents_65_plus"].between(0.12, 0.30).all()
    # The counts fit in their denominators: children in assisted families are children.
    assert (values["children_assisted"] <= values["residents_0_17"]).all()
    assert (values["long_term_unemployed"] <= values["residents_18_64"]).all()
    # An ageing city: fewer children and more older people in 2021 than in 2010.
    totals = groups.groupby(level="year").sum()
    assert totals.loc[2021, "residents_0_17"] < totals.loc[2010, "residents_0_17"]
    share_65 = totals["residents_65_plus"] / values["residents"].groupby(level="year").sum()
    assert share_65[2021] > share_65[2010]


def test_indicator_values_are_complete(demo: DemoData) -> None:
    values = demo.indicator_values
    assert len(values) == 21 * 8 * len(YEARS)
    assert not values.duplicated(["district_code", "indicator", "year"]).any()
    assert set(values["year"]) == set(YEARS)
    assert set(values["district_code"]) == set(demo.districts["code"])
    assert (values["value"] == values["value"].round()).all()
    assert (values["value"] >= 0).all()


def test_residents(values: pd.DataFrame) -> None:
    residents = values["residents"]
    in_2021 = residents.xs(2021, level="year")
    assert in_2021.sum() == 95_117
    assert in_2021["podzamcze"] == 19_301
    assert in_2021["piaskowa-gora"] == 16_897
    assert in_2021["bialy-kamien"] == 9_885
    assert in_2021["lubiechow"] == 405
    assert in_2021.idxmin() == "lubiechow"
    assert in_2021.idxmax() == "podzamcze"
    totals = residents.groupby(level="year").sum()
    assert totals[2010] == pytest.approx(119_000, abs=1_000)
    assert list(totals) == sorted(totals, reverse=True)


def test_needs_rates_are_plausible_and_higher_in_crisis_districts(values: pd.DataFrame) -> None:
    rates = values[list(NEEDS)].div(values["residents"], axis=0)
    assert rates["social_assistance"].between(0.03, 0.15).all()
    crisis = rates.index.get_level_values("district_code").isin(CRISIS)
    for year in YEARS:
        in_year = rates.index.get_level_values("year") == year
        for code in NEEDS:
            crisis_mean = rates.loc[in_year & crisis, code].mean()
            other_mean = rates.loc[in_year & ~crisis, code].mean()
            assert crisis_mean > other_mean, (code, year)
        crisis_min = rates.loc[in_year & crisis, "social_assistance"].min()
        other_max = rates.loc[in_year & ~crisis, "social_assistance"].max()
        assert crisis_min > other_max, year
    # Some districts improve from 2010 to 2013 and some get worse.
    social = rates["social_assistance"]
    change = social.xs(2013, level="year") - social.xs(2010, level="year")
    assert (change < 0).any() and (change > 0).any()


# ---------------------------------------------------------------------------------------------
# load_demo_frames


def test_load_demo_frames_columns_and_types(demo: DemoData) -> None:
    assert tuple(demo.districts.columns) == DISTRICT_COLUMNS
    assert tuple(demo.resources.columns) == RESOURCE_COLUMNS
    assert tuple(demo.indicators.columns) == INDICATOR_COLUMNS
    assert tuple(demo.indicator_values.columns) == INDICATOR_VALUE_COLUMNS
    assert isinstance(demo.districts, gpd.GeoDataFrame)
    assert isinstance(demo.resources, gpd.GeoDataFrame)
    assert demo.districts.crs == WEB_CRS and demo.resources.crs == WEB_CRS
    assert str(demo.districts["id"].dtype) == "Int64" and demo.districts["id"].isna().all()
    assert str(demo.resources["id"].dtype) == "Int64" and demo.resources["id"].isna().all()
    assert demo.districts["schematic"].dtype == bool
    assert demo.resources["synthetic"].dtype == bool
    assert str(demo.resources["capacity"].dtype) == "Int64"
    assert demo.resources["updated_at"].isna().all()
    assert demo.resources.loc[0, "external_id"] == "demo-0001"
    assert demo.indicators["higher_is_more_need"].dtype == bool
    assert demo.indicator_values["year"].dtype == "int64"
    assert demo.indicator_values["value"].dtype == "float64"
    geom_types = set(demo.resources.geometry.dropna().geom_type)
    assert geom_types == {"Point"}


def copy_demo(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir()
    for name in ("districts.geojson", "resources.csv", "indicators.csv", "indicator_values.csv"):
        shutil.copy(DEMO / name, folder / name)
    return folder


def edit_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_missing_required_field_names_file_line_and_field(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    edit_line(folder / "resources.csv", 5, "demo-0004,Rada Osiedla Biały Kamień,", "demo-0004,,")
    with pytest.raises(ValidationError, match=r"resources\.csv, line 5, field 'name'"):
        load_demo_frames(folder)


def test_missing_value_in_indicator_values(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    edit_line(folder / "indicator_values.csv", 3, ",2011,", ",,")
    with pytest.raises(ValidationError, match=r"indicator_values\.csv, line 3, field 'year'"):
        load_demo_frames(folder)


def test_missing_column_is_named(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    edit_line(folder / "indicators.csv", 1, ",unit,", ",units,")
    with pytest.raises(ValidationError, match=r"indicators\.csv.*'unit'"):
        load_demo_frames(folder)


def test_missing_district_code_in_geojson(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    edit_line(folder / "districts.geojson", 3, '"code": "gaj", ', "")
    with pytest.raises(ValidationError, match=r"districts\.geojson, feature 2, field 'code'"):
        load_demo_frames(folder)


def test_unknown_district_code_is_refused(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    edit_line(folder / "resources.csv", 5, ",bialy-kamien,", ",atlantyda,")
    with pytest.raises(ValidationError, match=r"line 5, field 'district_code'.*'atlantyda'"):
        load_demo_frames(folder)


def test_missing_file(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    (folder / "indicators.csv").unlink()
    with pytest.raises(ValidationError, match="indicators.csv"):
        load_demo_frames(folder)
