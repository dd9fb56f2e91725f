"""Resources and indicator values from tables as planners bring them (README "Data")."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import Point

from mapping.errors import CRSError, ValidationError
from mapping.frames import INDICATOR_COLUMNS, INDICATOR_VALUE_COLUMNS, RESOURCE_COLUMNS
from mapping.io.indicators import indicator_values_from_table, indicators_from_table
from mapping.io.options import ImportOptions
from mapping.io.points import locate_points
from mapping.io.report import ImportReport
from mapping.io.resources import resources_from_table, resources_from_vector
from mapping.io.tabular import read_table
from mapping.io.vector import read_vector
from mapping.join import assign_districts

from .conftest import lonlat


def _csv(rows: list[list[object]], *, sep: str = ";", encoding: str = "cp1250") -> bytes:
    return "\r\n".join(sep.join(str(c) for c in row) for row in rows).encode(encoding)


def _read(rows: list[list[object]], **kwargs: object) -> tuple[pd.DataFrame, ImportReport]:
    return read_table(_csv(rows, **kwargs), filename="zasoby.csv")


def _lat_lon_text(easting: float, northing: float) -> tuple[str, str]:
    lon, lat = lonlat(easting, northing)
    return f"{lat:.7f}".replace(".", ","), f"{lon:.7f}".replace(".", ",")


def test_puwg_1992_csv_with_x_y_lands_each_point_in_its_district(districts, categories) -> None:
    # Polish surveyors write X = northing, Y = easting; decimal commas, cp1250, ';'.
    table, report = _read(
        [
            ["Nazwa", "Kategoria", "X", "Y", "Pojemność"],
            ["Świetlica „Iskierka”", "świetlica", "324 000,50", "307 000,25", "25"],
            ["Klub Integracji Społecznej", "KIS", "322500", "311500", "12,0"],
            ["Boisko przy SP 5", "boisko szkolne", "332000", "309500", ""],
        ]
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out["district_code"].to_dict() == {2: "srodmiescie", 3: "bialy-kamien", 4: "podzamcze"}
    assert out["category"].tolist() == ["swietlica", "kis", "boisko"]
    assert out["capacity"].tolist() == [25, 12, pd.NA]
    lon, lat = lonlat(307_000.25, 324_000.50)
    assert out.geometry.loc[2].x == pytest.approx(lon, abs=1e-9)
    assert out.geometry.loc[2].y == pytest.approx(lat, abs=1e-9)
    assert any("EPSG:2180 (PUWG 1992)" in a for a in report.assumptions)
    assert any("X = northing" in a and "Y = easting" in a for a in report.assumptions)
    assert not report.errors()
    assert report.valid == 3


def test_degrees_in_x_y_are_longitude_latitude(districts, categories) -> None:
    lon, lat = lonlat(311_000, 324_000)
    table, report = _read(
        [["nazwa", "kategoria", "x", "y"], ["Plac", "plac zabaw", lon, lat]],
        sep=",",
        encoding="utf-8",
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out["district_code"].tolist() == ["bialy-kamien"]
    assert any("read as longitude and latitude" in a for a in report.assumptions)
    assert any("EPSG:4326" in a for a in report.assumptions)


def test_lat_lon_columns_in_polish_with_decimal_commas(districts, categories) -> None:
    lat, lon = _lat_lon_text(307_000, 332_000)
    table, report = _read([["Nazwa", "Rodzaj", "Szerokość", "Długość"], ["Sala", "KIS", lat, lon]])
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out["district_code"].tolist() == ["podzamcze"]


def test_swapped_axes_are_reported_with_the_swap_not_applied(districts, categories) -> None:
    # A GIS export writes X = easting: read as Polish X (northing) it lands outside the city.
    table, report = _read(
        [
            ["nazwa", "kategoria", "X", "Y"],
            ["Dobry", "kis", "324000", "307000"],
            ["Zamieniony", "kis", "307000", "324000"],
        ]
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out.index.tolist() == [2]  # the swapped row is not loaded, and not swapped silently
    [error] = report.errors()
    assert (error.row, error.field, error.value) == (3, "X/Y", "307000; 324000")
    assert "swapped it would lie in 'srodmiescie'" in error.problem
    assert error.fix == "swap the columns: use 'Y' as X and 'X' as Y"
    assert any(f.row is None and "swapped" in f.problem for f in report.warnings())


def test_swapped_lat_lon_degrees(districts, categories) -> None:
    lat, lon = _lat_lon_text(307_000, 324_000)
    table, report = _read([["nazwa", "kategoria", "lat", "lon"], ["Odwrotnie", "kis", lon, lat]])
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out.empty
    [error] = report.errors()
    assert error.fix == "swap the columns: use 'lon' as the latitude and 'lat' as the longitude"


def test_point_outside_every_district_is_kept_with_a_warning(districts, categories) -> None:
    table, report = _read(
        [["nazwa", "kategoria", "lat", "lon"], ["Kraków", "kis", "50,06", "19,94"]]
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out.index.tolist() == [2]
    assert out["district_code"].tolist() == [None]
    [warning] = report.warnings()
    assert (warning.row, warning.field, warning.value) == (2, "lat/lon", "50,06; 19,94")
    assert "outside every district" in warning.problem


def test_unsure_crs_stops_and_names_crs(districts, categories) -> None:
    table, report = _read(
        [
            ["nazwa", "kategoria", "X", "Y"],
            ["a", "kis", "50,7", "16,3"],
            ["b", "kis", "324000", "307000"],
        ]
    )
    with pytest.raises(CRSError, match="coordinate reference system"):
        resources_from_table(table, report, districts=districts, categories=categories)
    # With --crs the metres are read and the degrees row fails on its own.
    out = resources_from_table(
        table,
        report,
        districts=districts,
        categories=categories,
        options=ImportOptions(crs="EPSG:2180"),
    )
    assert out.index.tolist() == [3]
    assert report.find(row=2, severity="error")


def test_rows_known_only_by_district_name_or_code(districts, categories) -> None:
    table, report = _read(
        [
            ["Nazwa", "Kategoria", "Adres", "Osiedle", "lat", "lon"],
            ["MOPS", "mops", "ul. Mickiewicza 26", "  śródmieście ", "", ""],
            ["Rada", "rada osiedla", "ul. Polna 27", "BIAŁY   KAMIEŃ", "", ""],
            ["Klub", "kis", "ul. Zamkowa 1", "podzamcze", "", ""],
            ["Fundacja", "fundacja", "ul. Nowa 2", "Biały Kamien II", "", ""],
            ["Nic", "ngo", "", "", "", ""],
        ]
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out["district_code"].to_dict() == {
        2: "srodmiescie",
        3: "bialy-kamien",
        4: "podzamcze",
    }
    assert out.geometry.isna().all()
    assert out["address"].tolist() == ["ul. Mickiewicza 26", "ul. Polna 27", "ul. Zamkowa 1"]
    infos = [(f.row, f.field) for f in report.findings if f.severity == "info"]
    assert infos == [(2, "Osiedle"), (3, "Osiedle"), (4, "Osiedle")]
    assert "known only by district" in report.find(row=2)[0].problem
    [unknown] = report.find(row=5)
    assert unknown.severity == "error" and unknown.field == "Osiedle"
    assert unknown.fix == "did you mean 'Biały Kamień'?"
    [nowhere] = report.find(row=6)
    assert nowhere.problem == "expected coordinates or a district, got neither"


def test_point_and_district_column_disagree(districts, categories) -> None:
    lat, lon = _lat_lon_text(307_000, 324_000)
    table, report = _read(
        [["nazwa", "kategoria", "lat", "lon", "dzielnica"], ["A", "kis", lat, lon, "Podzamcze"]]
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out["district_code"].tolist() == ["srodmiescie"]  # the point wins
    [warning] = report.warnings()
    assert "the point was used" in warning.problem


def test_categories_by_code_name_alias_english(districts, categories) -> None:
    table, report = _read(
        [
            ["nazwa", "kategoria", "dzielnica"],
            ["a", "sala_gimnastyczna", "podzamcze"],
            ["b", "Organizacja Pozarządowa", "podzamcze"],
            ["c", "stowarzyszenie", "podzamcze"],
            ["d", "Computer lab", "podzamcze"],
            ["e", "PUNKT mops", "podzamcze"],
        ]
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out["category"].tolist() == [
        "sala_gimnastyczna",
        "ngo",
        "ngo",
        "pracownia_komputerowa",
        "mops",
    ]


def test_unknown_category_without_and_with_default(districts, categories) -> None:
    rows = [
        ["nazwa", "kategoria", "dzielnica"],
        ["a", "kawiarnia", "podzamcze"],
        ["b", "", "podzamcze"],
    ]
    table, report = _read(rows)
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out.empty
    assert [(f.row, f.field) for f in report.errors()] == [(2, "kategoria"), (3, "kategoria")]
    assert "use one of rada_osiedla, mops, swietlica" in report.errors()[0].fix
    table, report = _read(rows)
    out = resources_from_table(
        table,
        report,
        districts=districts,
        categories=categories,
        options=ImportOptions(default_category="ngo"),
    )
    assert out["category"].tolist() == ["ngo", "ngo"]
    assert [(f.row, f.severity) for f in report.warnings()] == [(2, "warning"), (3, "warning")]
    with pytest.raises(ValidationError, match="default category.*'kawiarnia'"):
        resources_from_table(
            table,
            report,
            districts=districts,
            categories=categories,
            options=ImportOptions(default_category="kawiarnia"),
        )


def test_capacity_website_external_id_rules(districts, categories) -> None:
    table, report = _read(
        [
            ["identyfikator", "nazwa", "kategoria", "dzielnica", "miejsca", "www"],
            ["007", "a", "kis", "podzamcze", "1 200", "https://www.example.pl/a?b=1"],
            ["008", "b", "kis", "podzamcze", "12,5", ""],
            ["009", "c", "kis", "podzamcze", "dużo", ""],
            ["010", "d", "kis", "podzamcze", "-3", ""],
            ["011", "e", "kis", "podzamcze", "", "javascript:alert(1)"],
            ["007", "f", "kis", "podzamcze", "", "www.example.pl"],
        ]
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out.index.tolist() == [2, 6]
    assert out["external_id"].tolist() == ["007", "011"]
    assert out["capacity"].tolist() == [1200, pd.NA]
    assert out["website"].tolist() == ["https://www.example.pl/a?b=1", None]
    assert [(f.row, f.field) for f in report.errors()] == [
        (3, "miejsca"),
        (4, "miejsca"),
        (5, "miejsca"),
        (7, "identyfikator"),
    ]
    assert "first on line 2" in report.find(row=7, severity="error")[0].problem
    assert [(f.row, f.field) for f in report.warnings()] == [(6, "www"), (7, "www")]


def test_frame_contract_and_source(districts, categories) -> None:
    table, report = _read(
        [
            ["nazwa", "kategoria", "dzielnica", "telefon", "opis"],
            ["a", "kis", "podzamcze", "+48 1", ""],
        ]
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert list(out.columns) == list(RESOURCE_COLUMNS)
    assert out.crs.to_epsg() == 4326
    row = out.iloc[0]
    assert row["id"] is pd.NA and row["updated_at"] is None
    assert out["synthetic"].dtype == bool and out["synthetic"].tolist() == [False]
    assert row["source"] == "zasoby.csv" and row["phone"] == "+48 1" and row["description"] is None
    assert out["capacity"].dtype == "Int64"
    out = resources_from_table(
        table, report, districts=districts, categories=categories, source="MOPS 2024"
    )
    assert out["source"].tolist() == ["MOPS 2024"]


def test_explicit_fields_and_missing_columns(districts, categories) -> None:
    lat, lon = _lat_lon_text(307_000, 324_000)
    table, report = _read([["Obiekt", "Typ", "N", "E"], ["a", "kis", lat, lon]])
    out = resources_from_table(
        table,
        report,
        districts=districts,
        categories=categories,
        options=ImportOptions(
            name_field="Obiekt", category_field="Typ", lat_field="N", lon_field="E"
        ),
    )
    assert out["district_code"].tolist() == ["srodmiescie"]
    with pytest.raises(ValidationError, match="column 'Brak' for name"):
        resources_from_table(
            table,
            report,
            districts=districts,
            categories=categories,
            options=ImportOptions(name_field="Brak"),
        )
    with pytest.raises(ValidationError, match="expected both lat and lon"):
        resources_from_table(
            table,
            report,
            districts=districts,
            categories=categories,
            options=ImportOptions(name_field="Obiekt", category_field="Typ", lat_field="N"),
        )
    table, report = _read([["nazwa", "kategoria"], ["a", "kis"]])
    with pytest.raises(ValidationError, match="coordinate columns .* or a district column"):
        resources_from_table(table, report, districts=districts, categories=categories)


def test_wkt_points_in_puwg(districts, categories) -> None:
    table, report = _read(
        [
            ["nazwa", "kategoria", "wkt"],
            ["a", "kis", "POINT (311000 332000)"],
            ["b", "kis", "LINESTRING (0 0, 1 1)"],
        ]
    )
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out["district_code"].to_dict() == {2: "podzamcze"}
    assert report.find(row=3)[0].field == "wkt"


def test_resources_from_a_geojson_layer_with_rows_known_by_district(districts, categories) -> None:
    lon, lat = lonlat(307_000, 324_000)
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nazwa": "A", "kategoria": "kis", "id": 17},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            },
            {
                "type": "Feature",
                "properties": {"nazwa": "B", "kategoria": "mops", "id": 18, "osiedle": "Podzamcze"},
                "geometry": None,
            },
            {
                "type": "Feature",
                "properties": {"nazwa": "C", "kategoria": "mops", "id": 19},
                "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon, lat + 0.01]]},
            },
        ],
    }
    gdf, report = read_vector(
        json.dumps(document).encode(), filename="zasoby.geojson", missing_geometry="keep"
    )
    out = resources_from_vector(gdf, report, districts=districts, categories=categories)
    assert out["external_id"].tolist() == ["17", "18"]
    assert out["district_code"].tolist() == ["srodmiescie", "podzamcze"]
    assert out.geometry.loc[2] is None
    assert [(f.row, f.field) for f in report.errors()] == [(3, "geometry")]


# ---------------------------------------------------------------------------------------------
# Indicators


def test_indicator_values_long_in_polish(districts, indicators) -> None:
    table, report = _read(
        [
            ["Osiedle", "Rok", "Wskaźnik", "Wartość"],
            ["Śródmieście", "2021", "mieszkańcy", "12 345"],
            ["podzamcze", "2021", "social_assistance", "1 234,5"],
            ["Podzamcze", "2021", "bezrobocie", "7"],
            ["Podzamcze", "21", "residents", "7"],
            ["Podzamcze", "2021", "residents", "dużo"],
            ["Podzamcze", "2021", "Social assistance", "10"],
        ]
    )
    out = indicator_values_from_table(table, report, districts=districts, indicators=indicators)
    assert list(out.columns) == list(INDICATOR_VALUE_COLUMNS)
    assert out.to_dict("index") == {
        2: {
            "district_code": "srodmiescie",
            "indicator": "residents",
            "year": 2021,
            "value": 12345.0,
        },
        3: {
            "district_code": "podzamcze",
            "indicator": "social_assistance",
            "year": 2021,
            "value": 1234.5,
        },
    }
    assert out["year"].dtype == "int64" and out["value"].dtype == "float64"
    assert sorted((f.row, f.field) for f in report.errors()) == [
        (4, "Wskaźnik"),
        (5, "Rok"),
        (6, "Wartość"),
        (7, "Wartość"),
    ]
    assert "use one of residents, social_assistance" in report.find(row=4)[0].fix
    assert "again (first on line 3)" in report.find(row=7)[0].problem


def test_indicator_values_wide_indicators(districts, indicators) -> None:
    table, report = _read(
        [
            ["dzielnica", "residents", "osoby korzystające z pomocy społecznej", "inne"],
            ["Śródmieście", "1000", "50", "1"],
            ["Biały Kamień", "2000", "", "2"],
        ]
    )
    with pytest.raises(ValidationError, match="the year"):
        indicator_values_from_table(
            table,
            report,
            districts=districts,
            indicators=indicators,
            options=ImportOptions(layout="wide_indicators"),
        )
    out = indicator_values_from_table(
        table,
        report,
        districts=districts,
        indicators=indicators,
        options=ImportOptions(layout="wide_indicators", year=2022),
    )
    assert out.values.tolist() == [
        ["srodmiescie", "residents", 2022, 1000.0],
        ["srodmiescie", "social_assistance", 2022, 50.0],
        ["bialy-kamien", "residents", 2022, 2000.0],
    ]
    [unknown] = report.errors()
    assert (unknown.row, unknown.field) == (None, "inne")


def test_indicator_values_wide_years(districts, indicators) -> None:
    table, report = _read(
        [["osiedle", "2020", "rok 2021"], ["podzamcze", "10", "11"], ["podzamcze", "12", ""]]
    )
    with pytest.raises(ValidationError, match="known indicator, got 'brak'"):
        indicator_values_from_table(
            table,
            report,
            districts=districts,
            indicators=indicators,
            options=ImportOptions(layout="wide_years", indicator="brak"),
        )
    out = indicator_values_from_table(
        table,
        report,
        districts=districts,
        indicators=indicators,
        options=ImportOptions(layout="wide_years", indicator="residents"),
    )
    assert out.values.tolist() == [
        ["podzamcze", "residents", 2020, 10.0],
        ["podzamcze", "residents", 2021, 11.0],
    ]
    [duplicate] = report.errors()
    assert (duplicate.row, duplicate.field) == (3, "2020")


def test_indicator_definitions_from_a_sidecar() -> None:
    table, report = _read(
        [
            ["kod", "nazwa", "name_en", "jednostka", "higher_is_more_need", "mianownik"],
            ["bezrobotni", "bezrobotni", "", "osoby", "TAK", "residents"],
            ["dzieci", "dzieci", "children", "osoby", "0", ""],
            ["zły kod", "x", "x", "osoby", "nie", ""],
            ["y", "y", "y", "osoby", "może", ""],
            ["bezrobotni", "znowu", "again", "osoby", "1", ""],
        ]
    )
    out = indicators_from_table(table, report)
    assert list(out.columns) == list(INDICATOR_COLUMNS)
    assert out.to_dict("index") == {
        2: {
            "code": "bezrobotni",
            "name_pl": "bezrobotni",
            "name_en": "bezrobotni",
            "unit": "osoby",
            "higher_is_more_need": True,
            "denominator": "residents",
            "description": None,
            "source": None,
            "domain": None,
        },
        3: {
            "code": "dzieci",
            "name_pl": "dzieci",
            "name_en": "children",
            "unit": "osoby",
            "higher_is_more_need": False,
            "denominator": None,
            "description": None,
            "source": None,
            "domain": None,
        },
    }
    assert [(f.row, f.field) for f in report.errors()] == [
        (4, "kod"),
        (6, "kod"),
        (5, "higher_is_more_need"),
    ]
    assert report.find(row=4)[0].fix == "write it as 'zly_kod'"


def test_report_outputs(tmp_path, districts, categories) -> None:
    table, report = _read([["nazwa", "kategoria", "dzielnica"], ["=cmd|' /C calc'!A0", "?", "x"]])
    resources_from_table(table, report, districts=districts, categories=categories)
    frame = report.to_frame()
    assert frame.columns.tolist() == ["severity", "row", "field", "value", "problem", "fix"]
    assert frame["row"].tolist() == [2, 2]
    report.write(tmp_path / "r.csv")
    assert "'=cmd" not in (tmp_path / "r.csv").read_text()  # the name is not in the report
    report.write(tmp_path / "r.json")
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["skipped"] == 1 and document["unit"] == "line"
    table_text = report.as_table(max_rows=1)
    assert table_text.splitlines()[0].split() == [
        "severity",
        "line",
        "field",
        "value",
        "problem",
        "fix",
    ]
    assert table_text.endswith("... and 1 more (write the whole report to a file to see them)")
    with pytest.raises(
        ValidationError, match=r"zasoby\.csv: 1 line failed validation \(2 errors\)"
    ):
        report.raise_if_errors()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.floats(304_000, 315_000), st.floats(319_000, 337_000)), min_size=1, max_size=30
    )
)
def test_locate_points_agrees_with_join(districts, coordinates) -> None:
    # Include points on the shared boundaries, where the smallest code must win.
    coordinates = [*coordinates, (309_000, 324_000), (309_000, 328_000), (307_000, 328_000)]
    points = [Point(lonlat(e, n)) for e, n in coordinates]
    mine = locate_points(np.array(points, dtype=object), districts)
    frame = gpd.GeoDataFrame({"district_code": [None] * len(points)}, geometry=points, crs=4326)
    theirs = assign_districts(frame, districts)
    assert mine.tolist() == [None if pd.isna(c) else c for c in theirs]


def test_header_only_table_gives_an_empty_frame(districts, categories, indicators) -> None:
    table, report = _read([["nazwa", "kategoria", "lat", "lon"]])
    out = resources_from_table(table, report, districts=districts, categories=categories)
    assert out.empty and list(out.columns) == list(RESOURCE_COLUMNS)
    assert report.read == 0 and report.valid == 0 and not report.findings
    table, report = _read([["osiedle", "rok", "wskaźnik", "wartość"]])
    values = indicator_values_from_table(table, report, districts=districts, indicators=indicators)
    assert values.empty and list(values.columns) == list(INDICATOR_VALUE_COLUMNS)
