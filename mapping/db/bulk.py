"""Bulk writes of resource rows, one path per backend, inside the caller's transaction.

An import writes up to hundreds of thousands of rows; SQLAlchemy's per-row parameter processing
and SpatiaLite's per-row R-tree trigger cost more than the database work itself. Here the rows
go to the driver as plain tuples:

* SpatiaLite: ``executemany`` with SpatiaLite's geometry blobs built in numpy for points
  (:func:`spatialite_points`; else ``ST_GeomFromWKB``), leaving out the columns that are empty in
  a whole chunk. For a big insert the row triggers do their work once after the rows instead
  of once per row (:data:`_DEFERRED_TRIGGERS`: the R-tree filled in one statement, the data
  version raised by the number of rows, the geometry check done before in Python). They are
  dropped and re-created *inside the same transaction* (SQLite DDL is transactional), so a
  failed import restores them with its rollback, no other writer can insert while they are
  gone (the transaction holds the write lock from the first DROP) and readers keep their WAL
  snapshot of the old schema and rows.
* PostgreSQL: an insert is ``COPY`` straight into the table, the geometry as hex EWKB (the
  server's geometry input checks type and SRID as ``ST_GeomFromWKB`` with the column's type
  would); an update is ``COPY`` into a temporary staging table, then one ``UPDATE ... FROM``
  per chunk. Constraints, foreign keys and triggers apply to ``COPY`` as to ``INSERT``; the
  data-version trigger runs per statement.

Inserts come column by column (``WRITE_COLUMNS``, then the WKB); an update row is
``(*WRITE_COLUMNS, wkb, id)``.
The SQL here is built from the constant column names below, never from input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import repeat
from typing import Any, Literal

import numpy as np
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from mapping.db.base import RESOURCE
from mapping.db.models import SRID
from mapping.errors import ValidationError
from mapping.frames import RESOURCE_ATTRIBUTES

#: Resource columns of a written row, in the order of the row tuples (the WKB follows): the
#: column schema's attributes (mapping.frames) between the external id and the district.
WRITE_COLUMNS: tuple[str, ...] = ("external_id", *RESOURCE_ATTRIBUTES, "district_id")
#: Rows per statement (and per progress step).
CHUNK_ROWS = 5_000
#: From this many inserted rows on, SpatiaLite's R-tree is filled once after the insert.
DEFER_INDEX_ROWS = 2_000
#: SQLite page cache during a bulk write (KiB; the default 2 MiB makes the index updates spill).
BULK_CACHE_KIB = 65_536

Row = tuple[Any, ...]
Progress = Callable[[int], None] | None

_TABLE, _GEOMETRY = RESOURCE.name, "geom"
_COLUMNS = ", ".join(WRITE_COLUMNS)


def _chunks(rows: Sequence[Row]) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), CHUNK_ROWS):
        yield rows[start : start + CHUNK_ROWS]


def _dbapi(conn: Connection) -> Any:
    """The driver's connection under ``conn``, in the same transaction."""
    return conn.connection.dbapi_connection


@contextmanager
def _driver_errors(conn: Connection) -> Iterator[None]:
    """The driver's errors as SQLAlchemy's (IntegrityError, ...), as ``conn.execute`` gives them."""
    error = conn.dialect.loaded_dbapi.Error
    try:
        yield
    except error as exc:
        raise DBAPIError.instance(None, None, exc, error, dialect=conn.dialect) from exc


def insert_columns(
    conn: Connection, columns: Sequence[Sequence[Any]], *, now: datetime, progress: Progress = None
) -> None:
    """Insert resources given column by column (``WRITE_COLUMNS``, then the WKB), with
    ``updated_at = now`` and ``version = 1``, in input order."""
    if not columns or not len(columns[0]):
        return
    with _driver_errors(conn):
        if conn.dialect.name == "postgresql":
            _copy_insert(conn, columns, now=now, progress=progress)
        else:
            _sqlite_insert(conn, columns, now=now, progress=progress)


def update_rows(
    conn: Connection,
    rows: Sequence[Row],
    *,
    now: datetime,
    progress: Progress = None,
    geometry: bool = True,
) -> None:
    """Overwrite the stored resources whose id ends each row; ``version`` grows by one.

    With ``geometry=False`` the stored geometry is kept (the row's WKB is ignored), so that
    the spatial index is not touched.
    """
    if not rows:
        return
    with _driver_errors(conn):
        if conn.dialect.name == "postgresql":
            _copy_rows(conn, rows, now=now, progress=progress, geometry=geometry)
        else:
            _sqlite_update(conn, rows, now=now, progress=progress, geometry=geometry)


# --- SpatiaLite ------------------------------------------------------------------------------


