"""Districts in and out of the database: an upsert on ``code``, reads as GeoDataFrames."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from mapping.crs import WEB_CRS, ensure_crs
from mapping.db.base import (
    DISTRICT,
    Bind,
    SaveResult,
    clean,
    connection,
    geom_from_wkb,
    geometry_param,
    read_geometry,
    same_geometry,
)
from mapping.db.locking import hold_write_lock
from mapping.frames import DISTRICT_COLUMNS


def load_districts(bind: Bind) -> gpd.GeoDataFrame:
    """All districts, ordered by code (columns of :data:`mapping.frames.DISTRICT_COLUMNS`)."""
    stmt = select(
        DISTRICT.c.id,
        DISTRICT.c.code,
        DISTRICT.c.name,
        DISTRICT.c.source,
        DISTRICT.c.schematic,
        func.ST_AsBinary(DISTRICT.c.geom).label("wkb"),
    ).order_by(DISTRICT.c.code)
    with connection(bind) as conn:
        rows = pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[*DISTRICT_COLUMNS[:-1], "wkb"]
        )
    rows["id"] = rows["id"].astype("int64")
    rows["schematic"] = rows["schematic"].astype(bool)
    geometry = read_geometry(rows.pop("wkb"))
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=WEB_CRS)[list(DISTRICT_COLUMNS)]


def district_ids(bind: Bind) -> dict[str, int]:
    """District code to database id."""
    with connection(bind) as conn:
        return {
            str(code): int(i) for code, i in conn.execute(select(DISTRICT.c.code, DISTRICT.c.id))
        }


def save_districts(
    conn: Connection, districts: gpd.GeoDataFrame, *, replace: bool = False
) -> SaveResult:
    """Insert or update districts by ``code``.

    With ``replace=True`` districts missing from the frame are deleted (their resources lose their
    assigned district, their indicator values go with them).
    """
    districts = ensure_crs(districts, name="districts")
    hold_write_lock(conn)  # before reading the rows to match: a concurrent import waits
    existing = load_districts(conn).set_index("code")
    inserted = updated = unchanged = 0
    for row in districts.itertuples(index=False):
        code = str(row.code)
        values = {
            "name": str(row.name),
            "source": clean(getattr(row, "source", None)),
            "schematic": bool(clean(getattr(row, "schematic", False)) or False),
        }
        wkb = geometry_param(row.geometry, multi=True)
        geom = geom_from_wkb(sa.literal(wkb, sa.LargeBinary))
        if code in existing.index:
            old = existing.loc[code]
            same = (
                old["name"] == values["name"]
                and clean(old["source"]) == values["source"]
                and bool(old["schematic"]) == values["schematic"]
                and same_geometry(old.geometry, shapely.from_wkb(wkb))
            )
            if same:
                unchanged += 1
                continue
            conn.execute(
                DISTRICT.update().where(DISTRICT.c.code == code).values(**values, geom=geom)
            )
            updated += 1
        else:
            conn.execute(DISTRICT.insert().values(code=code, **values, geom=geom))
            inserted += 1
    if replace:
        keep = [str(c) for c in districts["code"]]
        conn.execute(DISTRICT.delete().where(DISTRICT.c.code.not_in(keep)))
    return SaveResult(inserted, updated, unchanged)
