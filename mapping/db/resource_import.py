"""Saving resources: match every row to a stored one, skip the unchanged, write the rest in bulk.

A row updates the stored resource with the same ``external_id``; a row without one updates a
stored resource of the same name within ``match_within_m`` metres. So importing the same file
twice updates rather than duplicates. Values travel as plain Python lists per column (inserts)
or tuples per row (updates) in the layout ``(*WRITE_COLUMNS, wkb)`` of :mod:`mapping.db.bulk`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping.crs import METRIC_CRS, WEB_CRS, ensure_crs
from mapping.db.audit import Change
from mapping.db.base import RESOURCE, SaveResult, clean, column_values, points_wkb, same_geometry
from mapping.db.bulk import WRITE_COLUMNS, Row, insert_columns, update_rows
from mapping.db.districts import district_ids
from mapping.db.locking import hold_write_lock
from mapping.db.resources import load_resources
from mapping.errors import ValidationError

RESOURCE_TABLE = RESOURCE.name
_EXTERNAL_ID, _NAME = WRITE_COLUMNS.index("external_id"), WRITE_COLUMNS.index("name")
#: Where the WKB stands in a row (after the written columns).
_WKB = len(WRITE_COLUMNS)


def _district_codes(resources: gpd.GeoDataFrame, districts: dict[str, int]) -> pd.Series:
    """The frame's district codes (None where there is no column), refusing unknown ones."""
    if "district_code" not in resources:
        return pd.Series([None] * len(resources), index=resources.index, dtype=object)
    codes = resources["district_code"]
    unknown = codes.notna() & ~codes.astype(object).isin(list(districts))
    if unknown.any():
        number = int(np.flatnonzero(unknown.to_numpy())[0]) + 1
        row = resources.iloc[number - 1]
        raise ValidationError(
            f"resource row {number} (external_id {clean(row.get('external_id'))!r}): field "
            f"district_code expected one of the loaded districts, got {row['district_code']!r}; "
            "load the districts first or correct the code"
        )
    return codes


def resource_columns(resources: gpd.GeoDataFrame, districts: dict[str, int]) -> list[list[Any]]:
    """Database values of every row, column by column (``WRITE_COLUMNS``, then the WKB),
    refusing unknown district codes. ``districts`` maps district codes to database ids."""
    codes = column_values(_district_codes(resources, districts))
    n = len(resources)
    columns = {
        c: column_values(resources[c]) if c in resources else [None] * n
        for c in WRITE_COLUMNS
        if c != "district_id"
    }
    columns["external_id"] = [None if v is None else str(v) for v in columns["external_id"]]
    columns["capacity"] = [None if v is None else int(v) for v in columns["capacity"]]
    columns["synthetic"] = [bool(v) for v in columns["synthetic"]]
    columns["district_id"] = [None if c is None else districts[str(c)] for c in codes]
    return [*(columns[c] for c in WRITE_COLUMNS), points_wkb(resources.geometry)]


def _match_by_name(
    columns: Sequence[Sequence[Any]],
    matches: list[int | None],
    existing: gpd.GeoDataFrame,
    *,
    within_m: float,
) -> None:
    """Match rows without an external id to a stored resource of the same name nearby."""
    external_ids, names, wkb = columns[_EXTERNAL_ID], columns[_NAME], columns[_WKB]
    anonymous = [
        i for i, (e, w) in enumerate(zip(external_ids, wkb, strict=True)) if e is None and w
    ]
    placed = existing[existing.geometry.notna()]
    if not anonymous or not len(placed):
        return
    candidates = gpd.GeoDataFrame(
        {"row": anonymous, "name": [names[i] for i in anonymous]},
        geometry=shapely.from_wkb([wkb[i] for i in anonymous]),
        crs=WEB_CRS,
    ).to_crs(METRIC_CRS)
    stored = placed[["id", "name", "geometry"]].to_crs(METRIC_CRS)
    pairs = gpd.sjoin_nearest(candidates, stored, max_distance=within_m, how="inner")
    pairs = pairs[pairs["name_left"] == pairs["name_right"]]
    taken = {m for m in matches if m is not None}
    for row, stored_id in zip(pairs["row"], pairs["id"], strict=True):
        if matches[row] is None and int(stored_id) not in taken:
            matches[row] = int(stored_id)
            taken.add(int(stored_id))


def match_existing(
    columns: Sequence[Sequence[Any]], existing: gpd.GeoDataFrame, *, within_m: float
) -> list[int | None]:
    """The stored id each row updates: same external_id, else same name within ``within_m``."""
    if not len(existing):
        return [None] * len(columns[_EXTERNAL_ID])
    by_external = {
        eid: int(i)
        for eid, i in zip(existing["external_id"], existing["id"], strict=True)
        if not pd.isna(eid)
    }
    matches: list[int | None] = [by_external.get(e) for e in columns[_EXTERNAL_ID]]
    _match_by_name(columns, matches, existing, within_m=within_m)
    return matches


def _stored_rows(existing: gpd.GeoDataFrame, districts: dict[str, int]) -> dict[int, Row]:
    """The stored resources as rows (``(*WRITE_COLUMNS, wkb)``), by id."""
    n = len(existing)
    columns = {c: column_values(existing[c]) for c in WRITE_COLUMNS if c in existing}
    columns["synthetic"] = [bool(v) for v in columns["synthetic"]]
    codes = column_values(existing["district_code"])
    columns["district_id"] = [None if c is None else districts.get(c) for c in codes]
    wkb = points_wkb(existing.geometry) if n else []
    values = zip(*(columns[c] for c in WRITE_COLUMNS), wkb, strict=True)
    return dict(zip((int(i) for i in existing["id"]), values, strict=True))