def _sqlite_stamp(conn: Connection, now: datetime) -> Any:
    """``now`` as SQLAlchemy stores it in ``updated_at`` on this backend."""
    column_type = RESOURCE.c.updated_at.type
    processor = column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return processor(now) if processor else now


def _sqlite_insert(
    conn: Connection, columns: Sequence[Sequence[Any]], *, now: datetime, progress: Progress
) -> None:
    stamp = _sqlite_stamp(conn, now)
    count = len(columns[0])
    blobs = spatialite_points(columns[-1])
    geometry = "?" if blobs is not None else f"ST_GeomFromWKB(?, {SRID})"
    wkb = blobs if blobs is not None else columns[-1]
    raw = _dbapi(conn)
    cursor = raw.cursor()
    try:
        with _bulk_cache(cursor, count), _deferred_triggers(raw, cursor, columns[-1]):
            for start in range(0, count, CHUNK_ROWS):
                chunk = [column[start : start + CHUNK_ROWS] for column in columns]
                size = len(chunk[0])
                # Columns that are empty in the whole chunk are left to their default (NULL):
                # binding them costs about as much as the rest of the row (measured).
                used = [i for i, values in enumerate(chunk[:-1]) if values.count(None) < size]
                names = "".join(f"{WRITE_COLUMNS[i]}, " for i in used)
                marks = "".join("?, " for _ in used)
                sql = (
                    f"INSERT INTO {_TABLE} ({names}{_GEOMETRY}, updated_at, version) "  # noqa: S608
                    f"VALUES ({marks}{geometry}, ?, 1)"
                )
                points = wkb[start : start + CHUNK_ROWS]
                params = zip(*(chunk[i] for i in used), points, repeat(stamp, size), strict=True)
                cursor.executemany(sql, params)
                if progress:
                    progress(size)
    finally:
        cursor.close()


def _sqlite_update(
    conn: Connection, rows: Sequence[Row], *, now: datetime, progress: Progress, geometry: bool
) -> None:
    stamp = _sqlite_stamp(conn, now)
    sets = "".join(f"{c} = ?, " for c in WRITE_COLUMNS)
    point = f"{_GEOMETRY} = ST_GeomFromWKB(?, {SRID}), " if geometry else ""
    sql = (
        f"UPDATE {_TABLE} SET {sets}{point}updated_at = ?, version = version + 1 "  # noqa: S608
        "WHERE id = ?"
    )
    wkb = len(WRITE_COLUMNS) + 1 if geometry else len(WRITE_COLUMNS)
    cursor = _dbapi(conn).cursor()
    try:
        with _bulk_cache(cursor, len(rows)):
            for chunk in _chunks(rows):
                cursor.executemany(sql, [(*row[:wkb], stamp, row[-1]) for row in chunk])
                if progress:
                    progress(len(chunk))
    finally:
        cursor.close()


def spatialite_points(wkb: Sequence[bytes | None]) -> list[bytes] | None:
    """SpatiaLite's own geometry blobs of 2D little-endian WKB points in palmap's SRID, built
    with numpy; None unless every value is such a point (then ``ST_GeomFromWKB`` does it).

    The blob (SpatiaLite's "BLOB-Geometry" format) is what ``ST_GeomFromWKB(wkb, 4326)``
    stores: start 0x00, little-endian 0x01, the SRID, the bounding box (x, y, x, y), 0x7C, the
    class (1 = point), x, y, end 0xFE: 60 bytes. Inserting it directly skips one SQL function
    call per row (tests/db/test_bulk.py compares it with SpatiaLite's).

    Examples
    --------
    >>> blob = spatialite_points([bytes.fromhex("0101000000000000000000f03f0000000000000040")])
    >>> len(blob[0]), blob[0][:6].hex(), blob[0][-1]
    (60, '0001e6100000', 254)
    >>> spatialite_points([None]) is None
    True
    """
    present = [w for w in wkb if w is not None]
    if not wkb or len(present) != len(wkb) or any(len(w) != 21 for w in present):
        return None
    raw = np.frombuffer(b"".join(present), dtype=np.uint8).reshape(-1, 21)
    if not (raw[:, :5] == _POINT_HEADERS[0]).all():
        return None
    xy = raw[:, 5:]
    out = np.empty((len(raw), 60), dtype=np.uint8)
    out[:, :6] = np.frombuffer(b"\x00\x01" + SRID.to_bytes(4, "little"), np.uint8)
    out[:, 6:22] = xy  # minimum x, y
    out[:, 22:38] = xy  # maximum x, y
    out[:, 38:43] = np.frombuffer(b"\x7c" + (1).to_bytes(4, "little"), np.uint8)
    out[:, 43:59] = xy
    out[:, 59] = 0xFE
    data = out.tobytes()
    return [data[start : start + 60] for start in range(0, len(data), 60)]


