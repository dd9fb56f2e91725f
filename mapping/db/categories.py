"""Resource categories in the database: list, add, rename (``palmap categories``).

A category's code never changes once created: resources reference it. Reads take an Engine or a
Connection; writes take a Connection inside the caller's transaction. The checks are those of
:mod:`mapping.categories`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping.categories import CategoryChange, CategoryRecord, apply_change, clean_record
from mapping.db.base import CATEGORY, RESOURCE, Bind, connection
from mapping.db.locking import hold_write_lock
from mapping.errors import DatabaseNotReadyError, NotFoundError, ValidationError, msg
from mapping.frames import CATEGORY_COLUMNS

__all__ = ["add_category", "get_category", "list_categories", "rename_category", "resource_counts"]


@contextmanager
def _reading(bind: Bind) -> Iterator[Connection]:
    """:func:`~mapping.db.base.connection`, saying how to upgrade a database without the
    newest schema."""
    try:
        with connection(bind) as conn:
            yield conn
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
        raise DatabaseNotReadyError(
            "expected a palmap database at the newest schema, got one without the resource "
            "categories' columns; run `palmap init-db` to create or upgrade it (nothing is lost)"
        ) from error


def _record(row: Any) -> CategoryRecord:
    return CategoryRecord(**{field: row[field] for field in CATEGORY_COLUMNS})


def list_categories(bind: Bind) -> list[CategoryRecord]:
    """Every category, ordered by code.

    Examples
    --------
    >>> import tempfile
    >>> from mapping.db.engine import create_engine, default_sqlite_url
    >>> from mapping.db.migrate import upgrade
    >>> engine = create_engine(default_sqlite_url(tempfile.mkdtemp()))
    >>> _ = upgrade(engine)
    >>> [c.code for c in list_categories(engine)][:3]
    ['boisko', 'kis', 'lokal_komunalny']
    """
    stmt = sa.select(*(CATEGORY.c[f] for f in CATEGORY_COLUMNS)).order_by(CATEGORY.c.code)
    with _reading(bind) as conn:
        return [_record(row) for row in conn.execute(stmt).mappings()]


def get_category(bind: Bind, code: str) -> CategoryRecord | None:
    """The category ``code``, or None."""
    stmt = sa.select(*(CATEGORY.c[f] for f in CATEGORY_COLUMNS)).where(CATEGORY.c.code == code)
    with _reading(bind) as conn:
        row = conn.execute(stmt).mappings().first()
    return None if row is None else _record(row)


def resource_counts(bind: Bind) -> dict[str, int]:
    """Resources per category code (every category, 0 for one without resources)."""
    stmt = (
        sa.select(CATEGORY.c.code, sa.func.count(RESOURCE.c.id))
        .select_from(CATEGORY.outerjoin(RESOURCE, RESOURCE.c.category == CATEGORY.c.code))
        .group_by(CATEGORY.c.code)
    )
    with _reading(bind) as conn:
        return {str(code): int(count) for code, count in conn.execute(stmt)}


def add_category(conn: Connection, category: CategoryRecord) -> CategoryRecord:
    """Insert a new category (checked) and return it as stored.

    Raises
    ------
    ValidationError
        For a field that fails its check, or a code that is already taken.
    """
    record = clean_record(category)
    hold_write_lock(conn)  # the check that the code is free and the insert: one writer at a time
    existing = get_category(conn, record.code)
    if existing is not None:
        raise ValidationError(
            msg(
                "code: a category with the code {code!r} already exists ({name_pl} / {name_en}); "
                "choose another code, or rename that category to change its names or colour",
                code=record.code,
                name_pl=existing.name_pl,
                name_en=existing.name_en,
            )
        )
    conn.execute(sa.insert(CATEGORY).values(**{f: getattr(record, f) for f in CATEGORY_COLUMNS}))
    return record


def rename_category(conn: Connection, code: str, change: CategoryChange) -> CategoryRecord:
    """Change the names, colour, aliases or capacity unit of ``code`` (never the code) and
    return the category as stored.

    Raises
    ------
    NotFoundError
        For an unknown code (the message lists the known ones).
    ValidationError
        For a new value that fails its check, or no new value at all.
    """
    hold_write_lock(conn)
    current = get_category(conn, code)
    if current is None:
        known = ", ".join(c.code for c in list_categories(conn))
        raise NotFoundError(
            msg(
                "code: expected a category code, got {code!r}; known: {known}",
                code=code,
                known=known,
            )
        )
    record = apply_change(current, change)
    values = {f: getattr(record, f) for f in CATEGORY_COLUMNS if f != "code"}
    conn.execute(sa.update(CATEGORY).where(CATEGORY.c.code == code).values(**values))
    return record
