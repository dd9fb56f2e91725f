"""Indicators and their values per district and year: upserts on ``code`` and on
``(district, indicator, year)``, reads in long format."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from mapping.db.audit import Change
from mapping.db.base import DISTRICT, INDICATOR, VALUE, Bind, SaveResult, clean, connection
from mapping.db.districts import district_ids
from mapping.db.locking import hold_write_lock
from mapping.errors import ValidationError
from mapping.frames import INDICATOR_COLUMNS, INDICATOR_VALUE_COLUMNS


def delete_indicator_values(conn: Connection, indicators: list[str]) -> int:
    """Delete every value of the given indicators (``--replace``); return how many."""
    if not indicators:
        return 0
    hold_write_lock(conn)
    return conn.execute(VALUE.delete().where(VALUE.c.indicator.in_(indicators))).rowcount


def value_key(district_code: str, indicator: str, year: int) -> str:
    """How the audit log names one value: ``district/indicator/year``.

    >>> value_key("rusinowa", "residents", 2013)
    'rusinowa/residents/2013'
    """
    return f"{district_code}/{indicator}/{int(year)}"


def delete_values(conn: Connection, keys: list[tuple[str, str, int]]) -> SaveResult:
    """Delete single values by ``(district_code, indicator, year)`` (a cell emptied in the
    values table); keys with no stored value are left alone. Each deletion is a change."""
    if not keys:
        return SaveResult()
    hold_write_lock(conn)
    districts = district_ids(conn)
    existing = _stored_values(conn)
    changes = []
    for code, indicator, year in keys:
        old = existing.get((code, indicator, int(year)))
        if old is None or code not in districts:
            continue
        conn.execute(
            VALUE.delete().where(
                VALUE.c.district_id == districts[code],
                VALUE.c.indicator == indicator,
                VALUE.c.year == int(year),
            )
        )
        changes.append(Change(VALUE.name, value_key(code, indicator, year), "value", old, None))
    return SaveResult(deleted=len(changes), changes=tuple(changes))


def _stored_values(conn: Connection) -> dict[tuple[str, str, int], float]:
    return {
        (r.district_code, r.indicator, int(r.year)): float(r.value)
        for r in load_indicator_values(conn).itertuples(index=False)
    }


def load_indicators(bind: Bind) -> pd.DataFrame:
    """All indicators, ordered by code."""
    stmt = select(*(INDICATOR.c[c] for c in INDICATOR_COLUMNS)).order_by(INDICATOR.c.code)
    with connection(bind) as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=list(INDICATOR_COLUMNS))
    frame["higher_is_more_need"] = frame["higher_is_more_need"].astype(bool)
    return frame


def save_indicators(conn: Connection, indicators: pd.DataFrame) -> SaveResult:
    """Insert or update indicators by ``code`` (a denominator may be defined in the same frame)."""
    hold_write_lock(conn)  # before reading the rows to match: a concurrent import waits
    known = set(load_indicators(conn)["code"]) | set(indicators["code"])
    rows = []
    for number, row in enumerate(indicators.to_dict("records"), start=1):
        values = {c: clean(row.get(c)) for c in INDICATOR_COLUMNS}
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
            old = {k: clean(existing.loc[code, k]) for k in fields}
            old["higher_is_more_need"] = bool(old["higher_is_more_need"])
            if old == fields and clean(existing.loc[code, "denominator"]) == values["denominator"]:
                unchanged += 1
                continue
            conn.execute(INDICATOR.update().where(INDICATOR.c.code == code).values(**fields))
            updated += 1
        else:
            conn.execute(INDICATOR.insert().values(code=code, **fields))
            inserted += 1
    for values in rows:
        conn.execute(
            INDICATOR.update()
            .where(INDICATOR.c.code == values["code"])
            .values(denominator=values["denominator"])
        )
    return SaveResult(inserted, updated, unchanged)


def load_indicator_values(
    bind: Bind, *, indicator: str | None = None, year: int | None = None
) -> pd.DataFrame:
    """Indicator values in long format, ordered by indicator, year and district code."""
    stmt = (
        select(
            DISTRICT.c.code.label("district_code"),
            VALUE.c.indicator,
            VALUE.c.year,
            VALUE.c.value,
        )
        .select_from(VALUE.join(DISTRICT, VALUE.c.district_id == DISTRICT.c.id))
        .order_by(VALUE.c.indicator, VALUE.c.year, DISTRICT.c.code)
    )
    if indicator is not None:
        stmt = stmt.where(VALUE.c.indicator == indicator)
    if year is not None:
        stmt = stmt.where(VALUE.c.year == int(year))
    with connection(bind) as conn:
        frame = pd.DataFrame(conn.execute(stmt).all(), columns=list(INDICATOR_VALUE_COLUMNS))
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame


def save_indicator_values(conn: Connection, values: pd.DataFrame) -> SaveResult:
    """Insert or update values on ``(district_code, indicator, year)``; every new or changed
    value is a change for the audit log (record ``district/indicator/year``, field ``value``)."""
    hold_write_lock(conn)  # before reading the rows to match: a concurrent import waits
    districts = district_ids(conn)
    indicators = set(load_indicators(conn)["code"])
    existing = _stored_values(conn)
    inserted = updated = unchanged = 0
    changes: list[Change] = []
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
        if existing.get(key) != value:
            changes.append(Change(VALUE.name, value_key(*key), "value", existing.get(key), value))
        if key in existing:
            if existing[key] == value:
                unchanged += 1
                continue
            conn.execute(
                VALUE.update()
                .where(
                    VALUE.c.district_id == districts[code],
                    VALUE.c.indicator == indicator,
                    VALUE.c.year == year,
                )
                .values(value=value)
            )
            updated += 1
        else:
            conn.execute(
                VALUE.insert().values(
                    district_id=districts[code], indicator=indicator, year=year, value=value
                )
            )
            inserted += 1
    return SaveResult(inserted, updated, unchanged, changes=tuple(changes))