@contextmanager
def _bulk_cache(cursor: Any, rows: int) -> Iterator[None]:
    """A bigger SQLite page cache while many rows are written; the old size afterwards."""
    if rows < DEFER_INDEX_ROWS:
        yield
        return
    old = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(old)}")


#: SQLite row triggers on ``resource`` that a big insert replaces with one statement each after
#: the rows (run with the old maximum rowid and the number of rows): SpatiaLite's R-tree
#: (``gii_``) and last-insert time (``tmi_``), and palmap's data version (migration 0002).
#: SpatiaLite's geometry check (``ggi_``) is replaced by :func:`_check_points` before the insert.
_DEFERRED_TRIGGERS: dict[str, str] = {
    f"gii_{_TABLE}_{_GEOMETRY}": (
        f'INSERT INTO "idx_{_TABLE}_{_GEOMETRY}" (pkid, xmin, xmax, ymin, ymax) '  # noqa: S608
        f"SELECT rowid, MbrMinX({_GEOMETRY}), MbrMaxX({_GEOMETRY}), MbrMinY({_GEOMETRY}), "
        f"MbrMaxY({_GEOMETRY}) FROM {_TABLE} "
        f"WHERE rowid > :last AND {_GEOMETRY} IS NOT NULL"
    ),
    f"tmi_{_TABLE}_{_GEOMETRY}": (
        "UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
        "WHERE Lower(f_table_name) = :table AND Lower(f_geometry_column) = :column"
    ),
    f"ggi_{_TABLE}_{_GEOMETRY}": "",
    f"trg_data_version_{_TABLE}_insert": (
        "UPDATE data_version SET version = version + :rows WHERE id = 1"
    ),
}


#: The first five bytes of a 2D point's WKB (21 bytes long), little- and big-endian.
_POINT_HEADERS = np.array([[1, 1, 0, 0, 0], [0, 0, 0, 0, 1]], dtype=np.uint8)


def _check_points(wkb: Sequence[bytes | None]) -> None:
    """Refuse anything but 2D points (or none), as SpatiaLite's ``ggi_`` trigger would.

    Reads the WKB headers with numpy (parsing 100,000 points with shapely costs 0.1 s).
    """
    present = [w for w in wkb if w is not None]
    points = set(map(len, present)) <= {21}
    if points and present:
        headers = np.frombuffer(b"".join(present), dtype=np.uint8).reshape(-1, 21)[:, :5]
        points = bool((headers[:, None, :] == _POINT_HEADERS).all(axis=2).any(axis=1).all())
    if not points:
        raise ValidationError(
            f"field geometry of {_TABLE} expected 2D points, got another geometry type; give "
            "the resources point geometry (or none)"
        )


@contextmanager
def _deferred_triggers(raw: Any, cursor: Any, wkb: Sequence[bytes | None]) -> Iterator[None]:
    """Run :data:`_DEFERRED_TRIGGERS` once after a big insert instead of once per row.

    The triggers are dropped and re-created inside the insert's transaction (see the module doc).
    """
    names = list(_DEFERRED_TRIGGERS)
    saved: dict[str, str] = {}
    if len(wkb) >= DEFER_INDEX_ROWS:
        marks = ", ".join("?" for _ in names)
        found = cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",  # noqa: S608
            names,
        )
        saved = dict(found.fetchall())
    if not saved:  # a small insert, or nothing to defer
        yield
        return
    _check_points(wkb)
    if not raw.in_transaction:
        # The driver opens its transaction only before DML; DDL must not run outside it.
        cursor.execute("BEGIN IMMEDIATE")
    # New rows get rowids above the old maximum (no AUTOINCREMENT, the write lock is held).
    last = cursor.execute(f"SELECT coalesce(max(rowid), 0) FROM {_TABLE}").fetchone()[0]  # noqa: S608
    for name in saved:
        cursor.execute(f'DROP TRIGGER "{name}"')
    params = {"last": last, "rows": len(wkb), "table": _TABLE, "column": _GEOMETRY}
    try:
        yield
        for name in saved:
            if _DEFERRED_TRIGGERS[name]:
                cursor.execute(_DEFERRED_TRIGGERS[name], params)
    finally:
        # After a failed statement the transaction may still be open: put the triggers back
        # (after a rollback they are back already).
        for name, sql in saved.items():
            exists = cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
            ).fetchone()
            if exists is None:
                cursor.execute(sql)


# --- PostgreSQL ------------------------------------------------------------------------------

_STAGE = "palmap_resource_stage"
_STAGE_COLUMNS = (
    "external_id text, name text, category text, address text, capacity integer, "
    "operator text, phone text, website text, opening_hours text, description text, "
    "source text, synthetic boolean, district_id integer, wkb bytea, id integer, seq integer"
)


