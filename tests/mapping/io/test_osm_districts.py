"""Districts from OpenStreetMap extracts (``run_import("osm_districts")``): administrative
boundaries of a level when the extract has them, else draft Voronoi polygons of the place nodes
clipped to the city, marked schematic."""

from __future__ import annotations

import pytest
import shapely
from sqlalchemy.engine import Engine

from mapping.db import store
from mapping.errors import ValidationError
from mapping.io.flow import run_import
from mapping.io.options import ImportOptions
from mapping.io.osm import OsmOptions

from .osm_extract import Extract


def _import(engine: Engine, extract: Extract, **osm: object):
    return run_import(
        "osm_districts",
        extract.xml(),
        filename="city.osm",
        engine=engine,
        options=ImportOptions(),
        osm=OsmOptions(**osm),
    )


def _admin() -> Extract:
    e = Extract()
    e.box(
        1,
        305_000,
        320_000,
        314_000,
        336_000,
        boundary="administrative",
        admin_level="8",
        name="Wałbrzych",
    )
    e.box(
        2,
        305_000,
        320_000,
        309_000,
        328_000,
        boundary="administrative",
        admin_level="9",
        name="Śródmieście",
    )
    e.box(
        3,
        309_000,
        320_000,
        314_000,
        328_000,
        boundary="administrative",
        admin_level="9",
        name="Biały Kamień",
    )
    e.node(10, 307_000, 324_000, place="suburb", name="Nowe Miasto")
    return e


def test_admin_boundaries_of_the_deepest_level_by_default(engine: Engine) -> None:
    result = _import(engine, _admin())
    assert result.status == "written" and result.loaded == 2
    stored = store.load_districts(engine).set_index("code")
    assert sorted(stored["name"]) == ["Biały Kamień", "Śródmieście"]
    assert not stored["schematic"].any()
    assert stored.loc["srodmiescie", "source"] == (
        "OpenStreetMap: boundary=administrative admin_level=9"
    )
    area = stored.loc[["srodmiescie"]].to_crs(2180).area.iloc[0]
    assert area == pytest.approx(4_000 * 8_000, rel=1e-3)


def test_admin_level_chosen(engine: Engine) -> None:
    result = _import(engine, _admin(), admin_level=8)
    assert result.loaded == 1
    assert list(store.load_districts(engine)["name"]) == ["Wałbrzych"]


def test_places_give_schematic_voronoi_cells_clipped_to_the_city(engine: Engine) -> None:
    e = Extract()
    e.box(
        1,
        305_000,
        320_000,
        314_000,
        336_000,
        boundary="administrative",
        admin_level="8",
        name="Wałbrzych",
    )
    e.node(10, 307_000, 324_000, place="suburb", name="Śródmieście")
    e.node(11, 312_000, 324_000, place="quarter", name="Biały Kamień")
    e.node(12, 309_000, 332_000, place="neighbourhood", name="Podzamcze")
    e.node(13, 309_000, 330_000, place="village", name="Nie ta wieś")  # not a chosen place
    result = _import(engine, e)
    assert result.status == "written" and result.loaded == 3, result.report.as_table()
    stored = store.load_districts(engine).set_index("code").to_crs(2180)
    assert stored["schematic"].all()
    assert "draft from place nodes" in stored["source"].iloc[0]
    city = shapely.box(305_000, 320_000, 314_000, 336_000)
    union = shapely.union_all(stored.geometry.to_numpy())
    assert union.area == pytest.approx(city.area, rel=1e-3)
    assert city.buffer(1).contains(union)
    assert stored.loc["srodmiescie"].geometry.contains(shapely.Point(307_000, 324_000))
    assert stored.loc["podzamcze"].geometry.contains(shapely.Point(309_000, 332_000))
    # The Voronoi edge between Śródmieście and Biały Kamień is halfway: easting 309,500.
    assert stored.loc["srodmiescie"].geometry.contains(shapely.Point(309_400, 322_000))
    assert stored.loc["bialy-kamien"].geometry.contains(shapely.Point(309_600, 322_000))
    assert any("draft district" in f.problem for f in result.report.warnings())


def test_places_without_a_city_boundary_fill_the_widened_hull(engine: Engine) -> None:
    e = Extract()
    e.node(10, 307_000, 324_000, place="suburb", name="Śródmieście")
    e.node(11, 312_000, 324_000, place="suburb", name="Biały Kamień")
    result = _import(engine, e, places=("suburb",))
    assert result.loaded == 2
    assert any("no city boundary" in f.problem for f in result.report.warnings())
    stored = store.load_districts(engine).to_crs(2180)
    union = shapely.union_all(stored.geometry.to_numpy())
    assert union.contains(shapely.Point(306_100, 324_000))  # within 1 km of a place


def test_dry_run_writes_nothing_and_nothing_usable_is_refused(engine: Engine) -> None:
    result = run_import(
        "osm_districts",
        _admin().xml(),
        filename="c.osm",
        engine=engine,
        options=ImportOptions(dry_run=True),
    )
    assert result.status == "dry_run" and result.rows == 2
    assert len(store.load_districts(engine)) == 0
    empty = Extract()
    empty.node(1, 307_000, 324_000, amenity="cafe", name="Kawiarnia")
    with pytest.raises(ValidationError, match="administrative boundaries or place nodes"):
        _import(engine, empty)
