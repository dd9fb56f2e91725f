"""`palmap import residential` end to end on the demo database: the dry run writes nothing,
a layer replaces the stored one whole, bad features (not a polygon, no geometry, outside Poland)
refuse the file naming row, field and fix, an invalid polygon is repaired and reported,
--skip-invalid loads the rest; then access is measured on the residential areas (dasymetric):
the meta and the district pages say so and name the districts without residential area."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from flask import Flask
from flask.testing import FlaskCliRunner
from shapely import box

from app.db import get_engine
from mapping.db import residential, store


def run(runner: FlaskCliRunner, *args: str | Path, status: int = 0) -> str:
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == status, result.output
    return result.output


def _feature(geometry: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"klasa": "PTZB"},
        "geometry": None if geometry is None else shapely.geometry.mapping(geometry),
    }


def write_layer(path: Path, geometries: list[Any]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [_feature(g) for g in geometries]}),
        encoding="utf-8",
    )
    return path


def sobiecin_box(app: Flask, half_m: float = 200.0) -> shapely.Geometry:
    """A square of 2 x ``half_m`` metres around a point inside Sobięcin, in EPSG:4326."""
    districts = store.load_districts(get_engine(app)).set_index("code")
    inside = gpd.GeoSeries([districts.loc["sobiecin", "geometry"]], crs=4326).to_crs(2180)
    point = inside.iloc[0].representative_point()
    square = box(point.x - half_m, point.y - half_m, point.x + half_m, point.y + half_m)
    return gpd.GeoSeries([square], crs=2180).to_crs(4326).iloc[0]


def stored(app: Flask) -> gpd.GeoDataFrame:
    return residential.load_residential(get_engine(app))


def test_dry_run_writes_nothing_then_the_layer_is_written_and_replaced_whole(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    square = sobiecin_box(app)
    path = write_layer(
        tmp_path / "zabudowa.geojson", [square, shapely.affinity.translate(square, 0.01)]
    )
    version = store.data_version(get_engine(app))
    out = run(runner, "import", "residential", path, "--dry-run")
    assert "Dry run" in out and len(stored(app)) == 0
    assert store.data_version(get_engine(app)) == version
    out = run(runner, "import", "residential", path)
    assert "loaded 2" in out and len(stored(app)) == 2
    assert store.data_version(get_engine(app)) > version
    again = run(runner, "import", "residential", path)
    assert "unchanged 2" in again
    one = write_layer(tmp_path / "one.geojson", [square])
    run(runner, "import", "residential", one)
    assert len(stored(app)) == 1  # replaced whole, not added to


def test_bad_features_refuse_the_file_naming_row_field_and_fix(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    square = sobiecin_box(app)
    x0, y0, x1, y1 = square.bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    berlin = box(13.40, 52.50, 13.41, 52.51)
    path = write_layer(
        tmp_path / "bad.geojson",
        [square, shapely.Point(16.28, 50.77), None, bowtie, berlin],
    )
    report = tmp_path / "report.csv"
    out = run(runner, "import", "residential", path, "--report", report, status=3)
    assert "nothing was written" in out and len(stored(app)) == 0
    findings = pd.read_csv(report, dtype=str).fillna("")
    errors = findings[findings["severity"] == "error"]
    assert sorted(int(r) for r in errors["row"]) == [2, 3, 5]
    assert set(findings["field"]) == {"geometry"} and all(findings["fix"] != "")
    by_row = {int(r): p for r, p in zip(findings["row"], findings["problem"], strict=True)}
    assert by_row[2] == "expected a polygon, got a Point"
    assert "in Poland" in by_row[5]
    assert "repaired an invalid polygon" in by_row[4]  # a warning: repaired, not refused
    out = run(runner, "import", "residential", path, "--skip-invalid")
    assert "loaded 2" in out and "repaired 1" in out
    assert stored(app).geom_type.tolist() == ["MultiPolygon", "MultiPolygon"]
    assert all(stored(app).is_valid)


def test_an_empty_layer_is_refused(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write_layer(tmp_path / "none.geojson", [shapely.Point(16.28, 50.77)])
    out = run(runner, "import", "residential", path, "--skip-invalid", status=3)
    assert "expected at least one residential area" in out and len(stored(app)) == 0


def _access_meta(runner: FlaskCliRunner) -> dict[str, Any]:
    result = runner.invoke(
        args=["analyse", "access", "--year", "2021", "--category", "swietlica", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_access_is_measured_on_the_residential_areas_and_the_pages_say_so(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    before = _access_meta(runner)
    assert before["meta"]["demand_model"]["dasymetric"] is False
    run(runner, "import", "residential", write_layer(tmp_path / "r.geojson", [sobiecin_box(app)]))
    after = _access_meta(runner)
    model = after["meta"]["demand_model"]
    assert model["dasymetric"] is True
    codes = set(store.load_districts(get_engine(app))["code"])
    assert set(model["residential_fallback_districts"]) == codes - {"sobiecin"}
    rows = {r["district_code"]: r for r in after["rows"]}
    earlier = {r["district_code"]: r for r in before["rows"]}
    assert rows["sobiecin"]["demand"] == pytest.approx(earlier["sobiecin"]["demand"])  # conserved
    assert rows["sobiecin"]["nearest_m"] != earlier["sobiecin"]["nearest_m"]
    table = runner.invoke(args=["analyse", "access", "--year", "2021", "--format", "table"])
    assert "imported residential areas" in table.stderr
    client = app.test_client()
    english = client.get("/districts/sobiecin?lang=en").get_data(as_text=True)
    assert "grid inside the district&#39;s imported residential areas (dasymetric)" in english
    other = sorted(codes - {"sobiecin"})[0]
    elsewhere = client.get(f"/districts/{other}?lang=en").get_data(as_text=True)
    assert "do not reach this district, so its whole area was used" in elsewhere
    polish = client.get("/dzielnice/sobiecin?lang=pl").get_data(as_text=True)
    assert "obszarach zabudowy mieszkaniowej" in polish
