"""The only module with SQL: GeoDataFrames in, GeoDataFrames out.

Reads take an :class:`~sqlalchemy.engine.Engine` or an open
:class:`~sqlalchemy.engine.Connection`; writes take a Connection inside the caller's transaction
(``with engine.begin() as conn: ...``), so that an import is written whole or not at all.
Frames follow :mod:`mapping.frames`; geometry travels as WKB in EPSG:4326.

Saves are upserts on natural keys (district ``code``, resource ``external_id``, indicator
``code``, value ``(district, indicator, year)``) and skip rows that did not change, so loading the
same data twice changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection, Engine

from mapping.crs import METRIC_CRS, WEB_CRS, ensure_crs
from mapping.db.models import (
    SRID,
    DataVersion,
    District,
    Indicator,
    IndicatorValue,
    Resource,
    ResourceCategory,
)
from mapping.errors import DatabaseNotReadyError, ValidationError
from mapping.frames import (
    CATEGORY_COLUMNS,
    DISTRICT_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATOR_VALUE_COLUMNS,
    RESOURCE_COLUMNS,
)
from mapping.join import tidy_counts

Bind = Engine | Connection

#: Rows per executemany call when saving resources (and per progress step).
CHUNK_ROWS = 5_000

_district = District.__table__
_category = ResourceCategory.__table__
_resource = Resource.__table__
_indicator = Indicator.__table__
_value = IndicatorValue.__table__

#: Tables in the order they can be filled (and backed up, and counted).
TABLES: tuple[str, ...] = (
    "district",
    "resource_category",
    "resource",
    "indicator",
    "indicator_value",
)


@dataclass(frozen=True)
class SaveResult:
    """What a save did: rows inserted, updated and left as they were."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: SaveResult) -> SaveResult:
        return SaveResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@contextmanager
