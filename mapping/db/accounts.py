"""Accounts in the database: add, authenticate, change password, role or active flag, list.

The checks are those of :mod:`mapping.accounts`. Reads take an Engine or a Connection; writes take
a Connection inside the caller's transaction. Every change to a password, role or active flag
raises the account's ``session_epoch``, which ends the sessions made before it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping.accounts import (
    ROLES,
    UserRecord,
    check_password,
    clean_login,
    clean_role,
    hash_password,
    needs_rehash,
    verify_password,
)
from mapping.db import audit
from mapping.db.base import Bind, connection
from mapping.db.locking import hold_write_lock
from mapping.db.models import Base
from mapping.errors import NotFoundError, ValidationError, msg

__all__ = [
    "ACCOUNT",
    "add_account",
    "authenticate",
    "get_account",
    "list_accounts",
    "session_account",
    "session_token",
    "set_active",
    "set_password",
    "set_role",
]

ACCOUNT: sa.Table = Base.metadata.tables["account"]
_FIELDS = ("id", "login", "role", "active", "created_at", "last_login_at")


def _record(row: Any) -> UserRecord:
    return UserRecord(
        id=int(row["id"]),
        login=row["login"],
        role=clean_role(row["role"]),
        active=bool(row["active"]),
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
    )


def _select() -> sa.Select[Any]:
    return sa.select(*(ACCOUNT.c[f] for f in _FIELDS), ACCOUNT.c.session_epoch)


def list_accounts(bind: Bind) -> list[UserRecord]:
    """Every account, ordered by login."""
    with connection(bind) as conn:
        return [_record(r) for r in conn.execute(_select().order_by(ACCOUNT.c.login)).mappings()]


def get_account(bind: Bind, login: str) -> UserRecord:
    """The account ``login``, or :class:`NotFoundError` naming the command that lists them."""
    name = clean_login(login)
    with connection(bind) as conn:
        row = conn.execute(_select().where(ACCOUNT.c.login == name)).mappings().first()
    if row is None:
        raise NotFoundError(
            msg("login: no account {value!r}; `palmap user list` lists them", value=name)
        )
    return _record(row)


def session_account(bind: Bind, token: str) -> UserRecord | None:
    """The active account a session token (``"id:epoch"``) stands for, or None when the token
    is malformed, the account is gone or disabled, or its epoch moved on (password, role or
    active flag changed since the session began)."""
    head, _, tail = token.partition(":")
    if not (head.isdigit() and tail.isdigit()):
        return None
    with connection(bind) as conn:
        row = conn.execute(_select().where(ACCOUNT.c.id == int(head))).mappings().first()
    if row is None or not row["active"] or int(row["session_epoch"]) != int(tail):
        return None
    return _record(row)


def session_token(bind: Bind, account: UserRecord) -> str:
    """The token a session keeps for ``account`` (see :func:`session_account`)."""
    with connection(bind) as conn:
        epoch = conn.execute(
            sa.select(ACCOUNT.c.session_epoch).where(ACCOUNT.c.id == account.id)
        ).scalar_one()
    return f"{account.id}:{epoch}"


def _log(conn: Connection, changes: list[audit.Change], actor: str | None, how: str) -> None:
    """Account changes go into the audit log (never the password itself) when an actor is named."""
    if actor is not None:
        audit.record(conn, changes, actor=actor, how=how)


def add_account(
    conn: Connection,
    login: str,
    password: str,
    role: str,
    *,
    actor: str | None = None,
    how: str = "cli",
) -> UserRecord:
    """Create an active account; refuses a login that exists (in any letter case).

    With ``actor`` (every caller but tests), the change goes into the audit log as ``how``;
    the same for :func:`set_password`, :func:`set_role` and :func:`set_active`.
    """
    name, checked_role = clean_login(login), clean_role(role)
    check_password(password, login=name)
    hold_write_lock(conn)
    exists = conn.execute(sa.select(ACCOUNT.c.id).where(ACCOUNT.c.login == name)).first()
    if exists is not None:
        raise ValidationError(
            msg("login: an account {value!r} exists already; choose another name", value=name)
        )
    conn.execute(
        ACCOUNT.insert().values(
            login=name,
            password_hash=hash_password(password),
            role=checked_role,
            active=True,
            session_epoch=1,
            created_at=datetime.now(UTC),
        )
    )
    _log(conn, [audit.Change("account", name, None, None, {"role": checked_role})], actor, how)
    return get_account(conn, name)


def authenticate(conn: Connection, login: str, password: str) -> UserRecord | None:
    """The active account whose login and password match, else None (the same answer, and
    about the same time, for an unknown login, a wrong password and a disabled account).

    Records the time of the login and rehashes a password hashed with older parameters.
    """
    try:
        name = clean_login(login)
    except ValidationError:
        name = None
    row = None
    if name is not None:
        stmt = sa.select(ACCOUNT).where(ACCOUNT.c.login == name)
        row = conn.execute(stmt).mappings().first()
    stored = None if row is None else row["password_hash"]
    if not verify_password(stored, password) or row is None or not row["active"]:
        return None
    changes: dict[str, Any] = {"last_login_at": datetime.now(UTC)}
    if needs_rehash(row["password_hash"]):
        changes["password_hash"] = hash_password(password)
    conn.execute(ACCOUNT.update().where(ACCOUNT.c.id == row["id"]).values(**changes))
    return get_account(conn, row["login"])


def _change(conn: Connection, login: str, **values: Any) -> UserRecord:
    hold_write_lock(conn)
    account = get_account(conn, login)
    conn.execute(
        ACCOUNT.update()
        .where(ACCOUNT.c.id == account.id)
        .values(session_epoch=ACCOUNT.c.session_epoch + 1, **values)
    )
    return get_account(conn, login)


def _keep_an_admin(conn: Connection, account: UserRecord) -> None:
    """Refuse to take the last active admin away (nobody could manage accounts any more)."""
    if account.role != "admin" or not account.active:
        return
    others = conn.execute(
        sa.select(sa.func.count())
        .select_from(ACCOUNT)
        .where(ACCOUNT.c.role == "admin", ACCOUNT.c.active.is_(True), ACCOUNT.c.id != account.id)
    ).scalar_one()
    if not others:
        raise ValidationError(
            msg(
                "login: {value!r} is the last active admin; make another account admin first "
                "(`palmap user role LOGIN admin`)",
                value=account.login,
            )
        )


def set_password(
    conn: Connection, login: str, password: str, *, actor: str | None = None, how: str = "cli"
) -> UserRecord:
    """A new password (the account's sessions end); the log says only that it changed."""
    account = get_account(conn, login)
    check_password(password, login=account.login)
    after = _change(conn, login, password_hash=hash_password(password))
    _log(conn, [audit.Change("account", account.login, "password", None, "changed")], actor, how)
    return after


def set_role(
    conn: Connection, login: str, role: str, *, actor: str | None = None, how: str = "cli"
) -> UserRecord:
    """A new role (the account's sessions end); the last active admin keeps theirs."""
    checked, account = clean_role(role), get_account(conn, login)
    if checked != account.role and ROLES.index(checked) < ROLES.index(account.role):
        _keep_an_admin(conn, account)
    after = _change(conn, login, role=checked)
    old, new = {"role": account.role}, {"role": after.role}
    _log(conn, audit.diff("account", account.login, old, new), actor, how)
    return after


def set_active(
    conn: Connection, login: str, active: bool, *, actor: str | None = None, how: str = "cli"
) -> UserRecord:
    """Disable (sessions end, the account is kept for the audit log) or enable an account."""
    account = get_account(conn, login)
    if not active:
        _keep_an_admin(conn, account)
    after = _change(conn, login, active=active)
    old, new = {"active": account.active}, {"active": after.active}
    _log(conn, audit.diff("account", account.login, old, new), actor, how)
    return after
