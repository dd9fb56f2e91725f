"""The walking network in the database (:mod:`mapping.network`): one row of arrays.

The graph is saved whole (an import replaces it) in the caller's transaction, after taking
palmap's write lock, and read back whole: nodes as little-endian float64 coordinates, edges as
int32 node pairs and float64 lengths, so that a city's network of 100,000 nodes loads in
milliseconds on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping.db.base import Bind, SaveResult, connection
from mapping.db.locking import hold_write_lock
from mapping.db.models import Base
from mapping.network import WalkingNetwork, network_from_edges

__all__ = ["NETWORK", "delete_network", "load_network", "save_network"]

NETWORK: sa.Table = Base.metadata.tables["walking_network"]
_FLOAT = np.dtype("<f8")
_INT = np.dtype("<i4")


def load_network(bind: Bind) -> WalkingNetwork | None:
    """The stored walking network, or None when there is none (or no table yet)."""
    with connection(bind) as conn:
        if not sa.inspect(conn).has_table(NETWORK.name):
            return None
        row = conn.execute(sa.select(NETWORK).order_by(NETWORK.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return network_from_edges(
        np.frombuffer(row.node_xy, dtype=_FLOAT).reshape(-1, 2),
        np.frombuffer(row.edge_u, dtype=_INT),
        np.frombuffer(row.edge_v, dtype=_INT),
        np.frombuffer(row.edge_m, dtype=_FLOAT),
        source=row.source,
    )


def save_network(conn: Connection, network: WalkingNetwork) -> SaveResult:
    """Replace the stored network by ``network``; ``unchanged`` when it is the same graph."""
    hold_write_lock(conn)
    stored = load_network(conn)
    if stored is not None and stored.digest == network.digest:
        return SaveResult(unchanged=1)
    deleted = conn.execute(sa.delete(NETWORK)).rowcount
    conn.execute(
        sa.insert(NETWORK).values(
            source=network.source[:500],
            imported_at=datetime.now(UTC),
            nodes=network.nodes,
            edges=network.edges,
            node_xy=np.ascontiguousarray(network.node_xy, dtype=_FLOAT).tobytes(),
            edge_u=np.ascontiguousarray(network.edge_u, dtype=_INT).tobytes(),
            edge_v=np.ascontiguousarray(network.edge_v, dtype=_INT).tobytes(),
            edge_m=np.ascontiguousarray(network.edge_m, dtype=_FLOAT).tobytes(),
        )
    )
    return SaveResult(inserted=1, deleted=int(deleted or 0))


def delete_network(conn: Connection) -> int:
    """Remove the stored network (access is then straight x the detour factor)."""
    hold_write_lock(conn)
    return int(conn.execute(sa.delete(NETWORK)).rowcount or 0)