def _connection(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


def _clean(value: Any) -> Any:
    """pandas missing values to None, numpy scalars to Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


def _geom_from_wkb(column: Any) -> Any:
    return func.ST_GeomFromWKB(column, SRID)


def _geometry_param(geom: Any, *, multi: bool) -> bytes | None:
    if geom is None or geom.is_empty:
        return None
    geom = shapely.force_2d(geom)
    if multi and geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    return shapely.to_wkb(geom)


def _read_geometry(wkb_values: pd.Series) -> gpd.GeoSeries:
    raw = [bytes(v) if v is not None else None for v in wkb_values]
    return gpd.GeoSeries(shapely.from_wkb(raw), index=wkb_values.index, crs=WEB_CRS)


def _same_geometry(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    # normalize: the same shape written with another ring start or orientation (SHP, GeoJSON) is
    # the same geometry.
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=1e-9))


def schema_ready(bind: Bind) -> bool:
    """True when every palmap table exists (the database was migrated)."""
    with _connection(bind) as conn:
        names = set(sa.inspect(conn).get_table_names())
    return set(TABLES) <= names


def require_schema(bind: Bind) -> None:
    """Raise :class:`DatabaseNotReadyError` unless the database was migrated."""
    if not schema_ready(bind):
        raise DatabaseNotReadyError(
            "expected a migrated palmap database, got one without palmap's tables; "
            "run `palmap init-db` first"
        )


def data_version(bind: Bind) -> int:
    """The data version: a counter that every insert, update or delete in palmap's tables raises,
    whoever makes it (database triggers of migration 0002). Pages are cached per version.

    Examples
    --------
    >>> import tempfile
    >>> from mapping.db.engine import create_engine, default_sqlite_url
    >>> from mapping.db.migrate import upgrade
    >>> engine = create_engine(default_sqlite_url(tempfile.mkdtemp()))
    >>> _ = upgrade(engine)
    >>> before = data_version(engine)
    >>> with engine.begin() as conn:
    ...     _ = conn.execute(sa.text("UPDATE resource_category SET colour = '#000000'"))
    >>> data_version(engine) > before
    True
    """
    try:
        with _connection(bind) as conn:
            return int(conn.execute(select(DataVersion.version)).scalar_one())
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
        require_schema(bind)  # no palmap tables at all: say "run init-db" for that
        raise DatabaseNotReadyError(
            "expected a palmap database at the newest schema, got one without its data "
            "version; run `palmap init-db` to upgrade it (nothing is lost)"
        ) from error


def table_counts(bind: Bind) -> dict[str, int]:
    """Number of rows in every palmap table.

    Examples
    --------
    >>> import tempfile
    >>> from mapping.db.engine import create_engine, default_sqlite_url
    >>> from mapping.db.migrate import upgrade
    >>> engine = create_engine(default_sqlite_url(tempfile.mkdtemp()))
    >>> _ = upgrade(engine)
    >>> table_counts(engine)["resource_category"]
    11
    """
    tables = {t.name: t for t in (_district, _category, _resource, _indicator, _value)}
    with _connection(bind) as conn:
        return {
            name: conn.execute(select(func.count()).select_from(tables[name])).scalar_one()
            for name in TABLES
        }


def is_empty(bind: Bind) -> bool:
    """True when no district has been loaded yet."""
    with _connection(bind) as conn:
        return conn.execute(select(func.count()).select_from(_district)).scalar_one() == 0


# --- districts -------------------------------------------------------------------------------


def load_districts(bind: Bind) -> gpd.GeoDataFrame:
    """All districts, ordered by code (columns of :data:`mapping.frames.DISTRICT_COLUMNS`)."""
    stmt = select(
        _district.c.id,
        _district.c.code,
        _district.c.name,
        _district.c.source,
        _district.c.schematic,
        func.ST_AsBinary(_district.c.geom).label("wkb"),
    ).order_by(_district.c.code)
    with _connection(bind) as conn:
        rows = pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[*DISTRICT_COLUMNS[:-1], "wkb"]
        )
    rows["id"] = rows["id"].astype("int64")
    rows["schematic"] = rows["schematic"].astype(bool)
    geometry = _read_geometry(rows.pop("wkb"))
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=WEB_CRS)[list(DISTRICT_COLUMNS)]


def district_ids(bind: Bind) -> dict[str, int]:
    """District code to database id."""
    with _connection(bind) as conn:
        return dict(conn.execute(select(_district.c.code, _district.c.id)).all())


def save_districts(
    conn: Connection, districts: gpd.GeoDataFrame, *, replace: bool = False
) -> SaveResult:
    """Insert or update districts by ``code``.

    With ``replace=True`` districts missing from the frame are deleted (their resources lose their
    assigned district, their indicator values go with them).
    """
    districts = ensure_crs(districts, name="districts")
    existing = load_districts(conn).set_index("code")
    inserted = updated = unchanged = 0
    for row in districts.itertuples(index=False):
        code = str(row.code)
        values = {
            "name": str(row.name),
            "source": _clean(getattr(row, "source", None)),
            "schematic": bool(_clean(getattr(row, "schematic", False)) or False),
        }
        wkb = _geometry_param(row.geometry, multi=True)
        if code in existing.index:
            old = existing.loc[code]
            same = (
                old["name"] == values["name"]
                and _clean(old["source"]) == values["source"]
                and bool(old["schematic"]) == values["schematic"]
                and _same_geometry(old.geometry, shapely.from_wkb(wkb))
            )
            if same:
                unchanged += 1
                continue
            conn.execute(
                _district.update()
                .where(_district.c.code == code)
                .values(**values, geom=_geom_from_wkb(sa.literal(wkb, sa.LargeBinary)))
            )
            updated += 1
        else:
            conn.execute(
                _district.insert().values(
                    code=code, **values, geom=_geom_from_wkb(sa.literal(wkb, sa.LargeBinary))
                )
            )
            inserted += 1
    if replace:
        keep = [str(c) for c in districts["code"]]
        conn.execute(_district.delete().where(_district.c.code.not_in(keep)))
    return SaveResult(inserted, updated, unchanged)


# --- categories ------------------------------------------------------------------------------


def load_categories(bind: Bind) -> pd.DataFrame:
    """All resource categories, ordered by code."""
    stmt = select(*(_category.c[c] for c in CATEGORY_COLUMNS)).order_by(_category.c.code)
    with _connection(bind) as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=list(CATEGORY_COLUMNS))


def save_categories(conn: Connection, categories: pd.DataFrame) -> SaveResult:
    """Insert or update resource categories by ``code``."""
    existing = load_categories(conn).set_index("code")
    inserted = updated = unchanged = 0
    for row in categories.to_dict("records"):
        values = {c: _clean(row.get(c)) for c in CATEGORY_COLUMNS}
        code = values.pop("code")
        if code in existing.index:
            old = {c: _clean(existing.loc[code, c]) for c in values}
            if old == values:
                unchanged += 1
                continue
            conn.execute(_category.update().where(_category.c.code == code).values(**values))
            updated += 1
        else:
            conn.execute(_category.insert().values(code=code, **values))
            inserted += 1
    return SaveResult(inserted, updated, unchanged)


# --- resources -------------------------------------------------------------------------------

_RESOURCE_FIELDS: tuple[str, ...] = (
    "name",
    "category",
    "address",
    "capacity",
    "operator",
    "phone",
    "website",
    "opening_hours",
    "description",
    "source",
    "synthetic",
)


def load_resources(
    bind: Bind, *, category: str | None = None, district: str | None = None
) -> gpd.GeoDataFrame:
    """Resources ordered by id, optionally of one category and/or assigned to one district code.

    ``district_code`` is the district a resource is *assigned* to (rows known only by district);
    use :func:`resource_districts` for the district a point lies in.
    """
    stmt = (
        select(
            _resource.c.id,
            _resource.c.external_id,
            *(_resource.c[c] for c in _RESOURCE_FIELDS[:2]),
            _resource.c.address,
            _district.c.code.label("district_code"),
            *(_resource.c[c] for c in _RESOURCE_FIELDS[3:]),
            _resource.c.updated_at,
            func.ST_AsBinary(_resource.c.geom).label("wkb"),
        )
        .select_from(_resource.outerjoin(_district, _resource.c.district_id == _district.c.id))
        .order_by(_resource.c.id)
    )
    if category is not None:
        stmt = stmt.where(_resource.c.category == category)
    if district is not None:
        stmt = stmt.where(_district.c.code == district)
    with _connection(bind) as conn:
        rows = pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[*RESOURCE_COLUMNS[:-1], "wkb"]
        )
    rows["id"] = rows["id"].astype("int64")
    rows["capacity"] = rows["capacity"].astype("Int64")
    rows["synthetic"] = rows["synthetic"].astype(bool)
    geometry = _read_geometry(rows.pop("wkb"))
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=WEB_CRS)[list(RESOURCE_COLUMNS)]


def _resource_rows(resources: gpd.GeoDataFrame, districts: dict[str, int]) -> list[dict[str, Any]]:
    """Database values of every row, refusing unknown district codes."""
    codes = (
        resources["district_code"]
        if "district_code" in resources
        else pd.Series([None] * len(resources), index=resources.index)
    )
    unknown = codes.notna() & ~codes.astype(object).isin(list(districts))
    if unknown.any():
        number = int(np.flatnonzero(unknown.to_numpy())[0]) + 1
        row = resources.iloc[number - 1]
        raise ValidationError(
            f"resource row {number} (external_id {_clean(row.get('external_id'))!r}): field "
            f"district_code expected one of the loaded districts, got {row['district_code']!r}; "
            "load the districts first or correct the code"
        )
    geometries = _points_wkb(resources.geometry)
    n = len(resources)
    columns = {
        c: _column_values(resources[c]) if c in resources else [None] * n
        for c in ("external_id", *_RESOURCE_FIELDS)
    }
    district_values = _column_values(codes)
    rows = []
    for i in range(n):
        values = {c: columns[c][i] for c in columns}
        values["synthetic"] = bool(values["synthetic"] or False)
        if values["capacity"] is not None:
            values["capacity"] = int(values["capacity"])
        if values["external_id"] is not None:
            values["external_id"] = str(values["external_id"])
        code = district_values[i]
        values["district_id"] = districts[str(code)] if code is not None else None
        values["wkb"] = geometries[i]
        rows.append(values)
    return rows


def _column_values(column: pd.Series) -> list[Any]:
    """A column as Python values with every kind of missing value as None (vectorised)."""
    values = column.astype(object)
    return [_clean(v) for v in values.where(values.notna(), None).tolist()]


def _points_wkb(geometry: gpd.GeoSeries) -> list[bytes | None]:
    """2D WKB of every geometry, None for missing or empty ones (vectorised)."""
    array = np.asarray(geometry.array, dtype=object)
    missing = shapely.is_missing(array) | shapely.is_empty(array)
    wkb = np.full(len(array), None, dtype=object)
    if (~missing).any():
        wkb[~missing] = shapely.to_wkb(shapely.force_2d(array[~missing]))
    return wkb.tolist()


def _match_existing(
    rows: list[dict[str, Any]], existing: gpd.GeoDataFrame, *, within_m: float
) -> list[int | None]:
    """The stored id each row updates: same external_id, else same name within ``within_m``."""
    by_external = {
        eid: int(i)
        for eid, i in zip(existing["external_id"], existing["id"], strict=True)
        if not pd.isna(eid)
    }
    matches: list[int | None] = [
        by_external.get(r["external_id"]) if r["external_id"] is not None else None for r in rows
    ]
    anonymous = [i for i, r in enumerate(rows) if r["external_id"] is None and r["wkb"] is not None]
    placed = existing[existing.geometry.notna()]
    if anonymous and len(placed):
        candidates = gpd.GeoDataFrame(
            {"row": anonymous, "name": [rows[i]["name"] for i in anonymous]},
            geometry=shapely.from_wkb([rows[i]["wkb"] for i in anonymous]),
            crs=WEB_CRS,
        ).to_crs(METRIC_CRS)
        stored = placed[["id", "name", "geometry"]].to_crs(METRIC_CRS)
        pairs = gpd.sjoin_nearest(candidates, stored, max_distance=within_m, how="inner")
        pairs = pairs[pairs["name_left"] == pairs["name_right"]]
        taken = set(by_external.values())
        for row, stored_id in zip(pairs["row"], pairs["id"], strict=True):
            if matches[row] is None and int(stored_id) not in taken:
                matches[row] = int(stored_id)
                taken.add(int(stored_id))
    return matches


def _resource_unchanged(new: dict[str, Any], old: dict[str, Any]) -> bool:
    for field in (*_RESOURCE_FIELDS, "district_id"):
        if new[field] != old[field]:
            return False
    old_geom, new_wkb = old["geometry"], new["wkb"]
    if old_geom is None or new_wkb is None:
        return old_geom is None and new_wkb is None
    # Points: compare coordinates directly (from_wkb per row would dominate a re-import).
    return shapely.to_wkb(old_geom) == new_wkb or _same_geometry(
        old_geom, shapely.from_wkb(new_wkb)
    )


def save_resources(
    conn: Connection,
    resources: gpd.GeoDataFrame,
    *,
    now: datetime | None = None,
    match_within_m: float = 1.0,
    progress: Callable[[int], None] | None = None,
) -> SaveResult:
    """Insert resources, or update the stored ones they match.

    A row matches the stored resource with the same ``external_id``; a row without one matches a
    stored resource of the same name within ``match_within_m`` metres. So importing the same file
    twice updates rather than duplicates. ``updated_at`` is set on inserted and changed rows only,
    and ``version`` grows with every change. Written with executemany in chunks of
    :data:`CHUNK_ROWS`; ``progress(n)`` is called after each chunk with the rows it wrote.
    """
    if len(resources) == 0:
        return SaveResult()
    now = now or datetime.now(UTC)
    resources = ensure_crs(resources, name="resources")
    districts = district_ids(conn)
    rows = _resource_rows(resources, districts)
    existing = load_resources(conn)
    matches = _match_existing(rows, existing, within_m=match_within_m)
    ids_by_code = {code: i for code, i in districts.items()}
    old_rows: dict[int, dict[str, Any]] = {}
    if any(m is not None for m in matches):
        columns = {c: _column_values(existing[c]) for c in (*_RESOURCE_FIELDS, "district_code")}
        geometries = existing.geometry.tolist()
        for i, stored_id in enumerate(existing["id"].tolist()):
            values = {c: columns[c][i] for c in _RESOURCE_FIELDS}
            values["synthetic"] = bool(values["synthetic"])
            code = columns["district_code"][i]
            values["district_id"] = ids_by_code.get(code) if code is not None else None
            values["geometry"] = geometries[i]
            old_rows[int(stored_id)] = values
    inserts, updates, unchanged = [], [], 0
    for row, match in zip(rows, matches, strict=True):
        params = {f"p_{k}": v for k, v in row.items()}
        if match is None:
            inserts.append(params)
        elif _resource_unchanged(row, old_rows[match]):
            unchanged += 1
        else:
            params["p_id"] = match
            updates.append(params)
    value_columns = ("external_id", *_RESOURCE_FIELDS, "district_id")
    geom = func.ST_GeomFromWKB(sa.bindparam("p_wkb", type_=sa.LargeBinary), SRID)
    if inserts:
        stmt = _resource.insert().values(
            {
                **{c: sa.bindparam(f"p_{c}") for c in value_columns},
                "geom": geom,
                "updated_at": now,
                "version": 1,
            }
        )
        for start in range(0, len(inserts), CHUNK_ROWS):
            conn.execute(stmt, inserts[start : start + CHUNK_ROWS])
            if progress:
                progress(len(inserts[start : start + CHUNK_ROWS]))
    if updates:
        stmt = (
            _resource.update()
            .where(_resource.c.id == sa.bindparam("p_id"))
            .values(
                {
                    **{c: sa.bindparam(f"p_{c}") for c in value_columns},
                    "geom": geom,
                    "updated_at": now,
                    "version": _resource.c.version + 1,
                }
            )
        )
        for start in range(0, len(updates), CHUNK_ROWS):
            conn.execute(stmt, updates[start : start + CHUNK_ROWS])
            if progress:
                progress(len(updates[start : start + CHUNK_ROWS]))
    if progress and unchanged:
        progress(unchanged)
    return SaveResult(len(inserts), len(updates), unchanged)


def delete_resources(conn: Connection) -> int:
    """Delete every resource (``--replace``); return how many were deleted."""
    return conn.execute(_resource.delete()).rowcount


def delete_indicator_values(conn: Connection, indicators: list[str]) -> int:
    """Delete every value of the given indicators (``--replace``); return how many."""
    if not indicators:
        return 0
    return conn.execute(_value.delete().where(_value.c.indicator.in_(indicators))).rowcount


def _spatial_join_condition(conn: Connection, r: Any, d: Any) -> Any:
    condition = func.ST_Intersects(d.c.geom, r.c.geom)
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
    r, d = _resource.alias("r"), _district.alias("d")
    by_point = (
        select(r.c.id.label("resource_id"), func.min(d.c.code).label("district_code"))
        .select_from(r.join(d, _spatial_join_condition(conn, r, d)))
        .where(r.c.geom.is_not(None))
        .group_by(r.c.id)
    )
    r2, d2 = _resource.alias("r2"), _district.alias("d2")
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
    with _connection(bind) as conn:
        located = _located_query(conn).subquery("located")
        stmt = (
            select(_resource.c.id.label("resource_id"), located.c.district_code)
            .select_from(_resource.outerjoin(located, located.c.resource_id == _resource.c.id))
            .order_by(_resource.c.id)
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
    with _connection(bind) as conn:
        located = _located_query(conn).subquery("located")
        stmt = (
            select(
                located.c.district_code,
                _resource.c.category,
                func.count().label("count"),
            )
            .select_from(_resource.outerjoin(located, located.c.resource_id == _resource.c.id))
            .group_by(located.c.district_code, _resource.c.category)
        )
        rows = conn.execute(stmt).all()
    return tidy_counts(pd.DataFrame(rows, columns=["district_code", "category", "count"]))


# --- indicators ------------------------------------------------------------------------------


def load_indicators(bind: Bind) -> pd.DataFrame:
    """All indicators, ordered by code."""
    stmt = select(*(_indicator.c[c] for c in INDICATOR_COLUMNS)).order_by(_indicator.c.code)
    with _connection(bind) as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=list(INDICATOR_COLUMNS))
    frame["higher_is_more_need"] = frame["higher_is_more_need"].astype(bool)
    return frame


def save_indicators(conn: Connection, indicators: pd.DataFrame) -> SaveResult:
    """Insert or update indicators by ``code`` (a denominator may be defined in the same frame)."""
    known = set(load_indicators(conn)["code"]) | set(indicators["code"])
    rows = []
    for number, row in enumerate(indicators.to_dict("records"), start=1):
        values = {c: _clean(row.get(c)) for c in INDICATOR_COLUMNS}
        values["higher_is_more_need"] = bool(values["higher_is_more_need"])
        if values["denominator"] is not None and values["denominator"] not in known:
            raise ValidationError(
                f"indicator row {number} ({values['code']!r}): field denominator expected one of "
                f"{', '.join(sorted(known))}, got {values['denominator']!r}; define that indicator"
                " too or leave denominator empty"
            )
        rows.append(values)
    existing = load_indicators(conn).set_index("code")
    inserted = updated = unchanged = 0
    # First without denominators, so that a row may refer to one defined later in the frame.
    for values in rows:
        code = values["code"]
        fields = {k: v for k, v in values.items() if k not in ("code", "denominator")}
        if code in existing.index:
            old = {k: _clean(existing.loc[code, k]) for k in fields}
            old["higher_is_more_need"] = bool(old["higher_is_more_need"])
            if old == fields and _clean(existing.loc[code, "denominator"]) == values["denominator"]:
                unchanged += 1
                continue
            conn.execute(_indicator.update().where(_indicator.c.code == code).values(**fields))
            updated += 1
        else:
            conn.execute(_indicator.insert().values(code=code, **fields))
            inserted += 1
    for values in rows:
        conn.execute(
            _indicator.update()
            .where(_indicator.c.code == values["code"])
            .values(denominator=values["denominator"])
        )
    return SaveResult(inserted, updated, unchanged)


def load_indicator_values(
    bind: Bind, *, indicator: str | None = None, year: int | None = None
) -> pd.DataFrame:
    """Indicator values in long format, ordered by indicator, year and district code."""
    stmt = (
        select(
            _district.c.code.label("district_code"),
            _value.c.indicator,
            _value.c.year,
            _value.c.value,
        )
        .select_from(_value.join(_district, _value.c.district_id == _district.c.id))
        .order_by(_value.c.indicator, _value.c.year, _district.c.code)
    )
    if indicator is not None:
        stmt = stmt.where(_value.c.indicator == indicator)
    if year is not None:
        stmt = stmt.where(_value.c.year == int(year))
    with _connection(bind) as conn:
        frame = pd.DataFrame(conn.execute(stmt).all(), columns=list(INDICATOR_VALUE_COLUMNS))
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame


def save_indicator_values(conn: Connection, values: pd.DataFrame) -> SaveResult:
    """Insert or update values on ``(district_code, indicator, year)``."""
    districts = district_ids(conn)
    indicators = set(load_indicators(conn)["code"])
    existing = {
        (r.district_code, r.indicator, int(r.year)): float(r.value)
        for r in load_indicator_values(conn).itertuples(index=False)
    }
    inserted = updated = unchanged = 0
    for number, row in enumerate(values.to_dict("records"), start=1):
        code, indicator = str(row["district_code"]), str(row["indicator"])
        year, value = int(row["year"]), float(row["value"])
        if code not in districts:
            raise ValidationError(
                f"indicator value row {number}: field district_code expected a loaded district, "
                f"got {code!r}; load the districts first or correct the code"
            )
        if indicator not in indicators:
            raise ValidationError(
                f"indicator value row {number}: field indicator expected one of "
                f"{', '.join(sorted(indicators)) or '(none defined)'}, got {indicator!r}; define "
                "the indicator first"
            )
        key = (code, indicator, year)
        if key in existing:
            if existing[key] == value:
                unchanged += 1
                continue
            conn.execute(
                _value.update()
                .where(
                    _value.c.district_id == districts[code],
                    _value.c.indicator == indicator,
                    _value.c.year == year,
                )
                .values(value=value)
            )
            updated += 1
        else:
            conn.execute(
                _value.insert().values(
                    district_id=districts[code], indicator=indicator, year=year, value=value
                )
            )
            inserted += 1
    return SaveResult(inserted, updated, unchanged)
