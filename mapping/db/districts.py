"""Districts in and out of the database: an upsert on ``code``, reads as GeoDataFrames, and one
district read for its form and saved back (optimistic locking by a fingerprint of its values,
every changed field in the audit log)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from mapping.crs import WEB_CRS, ensure_crs
from mapping.db import audit
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
from mapping.errors import ConflictError, NotFoundError, ValidationError
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


# --------------------------------------------------------------------------- one district's form

#: What a district's form edits (the boundary changes by an import only).
EDIT_FIELDS: tuple[str, ...] = ("code", "name", "source", "schematic")
#: The longest code and name the table holds (``district.code``, ``district.name``).
CODE_MAX: int = int(DISTRICT.c.code.type.length)  # type: ignore[attr-defined]
NAME_MAX: int = int(DISTRICT.c.name.type.length)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DistrictRecord:
    """A district as its form shows it: the fields of :data:`EDIT_FIELDS`."""

    id: int
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """A hash of the values: a form carries the one it was opened at, and a save from a
        form whose fingerprint is not the record's any more is a conflict (no version column).

        >>> values = {"code": "gaj", "name": "Gaj", "source": None, "schematic": False}
        >>> a = DistrictRecord(1, values)
        >>> a.fingerprint == DistrictRecord(1, dict(a.values)).fingerprint
        True
        >>> a.fingerprint == DistrictRecord(1, {**a.values, "name": "Gaj II"}).fingerprint
        False
        """
        data = json.dumps([self.id, *(self.values.get(n) for n in EDIT_FIELDS)], default=str)
        return hashlib.sha256(data.encode()).hexdigest()[:32]


def _record_select() -> sa.Select[Any]:
    return select(DISTRICT.c.id, *(DISTRICT.c[name] for name in EDIT_FIELDS))


def _record(row: Any) -> DistrictRecord:
    values = {name: row[name] for name in EDIT_FIELDS}
    values["schematic"] = bool(values["schematic"])
    return DistrictRecord(id=int(row["id"]), values=values)


def get_district(bind: Bind, code: str) -> DistrictRecord:
    """The district ``code``, or :class:`NotFoundError`."""
    with connection(bind) as conn:
        row = conn.execute(_record_select().where(DISTRICT.c.code == code)).mappings().first()
    if row is None:
        raise NotFoundError(f"code: there is no district {code!r}")
    return _record(row)


def get_district_by_id(bind: Bind, district_id: int) -> DistrictRecord:
    """The district with the database id ``district_id``, or :class:`NotFoundError`."""
    with connection(bind) as conn:
        row = conn.execute(_record_select().where(DISTRICT.c.id == district_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"id: there is no district {district_id} (any more)")
    return _record(row)


def update_district(
    conn: Connection,
    district_id: int,
    fingerprint: str,
    values: dict[str, Any],
    *,
    actor: str,
    how: str = "form",
) -> DistrictRecord:
    """Save ``values`` (checked already: :data:`EDIT_FIELDS`) over the district read at
    ``fingerprint`` (:attr:`DistrictRecord.fingerprint`); every changed field goes into the audit
    log in the same transaction. Returns the record as saved.

    Raises
    ------
    ConflictError
        The district changed since the form was opened (``current`` is the record now).
    ValidationError
        Another district has the code or the name meanwhile.
    NotFoundError
        There is no such district (any more).
    """
    hold_write_lock(conn)  # one writer at a time, as for imports (mapping.db.locking)
    current = get_district_by_id(conn, district_id)
    if current.fingerprint != fingerprint:
        raise ConflictError(
            f"district {current.values['code']!r}: changed by someone else since you opened it",
            current=current,
        )
    new = {name: values.get(name) for name in EDIT_FIELDS}
    new["schematic"] = bool(new["schematic"])
    others = DISTRICT.c.id != district_id
    for name in ("code", "name"):
        taken = conn.execute(
            select(DISTRICT.c.code).where(others, DISTRICT.c[name] == new[name])
        ).scalar()
        if taken is not None:
            raise ValidationError(
                f"{name}: expected a {name} no other district has, got {new[name]!r} "
                f"(district {taken!r}); choose another"
            )
    changes = audit.diff("district", district_id, current.values, new)
    if not changes:
        return current
    conn.execute(DISTRICT.update().where(DISTRICT.c.id == district_id).values(**new))
    audit.record(conn, changes, actor=actor, how=how)
    return get_district_by_id(conn, district_id)
