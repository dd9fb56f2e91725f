"""`palmap import population` end to end on the demo database: points and grid cells, the year,
refusals that write nothing (row, field and fix in the report), the dry run, hostile inputs, and
`palmap analyse access` measuring from the imported surface."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.db import get_engine
from mapping.db import population

POINTS = 'lat,lon,ludnosc\n50.7700,16.2800,120\n50.7800,16.2900,"1 234,5"\n50.7650,16.3000,0\n'


def run(runner: FlaskCliRunner, *args: str | Path, status: int = 0) -> str:
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == status, result.output
    return result.output


def stdout(runner: FlaskCliRunner, *args: str | Path) -> str:
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(app: Flask, year: int | None = None) -> pd.DataFrame:
    return population.load_population(get_engine(app), year=year)


def test_import_points_dry_run_then_write_then_replace_the_year(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, "p.csv", POINTS)
    out = run(runner, "import", "population", path, "--year", "2021", "--dry-run")
    assert "Dry run" in out and len(stored(app)) == 0
    out = run(runner, "import", "population", path, "--year", "2021")
    assert "loaded 3" in out
    assert stored(app, 2021)["population"].tolist() == [120.0, 1234.5, 0.0]
    smaller = write(tmp_path, "q.csv", "lat,lon,population\n50.77,16.28,7\n")
    run(runner, "import", "population", smaller, "--year", "2021")
    assert stored(app, 2021)["population"].tolist() == [7.0]


def test_grid_cells_become_a_point_inside_each_cell(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    # Two 1 km cells of a census grid in PUWG 1992 with the grid's total column TOT and a year.
    cells = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"TOT": n, "rok": 2021},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [x, 312_000],
                            [x + 1000, 312_000],
                            [x + 1000, 313_000],
                            [x, 313_000],
                            [x, 312_000],
                        ]
                    ],
                },
            }
            for x, n in ((348_000, 800), (349_000, 450))
        ],
    }
    path = write(tmp_path, "grid.geojson", json.dumps(cells))
    run(runner, "import", "population", path)
    got = stored(app, 2021)
    assert got["population"].tolist() == [800.0, 450.0]
    import geopandas as gpd

    centres = gpd.GeoSeries(gpd.points_from_xy(got["lon"], got["lat"]), crs=4326).to_crs(2180)
    assert centres.x.round(3).tolist() == [348_500.0, 349_500.0]
    assert centres.y.round(3).tolist() == [312_500.0, 312_500.0]


def test_bad_rows_refuse_the_whole_file_naming_row_field_and_fix(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    text = (
        "lat,lon,population\n"
        "50.77,16.28,12\n"
        "50.78,16.29,dużo\n"
        "50.78,16.29,-5\n"
        "50.78,16.29,1e300\n"
        "50.78,16.29,inf\n"
        "50.78,16.29,\n"
        ",,40\n"
    )
    path = write(tmp_path, "bad.csv", text)
    report = tmp_path / "report.csv"
    out = run(runner, "import", "population", path, "--year", "2021", "--report", report, status=3)
    assert "nothing was written" in out
    assert len(stored(app)) == 0
    findings = pd.read_csv(report, dtype=str).fillna("")
    rows = sorted(int(r) for r in findings["row"])
    assert rows == [3, 4, 5, 6, 7, 8]
    assert set(findings["field"]) == {"population", "lat"}
    assert all(findings["fix"] != "")
    out = run(runner, "import", "population", path, "--year", "2021", "--skip-invalid")
    assert stored(app, 2021)["population"].tolist() == [12.0]


def test_a_file_without_one_valid_point_never_erases_the_stored_year(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    run(runner, "import", "population", write(tmp_path, "p.csv", POINTS), "--year", "2021")
    bad = write(tmp_path, "bad.csv", "lat,lon,population\n50.78,16.29,dużo\n,,40\n")
    out = run(runner, "import", "population", bad, "--year", "2021", "--skip-invalid", status=3)
    assert "expected at least one point with its population" in out
    assert stored(app, 2021)["population"].tolist() == [120.0, 1234.5, 0.0]


def test_year_and_column_options(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "lat,lon,people\n50.77,16.28,5\n")
    out = run(runner, "import", "population", path, status=2)
    assert "--column" in out
    out = run(runner, "import", "population", path, "--column", "people", status=2)
    assert "year" in out and "--year" in out
    out = run(runner, "import", "population", path, "--column", "nope", "--year", "2021", status=2)
    assert "'people'" in out and "--column" in out
    run(runner, "import", "population", path, "--column", "people", "--year", "2021")
    assert stored(app, 2021)["population"].tolist() == [5.0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("p.csv", b"PK\x03\x04not a csv at all"),
        (
            "p.geojson",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        ),
        ("p.csv", b'lat,lon,population\n50.77,16.28,=HYPERLINK("http://x")\n'),
    ],
)
def test_hostile_files_are_refused_and_write_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(args=["import", "population", str(path), "--year", "2021"])
    assert result.exit_code in (3, 4), result.output
    assert len(stored(app)) == 0


def test_analyse_access_measures_from_the_imported_surface(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    before = json.loads(  # the rows of {meta, rows}
        stdout(
            runner,
            "analyse",
            "access",
            "--year",
            "2021",
            "--category",
            "swietlica",
            "--format",
            "json",
        )
    )
    # Everybody of the city at one point next to the first day room.
    engine = get_engine(app)
    from mapping.db import store

    rooms = store.load_resources(engine, category="swietlica")
    room = rooms.geometry.iloc[0]
    path = write(tmp_path, "p.csv", f"lat,lon,population\n{room.y},{room.x},1000\n")
    run(runner, "import", "population", path, "--year", "2021")
    after = json.loads(
        stdout(
            runner,
            "analyse",
            "access",
            "--year",
            "2021",
            "--category",
            "swietlica",
            "--format",
            "json",
        )
    )
    assert before != after
    model = runner.invoke(args=["analyse", "access", "--year", "2021", "--format", "table"]).stderr
    assert (
        "Demand model: imported population surface of 2021 (1 points in 1 district(s)); "
        "20 district(s) without surface population use a 100 m grid of their residents." in model
    )
    after = after["rows"]
    with_people = [row for row in after if row["demand"] > 0]
    # The one surface point is in one district; the others fall back to their residents' grid.
    located = [row for row in with_people if row["demand"] == 1000]
    assert len(located) == 1 and located[0]["coverage"] == 1.0
    assert located[0]["nearest_m"] == pytest.approx(0.0, abs=1e-6)


def test_the_district_page_says_access_is_measured_from_where_people_live(
    client: FlaskClient,
) -> None:
    english = client.get("/districts/sobiecin?lang=en").get_data(as_text=True)
    assert "Measured from where people live: the residents of" in english
    assert "100 m grid inside the district" in english
    assert "Residents within 500 m of a resource" in english
    assert "Nearest resource from the centre" not in english
    polish = client.get("/dzielnice/sobiecin?lang=pl").get_data(as_text=True)
    assert "Liczone od miejsc zamieszkania" in polish
