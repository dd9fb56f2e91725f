"""Target areas in the database: one per partnership and published edition, replaced when the
partnership chooses again (each change in the audit log)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping.db import audit
from mapping.db.base import Bind, connection
from mapping.db.editions import EDITION, get_edition
from mapping.db.locking import hold_write_lock
from mapping.db.models import Base
from mapping.errors import NotFoundError, ValidationError, msg
from mapping.target_areas import TargetAreaRecord

__all__ = ["TARGET_AREA", "list_target_areas", "save_target_area"]

TARGET_AREA: sa.Table = Base.metadata.tables["target_area"]
_PARTNERSHIP: sa.Table = Base.metadata.tables["partnership"]


def list_target_areas(bind: Bind, *, partnership: str | None = None) -> list[TargetAreaRecord]:
    """Every target area, by partnership code and edition code."""
    stmt = (
        sa.select(
            _PARTNERSHIP.c.code.label("partnership"),
            EDITION.c.code.label("edition"),
            TARGET_AREA.c.districts,
            TARGET_AREA.c.ranking,
            TARGET_AREA.c.note,
            TARGET_AREA.c.chosen_by,
            TARGET_AREA.c.chosen_at,
        )
        .select_from(
            TARGET_AREA.join(_PARTNERSHIP, TARGET_AREA.c.partnership_id == _PARTNERSHIP.c.id).join(
                EDITION, TARGET_AREA.c.edition_id == EDITION.c.id
            )
        )
        .order_by(_PARTNERSHIP.c.code, EDITION.c.code)
    )
    if partnership is not None:
        stmt = stmt.where(_PARTNERSHIP.c.code == partnership)
    with connection(bind) as conn:
        rows = conn.execute(stmt).mappings().all()
    return [
        TargetAreaRecord(
            partnership=row["partnership"],
            edition=row["edition"],
            districts=tuple(c for c in row["districts"].split("|") if c),
            ranking=json.loads(row["ranking"]),
            note=row["note"],
            chosen_by=row["chosen_by"],
            chosen_at=row["chosen_at"],
        )
        for row in rows
    ]


def save_target_area(
    conn: Connection, record: TargetAreaRecord, ranking: str, *, actor: str, how: str
) -> TargetAreaRecord:
    """Save (or replace) the target area of ``record.partnership`` in ``record.edition``; the
    edition must be published. ``ranking`` is :func:`mapping.target_areas.ranking_json`."""
    hold_write_lock(conn)
    edition = get_edition(conn, record.edition)
    if not edition.published:
        raise ValidationError(
            msg(
                "edition: {code} is a draft; publish it before choosing target areas in it",
                code=record.edition,
            )
        )
    partnership_id = conn.execute(
        sa.select(_PARTNERSHIP.c.id).where(_PARTNERSHIP.c.code == record.partnership)
    ).scalar_one_or_none()
    if partnership_id is None:
        raise NotFoundError(msg("partnership: no partnership {value!r}", value=record.partnership))
    key = (TARGET_AREA.c.partnership_id == partnership_id) & (
        TARGET_AREA.c.edition_id == edition.id
    )
    old = conn.execute(sa.select(TARGET_AREA).where(key)).mappings().first()
    values = {
        "districts": "|".join(record.districts),
        "ranking": ranking,
        "note": record.note or None,
        "chosen_by": actor,
        "chosen_at": datetime.now(UTC),
    }
    name = f"{record.partnership}/{record.edition}"
    if old is None:
        conn.execute(
            TARGET_AREA.insert().values(
                partnership_id=partnership_id, edition_id=edition.id, **values
            )
        )
        changes = [audit.Change("target_area", name, None, None, values)]
    else:
        conn.execute(TARGET_AREA.update().where(key).values(**values))
        fields = ("districts", "ranking", "note")
        changes = audit.diff(
            "target_area", name, {f: old[f] for f in fields}, {f: values[f] for f in fields}
        )
    audit.record(conn, changes, actor=actor, how=how)
    saved = list_target_areas(conn, partnership=record.partnership)
    return next(t for t in saved if t.edition == record.edition)
