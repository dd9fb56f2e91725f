"""mapping.db.network on both backends: the walking network saved whole and read back equal,
replaced by a new import, unchanged when the same, the data version raised, and the migration
down and up (issue 15, walking distance)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mapping.db import store
from mapping.db.network import delete_network, load_network, save_network
from mapping.io.network import read_network
from tests.conftest import migrate
from tests.network_osm import grid_osm


def test_a_network_is_saved_whole_read_back_equal_and_replaced(
    engine: Engine, tmp_path: Path
) -> None:
    assert load_network(engine) is None
    network, _ = read_network(grid_osm(tmp_path / "grid.osm"))
    version = store.data_version(engine)
    with store.write_transaction(engine, what="test") as conn:
        saved = save_network(conn, network)
    assert saved.inserted == 1 and store.data_version(engine) > version
    loaded = load_network(engine)
    assert loaded is not None and loaded.digest == network.digest
    assert np.array_equal(loaded.node_xy, network.node_xy)
    assert np.array_equal(loaded.edge_m, network.edge_m)
    assert loaded.source == "grid.osm"
    version = store.data_version(engine)
    with store.write_transaction(engine, what="test") as conn:
        assert save_network(conn, network).unchanged == 1
    assert store.data_version(engine) == version
    smaller, _ = read_network(grid_osm(tmp_path / "nobridge.osm", bridge=False))
    with store.write_transaction(engine, what="test") as conn:
        replaced = save_network(conn, smaller)
    assert (replaced.inserted, replaced.deleted) == (1, 1)
    again = load_network(engine)
    assert again is not None and again.edges == smaller.edges == network.edges - 1
    with store.write_transaction(engine, what="test") as conn:
        assert delete_network(conn) == 1
    assert load_network(engine) is None


def test_the_migration_downgrades_and_upgrades(engine: Engine, tmp_path: Path) -> None:
    network, _ = read_network(grid_osm(tmp_path / "grid.osm"))
    with store.write_transaction(engine, what="test") as conn:
        save_network(conn, network)
    migrate(engine, "downgrade", "0012")
    assert "walking_network" not in sa.inspect(engine).get_table_names()
    assert load_network(engine) is None  # no table yet: no network
    migrate(engine, "upgrade", "head")
    assert "walking_network" in sa.inspect(engine).get_table_names()
    version = store.data_version(engine)
    with store.write_transaction(engine, what="test") as conn:
        save_network(conn, network)
    assert store.data_version(engine) > version
