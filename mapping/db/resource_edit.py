"""One resource read for a form and saved back: optimistic locking and the audit log.

A record carries a ``version``; a save names the version it was read at, and if the record
changed since, :class:`~mapping.errors.ConflictError` carries the record as it is now (nothing
is overwritten). Every changed field goes into the audit log in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from shapely import Point
from sqlalchemy.engine import Connection

from mapping.db import audit
from mapping.db.base import DISTRICT, RESOURCE, Bind, connection
from mapping.db.locking import hold_write_lock
from mapping.db.models import SRID, Base
from mapping.errors import ConflictError, NotFoundError, ValidationError
from mapping.frames import EDITABLE_ATTRIBUTES

__all__ = [
    "EDIT_FIELDS",
    "ResourceRecord",
    "add_resource",
    "delete_resource",
    "get_resource",
    "list_deleted",
    "restore_resource",
    "update_resource",
]

#: What a form edits: the stored attributes, the district a row without a point is assigned to,
#: and the point as latitude and longitude (EPSG:4326).
ATTRIBUTES: tuple[str, ...] = EDITABLE_ATTRIBUTES
EDIT_FIELDS: tuple[str, ...] = (*ATTRIBUTES, "district_code", "lat", "lon")


@dataclass(frozen=True)
class ResourceRecord:
    """A resource as a form shows it, at ``version``."""

    id: int
    version: int
    values: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None
    updated_at: datetime | None = None


def _select() -> sa.Select[Any]:
    return sa.select(
        RESOURCE.c.id,
        RESOURCE.c.version,
        RESOURCE.c.external_id,
        RESOURCE.c.updated_at,
        *(RESOURCE.c[c] for c in ATTRIBUTES),
        DISTRICT.c.code.label("district_code"),
        sa.func.ST_Y(RESOURCE.c.geom).label("lat"),
        sa.func.ST_X(RESOURCE.c.geom).label("lon"),
    ).select_from(RESOURCE.outerjoin(DISTRICT, RESOURCE.c.district_id == DISTRICT.c.id))


def get_resource(bind: Bind, resource_id: int) -> ResourceRecord:
    """The resource ``resource_id``, or :class:`NotFoundError`."""
    with connection(bind) as conn:
        row = conn.execute(_select().where(RESOURCE.c.id == resource_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"id: there is no resource {resource_id}")
    values = {name: row[name] for name in EDIT_FIELDS}
    for name in ("lat", "lon"):
        values[name] = None if values[name] is None else round(float(values[name]), 7)
    return ResourceRecord(
        id=int(row["id"]),
        version=int(row["version"] or 1),
        values=values,
        external_id=row["external_id"],
        updated_at=row["updated_at"],
    )


def _district_id(conn: Connection, code: str | None) -> int | None:
    if not code:
        return None
    found = conn.execute(sa.select(DISTRICT.c.id).where(DISTRICT.c.code == code)).scalar()
    if found is None:
        raise ValidationError(f"district_code: expected a loaded district, got {code!r}")
    return int(found)


def update_resource(
    conn: Connection,
    resource_id: int,
    version: int,
    values: dict[str, Any],
    *,
    actor: str,
    how: str = "form",
) -> ResourceRecord:
    """Save ``values`` (checked already: :data:`EDIT_FIELDS`) over the resource read at
    ``version``; returns the record as saved (its version raised when anything changed).

    Raises
    ------
    ConflictError
        The resource changed since ``version`` (``current`` is the record now).
    NotFoundError
        There is no such resource (any more).
    """
    hold_write_lock(conn)  # one writer at a time, as for imports (mapping.db.locking)
    current = get_resource(conn, resource_id)
    if current.version != version:
        raise ConflictError(
            f"resource {resource_id}: changed by someone else since you opened it "
            f"(version {version}, now {current.version})",
            current=current,
        )
    new = {name: values.get(name) for name in EDIT_FIELDS}
    placed = new["lat"] is not None and new["lon"] is not None
    changes = audit.diff("resource", resource_id, current.values, new)
    if not changes:
        return current
    stored: dict[str, Any] = {name: new[name] for name in ATTRIBUTES}
    # As the import stores it: the district the point lies in, or the one a row without a point
    # is known by (the caller's checks, mapping.io.resources, give it).
    stored["district_id"] = _district_id(conn, new["district_code"])
    stored["geom"] = (
        sa.func.ST_GeomFromWKB(Point(new["lon"], new["lat"]).wkb, SRID) if placed else None
    )
    done = conn.execute(
        RESOURCE.update()
        .where(RESOURCE.c.id == resource_id, RESOURCE.c.version == version)
        .values(**stored, updated_at=datetime.now(UTC), version=version + 1)
    )
    if done.rowcount != 1:  # pragma: no cover - the lock above makes this a race of the server
        raise ConflictError(f"resource {resource_id}: changed while saving", current=current)
    audit.record(conn, changes, actor=actor, how=how)
    return get_resource(conn, resource_id)


def _stored(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    """The columns of ``values`` (checked already) as the table stores them."""
    stored: dict[str, Any] = {name: values.get(name) for name in ATTRIBUTES}
    stored["district_id"] = _district_id(conn, values.get("district_code"))
    placed = values.get("lat") is not None and values.get("lon") is not None
    stored["geom"] = (
        sa.func.ST_GeomFromWKB(Point(values["lon"], values["lat"]).wkb, SRID) if placed else None
    )
    return stored


def add_resource(
    conn: Connection, values: dict[str, Any], *, actor: str, how: str = "form"
) -> ResourceRecord:
    """A new resource from checked ``values``; its creation goes into the audit log."""
    hold_write_lock(conn)
    new_id = conn.execute(
        RESOURCE.insert()
        .values(**_stored(conn, values), synthetic=False, updated_at=datetime.now(UTC), version=1)
        .returning(RESOURCE.c.id)
    ).scalar_one()
    record = get_resource(conn, int(new_id))
    created = audit.Change("resource", str(record.id), None, None, record.values)
    audit.record(conn, [created], actor=actor, how=how)
    return record


DELETED: sa.Table = Base.metadata.tables["deleted_record"]
#: The columns a deleted resource keeps (all but the geometry, which is kept as WKT).
_KEPT = ("id", "external_id", *ATTRIBUTES, "district_id", "synthetic", "version")


def delete_resource(
    conn: Connection, resource_id: int, version: int, *, actor: str, how: str = "form"
) -> int:
    """Move the resource read at ``version`` to the deleted records (restorable by an admin);
    returns the deleted record's id. A stale version is a :class:`ConflictError`."""
    hold_write_lock(conn)
    current = get_resource(conn, resource_id)
    if current.version != version:
        raise ConflictError(
            f"resource {resource_id}: changed by someone else since you opened it",
            current=current,
        )
    row = (
        conn.execute(
            sa.select(
                *(RESOURCE.c[c] for c in _KEPT), sa.func.ST_AsText(RESOURCE.c.geom).label("wkt")
            ).where(RESOURCE.c.id == resource_id)
        )
        .mappings()
        .one()
    )
    data = json.dumps(dict(row), ensure_ascii=False, default=str)
    archived = conn.execute(
        DELETED.insert()
        .values(
            table_name="resource",
            record_id=str(resource_id),
            data=data,
            deleted_by=actor,
            deleted_at=datetime.now(UTC),
        )
        .returning(DELETED.c.id)
    ).scalar_one()
    conn.execute(RESOURCE.delete().where(RESOURCE.c.id == resource_id))
    gone = audit.Change("resource", str(resource_id), None, current.values, None)
    audit.record(conn, [gone], actor=actor, how=how)
    return int(archived)


