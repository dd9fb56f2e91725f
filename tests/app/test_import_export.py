"""`palmap import`, `palmap export` and `palmap template` end to end on the demo database.

The readers' conventions are tested file kind by file kind in tests/mapping/io; here each command
is checked for what a user sees: exit status, report lines, rows written (or none), round trips.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pyproj import Transformer

from app.db import get_engine
from mapping.db import store


def run(runner: FlaskCliRunner, *args: str | Path, status: int = 0) -> str:
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == status, result.output
    return result.output


def centre(app: Flask, code: str) -> tuple[float, float]:
    """A point well inside a district: (lon, lat)."""
    districts = store.load_districts(get_engine(app)).set_index("code").to_crs(2180)
    point = districts.loc[code].geometry.representative_point()
    lonlat = gpd.GeoSeries([point], crs=2180).to_crs(4326).iloc[0]
    return round(lonlat.x, 6), round(lonlat.y, 6)


def test_cp1250_csv_with_semicolons_decimal_commas_and_puwg_xy(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    lon, lat = centre(app, "sobiecin")
    easting, northing = Transformer.from_crs(4326, 2180, always_xy=True).transform(lon, lat)
    text = (
        "Nazwa;Kategoria;Adres;X;Y;Pojemność\r\n"
        f"Świetlica „Źródło”;świetlica środowiskowa;ul. Żeromskiego 5;"
        f"{northing:.2f}".replace(".", ",")
        + ";"
        + f"{easting:.2f}".replace(".", ",")
        + ";25\r\n"
        "Klub Łącznik;KIS;ul. Ogrodowa 1;;;\r\n"
    )
    # The second row has neither coordinates nor a district: an error, unless skipped.
    path = tmp_path / "zasoby.csv"
    path.write_bytes(text.encode("cp1250"))
    report = tmp_path / "report.json"
    out = run(runner, "import", "resources", path, "--report", report, status=3)
    assert "nothing was written" in out
    assert store.table_counts(get_engine(app))["resource"] == 116
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert any(f["row"] == 3 and f["severity"] == "error" for f in findings)

    out = run(runner, "import", "resources", path, "--skip-invalid")
    assert "loaded 1" in out and "skipped 1" in out
    assert "EPSG:2180" in out  # the assumption is reported
    loaded = store.load_resources(get_engine(app)).set_index("name")
    assert loaded.loc["Świetlica „Źródło”", "category"] == "swietlica"
    assert loaded.loc["Świetlica „Źródło”", "capacity"] == 25
    located = store.resource_districts(get_engine(app)).set_index("resource_id")
    assert located.loc[int(loaded.loc["Świetlica „Źródło”", "id"]), "district_code"] == "sobiecin"


def test_address_only_rows_with_a_district_name(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "adresy.csv"
    path.write_text(
        "nazwa,kategoria,adres,osiedle\n"
        "Punkt MOPS,MOPS,ul. Główna 1,  PODGÓRZE   ii \n"
        "Plac zabaw,plac zabaw,ul. Leśna 2,Bialy Kamien\n",
        encoding="utf-8-sig",
    )
    out = run(runner, "import", "resources", path)
    assert "loaded 2" in out
    resources = store.load_resources(get_engine(app)).set_index("name")
    assert resources.loc["Punkt MOPS", "district_code"] == "podgorze-ii"
    assert resources.loc["Plac zabaw", "district_code"] == "bialy-kamien"
    assert resources.loc["Punkt MOPS"].geometry is None


def test_unknown_category_fails_or_takes_the_default(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,category,lat,lon\nA,kino,50.77,16.28\n", encoding="utf-8")
    out = run(runner, "import", "resources", path, status=3)
    assert "kino" in out and "swietlica" in out  # the known list
    out = run(runner, "import", "resources", path, "--default-category", "ngo")
    assert "loaded 1" in out


def test_ambiguous_coordinates_ask_for_crs(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,category,x,y\nA,kis,5000,7000\n", encoding="utf-8")
    out = run(runner, "import", "resources", path, status=3)
    assert "--crs" in out


def test_hostile_files_are_refused_with_exit_4(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    disguised = tmp_path / "zasoby.csv"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    disguised.write_bytes(buffer.getvalue())
    assert "zip" in run(runner, "import", "resources", disguised, status=4).lower()
    xml = tmp_path / "osiedla.geojson"
    xml.write_text('<?xml version="1.0"?><OGRVRTDataSource/>', encoding="utf-8")
    run(runner, "import", "districts", xml, status=4)
    traversal = tmp_path / "osiedla.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.shp", "x")
    traversal.write_bytes(buffer.getvalue())
    assert ".." in run(runner, "import", "districts", traversal, status=4)
    assert store.table_counts(get_engine(app))["district"] == 21


def test_importing_the_same_file_twice_does_not_duplicate(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    lon, lat = centre(app, "gaj")
    path = tmp_path / "x.csv"
    path.write_text(f"name,category,lat,lon\nBez id,kis,{lat},{lon}\n", encoding="utf-8")
    assert "loaded 1" in run(runner, "import", "resources", path)
    assert "unchanged 1" in run(runner, "import", "resources", path)
    assert store.table_counts(get_engine(app))["resource"] == 117


@pytest.mark.parametrize("suffix", ["geojson", "gpkg", "csv", "xlsx", "zip"])
def test_resources_round_trip_in_every_format(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"zasoby.{suffix}"
    extra = ("--format", "shp") if suffix == "zip" else ()
    run(runner, "export", "resources", "-o", target, *extra)
    before = store.load_resources(get_engine(app)).set_index("external_id").sort_index()
    out = run(runner, "import", "resources", target, "--replace")
    assert "loaded 116" in out
    after = store.load_resources(get_engine(app)).set_index("external_id").sort_index()
    assert list(after.index) == list(before.index)
    for column in ("name", "category"):
        assert after[column].tolist() == before[column].tolist()
    both = before.geometry.notna()
    assert (after.geometry.notna() == both).all()
    # Degrees: compare the coordinates themselves (1e-7 degrees is about 1 cm).
    assert (after.geometry[both].x - before.geometry[both].x).abs().max() < 1e-7
    assert (after.geometry[both].y - before.geometry[both].y).abs().max() < 1e-7


@pytest.mark.parametrize("suffix", ["geojson", "gpkg", "zip", "csv"])
def test_districts_round_trip_in_every_format(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"osiedla.{suffix}"
    extra = ("--format", "shp") if suffix == "zip" else ()
    run(runner, "export", "districts", "-o", target, *extra)
    out = run(runner, "import", "districts", target, "--code-field", "code")
    assert "unchanged 21" in out


def test_indicators_long_wide_and_defined(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "dzielnica;social_assistance;homeless\nGaj;120;4\nKsiąż;7;0\n", encoding="cp1250"
    )
    out = run(runner, "import", "indicators", wide, "--wide-indicators", "--year", "2024", status=3)
    assert "homeless" in out and "social_assistance" in out
    define = tmp_path / "define.csv"
    define.write_text(
        "code,name_pl,name_en,unit,higher_is_more_need,denominator\n"
        "homeless,osoby w kryzysie bezdomności,homeless people,osoby,tak,residents\n",
        encoding="utf-8",
    )
    out = run(
        runner,
        "import",
        "indicators",
        wide,
        "--wide-indicators",
        "--year",
        "2024",
        "--define",
        define,
    )
    assert "loaded 4" in out
    values = store.load_indicator_values(get_engine(app), year=2024).set_index(
        ["district_code", "indicator"]
    )["value"]
    assert values[("gaj", "homeless")] == 4 and values[("ksiaz", "social_assistance")] == 7
    assert "homeless" in set(store.load_indicators(get_engine(app))["code"])


def test_indicator_export_import_round_trip(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "wskazniki.csv"
    run(runner, "export", "indicators", "-o", target, "--excel")
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    out = run(runner, "import", "indicators", target)
    assert (
        "unchanged 840" in out
    )  # 21 districts x 8 indicators (3 age groups since issue 14) x 5 years


def test_a_failure_while_writing_leaves_the_database_as_it_was(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("district,homeless\nGaj,4\n", encoding="utf-8")
    define = tmp_path / "define.csv"
    define.write_text(
        "code,name_pl,name_en,higher_is_more_need\nhomeless,b,h,true\n", encoding="utf-8"
    )

    def broken(conn, values):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "save_indicator_values", broken)
    before = store.table_counts(get_engine(app))
    result = runner.invoke(
        args=[
            "import",
            "indicators",
            str(wide),
            "--wide-indicators",
            "--year",
            "2024",
            "--define",
            str(define),
        ]
    )
    assert result.exit_code != 0
    assert store.table_counts(get_engine(app)) == before
    assert "homeless" not in set(store.load_indicators(get_engine(app))["code"])


def test_csv_export_guards_formulas_and_filters(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        'name,category,district\n"=HYPERLINK(""http://x"")",kis,Gaj\n', encoding="utf-8"
    )
    run(runner, "import", "resources", path)
    target = tmp_path / "out.csv"
    run(runner, "export", "resources", "-o", target, "--district", "gaj", "--category", "kis")
    exported = target.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in exported
    frame = pd.read_csv(target)
    assert set(frame["district_code"]) == {"gaj"} and set(frame["category"]) == {"kis"}
    assert {
        "id",
        "external_id",
        "name",
        "category",
        "address",
        "district_code",
        "lat",
        "lon",
    } <= set(frame.columns)


def test_template_has_columns_an_example_and_allowed_values(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "szablon.xlsx"
    run(runner, "template", "resources", "-o", target)
    sheets = pd.read_excel(target, sheet_name=None)
    first = next(iter(sheets.values()))
    assert (
        len(first) == 1
        and "name" in [c.lower() for c in first.columns]
        or "nazwa" in [c.lower() for c in first.columns]
    )
    assert any("swietlica" in sheet.to_string() for sheet in sheets.values())


def test_export_usage_errors(runner: FlaskCliRunner, tmp_path: Path) -> None:
    run(runner, "export", "resources", "-o", tmp_path / "x.txt", status=2)
    run(runner, "export", "indicators", "-o", tmp_path / "x.geojson", status=2)
    run(runner, "export", "resources", "-o", tmp_path / "x.csv", "--district", "nope", status=3)


def test_cli_flags_become_one_options_object_for_the_core(
    runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mapping.io.flow
    from mapping.io.options import ImportOptions

    seen: list[ImportOptions] = []
    real = mapping.io.flow.run_import

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(kwargs["options"])  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mapping.io.flow, "run_import", spy)
    path = tmp_path / "x.csv"
    path.write_text("Obiekt;Typ;N;E\nA;kis;50.77;16.28\n", encoding="utf-8")
    args = ["--name-field", "Obiekt", "--category-field", "Typ", "--lat-field", "N"]
    run(runner, "import", "resources", path, *args, "--lon-field", "E", "--dry-run")
    assert seen == [
        ImportOptions(
            name_field="Obiekt", category_field="Typ", lat_field="N", lon_field="E", dry_run=True
        )
    ]
    # The core's OptionsError names the option; the CLI adds its own flag.
    out = run(runner, "import", "resources", path, *args, status=2)
    assert "the latitude column together with the longitude column" in out
    assert "(--lat-field)" in out


def test_cli_and_web_resource_csv_have_the_same_header_and_booleans(
    runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    target = tmp_path / "zasoby.csv"
    run(runner, "export", "resources", "-o", target)
    cli_text = target.read_text(encoding="utf-8")
    web_text = client.get("/zasoby.csv").get_data(as_text=True)
    assert cli_text.splitlines()[0] == web_text.splitlines()[0]
    assert cli_text.splitlines()[0].endswith(",synthetic,lat,lon")
    cli_rows = list(csv.DictReader(io.StringIO(cli_text)))
    web_rows = list(csv.DictReader(io.StringIO(web_text)))
    assert len(cli_rows) == len(web_rows) == 116
    assert (
        {r["synthetic"] for r in cli_rows}
        == {r["synthetic"] for r in web_rows}
        == {
            "true",
            "false",
        }
    )
