"""The capacity units of a demo folder's categories (``categories.csv``), set by ``load-demo``.

The demo's categories are the seeded ones (:data:`mapping.categories.DEFAULT_CATEGORIES`,
migration 0001), which leave the capacity unit empty: what a capacity counts depends on the
city's records. The demo's resources have capacities in four categories (day rooms, social
integration clubs, school gyms and computer labs); ``categories.csv`` (``code,capacity_unit``)
says what they count, and :func:`save_demo_units` sets them in the load's transaction, so that
access, its ``meta`` and the pages name the unit of every category's supply. A category whose
resources have no capacity needs no unit: each resource counts 1 (:mod:`mapping.supply`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mapping.categories import UNIT_MAX, CategoryChange, clean_code, clean_text
from mapping.db import Connection, audit
from mapping.db import categories as category_store
from mapping.db.base import SaveResult
from mapping.errors import ValidationError

__all__ = ["CATEGORIES_FILE", "load_demo_units", "save_demo_units"]

#: The file of a demo folder that holds the categories' capacity units.
CATEGORIES_FILE = "categories.csv"


def _where(path: Path, index: int, field: str) -> str:
    return f"{path.name}, line {index + 2}, field {field!r}"


def load_demo_units(folder: Path) -> dict[str, str]:
    """The capacity unit of each category in ``folder``'s ``categories.csv`` (none when the
    file is absent).

    Raises
    ------
    ValidationError
        For a bad code or unit, or a code given twice (the message names the line and field).
    """
    path = Path(folder) / CATEGORIES_FILE
    if not path.is_file():
        return {}
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationError(
            f"{path.name}: expected UTF-8 comma-separated values ({exc})"
        ) from exc
    for column in ("code", "capacity_unit"):
        if column not in frame.columns:
            raise ValidationError(
                f"{path.name}: expected the columns code, capacity_unit, got no column "
                f"{column!r}; add it to the header"
            )
    units: dict[str, str] = {}
    for index, (code, unit) in enumerate(zip(frame["code"], frame["capacity_unit"], strict=True)):
        try:
            clean = clean_code(code)
            text = clean_text("capacity_unit", unit, limit=UNIT_MAX, required=True)
        except ValidationError as exc:
            raise ValidationError(f"{_where(path, index, 'code')}: {exc}") from None
        if clean in units:
            raise ValidationError(
                f"{_where(path, index, 'code')}: expected unique values, got {clean!r} again; "
                "give every category one row"
            )
        units[clean] = str(text)
    return units


def save_demo_units(conn: Connection, units: dict[str, str]) -> SaveResult:
    """Set each category's capacity unit (a unit already set counts as unchanged), with one
    audit change per unit set.

    Raises
    ------
    NotFoundError
        For a code that is not a stored category (the message lists the known ones).
    """
    updated, unchanged, changes = 0, 0, []
    for code, unit in units.items():
        current = category_store.get_category(conn, code)
        if current is not None and current.capacity_unit == unit:
            unchanged += 1
            continue
        old = None if current is None else current.capacity_unit
        category_store.rename_category(conn, code, CategoryChange(capacity_unit=unit))
        changes.append(audit.Change("resource_category", code, "capacity_unit", old, unit))
        updated += 1
    return SaveResult(updated=updated, unchanged=unchanged, changes=tuple(changes))
