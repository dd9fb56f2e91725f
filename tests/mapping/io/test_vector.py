"""Map layers from bytes: zipped Shapefile, GeoPackage, GeoJSON; CRS; the geometry rules."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS, Transformer
from shapely import MultiPolygon, Point, Polygon, box

from mapping.errors import CRSError, RefusedInputError, ValidationError
from mapping.io.districts import districts_from_vector
from mapping.io.geometry import check_geometries
from mapping.io.options import ImportOptions
from mapping.io.report import ImportReport
from mapping.io.safety import Limits
from mapping.io.tabular import read_table
from mapping.io.vector import list_layers, read_vector, vector_from_table

from .conftest import districts_2180, lonlat

NAMES = ["Śródmieście", "Biały Kamień", "Podzamcze"]


def _shapefile_zip(
    tmp_path: Path,
    gdf: gpd.GeoDataFrame,
    *,
    stem: str = "osiedla",
    encoding: str = "cp1250",
    skip: tuple[str, ...] = (),
    folder: str = "",
) -> bytes:
    out = tmp_path / f"shp-{stem}"
    out.mkdir(exist_ok=True)
    pyogrio.write_dataframe(gdf, out / f"{stem}.shp", encoding=encoding)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(out.iterdir()):
            if part.suffix.lower() not in skip:
                archive.write(part, arcname=folder + part.name)
    return buffer.getvalue()


def _districts_with_polish_names() -> gpd.GeoDataFrame:
    frame = districts_2180()
    return gpd.GeoDataFrame(
        {"NAZWA": NAMES, "KOD": ["S1", "B2", "P3"]}, geometry=frame.geometry, crs=2180
    )


def _geojson(features: list[dict], **extra: object) -> bytes:
    return json.dumps({"type": "FeatureCollection", **extra, "features": features}).encode()


def _feature(geometry: dict | None, **properties: object) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def test_zipped_shapefile_with_cpg_cp1250_reads_polish_names(tmp_path) -> None:
    data = _shapefile_zip(tmp_path, _districts_with_polish_names())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("osiedla.cpg").strip() == b"CP1250"
        # The .dbf really holds cp1250 bytes: "Ś" is 0x8C there.
        assert "Śródmieście".encode("cp1250") in archive.read("osiedla.dbf")
    frame, report = read_vector(data, filename="osiedla.zip")
    assert frame["NAZWA"].tolist() == NAMES
    assert frame.crs.to_epsg() == 4326  # .prj honoured, reprojected
    assert frame.index.tolist() == [1, 2, 3] and report.unit == "feature"
    lon, lat = lonlat(307_000, 324_000)
    assert frame.geometry.iloc[0].contains(Point(lon, lat))
    districts = districts_from_vector(frame, report)
    assert districts["code"].tolist() == ["srodmiescie", "bialy-kamien", "podzamcze"]
    assert districts.geom_type.unique().tolist() == ["MultiPolygon"]
    assert not report.errors()


def test_zipped_shapefile_without_cpg_detects_cp1250(tmp_path) -> None:
    data = _shapefile_zip(tmp_path, _districts_with_polish_names(), skip=(".cpg",))
    frame, report = read_vector(data, filename="osiedla.zip")
    assert frame["NAZWA"].tolist() == NAMES
    assert any("no osiedla.cpg" in a and "CP1250" in a for a in report.assumptions)


def test_zip_missing_shx_names_the_file(tmp_path) -> None:
    data = _shapefile_zip(tmp_path, _districts_with_polish_names(), skip=(".shx",))
    with pytest.raises(ValidationError, match=r"got no osiedla\.shx"):
        read_vector(data, filename="osiedla.zip")
    data = _shapefile_zip(tmp_path, _districts_with_polish_names(), skip=(".shx", ".dbf"))
    with pytest.raises(ValidationError, match=r"no osiedla\.shx and no osiedla\.dbf"):
        read_vector(data, filename="osiedla.zip")


def test_zip_without_shp_is_a_validation_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError, match="expected a zipped Shapefile with a .shp"):
        read_vector(buffer.getvalue(), filename="x.zip")


def test_zip_with_two_shapefiles_lists_the_layers(tmp_path) -> None:
    one = _shapefile_zip(tmp_path, _districts_with_polish_names(), stem="osiedla")
    two = _shapefile_zip(
        tmp_path, _districts_with_polish_names().iloc[:1], stem="granica", folder="inne/"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for data in (one, two):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    out.writestr(info.filename, archive.read(info))
    data = buffer.getvalue()
    assert list_layers(data, kind="zip") == ["osiedla", "inne/granica"]
    with pytest.raises(ValidationError, match=r"got 2: 'osiedla', 'inne/granica'; choose one"):
        read_vector(data, filename="x.zip")
    frame, _ = read_vector(data, filename="x.zip", layer="granica")
    assert frame["NAZWA"].tolist() == ["Śródmieście"]


def test_gpkg_with_two_layers(tmp_path) -> None:
    path = tmp_path / "miasto.gpkg"
    polish = _districts_with_polish_names()
    pyogrio.write_dataframe(polish, path, layer="osiedla")
    pyogrio.write_dataframe(polish.iloc[:2], path, layer="rejony", append=False)
    data = path.read_bytes()
    assert sorted(list_layers(data, kind="gpkg")) == ["osiedla", "rejony"]
    with pytest.raises(ValidationError, match="expected one layer, got 2.*as the layer"):
        read_vector(data, filename="miasto.gpkg")
    with pytest.raises(ValidationError, match="layer named 'brak'"):
        read_vector(data, filename="miasto.gpkg", layer="brak")
    frame, report = read_vector(data, filename="miasto.gpkg", layer="rejony")
    assert frame["NAZWA"].tolist() == NAMES[:2]
    assert frame.crs.to_epsg() == 4326
    assert report.read == 2 and report.valid == 2


def test_geojson_in_degrees_and_declared_crs() -> None:
    lon, lat = lonlat(307_000, 324_000)
    data = _geojson([_feature({"type": "Point", "coordinates": [lon, lat]}, name="A")])
    frame, report = read_vector(data, filename="p.geojson")
    assert frame.geometry.iloc[0].equals_exact(Point(lon, lat), 1e-12)
    assert report.assumptions == []  # GeoJSON is EPSG:4326 by its standard


def test_geojson_in_puwg_without_crs_is_detected_and_reported() -> None:
    data = _geojson([_feature({"type": "Point", "coordinates": [307_000, 324_000]}, name="A")])
    frame, report = read_vector(data, filename="p.geojson")
    lon, lat = lonlat(307_000, 324_000)
    assert frame.geometry.iloc[0].equals_exact(Point(lon, lat), 1e-9)
    assert any("EPSG:2180 (PUWG 1992)" in a for a in report.assumptions)


def test_unknown_coordinates_without_crs_ask_for_crs() -> None:
    data = _geojson([_feature({"type": "Point", "coordinates": [5_500_000, 6_000_000]})])
    with pytest.raises(CRSError, match="coordinate reference system"):
        read_vector(data, filename="p.geojson")
    # Given the right CRS (PUWG 2000 zone 6) it reads; GIS files store easting first.
    easting, northing = Transformer.from_crs(4326, 2177, always_xy=True).transform(17.0, 50.77)
    data = _geojson([_feature({"type": "Point", "coordinates": [easting, northing]})])
    frame, report = read_vector(data, filename="p.geojson", crs="2177")
    assert frame.geometry.iloc[0].equals_exact(Point(17.0, 50.77), 1e-9)
    assert any("as given in the import options" in a for a in report.assumptions)


def test_self_intersecting_polygon_is_repaired() -> None:
    bowtie = [[[16.25, 50.75], [16.30, 50.80], [16.30, 50.75], [16.25, 50.80], [16.25, 50.75]]]
    data = _geojson([_feature({"type": "Polygon", "coordinates": bowtie}, nazwa="Motyl")])
    frame, report = read_vector(data, filename="d.geojson")
    geometry = frame.geometry.iloc[0]
    assert geometry.is_valid and geometry.geom_type == "MultiPolygon"
    assert len(geometry.geoms) == 2
    assert report.repaired == 1
    [finding] = report.warnings()
    assert (finding.row, finding.field) == (1, "geometry")
    assert "Self-intersection" in finding.problem


def test_polygon_with_nothing_polygonal_left_fails() -> None:
    line_like = [[[16.25, 50.75], [16.30, 50.80], [16.25, 50.75], [16.25, 50.75]]]
    data = _geojson([_feature({"type": "Polygon", "coordinates": line_like})])
    frame, report = read_vector(data, filename="d.geojson")
    assert len(frame) == 0
    [error] = report.errors()
    assert error.row == 1 and "nothing polygonal left" in error.problem


def test_null_empty_and_out_of_range_geometries_fail_per_feature() -> None:
    lon, lat = lonlat(307_000, 324_000)
    data = _geojson(
        [
            _feature({"type": "Point", "coordinates": [lon, lat]}, n=1),
            _feature(None, n=2),
            _feature({"type": "Point", "coordinates": []}, n=3),
            _feature({"type": "Point", "coordinates": [200.0, 95.0]}, n=4),
            _feature({"type": "Point", "coordinates": [lon, lat, 350.0]}, n=5),
        ]
    )
    frame, report = read_vector(data, filename="p.geojson")
    assert frame.index.tolist() == [1, 5]
    assert not frame.geometry.iloc[1].has_z  # Z dropped
    assert sorted((f.row, f.severity) for f in report.findings if f.row is not None) == [
        (2, "error"),
        (3, "error"),
        (4, "error"),
        (5, "info"),
    ]
    # GDAL's own complaint about the empty coordinates is kept as a file-level warning.
    assert any(f.row is None and f.problem.startswith("GDAL:") for f in report.warnings())
    assert "area of use" in report.find(row=4)[0].problem
    assert report.skipped == 3 and report.valid == 2
    kept, report = read_vector(data, filename="p.geojson", missing_geometry="keep")
    assert kept.index.tolist() == [1, 2, 3, 5]
    assert kept.geometry.loc[2] is None


def test_nan_coordinates_fail(tmp_path) -> None:
    # GeoJSON cannot carry NaN; a GeoPackage can.
    path = tmp_path / "nan.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely warns about the NaN itself
        broken = Polygon([(16.2, 50.7), (np.nan, 50.8), (16.3, 50.8), (16.2, 50.7)])
    gdf = gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=[box(16.25, 50.75, 16.3, 50.8), broken], crs=4326
    )
    pyogrio.write_dataframe(gdf, path)
    frame, report = read_vector(path.read_bytes(), filename="nan.gpkg")
    assert frame.index.tolist() == [1]
    [error] = report.errors()
    assert (error.row, error.field) == (2, "geometry")
    assert "NaN" in error.problem


def test_puwg_coordinates_outside_poland_fail() -> None:
    report = ImportReport(unit="feature")
    series = gpd.GeoSeries([Point(307_000, 324_000), Point(-3_000_000, 324_000)], index=[1, 2])
    out = check_geometries(series, report, crs=CRS.from_epsg(2180))
    assert out.index.tolist() == [1]
    assert report.find(row=2)[0].value == "POINT (-3000000 324000)"  # as in the file


def test_geometry_rules_keep_m_out() -> None:
    report = ImportReport()
    with_m = shapely.from_wkt("POINT M (16.3 50.8 7)")
    out = check_geometries(gpd.GeoSeries([with_m], index=[1]), report, crs=CRS.from_epsg(4326))
    assert shapely.get_coordinates(out.iloc[0], include_z=True).shape == (1, 3)
    assert not out.iloc[0].has_z
    assert report.findings[0].severity == "info"


def test_feature_and_vertex_limits(tmp_path) -> None:
    features = [
        _feature({"type": "Point", "coordinates": [16.2 + i / 1000, 50.7]}) for i in range(11)
    ]
    with pytest.raises(RefusedInputError, match="at most 10 features, got 11"):
        read_vector(_geojson(features), filename="p.geojson", limits=Limits(max_features=10))
    polygon = Point(16.3, 50.8).buffer(0.01, quad_segs=64)
    data = _geojson([_feature(shapely.geometry.mapping(polygon))])
    with pytest.raises(RefusedInputError, match="at most 100 vertices"):
        read_vector(data, filename="d.geojson", limits=Limits(max_vertices=100))
    # A zipped Shapefile is refused by its .shp size before GDAL reads it.
    big = gpd.GeoDataFrame({"n": [1]}, geometry=[polygon], crs=4326)
    data = _shapefile_zip(tmp_path, big, stem="big")
    with pytest.raises(RefusedInputError, match="by the size of big.shp"):
        read_vector(data, filename="big.zip", limits=Limits(max_vertices=100))


def test_districts_table_with_wkt_in_puwg() -> None:
    rows = ["kod;nazwa;wkt"]
    for code, (name, geom) in zip(
        ("s", "b", "p"),
        [
            ("Śródmieście", box(305_000, 320_000, 309_000, 328_000)),
            ("Biały Kamień", box(309_000, 320_000, 314_000, 328_000)),
            ("Podzamcze", box(305_000, 328_000, 314_000, 336_000)),
        ],
        strict=True,
    ):
        rows.append(f"{code};{name};{geom.wkt}")
    table, report = read_table("\n".join(rows).encode("cp1250"), filename="osiedla.csv")
    gdf = vector_from_table(table, report)
    districts = districts_from_vector(gdf, report, options=ImportOptions(code_field="kod"))
    assert districts["code"].tolist() == ["s", "b", "p"]
    assert districts["name"].tolist() == NAMES
    assert districts.index.tolist() == [2, 3, 4]
    assert any("EPSG:2180" in a for a in report.assumptions)


def test_districts_duplicate_codes_fail_on_both_rows() -> None:
    gdf = gpd.GeoDataFrame(
        {"nazwa": ["Nowe Miasto", "Nowe  miasto", "Stare Miasto"], "kod": ["n", "n2", "s"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), Point(5, 5)],
        crs=4326,
        index=pd.Index([1, 2, 3], name="feature"),
    )
    report = ImportReport(source="d.geojson", unit="feature")
    out = districts_from_vector(gdf, report)
    assert out.empty
    assert sorted((f.row, f.field) for f in report.errors()) == [
        (1, "nazwa"),
        (2, "nazwa"),
        (3, "geometry"),
    ]
    report = ImportReport(unit="feature")
    out = districts_from_vector(
        gdf.iloc[:2], report, options=ImportOptions(code_field="kod"), source="GIS"
    )
    assert out["code"].tolist() == ["n", "n2"]
    assert out["source"].tolist() == ["GIS", "GIS"]
    assert isinstance(out.geometry.iloc[0], MultiPolygon)
    assert out["schematic"].tolist() == [False, False]
    assert out["id"].isna().all()
