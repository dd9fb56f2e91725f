"""The audit log: who changed which field of which record, when, and how.

Writes take a Connection inside the transaction of the change itself, so that a change and its
entries are stored together or not at all. ``how`` is ``form`` (a page), ``upload`` (the web
import) or ``cli`` (a command); ``actor`` is an account's login or ``cli:<machine user>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping.db.base import Bind, connection
from mapping.db.models import Base

__all__ = ["AUDIT", "HOWS", "AuditFilter", "Change", "diff", "list_entries", "record"]

AUDIT: sa.Table = Base.metadata.tables["audit_log"]
HOWS: tuple[str, ...] = ("form", "upload", "cli")
COLUMNS: tuple[str, ...] = (
    "id",
    "at",
    "actor",
    "how",
    "table_name",
    "record_id",
    "field",
    "old_value",
    "new_value",
)


@dataclass(frozen=True)
class Change:
    """One changed field (``field`` None: the record was created or deleted whole)."""

    table: str
    record_id: str
    field: str | None
    old: Any = None
    new: Any = None


def text(value: Any) -> str | None:
    """A value as the log keeps it: None stays None, dicts become JSON, the rest ``str``.

    >>> text(None), text(3), text({"a": 1}), text(True)
    (None, '3', '{"a": 1}', 'true')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def diff(
    table: str, record_id: object, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[Change]:
    """The fields whose value differs between ``before`` and ``after`` (as the log writes them).

    >>> before, after = {"name": "A", "phone": None}, {"name": "B", "phone": ""}
    >>> [c.field for c in diff("resource", 1, before, after)]
    ['name']
    """
    changes = []
    for field, new in after.items():
        old = before.get(field)
        if (text(old) or None) != (text(new) or None):
            changes.append(Change(table, str(record_id), field, old, new))
    return changes


def record(conn: Connection, changes: Iterable[Change], *, actor: str, how: str) -> int:
    """Write ``changes`` (one entry each, the same time) and return how many."""
    if how not in HOWS:
        raise ValueError(f"how: expected one of {', '.join(HOWS)}, got {how!r}")
    now = datetime.now(UTC)
    rows = [
        {
            "at": now,
            "actor": actor[:100],
            "how": how,
            "table_name": c.table,
            "record_id": c.record_id,
            "field": c.field,
            "old_value": text(c.old),
            "new_value": text(c.new),
        }
        for c in changes
    ]
    if rows:
        conn.execute(AUDIT.insert(), rows)
    return len(rows)


@dataclass(frozen=True)
class AuditFilter:
    """What to list: one table and record, one actor, a range of days (both ends included)."""

    table: str | None = None
    record_id: str | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None


def _where(stmt: sa.Select[Any], chosen: AuditFilter) -> sa.Select[Any]:
    if chosen.table:
        stmt = stmt.where(AUDIT.c.table_name == chosen.table)
    if chosen.record_id:
        stmt = stmt.where(AUDIT.c.record_id == chosen.record_id)
    if chosen.actor:
        stmt = stmt.where(AUDIT.c.actor == chosen.actor)
    if chosen.since:
        stmt = stmt.where(AUDIT.c.at >= datetime.combine(chosen.since, time(), UTC))
    if chosen.until:
        end = datetime.combine(chosen.until + timedelta(days=1), time(), UTC)
        stmt = stmt.where(AUDIT.c.at < end)
    return stmt


def list_entries(
    bind: Bind, chosen: AuditFilter = AuditFilter(), *, limit: int | None = None, offset: int = 0
) -> tuple[pd.DataFrame, int]:
    """The entries ``chosen`` selects, newest first, and how many there are in all."""
    stmt = _where(sa.select(*(AUDIT.c[c] for c in COLUMNS)), chosen)
    count = _where(sa.select(sa.func.count()).select_from(AUDIT), chosen)
    stmt = stmt.order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    with connection(bind) as conn:
        total = int(conn.execute(count).scalar_one())
        rows = pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=list(COLUMNS))
    # Missing values are None (pandas makes NaN of them in a column that also holds text).
    return rows.astype(object).where(rows.notna(), None), total
