"""Resources and their categories out of the database, and where each resource lies (SQL).

Saving resources, the import's bulk write, is :mod:`mapping.db.resource_import`.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from mapping.crs import WEB_CRS
from mapping.db.base import (
    CATEGORY,
    DISTRICT,
    RESOURCE,
    Bind,
    SaveResult,
    clean,
    connection,
    read_geometry,
)
from mapping.db.locking import hold_write_lock
from mapping.frames import CATEGORY_COLUMNS, RESOURCE_ATTRIBUTES, RESOURCE_COLUMNS
from mapping.join import tidy_counts

# --- categories ------------------------------------------------------------------------------


def load_categories(bind: Bind) -> pd.DataFrame:
    """All resource categories, ordered by code."""
    stmt = select(*(CATEGORY.c[c] for c in CATEGORY_COLUMNS)).order_by(CATEGORY.c.code)
    with connection(bind) as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=list(CATEGORY_COLUMNS))


def save_categories(conn: Connection, categories: pd.DataFrame) -> SaveResult:
    """Insert or update resource categories by ``code``."""
    hold_write_lock(conn)  # before reading the rows to match: a concurrent writer waits
    existing = load_categories(conn).set_index("code")
    inserted = updated = unchanged = 0
    # Columns the frame does not carry keep their stored values (a unit set with
    # ``palmap categories rename`` survives a save of names and colours).
    given = [c for c in CATEGORY_COLUMNS if c == "code" or c in categories.columns]
    for row in categories.to_dict("records"):
        values = {c: clean(row.get(c)) for c in given}
        code = values.pop("code")
        if code in existing.index:
            old = {c: clean(existing.loc[code, c]) for c in values}
            if old == values:
                unchanged += 1
                continue
            conn.execute(CATEGORY.update().where(CATEGORY.c.code == code).values(**values))
            updated += 1
        else:
            conn.execute(CATEGORY.insert().values(code=code, **values))
            inserted += 1
    return SaveResult(inserted, updated, unchanged)


# --- resources -------------------------------------------------------------------------------

#: The stored columns that describe a resource (what an update compares): the schema's attributes.
RESOURCE_FIELDS: tuple[str, ...] = RESOURCE_ATTRIBUTES


def load_resources(
    bind: Bind, *, category: str | None = None, district: str | None = None
) -> gpd.GeoDataFrame:
    """Resources ordered by id, optionally of one category and/or assigned to one district code.

    ``district_code`` is the district a resource is *assigned* to (rows known only by district);
    use :func:`resource_districts` for the district a point lies in.
    """
    stmt = (
        select(
            RESOURCE.c.id,
            RESOURCE.c.external_id,
            *(RESOURCE.c[c] for c in RESOURCE_FIELDS[:2]),
            RESOURCE.c.address,
            DISTRICT.c.code.label("district_code"),
            *(RESOURCE.c[c] for c in RESOURCE_FIELDS[3:]),
            RESOURCE.c.updated_at,
            func.ST_AsBinary(RESOURCE.c.geom).label("wkb"),
        )
        .select_from(RESOURCE.outerjoin(DISTRICT, RESOURCE.c.district_id == DISTRICT.c.id))
        .order_by(RESOURCE.c.id)
    )
    if category is not None:
        stmt = stmt.where(RESOURCE.c.category == category)
    if district is not None:
        stmt = stmt.where(DISTRICT.c.code == district)
    with connection(bind) as conn:
        # Plain tuples, in the order of the select (dicts per row cost 1 s per 100,000 rows).
        rows = pd.DataFrame(
            [tuple(row) for row in conn.execute(stmt)], columns=[*RESOURCE_COLUMNS[:-1], "wkb"]
        )
    rows["id"] = rows["id"].astype("int64")
    rows["capacity"] = rows["capacity"].astype("Int64")
    rows["synthetic"] = rows["synthetic"].astype(bool)
    geometry = read_geometry(rows.pop("wkb"))
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=WEB_CRS)[list(RESOURCE_COLUMNS)]


def delete_resources(conn: Connection) -> int:
    """Delete every resource (``--replace``); return how many were deleted."""
    hold_write_lock(conn)
    return conn.execute(RESOURCE.delete()).rowcount


def _spatial_join_condition(conn: Connection, r: Any, d: Any) -> sa.ColumnElement[bool]:
    """The district polygon ``d`` intersects the point ``r``; on SpatiaLite through its R-tree
    (it uses the index only when asked: a plain ST_Intersects join is a nested loop)."""
    condition: sa.ColumnElement[bool] = func.ST_Intersects(d.c.geom, r.c.geom)
    if conn.dialect.name == "sqlite":
        spatial_index = sa.table(
            "SpatialIndex",
            sa.column("ROWID"),
            sa.column("f_table_name"),
            sa.column("f_geometry_column"),
            sa.column("search_frame"),
        )
        candidates = select(spatial_index.c.ROWID).where(
            spatial_index.c.f_table_name == "district",
            spatial_index.c.f_geometry_column == "geom",
            spatial_index.c.search_frame == r.c.geom,
        )
        condition = and_(d.c.id.in_(candidates), condition)
    return condition


def _located_query(conn: Connection) -> sa.CompoundSelect:
    r, d = RESOURCE.alias("r"), DISTRICT.alias("d")
    by_point = (
        select(r.c.id.label("resource_id"), func.min(d.c.code).label("district_code"))
        .select_from(r.join(d, _spatial_join_condition(conn, r, d)))
        .where(r.c.geom.is_not(None))
        .group_by(r.c.id)
    )
    r2, d2 = RESOURCE.alias("r2"), DISTRICT.alias("d2")
    by_assignment = (
        select(r2.c.id.label("resource_id"), d2.c.code.label("district_code"))
        .select_from(r2.join(d2, r2.c.district_id == d2.c.id))
        .where(r2.c.geom.is_(None))
    )
    return sa.union_all(by_point, by_assignment)


def resource_districts(bind: Bind) -> pd.DataFrame:
    """The district of every resource, by spatial query (same rules as :mod:`mapping.join`).

    Returns
    -------
    pandas.DataFrame
        ``resource_id`` and ``district_code`` (None for a resource in no district), by id.
    """
    with connection(bind) as conn:
        located = _located_query(conn).subquery("located")
        stmt = (
            select(RESOURCE.c.id.label("resource_id"), located.c.district_code)
            .select_from(RESOURCE.outerjoin(located, located.c.resource_id == RESOURCE.c.id))
            .order_by(RESOURCE.c.id)
        )
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=["resource_id", "district_code"], dtype=object)
    frame["resource_id"] = frame["resource_id"].astype("int64")
    return frame


def counts_by_district_category(bind: Bind) -> pd.DataFrame:
    """Resources per district and category, counted in SQL.

    Returns the same frame as :func:`mapping.join.counts_by_district_category`: ``district_code``
    (None for resources in no district), ``category``, ``count``.
    """
    with connection(bind) as conn:
        located = _located_query(conn).subquery("located")
        stmt = (
            select(
                located.c.district_code,
                RESOURCE.c.category,
                func.count().label("count"),
            )
            .select_from(RESOURCE.outerjoin(located, located.c.resource_id == RESOURCE.c.id))
            .group_by(located.c.district_code, RESOURCE.c.category)
        )
        rows = conn.execute(stmt).all()
    return tidy_counts(pd.DataFrame(rows, columns=["district_code", "category", "count"]))
