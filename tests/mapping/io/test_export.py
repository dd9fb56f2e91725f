"""Export in every format and read back (docs/SECURITY.md points 3 and 17)."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import Point

from mapping.categories import DEFAULT_CATEGORIES
from mapping.errors import MappingError
from mapping.frames import RESOURCE_COLUMNS
from mapping.io.districts import districts_from_vector
from mapping.io.export import (
    SHP_FIELD_NAMES,
    format_from_path,
    template_frame,
    write_frame,
    write_workbook,
)
from mapping.io.indicators import indicator_values_from_table
from mapping.io.matching import canonical_columns
from mapping.io.options import ImportOptions
from mapping.io.report import ImportReport
from mapping.io.resources import resources_from_table, resources_from_vector
from mapping.io.tabular import read_table
from mapping.io.vector import read_vector, vector_from_table

from .conftest import BOXES_2180, lonlat

FORMATS = ["geojson", "gpkg", "shp", "csv", "csv-excel", "xlsx"]
SUFFIX = {"geojson": "geojson", "gpkg": "gpkg", "shp": "zip", "csv": "csv", "xlsx": "xlsx"}
TRIGGERS = ["=1+1", "+48 74 000 00 00", "-5 stopni", "@SUM(A1)", "\tz tabulatorem", "\rz CR"]


def _resources() -> gpd.GeoDataFrame:
    points = [lonlat(307_123.4567, 324_765.4321), lonlat(311_000.5, 332_000.25), None]
    n = len(points)
    return gpd.GeoDataFrame(
        {
            "id": pd.array([1, 2, 3], dtype="Int64"),
            "external_id": ["007", "=HYPERLINK(1)", "ext-3"],
            "name": ["Świetlica „Źródełko”", 'Klub; Integracji, "KIS"', "MOPS – ośrodek"],
            "category": ["swietlica", "kis", "mops"],
            "address": ["ul. Żeromskiego 3", None, "ul. Mickiewicza 26"],
            "district_code": ["srodmiescie", "podzamcze", "bialy-kamien"],
            "capacity": pd.array([25, pd.NA, 0], dtype="Int64"),
            "operator": [None] * n,
            "phone": ["+48 74 000 00 00", None, None],
            "website": ["https://www.example.pl", None, None],
            "opening_hours": ["pn-pt 14-18", None, None],
            "description": ["-3 stopnie na zewnątrz", None, None],
            "source": ["test"] * n,
            "synthetic": [False, True, False],
            "updated_at": [None] * n,
        },
        geometry=[Point(p) if p else None for p in points],
        crs=4326,
    )


def _objects(values: pd.Series) -> list[object]:
    """Values with None for missing (pandas 3 stores missing text as NaN)."""
    return values.astype(object).where(values.notna(), None).tolist()


def _write(frame: pd.DataFrame, tmp_path, fmt: str, layer: str) -> tuple[bytes, str]:
    base = fmt.split("-")[0]
    path = tmp_path / f"{layer}.{SUFFIX[base]}"
    write_frame(frame, path, format=base, layer=layer, excel=fmt == "csv-excel")
    return path.read_bytes(), path.name


@pytest.mark.parametrize("fmt", FORMATS)
def test_resources_round_trip(fmt: str, tmp_path, districts, categories) -> None:
    original = _resources()
    data, name = _write(original, tmp_path, fmt, "resources")
    if fmt.startswith(("csv", "xlsx")):
        table, report = read_table(data, filename=name)
        back = resources_from_table(table, report, districts=districts, categories=categories)
    else:
        gdf, report = read_vector(data, filename=name, missing_geometry="keep")
        back = resources_from_vector(gdf, report, districts=districts, categories=categories)
    assert not report.errors(), report.as_table()
    assert list(back.columns) == list(RESOURCE_COLUMNS)
    for column in (
        "external_id",
        "name",
        "category",
        "district_code",
        "address",
        "phone",
        "description",
        "source",
    ):
        assert back[column].tolist() == _objects(original[column]), column
    assert back["capacity"].tolist() == original["capacity"].tolist()
    assert back["synthetic"].tolist() == original["synthetic"].tolist()
    for before, after in zip(original.geometry, back.geometry, strict=True):
        if before is None:
            assert after is None
        else:
            assert abs(before.x - after.x) < 1e-7 and abs(before.y - after.y) < 1e-7


@pytest.mark.parametrize("fmt", FORMATS)
def test_districts_round_trip(fmt: str, tmp_path, districts) -> None:
    data, name = _write(districts, tmp_path, fmt, "districts")
    if fmt.startswith(("csv", "xlsx")):
        table, report = read_table(data, filename=name)
        gdf = vector_from_table(table, report)
    else:
        gdf, report = read_vector(data, filename=name)
    back = districts_from_vector(gdf, report, options=ImportOptions(code_field="code"))
    assert not report.errors(), report.as_table()
    assert back["code"].tolist() == districts["code"].tolist()
    assert back["name"].tolist() == districts["name"].tolist()
    for before, after in zip(districts.geometry, back.geometry, strict=True):
        assert shapely.equals_exact(shapely.normalize(before), shapely.normalize(after), 1e-7)


@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "xlsx"])
def test_indicator_values_round_trip(fmt: str, tmp_path, districts, indicators) -> None:
    values = pd.DataFrame(
        {
            "district_code": ["srodmiescie", "podzamcze", "podzamcze"],
            "district_name": ["Śródmieście", "Podzamcze", "Podzamcze"],
            "indicator": ["residents", "residents", "social_assistance"],
            "year": [2021, 2021, 2022],
            "value": [12345.0, -0.125, 1234.5678901234],
        }
    )
    data, name = _write(values, tmp_path, fmt, "indicator_values")
    table, report = read_table(data, filename=name)
    back = indicator_values_from_table(table, report, districts=districts, indicators=indicators)
    assert not report.errors()
    expected = values.drop(columns="district_name")
    assert back.to_dict("records") == expected.to_dict("records")
    assert back["year"].dtype == "int64" and back["value"].dtype == "float64"


def test_csv_formula_guard_and_numbers(tmp_path) -> None:
    frame = pd.DataFrame({"text": TRIGGERS + ["Zwykły"], "number": [-5, -2, 0, 1, 2, 3, -7]})
    path = tmp_path / "g.csv"
    write_frame(frame, path, format="csv", layer="g")
    raw = path.read_bytes().decode()
    assert raw.startswith("text,number\r\n'=1+1,-5\r\n'+48 74 000 00 00,-2\r\n'-5 stopni,0\r\n")
    assert "'@SUM(A1),1" in raw and "'\tz tabulatorem" in raw and '"\'\rz CR"' in raw
    assert "\nZwykły,-7\r\n" in raw  # plain text and negative numbers are not prefixed
    table, _ = read_table(path.read_bytes(), filename="g.csv")
    assert table["text"].tolist() == TRIGGERS + ["Zwykły"]  # the prefix is removed on import


def test_xlsx_formula_guard_keeps_numbers_numeric(tmp_path) -> None:
    frame = pd.DataFrame({"text": TRIGGERS, "number": [-5.5, -1, 0, 1, 2, 3]})
    path = tmp_path / "g.xlsx"
    write_frame(frame, path, format="xlsx", layer="g")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["g"]
    cells = list(sheet.iter_rows(min_row=2, values_only=False))
    written = ["'" + t.replace("\r", "_x000D_") for t in TRIGGERS]
    assert [row[0].value for row in cells] == written
    assert all(row[0].data_type == "s" for row in cells)  # text, never a formula
    assert cells[0][1].value == -5.5 and cells[0][1].data_type == "n"
    workbook.close()
    table, _ = read_table(path.read_bytes(), filename="g.xlsx")
    assert table["text"].tolist() == TRIGGERS


def test_excel_csv_has_bom_semicolons_and_decimal_commas(tmp_path) -> None:
    gdf = gpd.GeoDataFrame(
        {"name": ["Łąka"], "value": [1.5]}, geometry=[Point(16.25, 50.75)], crs=4326
    )
    path = tmp_path / "e.csv"
    write_frame(gdf, path, format="csv", layer="e", excel=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == "name;value;lat;lon\r\nŁąka;1,5;50,75;16,25\r\n"


def test_geojson_is_rfc_7946(tmp_path) -> None:
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(307_000, 324_000)], crs=2180)
    path = tmp_path / "a.geojson"
    write_frame(gdf, path, format="geojson", layer="a")
    document = json.loads(path.read_text())
    assert "crs" not in document
    lon, lat = document["features"][0]["geometry"]["coordinates"]
    expected = lonlat(307_000, 324_000)
    assert abs(lon - expected[0]) < 1e-8 and abs(lat - expected[1]) < 1e-8


def test_shapefile_uses_short_field_names(tmp_path) -> None:
    data, _ = _write(_resources().iloc[:2], tmp_path, "shp", "resources")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == [
            "resources.cpg",
            "resources.dbf",
            "resources.prj",
            "resources.shp",
            "resources.shx",
        ]
    gdf, _ = read_vector(data, filename="resources.zip")
    for long, short in SHP_FIELD_NAMES.items():
        if long in _resources():
            assert short in gdf.columns
    # The short names are read back as palmap's names.
    mapped = canonical_columns(gdf.columns, "resources")
    assert mapped["ext_id"] == "external_id" and mapped["hours"] == "opening_hours"


def test_export_to_a_buffer_and_refusals() -> None:
    buffer = io.BytesIO()
    write_frame(_resources(), buffer, format="gpkg", layer="resources")
    assert buffer.getvalue().startswith(b"SQLite format 3\x00")
    with pytest.raises(MappingError, match="layer name"):
        write_frame(_resources(), io.BytesIO(), format="csv", layer="../x")
    with pytest.raises(MappingError, match="a table"):
        write_frame(pd.DataFrame({"a": [1]}), io.BytesIO(), format="shp", layer="t")


def test_format_from_path() -> None:
    assert [
        format_from_path(p)
        for p in ("a.GeoJSON", "a.json", "a.gpkg", "a.csv", "a.xlsx", "a.zip", "a.shp.zip")
    ] == ["geojson", "geojson", "gpkg", "csv", "xlsx", "shp", "shp"]
    with pytest.raises(MappingError, match="write a.zip"):
        format_from_path("a.shp")
    with pytest.raises(MappingError, match="choose the format"):
        format_from_path("a.kml")


def test_templates_list_allowed_values_and_their_example_imports(
    tmp_path, districts, categories, indicators
) -> None:
    sheets = template_frame("resources", categories=categories, districts=districts)
    assert list(sheets) == ["resources", "categories", "districts"]
    assert sheets["categories"]["code"].tolist() == [c.code for c in DEFAULT_CATEGORIES]
    path = tmp_path / "szablon.xlsx"
    write_workbook(sheets, path)
    table, report = read_table(path.read_bytes(), filename=path.name)
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert not report.errors() and len(out) == 1  # the example row imports cleanly

    sheets = template_frame("indicators", indicators=indicators, districts=districts)
    assert list(sheets) == ["indicator_values", "indicators", "define", "districts"]
    write_frame(sheets["indicator_values"], tmp_path / "w.csv", format="csv", layer="w")
    table, report = read_table((tmp_path / "w.csv").read_bytes(), filename="w.csv")
    values = indicator_values_from_table(table, report, districts=districts, indicators=indicators)
    assert len(values) == 1 and not report.errors()

    sheets = template_frame("districts")
    write_frame(sheets["districts"], tmp_path / "d.csv", format="csv", layer="d")
    table, report = read_table((tmp_path / "d.csv").read_bytes(), filename="d.csv")
    assert len(districts_from_vector(vector_from_table(table, report), report)) == 1


# ---------------------------------------------------------------------------------------------
# Property: generated valid rows export to CSV and read back unchanged.

_TEXT = (
    st.text(
        # (with the fullwidth and other forms that spreadsheets fold into =, +, - and @)
        alphabet=st.sampled_from(
            list("abcxyzABCŻółćĘśŚźŹąĄęłŁńŃ0123456789 ;,.\"'=+-@()/:|„”–＝＋－＠−")
        ),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(lambda t: t != "" and not t.startswith("'"))
)
_CODES = [c.code for c in DEFAULT_CATEGORIES]
_DISTRICT_CODES = list(BOXES_2180)


@st.composite
def _resource_rows(draw: st.DrawFn) -> gpd.GeoDataFrame:
    n = draw(st.integers(min_value=1, max_value=8))
    ids = draw(
        st.lists(
            st.from_regex(r"[=+\-@]?[A-Za-z0-9_-]{1,12}", fullmatch=True),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    rows = []
    for external_id in ids:
        district = draw(st.sampled_from(_DISTRICT_CODES))
        _, box = BOXES_2180[district]
        minx, miny, maxx, maxy = box.bounds
        located = draw(st.booleans())
        point = None
        if located:
            easting = draw(st.floats(minx + 200, maxx - 200))
            northing = draw(st.floats(miny + 200, maxy - 200))
            point = Point(lonlat(easting, northing))
        rows.append(
            {
                "external_id": external_id,
                "name": draw(_TEXT),
                "category": draw(st.sampled_from(_CODES)),
                "address": draw(st.none() | _TEXT),
                "district_code": district,
                "capacity": draw(st.none() | st.integers(0, 100_000)),
                "description": draw(st.none() | _TEXT),
                "geometry": point,
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    frame["capacity"] = frame["capacity"].astype("Int64")
    return frame


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(frame=_resource_rows(), excel=st.booleans())
def test_generated_rows_survive_a_csv_round_trip(frame, excel, districts, categories) -> None:
    buffer = io.BytesIO()
    write_frame(frame, buffer, format="csv", layer="resources", excel=excel)
    table, report = read_table(buffer.getvalue(), filename="resources.csv")
    back = resources_from_table(table, report, districts=districts, categories=categories)
    assert not report.errors(), report.as_table()
    for column in ("external_id", "name", "category", "address", "district_code", "description"):
        assert back[column].tolist() == _objects(frame[column]), column
    assert back["capacity"].tolist() == frame["capacity"].tolist()
    for before, after in zip(frame.geometry, back.geometry, strict=True):
        assert (before is None and after is None) or before.equals_exact(after, 1e-12)


def test_report_is_empty_for_a_clean_round_trip() -> None:
    assert ImportReport().as_table() == "no findings"