#: The EWKB type flag that says an SRID follows the type (PostGIS's extended WKB).
_EWKB_SRID_FLAG = 0x20000000


def ewkb_hex(wkb: bytes | None, srid: int = SRID) -> str | None:
    """WKB as the hex EWKB text with ``srid`` that PostGIS's geometry input reads (as in COPY).

    Examples
    --------
    >>> ewkb_hex(bytes.fromhex("0101000000000000000000f03f0000000000000040"), 4326)
    '0101000020e6100000000000000000f03f0000000000000040'
    >>> ewkb_hex(None) is None
    True
    """
    if wkb is None:
        return None
    order: Literal["little", "big"] = "little" if wkb[0] == 1 else "big"
    kind = int.from_bytes(wkb[1:5], order)
    if kind & _EWKB_SRID_FLAG:
        return wkb.hex()
    flagged = (kind | _EWKB_SRID_FLAG).to_bytes(4, order)
    return (wkb[:1] + flagged + srid.to_bytes(4, order) + wkb[5:]).hex()


#: A little-endian 2D point's EWKB header with palmap's SRID (replaces the WKB's first 5 bytes).
_POINT_EWKB_HEADER = np.frombuffer(
    b"\x01" + (1 | _EWKB_SRID_FLAG).to_bytes(4, "little") + SRID.to_bytes(4, "little"), np.uint8
)


def ewkb_hex_column(wkb: Sequence[bytes | None]) -> list[str | None]:
    """:func:`ewkb_hex` of every value; little-endian 2D points (all of an import's) in one go."""
    present = [w for w in wkb if w is not None]
    if not wkb or len(present) != len(wkb) or any(len(w) != 21 for w in present):
        return [ewkb_hex(w) for w in wkb]
    raw = np.frombuffer(b"".join(present), dtype=np.uint8).reshape(-1, 21)
    if not (raw[:, :5] == _POINT_HEADERS[0]).all():
        return [ewkb_hex(w) for w in wkb]
    out = np.empty((len(raw), 25), dtype=np.uint8)
    out[:, :9] = _POINT_EWKB_HEADER
    out[:, 9:] = raw[:, 5:]
    text = out.tobytes().hex()
    return [text[start : start + 50] for start in range(0, len(text), 50)]


def _copy_insert(
    conn: Connection, columns: Sequence[Sequence[Any]], *, now: datetime, progress: Progress
) -> None:
    """COPY new rows straight into the table, one COPY per chunk, in input order.

    Without the staging table and its ``INSERT ... SELECT ... ORDER BY`` the server writes
    each row once instead of twice (same transaction, same constraints and triggers).
    """
    names = f"{_COLUMNS}, {_GEOMETRY}, updated_at, version"
    geometry = ewkb_hex_column(columns[-1])
    count = len(geometry)
    with _dbapi(conn).cursor() as cursor:
        for start in range(0, count, CHUNK_ROWS):
            end = min(start + CHUNK_ROWS, count)
            values = [column[start:end] for column in columns[:-1]]
            with cursor.copy(f"COPY {_TABLE} ({names}) FROM STDIN") as copy:  # noqa: S608
                for row in zip(*values, geometry[start:end], strict=True):
                    copy.write_row((*row, now, 1))
            if progress:
                progress(end - start)


def _copy_rows(
    conn: Connection,
    rows: Sequence[Row],
    *,
    now: datetime,
    progress: Progress,
    geometry: bool = True,
) -> None:
    """COPY each chunk into a temporary table, then update from it in one statement."""
    staged = (*WRITE_COLUMNS, "wkb", "id", "seq")
    sets = "".join(f"{c} = s.{c}, " for c in WRITE_COLUMNS)
    point = f"{_GEOMETRY} = ST_GeomFromWKB(s.wkb, {SRID}), " if geometry else ""
    apply = (
        f"UPDATE {_TABLE} AS r SET {sets}{point}updated_at = %s, "  # noqa: S608
        f"version = r.version + 1 FROM {_STAGE} AS s WHERE r.id = s.id"
    )
    with _dbapi(conn).cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_STAGE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_STAGE} ({_STAGE_COLUMNS}) ON COMMIT DROP")
        seq = 0
        for chunk in _chunks(rows):
            with cursor.copy(f"COPY {_STAGE} ({', '.join(staged)}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row((*row, seq))
                    seq += 1
            cursor.execute(apply, (now,))
            cursor.execute(f"TRUNCATE {_STAGE}")
            if progress:
                progress(len(chunk))
        cursor.execute(f"DROP TABLE {_STAGE}")
