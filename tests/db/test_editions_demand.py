"""Editions freeze the demand of access (issue 14): the population surfaces and the residential
areas access was measured from. After publishing, importing a new surface or residential layer
never changes the edition's access figures; an edition published before palmap froze them (five
parts, the old digest) still loads, verifies and measures access as it did; a demand part taken
out of a new edition is refused. Both backends."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
from pandas.testing import assert_frame_equal
from shapely import box
from sqlalchemy.engine import Engine

from mapping import snapshot
from mapping.analysis import AnalysisData, access_table
from mapping.db import editions, population, residential, store
from mapping.demo import load_demo
from mapping.errors import DatabaseDamagedError

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
OLD_PARTS = ("districts", "categories", "resources", "indicators", "values")


@pytest.fixture
def demo(engine: Engine) -> Engine:
    load_demo(engine, DEMO)
    return engine


def _publish(engine: Engine, code: str) -> editions.EditionRecord:
    with store.write_transaction(engine, what="publish") as conn:
        return editions.publish(conn, code, f"Mapy {code}", actor="ola", how="cli")


def _district_box(engine: Engine, code: str, half_m: float) -> gpd.GeoSeries:
    districts = store.load_districts(engine).set_index("code")
    point = (
        gpd.GeoSeries([districts.loc[code, "geometry"]], crs=4326)
        .to_crs(2180)
        .iloc[0]
        .representative_point()
    )
    square = box(point.x - half_m, point.y - half_m, point.x + half_m, point.y + half_m)
    return gpd.GeoSeries([square], crs=2180).to_crs(4326)


def _surface(engine: Engine, code: str, people: float) -> pd.DataFrame:
    centre = _district_box(engine, code, 10).to_crs(2180).centroid.to_crs(4326)
    return pd.DataFrame({"lon": centre.x, "lat": centre.y, "population": [people]})


def _access(data: AnalysisData) -> pd.DataFrame:
    return access_table(data, year=2013, category="swietlica", grid_m=250)


def test_new_surfaces_and_residential_areas_never_change_a_published_editions_access(
    demo: Engine,
) -> None:
    with store.write_transaction(demo, what="test") as conn:
        population.save_population(conn, _surface(demo, "sobiecin", 900.0), year=2013)
        residential.save_residential(conn, _district_box(demo, "podzamcze", 300))
    live_before = AnalysisData.from_store(demo)
    published = _access(live_before)
    _publish(demo, "2013")
    frozen = AnalysisData.from_edition(demo, "2013")
    assert frozen.population is not None and len(frozen.population) == 1
    assert frozen.residential is not None and len(frozen.residential) == 1
    assert_frame_equal(_access(frozen), published, check_exact=True)

    with store.write_transaction(demo, what="test") as conn:  # later imports
        population.save_population(conn, _surface(demo, "piaskowa-gora", 5000.0), year=2013)
        residential.save_residential(conn, _district_box(demo, "sobiecin", 500))
    live = _access(AnalysisData.from_store(demo))
    assert not live.equals(published)  # the live figures moved ...
    assert_frame_equal(
        _access(AnalysisData.from_edition(demo, "2013")), published, check_exact=True
    )


def _write_old_edition(engine: Engine, code: str) -> None:
    """An edition as palmap wrote it before the demand was frozen: the five parts and a digest
    over them only (the formula written out here, not taken from the code under test)."""
    live = AnalysisData.from_store(engine)
    frames = {
        "districts": live.districts,
        "categories": live.categories,
        "resources": live.resources,
        "indicators": store.load_indicators(engine),
        "values": live.values,
    }
    contents = {part: snapshot.dumps(frames[part]) for part in OLD_PARTS}
    digest = hashlib.sha256()
    for part in OLD_PARTS:
        digest.update(part.encode() + b"\0" + hashlib.sha256(contents[part]).digest())
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            editions.EDITION.insert().values(
                code=code,
                title=f"Mapy {code}",
                status="published",
                created_by="ola",
                created_at=now,
                published_by="ola",
                published_at=now,
                digest=digest.hexdigest(),
            )
        )
        edition_id = conn.execute(
            sa.select(editions.EDITION.c.id).where(editions.EDITION.c.code == code)
        ).scalar_one()
        conn.execute(
            editions.PART.insert(),
            [
                {"edition_id": edition_id, "part": p, "rows": len(frames[p]), "content": c}
                for p, c in contents.items()
            ],
        )


def test_an_edition_published_before_the_demand_was_frozen_still_loads_and_verifies(
    demo: Engine,
) -> None:
    whole_areas = _access(AnalysisData.from_store(demo))  # no surface, no residential areas
    _write_old_edition(demo, "2012")
    with store.write_transaction(demo, what="test") as conn:
        population.save_population(conn, _surface(demo, "sobiecin", 900.0), year=2013)
        residential.save_residential(conn, _district_box(demo, "podzamcze", 300))
    old = AnalysisData.from_edition(demo, "2012")
    assert old.population is None and old.residential is None
    # measured as it was then: the residents on a grid over each whole district
    assert_frame_equal(_access(old), whole_areas, check_exact=True)
    with demo.begin() as conn:  # the old digest still guards it
        conn.execute(
            sa.text("UPDATE edition_part SET content = :c WHERE part = 'values'"),
            {"c": snapshot.dumps(AnalysisData.from_store(conn).values.head(3))},
        )
    with pytest.raises(DatabaseDamagedError, match="restore the database"):
        AnalysisData.from_edition(demo, "2012")


def test_a_demand_part_taken_out_of_an_edition_is_refused(demo: Engine) -> None:
    with store.write_transaction(demo, what="test") as conn:
        residential.save_residential(conn, _district_box(demo, "podzamcze", 300))
    _publish(demo, "2013")
    with demo.begin() as conn:
        parts = {
            str(p)
            for p in conn.execute(
                sa.text(
                    "SELECT part FROM edition_part JOIN edition ON edition.id = edition_id "
                    "WHERE code = '2013'"
                )
            ).scalars()
        }
        assert parts == {*OLD_PARTS, "population", "residential"}
        conn.execute(sa.text("DELETE FROM edition_part WHERE part = 'residential'"))
    with pytest.raises(DatabaseDamagedError, match="restore the database"):
        AnalysisData.from_edition(demo, "2013")
