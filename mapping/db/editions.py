"""Editions in the database: drafts, publishing (freezing the live data), listing, reading back.

Publishing runs in one write transaction (palmap's write lock, so no import runs half-way
through it): the live frames are read on the same connection, written as
:mod:`mapping.snapshot` bytes into ``edition_part``, their SHA-256 kept in ``edition.digest``,
and an audit entry added. Reading a published edition checks the digest, so a frozen edition that
was altered in the database is refused instead of shown as if it were the published one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping import snapshot
from mapping.db import audit
from mapping.db.base import Bind, connection
from mapping.db.districts import load_districts
from mapping.db.indicators import load_indicator_values, load_indicators
from mapping.db.locking import hold_write_lock
from mapping.db.models import Base
from mapping.db.population import load_population
from mapping.db.residential import load_residential
from mapping.db.resources import load_categories, load_resources
from mapping.editions import DEMAND_PARTS, PARTS, EditionRecord, clean_code, clean_title
from mapping.errors import DatabaseDamagedError, NotFoundError, ValidationError, msg

__all__ = ["EDITION", "PART", "get_edition", "list_editions", "load_parts", "publish"]

EDITION: sa.Table = Base.metadata.tables["edition"]
PART: sa.Table = Base.metadata.tables["edition_part"]


def _record(row: Any) -> EditionRecord:
    return EditionRecord(**{c: row[c] for c in EditionRecord.__dataclass_fields__})


def list_editions(bind: Bind, *, published_only: bool = False) -> list[EditionRecord]:
    """Every edition, newest code last (codes sort as text: ``2010`` < ``2013`` < ``2013-2``)."""
    stmt = sa.select(EDITION).order_by(EDITION.c.code)
    if published_only:
        stmt = stmt.where(EDITION.c.status == "published")
    with connection(bind) as conn:
        return [_record(row) for row in conn.execute(stmt).mappings()]


def get_edition(bind: Bind, code: str) -> EditionRecord:
    """The edition ``code``, or NotFoundError listing the published ones."""
    with connection(bind) as conn:
        row = conn.execute(sa.select(EDITION).where(EDITION.c.code == code)).mappings().first()
        if row is None:
            known = ", ".join(e.code for e in list_editions(conn, published_only=True))
            raise NotFoundError(
                msg(
                    "edition: expected one of the published editions ({known}), got {value!r}",
                    known=known or "–",
                    value=code,
                )
            )
        return _record(row)


def _live_frames(conn: Connection) -> dict[str, pd.DataFrame]:
    return {
        "districts": load_districts(conn),
        "categories": load_categories(conn),
        "resources": load_resources(conn),
        "indicators": load_indicators(conn),
        "values": load_indicator_values(conn),
        "population": load_population(conn),
        "residential": load_residential(conn),
    }


def _order(parts: set[str] | dict[str, Any]) -> list[str]:
    """The parts in the order they are written and digested: :data:`PARTS`, then the
    :data:`DEMAND_PARTS` present (none in an edition published before they were frozen)."""
    return [*PARTS, *(p for p in DEMAND_PARTS if p in parts)]


def _digest(contents: dict[str, bytes]) -> str:
    """SHA-256 over each part's name and hash, in :func:`_order`: an edition without demand
    parts keeps the digest it was published with."""
    digest = hashlib.sha256()
    for part in _order(contents):
        digest.update(part.encode() + b"\0" + hashlib.sha256(contents[part]).digest())
    return digest.hexdigest()


def publish(
    conn: Connection,
    code: str,
    title: str,
    *,
    actor: str,
    how: str,
    draft: bool = False,
    frames: dict[str, pd.DataFrame] | None = None,
) -> EditionRecord:
    """Create the edition ``code`` (or take its draft) and, unless ``draft``, publish it: the
    live data is frozen whole. A published edition never changes: publishing it again is a
    ValidationError that names a new code to use.

    ``frames`` (the five parts of :data:`mapping.editions.PARTS`, and both or none of
    :data:`mapping.editions.DEMAND_PARTS`) are frozen instead of the live data: the demo's
    earlier editions hold the values of their own years only. The live data is frozen with its
    population surfaces and residential areas, so that later imports of either never change
    the edition's access figures."""
    code, title = clean_code(code), clean_title(title)
    hold_write_lock(conn)  # no import between reading the frames and writing them
    row = conn.execute(sa.select(EDITION).where(EDITION.c.code == code)).mappings().first()
    now = datetime.now(UTC)
    if row is not None and row["status"] == "published":
        raise ValidationError(
            msg(
                "code: edition {code} was published on {day} and never changes; publish the "
                "corrected data as a new edition, such as {code}-2",
                code=code,
                day=f"{row['published_at']:%Y-%m-%d}",
            )
        )
    if row is None:
        conn.execute(
            EDITION.insert().values(
                code=code, title=title, status="draft", created_by=actor, created_at=now
            )
        )
        edition_id = conn.execute(
            sa.select(EDITION.c.id).where(EDITION.c.code == code)
        ).scalar_one()
        changes = [audit.Change("edition", code, None, None, {"title": title, "status": "draft"})]
    else:
        edition_id = row["id"]
        conn.execute(EDITION.update().where(EDITION.c.id == edition_id).values(title=title))
        changes = audit.diff("edition", code, {"title": row["title"]}, {"title": title})
    if not draft:
        frames = frames if frames is not None else _live_frames(conn)
        if not _check_parts(set(frames)):
            raise ValueError(
                f"expected the parts {_order(set(DEMAND_PARTS))}, got {sorted(frames)}"
            )
        contents = {part: snapshot.dumps(frame) for part, frame in frames.items()}
        rows = {part: len(frame) for part, frame in frames.items()}
        conn.execute(
            PART.insert(),
            [
                {"edition_id": edition_id, "part": p, "rows": rows[p], "content": contents[p]}
                for p in _order(contents)
            ],
        )
        conn.execute(
            EDITION.update()
            .where(EDITION.c.id == edition_id)
            .values(
                status="published",
                published_by=actor,
                published_at=now,
                digest=_digest(contents),
            )
        )
        changes.append(audit.Change("edition", code, "status", "draft", "published"))
    audit.record(conn, changes, actor=actor, how=how)
    return get_edition(conn, code)


def _check_parts(parts: set[str]) -> bool:
    """Whether ``parts`` are those of an edition: every one of :data:`PARTS`, and all of
    :data:`DEMAND_PARTS` or none of them."""
    demand = parts - set(PARTS)
    return set(PARTS) <= parts and demand in (set(), set(DEMAND_PARTS))


def load_parts(bind: Bind, code: str) -> tuple[EditionRecord, dict[str, pd.DataFrame]]:
    """A published edition and its frozen frames (``districts``, ``categories``,
    ``resources``, ``indicators``, ``values``, and ``population`` and ``residential`` when it
    froze them: editions published before then have neither), exactly as they were
    published."""
    with connection(bind) as conn:
        edition = get_edition(conn, code)
        if not edition.published:
            raise NotFoundError(msg("edition: {code} is a draft, not published yet", code=code))
        stmt = sa.select(PART.c.part, PART.c.content).where(PART.c.edition_id == edition.id)
        contents = {str(part): bytes(content) for part, content in conn.execute(stmt)}
    if not _check_parts(set(contents)) or _digest(contents) != edition.digest:
        raise DatabaseDamagedError(
            f"edition {code}: its frozen data does not match the digest written when it was "
            "published; restore the database from a backup"
        )
    return edition, {part: snapshot.loads(contents[part]) for part in _order(contents)}
