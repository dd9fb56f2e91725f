"""mapping.db.residential on both backends: the residential-area layer saved whole, replaced by
a new import, unchanged when equal, the data version raised, a failed transaction keeping the
old layer, and migration 0013 down and up (the triggers come back)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
import sqlalchemy as sa
from shapely import box
from sqlalchemy.engine import Engine

from mapping.db import residential, store
from tests.conftest import migrate


def areas(n: int, size: float = 0.001) -> gpd.GeoSeries:
    return gpd.GeoSeries(
        [box(16.28 + i * 0.01, 50.77, 16.28 + i * 0.01 + size, 50.77 + size) for i in range(n)],
        crs=4326,
    )


def test_the_layer_is_saved_whole_and_replaced_whole(engine: Engine) -> None:
    assert len(residential.load_residential(engine)) == 0
    with store.write_transaction(engine, what="test") as conn:
        first = residential.save_residential(conn, areas(3))
    assert (first.inserted, first.deleted) == (3, 0)
    stored = residential.load_residential(engine)
    assert stored.crs.to_epsg() == 4326
    assert stored.geom_type.tolist() == ["MultiPolygon"] * 3
    assert shapely.equals_exact(
        shapely.normalize(stored.geometry.iloc[0]),
        shapely.normalize(shapely.MultiPolygon([areas(1).iloc[0]])),
        1e-9,
    )
    version = store.data_version(engine)
    with store.write_transaction(engine, what="test") as conn:
        again = residential.save_residential(conn, areas(3))
    assert again.unchanged == 3 and store.data_version(engine) == version
    with store.write_transaction(engine, what="test") as conn:
        replaced = residential.save_residential(conn, areas(1, 0.002))
    assert (replaced.inserted, replaced.deleted) == (1, 3)
    assert store.data_version(engine) > version
    assert len(residential.load_residential(engine)) == 1


def test_a_failed_transaction_keeps_the_old_layer(engine: Engine) -> None:
    with store.write_transaction(engine, what="test") as conn:
        residential.save_residential(conn, areas(2))
    with pytest.raises(RuntimeError), store.write_transaction(engine, what="test") as conn:
        residential.save_residential(conn, areas(5))
        raise RuntimeError("midway")
    assert len(residential.load_residential(engine)) == 2


def test_the_migration_downgrades_and_upgrades_with_its_triggers(engine: Engine) -> None:
    with store.write_transaction(engine, what="test") as conn:
        residential.save_residential(conn, areas(2))
    migrate(engine, "downgrade", "0012")
    assert "residential_area" not in sa.inspect(engine).get_table_names()
    assert len(residential.load_residential(engine)) == 0  # no table yet: no layer
    migrate(engine, "upgrade", "head")
    assert "residential_area" in sa.inspect(engine).get_table_names()
    version = store.data_version(engine)
    with store.write_transaction(engine, what="test") as conn:
        residential.save_residential(conn, areas(1))
    assert store.data_version(engine) > version
    assert len(residential.load_residential(engine)) == 1