def list_deleted(bind: Bind) -> list[dict[str, Any]]:
    """Deleted resources, newest first: id, record id, name, who and when."""
    stmt = sa.select(DELETED).where(DELETED.c.table_name == "resource")
    with connection(bind) as conn:
        rows = conn.execute(stmt.order_by(DELETED.c.deleted_at.desc())).mappings().all()
    return [
        {
            **{k: row[k] for k in ("id", "record_id", "deleted_by", "deleted_at")},
            "name": json.loads(row["data"]).get("name"),
        }
        for row in rows
    ]


def restore_resource(conn: Connection, deleted_id: int, *, actor: str, how: str = "form") -> int:
    """Put a deleted resource back, with its id (a new one when its id was given to a newer
    resource meanwhile); returns the id."""
    hold_write_lock(conn)
    row = conn.execute(sa.select(DELETED).where(DELETED.c.id == deleted_id)).mappings().first()
    if row is None or row["table_name"] != "resource":
        raise NotFoundError(f"id: there is no deleted resource {deleted_id}")
    data = json.loads(row["data"])
    wkt = data.pop("wkt", None)
    taken = conn.execute(sa.select(RESOURCE.c.id).where(RESOURCE.c.id == data["id"])).first()
    if taken is not None:  # SQLite gives a freed largest id to the next new row
        data.pop("id")
    if data.get("external_id") is not None:
        clash = conn.execute(
            sa.select(RESOURCE.c.id).where(RESOURCE.c.external_id == data["external_id"])
        ).first()
        if clash is not None:
            raise ConflictError(
                f"external_id: another resource ({clash[0]}) now has the identifier "
                f"{data['external_id']!r}; delete or change it first"
            )
    district = data.get("district_id")
    if (
        district is not None
        and conn.execute(sa.select(DISTRICT.c.id).where(DISTRICT.c.id == district)).first() is None
    ):
        data["district_id"] = None  # the district is gone since
    geometry = None if wkt is None else sa.func.ST_GeomFromText(wkt, SRID)
    data["version"] = int(data.get("version") or 1) + 1
    new_id = conn.execute(
        RESOURCE.insert()
        .values(**data, geom=geometry, updated_at=datetime.now(UTC))
        .returning(RESOURCE.c.id)
    ).scalar_one()
    conn.execute(DELETED.delete().where(DELETED.c.id == deleted_id))
    restored = get_resource(conn, int(new_id))
    back = audit.Change("resource", str(restored.id), None, None, restored.values)
    audit.record(conn, [back], actor=actor, how=how)
    return restored.id
