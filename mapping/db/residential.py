"""Residential areas in the database: one polygon layer, replaced as a whole by each import
(:mod:`mapping.io.residential`), read by the grid demand model (:mod:`mapping.population`).

Unlike the population surface, the layer is not per year: land use changes slowly and the
sources (BDOT10k, OpenStreetMap) are updated continuously, not per census year; importing a
newer layer replaces the old one. Geometries are MultiPolygons in EPSG:4326.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.engine import Connection

from mapping.crs import WEB_CRS
from mapping.db.base import Bind, SaveResult, connection, geom_from_wkb, read_geometry
from mapping.db.locking import hold_write_lock
from mapping.db.models import Base

__all__ = ["RESIDENTIAL", "load_residential", "save_residential"]

RESIDENTIAL: sa.Table = Base.metadata.tables["residential_area"]
#: Rows per INSERT statement.
_CHUNK = 5_000


def load_residential(bind: Bind) -> gpd.GeoDataFrame:
    """The stored residential areas (a ``geometry`` column in EPSG:4326, in the order they were
    imported); an empty frame when there are none (or the table does not exist yet)."""
    with connection(bind) as conn:
        if not sa.inspect(conn).has_table(RESIDENTIAL.name):
            return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=WEB_CRS), crs=WEB_CRS)
        stmt = sa.select(func.ST_AsBinary(RESIDENTIAL.c.geom).label("wkb")).order_by(
            RESIDENTIAL.c.id
        )
        rows = [row.wkb for row in conn.execute(stmt)]
    geometry = read_geometry(pd.Series(rows, dtype="object"))
    return gpd.GeoDataFrame(geometry=geometry.reset_index(drop=True), crs=WEB_CRS)


def _multi(values: np.ndarray) -> np.ndarray:
    values = shapely.force_2d(values)
    single = shapely.get_type_id(values) == 3
    values[single] = [shapely.MultiPolygon([g]) for g in values[single]]
    return values


def save_residential(conn: Connection, areas: gpd.GeoSeries) -> SaveResult:
    """Replace the stored residential areas by ``areas`` (Polygons or MultiPolygons in
    EPSG:4326).

    Returns ``inserted`` (areas written) and ``deleted`` (areas stored before); a layer equal to
    the stored one, area for area, is left ``unchanged``.
    """
    hold_write_lock(conn)
    given = _multi(np.asarray(areas.to_crs(WEB_CRS).array, dtype=object))
    stored = np.asarray(load_residential(conn).geometry.array, dtype=object)
    if len(stored) == len(given) and bool(
        shapely.equals_exact(shapely.normalize(stored), shapely.normalize(given), 1e-9).all()
    ):
        return SaveResult(unchanged=len(given))
    deleted = conn.execute(sa.delete(RESIDENTIAL)).rowcount
    insert = RESIDENTIAL.insert().values(
        geom=geom_from_wkb(sa.bindparam("wkb", type_=sa.LargeBinary))
    )
    records = [{"wkb": shapely.to_wkb(g)} for g in given]
    for start in range(0, len(records), _CHUNK):
        conn.execute(insert, records[start : start + _CHUNK])
    return SaveResult(inserted=len(records), deleted=int(deleted or 0))
