"""Resources from OpenStreetMap extracts through the import flow (``run_import("osm")``) on both
backends: every mapped category, areas as points on their surface, the report of what was left
out and why, the same result from .osm.pbf, re-imports by OSM id (updated, unchanged, gone and
removed only with replace), the tag mapping's checks, and a failed import writing nothing."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from sqlalchemy.engine import Engine

from mapping.db import store
from mapping.errors import RefusedInputError, ValidationError
from mapping.io.flow import run_import
from mapping.io.options import ImportOptions
from mapping.io.osm import OsmOptions
from mapping.io.osm_tags import default_tag_mapping, read_tag_mapping

from .conftest import lonlat
from .osm_extract import EXPECTED, city_extract
from .test_flow import _districts_geojson


@pytest.fixture
def with_districts(engine: Engine) -> Engine:
    assert run_import(
        "districts", _districts_geojson(), filename="d.geojson", engine=engine
    ).written
    return engine


def _osm(engine: Engine, data: bytes, filename: str = "city.osm", **options: object):
    osm = options.pop("osm", None)
    return run_import(
        "osm", data, filename=filename, engine=engine, options=ImportOptions(**options), osm=osm
    )


def _by_external(engine: Engine) -> gpd.GeoDataFrame:
    return store.load_resources(engine).set_index("external_id")


def test_every_mapped_category_and_the_report_of_what_was_left_out(with_districts: Engine) -> None:
    result = _osm(with_districts, city_extract().xml())
    assert result.status == "written", result.report.as_table()
    assert result.loaded == 10
    stored = _by_external(with_districts)
    assert {e: (r["category"], r["name"]) for e, r in stored.iterrows()} == EXPECTED
    playground = stored.loc["osm:node/1"]
    assert playground["address"] == "Główna 5, Wałbrzych"
    assert playground["capacity"] == 30
    assert playground["operator"] == "Gmina Wałbrzych"
    assert playground["opening_hours"] == "Mo-Su 08:00-20:00"
    assert playground["source"] == "OpenStreetMap"
    assert playground["district_code"] == "srodmiescie"
    # Hostile names are kept as the text they are.
    assert stored.loc["osm:node/3", "name"] == "<script>alert(1)</script>"
    # Non-numeric capacity: reported, left out, the row kept.
    assert (
        stored.loc["osm:node/4", "capacity"] is None
        or str(stored.loc["osm:node/4", "capacity"]) == "<NA>"
    )
    report = result.report
    (capacity,) = report.find(row=4, field="capacity")
    assert capacity.severity == "warning" and "około 20" in capacity.problem
    (unnamed,) = report.find(row=2, field="name")
    assert "plac zabaw" in unnamed.problem
    left_out = {f.value: f.problem for f in report.findings if f.field == "osm"}
    assert set(left_out) == {"node/7", "node/8", "way/101"}
    assert "operator~" in left_out["node/7"]  # Caritas is not MOPS: the condition failed
    assert "amenity=cafe" in left_out["node/8"]
    assert any("without any key of the tag mapping" in f.problem for f in report.findings)


def test_areas_become_points_on_their_surface_not_centroids(with_districts: Engine) -> None:
    _osm(with_districts, city_extract().xml())
    stored = _by_external(with_districts).to_crs(2180)
    # The stadium is a ring (outer 306,000-306,300 with a hole 306,100-306,200): its centroid
    # lies in the hole, its point must lie on the ring.
    ring = shapely.box(306_000, 324_000, 306_300, 324_300).difference(
        shapely.box(306_100, 324_100, 306_200, 324_200)
    )
    stadium = stored.loc["osm:relation/200"].geometry
    assert ring.buffer(1).contains(stadium)
    assert not shapely.box(306_101, 324_101, 306_199, 324_199).contains(stadium)
    hall = stored.loc["osm:way/102"].geometry
    assert shapely.box(307_099, 322_099, 307_201, 322_201).contains(hall)


def test_pbf_gives_the_same_result(with_districts: Engine, tmp_path: Path) -> None:
    extract = city_extract()
    xml = _osm(with_districts, extract.xml(), dry_run=True)
    pbf = _osm(with_districts, extract.pbf(tmp_path), filename="city.osm.pbf", dry_run=True)
    assert pbf.status == xml.status == "dry_run"
    columns = ["external_id", "name", "category", "capacity", "address"]
    assert pbf.frame[columns].to_dict("records") == xml.frame[columns].to_dict("records")
    assert shapely.equals_exact(
        pbf.frame.geometry.to_numpy(), xml.frame.geometry.to_numpy(), tolerance=1e-7
    ).all()
    assert [(f.row, f.field, f.problem) for f in pbf.report.findings] == [
        (f.row, f.field, f.problem) for f in xml.report.findings
    ]
    assert len(store.load_resources(with_districts)) == 0


def test_reimport_updates_by_osm_id_and_removes_gone_only_with_replace(
    with_districts: Engine,
) -> None:
    first = _osm(with_districts, city_extract().xml())
    assert first.loaded == 10
    loaded = store.load_resources(with_districts)
    ids = dict(zip(loaded["external_id"], loaded["id"], strict=True))
    edited = city_extract()
    edited.nodes = [n for n in edited.nodes if n[0] != 5]  # the association is gone
    for i, (osm_id, lon, lat, tags) in enumerate(edited.nodes):
        if osm_id == 1:
            edited.nodes[i] = (osm_id, lon, lat, {**tags, "name": "Plac zabaw Tęczowy"})
    again = _osm(with_districts, edited.xml())
    assert (again.loaded, again.updated, again.unchanged) == (0, 1, 8)
    gone = [f for f in again.report.findings if f.field == "external_id"]
    assert [(g.value, g.severity) for g in gone] == [("osm:node/5", "warning")]
    assert "kept" in gone[0].problem
    stored = _by_external(with_districts)
    assert len(stored) == 10 and stored.loc["osm:node/1", "name"] == "Plac zabaw Tęczowy"
    assert (
        dict(zip(stored.index, stored["id"], strict=True)) == ids
    )  # updated in place, never duplicated
    replaced = _osm(with_districts, edited.xml(), replace=True)
    assert replaced.deleted == 1 and replaced.unchanged == 9
    assert "osm:node/5" not in _by_external(with_districts).index


def test_replace_leaves_resources_from_other_sources(with_districts: Engine) -> None:
    lon, lat = lonlat(307_000, 324_000)
    csv = f"nazwa,kategoria,lat,lon\nŚwietlica miejska,swietlica,{lat},{lon}\n".encode()
    assert run_import("resources", csv, filename="r.csv", engine=with_districts).written
    _osm(with_districts, city_extract().xml(), replace=True)
    assert "Świetlica miejska" in set(store.load_resources(with_districts)["name"])


def test_sports_hall_outside_a_school_is_a_sports_facility(with_districts: Engine) -> None:
    extract = city_extract()
    extract.ways = [w for w in extract.ways if w[0] != 101]  # no school area around the hall
    _osm(with_districts, extract.xml())
    assert _by_external(with_districts).loc["osm:way/102", "category"] == "obiekt_sportowy"


def test_a_user_mapping_decides_the_categories(with_districts: Engine) -> None:
    mapping = b"key,value,category,condition\namenity,cafe,swietlica,\n"
    result = _osm(
        with_districts, city_extract().xml(), osm=OsmOptions(tag_mapping=(mapping, "t.csv"))
    )
    assert result.loaded == 1
    assert _by_external(with_districts).loc["osm:node/8", "category"] == "swietlica"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"key,value,category\nleisure,pitch,pole\n", "line 2, field 'category'"),
        (b"key,value,category,condition\nleisure,pitch,boisko,near school\n", "condition"),
        (b"key,value,category\nlei sure,pitch,boisko\n", "field 'key'"),
        (b"klucz,value,category\nleisure,pitch,boisko\n", "key, value, category"),
    ],
)
def test_a_wrong_mapping_is_refused_naming_line_field_and_fix(
    with_districts: Engine, text: bytes, expected: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _osm(with_districts, city_extract().xml(), osm=OsmOptions(tag_mapping=(text, "t.csv")))
    assert expected in str(caught.value)
    assert len(store.load_resources(with_districts)) == 0


def test_default_mapping_has_the_issue_rules() -> None:
    data, name = default_tag_mapping()
    rules = read_tag_mapping(
        data,
        filename=name,
        categories=[
            "plac_zabaw",
            "boisko",
            "obiekt_sportowy",
            "sala_gimnastyczna",
            "mops",
            "swietlica",
            "ngo",
        ],
    )
    pairs = {(r.key, r.value, r.category) for r in rules}
    assert ("leisure", "playground", "plac_zabaw") in pairs
    assert ("office", "association", "ngo") in pairs
    assert ("amenity", "community_centre", "swietlica") in pairs


def test_a_failed_import_writes_nothing(
    with_districts: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = city_extract()
    _osm(with_districts, first.xml())
    before = store.load_resources(with_districts)
    edited = city_extract()
    edited.nodes = [n for n in edited.nodes if n[0] != 5]
    edited.node(60, 306_500, 321_500, leisure="pitch", name="Nowe boisko")

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr("mapping.io.osm_flow.resource_edit.delete_resource", broken)
    with pytest.raises(RuntimeError):
        _osm(with_districts, edited.xml(), replace=True)  # inserts node/60, then fails
    after = store.load_resources(with_districts)
    assert sorted(after["external_id"]) == sorted(before["external_id"])


def test_over_the_feature_limit_is_refused(with_districts: Engine) -> None:
    from mapping.io.safety import Limits

    with pytest.raises(RefusedInputError, match="at most 5 features"):
        run_import(
            "osm",
            city_extract().xml(),
            filename="c.osm",
            engine=with_districts,
            limits=Limits(max_features=5),
        )
    assert len(store.load_resources(with_districts)) == 0


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"nazwa,kategoria\nx,y\n", "city.osm"),
        (b'<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaa">]><osm>&a;</osm>', "city.osm"),
        (b"<osm></osm>", "city.osm.pbf"),
        (b"<osm></osm>", "city.csv"),
    ],
)
def test_not_an_osm_file_is_refused(with_districts: Engine, data: bytes, filename: str) -> None:
    with pytest.raises(RefusedInputError):
        _osm(with_districts, data, filename=filename)
