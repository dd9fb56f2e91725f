"""The programme's partnerships and actions in the database: load them, save them by code.

Reads take a :data:`~mapping.db.base.Bind`; writes take a Connection inside the caller's
transaction and take palmap's write lock before they read the rows they match. A save is an
upsert on the record's ``code``: loading the same file twice changes nothing, and every record
created or changed adds its entries to the audit log (:mod:`mapping.db.audit`) in the same
transaction. The checks are those of :mod:`mapping.programme`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping.db import audit
from mapping.db.base import DISTRICT, Bind, SaveResult, connection
from mapping.db.locking import hold_write_lock
from mapping.db.models import Base
from mapping.errors import ConflictError, ValidationError
from mapping.programme import (
    FUNDING_SOURCES,
    Action,
    Funding,
    Member,
    Partnership,
    action_problems,
    codes,
    partnership_problems,
    require_valid,
)

__all__ = [
    "action_fields",
    "load_actions",
    "load_partnerships",
    "partnership_fields",
    "save_actions",
    "save_partnerships",
]

PARTNERSHIP: sa.Table = Base.metadata.tables["partnership"]
MEMBER: sa.Table = Base.metadata.tables["partnership_member"]
ACTION: sa.Table = Base.metadata.tables["action"]
ACTION_DISTRICT: sa.Table = Base.metadata.tables["action_district"]
FUNDING: sa.Table = Base.metadata.tables["action_funding"]

_ACTION_COLUMNS = (
    "title",
    "action_type",
    "start_date",
    "end_date",
    "planned_participants",
    "actual_participants",
    "reserve_list",
    "status",
    "description",
)
_SOURCE_ORDER = {code: i for i, code in enumerate(codes(FUNDING_SOURCES))}


# ---------------------------------------------------------------------------------------------
# What a record is, as the audit log and the comparison of a save see it


def member_text(member: Member) -> str:
    """One member as one line: ``name (kind; role; contact)``."""
    details = "; ".join(v for v in (member.kind, member.role, member.contact) if v)
    return f"{member.name} ({details})"


def partnership_fields(partnership: Partnership) -> dict[str, Any]:
    """The fields of a partnership as the audit log keeps them (members one per line)."""
    return {
        "name": partnership.name,
        "description": partnership.description,
        "members": "\n".join(member_text(m) for m in partnership.members) or None,
    }


def funding_text(funding: Iterable[Funding]) -> str | None:
    """``eu:120000|city:15000.5`` in the order of the sources (None for no funding)."""
    ordered = sorted(funding, key=lambda f: _SOURCE_ORDER.get(f.source, len(_SOURCE_ORDER)))
    return "|".join(f"{f.source}:{f.amount:.2f}".rstrip("0").rstrip(".") for f in ordered) or None


def action_fields(action: Action) -> dict[str, Any]:
    """The fields of an action as the audit log keeps them (districts and funding as text)."""
    fields: dict[str, Any] = {name: getattr(action, name) for name in _ACTION_COLUMNS}
    for name in ("start_date", "end_date"):
        fields[name] = fields[name].isoformat() if fields[name] is not None else None
    fields["partnership"] = action.partnership
    fields["districts"] = "|".join(sorted(action.districts)) or None
    fields["funding"] = funding_text(action.funding)
    return fields


# ---------------------------------------------------------------------------------------------
# Reads


def _members(conn: Connection) -> dict[int, list[Member]]:
    stmt = sa.select(MEMBER).order_by(MEMBER.c.partnership_id, MEMBER.c.position, MEMBER.c.id)
    members: dict[int, list[Member]] = defaultdict(list)
    for row in conn.execute(stmt).mappings():
        members[int(row["partnership_id"])].append(
            Member(row["name"], row["kind"], row["role"], row["contact"])
        )
    return members


def load_partnerships(bind: Bind) -> list[Partnership]:
    """Every partnership with its members, ordered by code."""
    with connection(bind) as conn:
        members = _members(conn)
        rows = conn.execute(sa.select(PARTNERSHIP).order_by(PARTNERSHIP.c.code)).mappings()
        return [
            Partnership(
                row["code"],
                row["name"],
                row["description"],
                tuple(members.get(int(row["id"]), ())),
                version=int(row["version"]),
            )
            for row in rows
        ]


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def load_actions(bind: Bind) -> list[Action]:
    """Every action with its districts (codes, sorted) and funding, by start date and code."""
    with connection(bind) as conn:
        districts: dict[int, list[str]] = defaultdict(list)
        join = ACTION_DISTRICT.join(DISTRICT, DISTRICT.c.id == ACTION_DISTRICT.c.district_id)
        stmt = sa.select(ACTION_DISTRICT.c.action_id, DISTRICT.c.code).select_from(join)
        for action_id, code in conn.execute(stmt.order_by(DISTRICT.c.code)):
            districts[int(action_id)].append(str(code))
        funding: dict[int, list[Funding]] = defaultdict(list)
        for row in conn.execute(sa.select(FUNDING)).mappings():
            funding[int(row["action_id"])].append(Funding(row["source"], float(row["amount"])))
        partnerships = dict(conn.execute(sa.select(PARTNERSHIP.c.id, PARTNERSHIP.c.code)).all())
        stmt = sa.select(ACTION).order_by(ACTION.c.start_date, ACTION.c.code)
        actions = []
        for row in conn.execute(stmt).mappings():
            key = int(row["id"])
            given = {name: row[name] for name in _ACTION_COLUMNS}
            given["start_date"] = _as_date(given["start_date"])
            given["end_date"] = _as_date(given["end_date"])
            sources = sorted(funding.get(key, ()), key=lambda f: _SOURCE_ORDER.get(f.source, 9))
            actions.append(
                Action(
                    code=row["code"],
                    partnership=partnerships.get(row["partnership_id"]),
                    districts=tuple(districts.get(key, ())),
                    funding=tuple(sources),
                    version=int(row["version"]),
                    **given,
                )
            )
        return actions


# ---------------------------------------------------------------------------------------------
# Writes


def _stored_versions(conn: Connection, table: sa.Table) -> dict[str, tuple[int, int]]:
    stmt = sa.select(table.c.code, table.c.id, table.c.version)
    return {str(code): (int(key), int(version)) for code, key, version in conn.execute(stmt)}


def _new_key(inserted: Any) -> int:
    return int(inserted.inserted_primary_key[0])


def _check_version(what: str, code: str, given: int | None, stored: int) -> None:
    if given is not None and given != stored:
        raise ConflictError(
            f"{what} {code}: someone else saved it after you opened it (version {stored}, yours "
            f"{given}); reload it, then make your change again"
        )


def save_partnerships(
    conn: Connection,
    partnerships: Sequence[Partnership],
    *,
    actor: str | None,
    how: str,
    new: bool = False,
) -> SaveResult:
    """Insert or update each partnership by code; its members become the ones given. With
    ``new`` a partnership whose code is taken is refused.

    Raises
    ------
    mapping.errors.ValidationError
        For a partnership that fails its checks (nothing is written: the caller's transaction
        rolls back).
    mapping.errors.ConflictError
        For a partnership whose ``version`` is not the stored one.
    """
    hold_write_lock(conn)
    stored = {p.code: p for p in load_partnerships(conn)}
    ids = _stored_versions(conn, PARTNERSHIP)
    result = SaveResult()
    changes: list[audit.Change] = []
    for partnership in partnerships:
        require_valid(partnership_problems(partnership), f"partnership {partnership.code}")
        values = {"name": partnership.name, "description": partnership.description}
        before = stored.get(partnership.code)
        if before is not None and new:
            raise ValidationError(
                f"code: a partnership with the code {partnership.code!r} already exists "
                f"({before.name}); choose another code, or edit that partnership"
            )
        if before is None:
            inserted = conn.execute(
                sa.insert(PARTNERSHIP).values(code=partnership.code, version=1, **values)
            )
            key = _new_key(inserted)
            created = partnership_fields(partnership)
            changes.append(audit.Change("partnership", partnership.code, None, None, created))
            result += SaveResult(inserted=1)
        else:
            key, version = ids[partnership.code]
            _check_version("partnership", partnership.code, partnership.version, version)
            if partnership_fields(before) == partnership_fields(partnership):
                result += SaveResult(unchanged=1)
                continue
            conn.execute(
                sa.update(PARTNERSHIP)
                .where(PARTNERSHIP.c.id == key)
                .values(version=version + 1, **values)
            )
            conn.execute(sa.delete(MEMBER).where(MEMBER.c.partnership_id == key))
            changes += audit.diff(
                "partnership",
                partnership.code,
                partnership_fields(before),
                partnership_fields(partnership),
            )
            result += SaveResult(updated=1)
        _insert_members(conn, int(key), partnership.members)
    if actor is not None:
        audit.record(conn, changes, actor=actor, how=how)
    return result


def _insert_members(conn: Connection, key: int, members: Sequence[Member]) -> None:
    rows = [
        {
            "partnership_id": key,
            "position": i,
            "name": m.name,
            "kind": m.kind,
            "role": m.role,
            "contact": m.contact,
        }
        for i, m in enumerate(members)
    ]
    if rows:
        conn.execute(sa.insert(MEMBER), rows)


def _normalised(action: Action) -> Action:
    ordered = sorted(action.funding, key=lambda f: _SOURCE_ORDER.get(f.source, 9))
    return replace(action, districts=tuple(sorted(action.districts)), funding=tuple(ordered))


def save_actions(
    conn: Connection,
    actions: Sequence[Action],
    *,
    actor: str | None,
    how: str,
    new: bool = False,
) -> SaveResult:
    """Insert or update each action by code, with its districts and funding.

    Districts and partnerships are named by code and must exist. With ``new`` an action whose
    code is taken is refused (a form that adds one never changes another).

    Raises
    ------
    mapping.errors.ValidationError
        For an action that fails its checks (unknown district or partnership included).
    mapping.errors.ConflictError
        For an action whose ``version`` is not the stored one.
    """
    hold_write_lock(conn)
    district_ids = {
        str(c): int(i) for i, c in conn.execute(sa.select(DISTRICT.c.id, DISTRICT.c.code))
    }
    partnership_ids = {code: key for code, (key, _v) in _stored_versions(conn, PARTNERSHIP).items()}
    stored = {a.code: a for a in load_actions(conn)}
    ids = _stored_versions(conn, ACTION)
    result = SaveResult()
    changes: list[audit.Change] = []
    for given in actions:
        action = _normalised(given)
        problems = action_problems(action, districts=district_ids, partnerships=partnership_ids)
        require_valid(problems, f"action {action.code}")
        values = {name: getattr(action, name) for name in _ACTION_COLUMNS}
        values["partnership_id"] = partnership_ids.get(action.partnership or "")
        before = stored.get(action.code)
        if before is not None and new:
            raise ValidationError(
                f"code: an action with the code {action.code!r} already exists "
                f"({before.title}); choose another code, or edit that action"
            )
        if before is None:
            key = _new_key(
                conn.execute(sa.insert(ACTION).values(code=action.code, version=1, **values))
            )
            changes.append(audit.Change("action", action.code, None, None, action_fields(action)))
            result += SaveResult(inserted=1)
        else:
            key, version = ids[action.code]
            _check_version("action", action.code, action.version, version)
            if action_fields(before) == action_fields(action):
                result += SaveResult(unchanged=1)
                continue
            conn.execute(
                sa.update(ACTION).where(ACTION.c.id == key).values(version=version + 1, **values)
            )
            conn.execute(sa.delete(ACTION_DISTRICT).where(ACTION_DISTRICT.c.action_id == key))
            conn.execute(sa.delete(FUNDING).where(FUNDING.c.action_id == key))
            changes += audit.diff(
                "action", action.code, action_fields(before), action_fields(action)
            )
            result += SaveResult(updated=1)
        _insert_parts(conn, int(key), action, district_ids)
    if actor is not None:
        audit.record(conn, changes, actor=actor, how=how)
    return result


def _insert_parts(conn: Connection, key: int, action: Action, district_ids: dict[str, int]) -> None:
    places = [{"action_id": key, "district_id": district_ids[c]} for c in action.districts]
    if places:
        conn.execute(sa.insert(ACTION_DISTRICT), places)
    money = [{"action_id": key, "source": f.source, "amount": f.amount} for f in action.funding]
    if money:
        conn.execute(sa.insert(FUNDING), money)