def _same_place(new: Row, old: Row) -> bool:
    """The very same point (WKB bytes), or no point in both."""
    return bool(new[_WKB] == old[_WKB])


def _unchanged(new: Row, old: Row) -> bool:
    """Same values (the external id aside: it is what matched, or absent) and same geometry."""
    if new[_EXTERNAL_ID + 1 : _WKB] != old[_EXTERNAL_ID + 1 : _WKB]:
        return False
    new_wkb, old_wkb = new[_WKB], old[_WKB]
    if new_wkb is None or old_wkb is None:
        return new_wkb is None and old_wkb is None
    # Points: compare the WKB bytes first (from_wkb per row would dominate a re-import).
    return _same_place(new, old) or same_geometry(
        shapely.from_wkb(old_wkb), shapely.from_wkb(new_wkb)
    )


def _sort_rows(
    rows: Sequence[Row], matches: Sequence[int | None], stored: dict[int, Row]
) -> tuple[list[Row], list[Row], list[Row]]:
    """Rows to insert, rows to update with their point, rows to update in place (the stored id
    appended to each update)."""
    inserts: list[Row] = []
    moved: list[Row] = []
    kept: list[Row] = []
    for row, match in zip(rows, matches, strict=True):
        if match is None:
            inserts.append(row)
        elif not _unchanged(row, stored[match]):
            (kept if _same_place(row, stored[match]) else moved).append((*row, match))
    return inserts, moved, kept


def save_resources(
    conn: Connection,
    resources: gpd.GeoDataFrame,
    *,
    now: datetime | None = None,
    match_within_m: float = 1.0,
    progress: Callable[[int], None] | None = None,
) -> SaveResult:
    """Insert resources, or update the stored ones they match (see the module doc).

    ``updated_at`` is set on inserted and changed rows only, and ``version`` grows with every
    change. Written in chunks of :data:`mapping.db.bulk.CHUNK_ROWS` in the caller's transaction;
    ``progress(n)`` is called after each chunk with the rows it wrote (and once with the
    unchanged rows). On an error the caller rolls the transaction back: nothing is written.
    The write lock (:func:`mapping.db.locking.hold_write_lock`) is taken before the stored rows
    are read, so two imports at once cannot both miss each other's rows.
    """
    if len(resources) == 0:
        return SaveResult()
    hold_write_lock(conn)  # before reading the rows to match: a concurrent import waits
    now = now or datetime.now(UTC)
    resources = ensure_crs(resources, name="resources")
    districts = district_ids(conn)
    columns = resource_columns(resources, districts)
    existing = load_resources(conn)
    matches = match_existing(columns, existing, within_m=match_within_m)
    moved: list[Row] = []
    kept: list[Row] = []
    changes: list[Change] = []
    inserts: Sequence[Sequence[Any]] = columns  # all new: no rows to build (a first import)
    if any(m is not None for m in matches):
        rows = list(zip(*columns, strict=True))
        stored = _stored_rows(existing, districts)
        new, moved, kept = _sort_rows(rows, matches, stored)
        inserts = list(zip(*new, strict=True)) if new else []
        changes = _changes([*moved, *kept], stored)
    inserted = len(inserts[0]) if inserts else 0
    last_id = int(existing["id"].max()) if len(existing) else 0
    insert_columns(conn, inserts, now=now, progress=progress)
    if inserted:
        changes.extend(_created(conn, last_id))
    update_rows(conn, moved, now=now, progress=progress)
    # A row whose point did not move keeps its geometry: no spatial index update.
    update_rows(conn, kept, now=now, progress=progress, geometry=False)
    unchanged = len(resources) - inserted - len(moved) - len(kept)
    if progress and unchanged:
        progress(unchanged)
    return SaveResult(inserted, len(moved) + len(kept), unchanged, changes=tuple(changes))


def _changes(updates: Sequence[Row], stored: dict[int, Row]) -> list[Change]:
    """The changed fields of each updated row (``(*row, id)``) for the audit log; a moved
    point is the field ``geometry`` as WKT. The external id is what matched: not a change."""
    changes: list[Change] = []
    for update in updates:
        record, old = update[-1], stored[update[-1]]
        for index, name in enumerate(WRITE_COLUMNS):
            if index != _EXTERNAL_ID and update[index] != old[index]:
                changes.append(Change(RESOURCE_TABLE, str(record), name, old[index], update[index]))
        if not _same_place(update, old):
            changes.append(
                Change(RESOURCE_TABLE, str(record), "geometry", _wkt(old[_WKB]), _wkt(update[_WKB]))
            )
    return changes


def _created(conn: Connection, last_id: int) -> list[Change]:
    """One change per resource just inserted (ids above every stored one: the write lock is
    held, and both backends give new rows higher ids), naming it, for the audit log."""
    rows = conn.execute(
        sa.select(RESOURCE.c.id, RESOURCE.c.name, RESOURCE.c.category)
        .where(RESOURCE.c.id > last_id)
        .order_by(RESOURCE.c.id)
    )
    return [
        Change(RESOURCE_TABLE, str(rid), None, None, {"name": name, "category": category})
        for rid, name, category in rows
    ]


def _wkt(wkb: bytes | None) -> str | None:
    return None if wkb is None else str(shapely.from_wkb(wkb).wkt)
