"""One district's name and code edited on both backends: the fingerprint lock, the unique code
and name, the audit log (issue 12, "District names and codes")."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from mapping.db import audit
from mapping.db.districts import (
    CODE_MAX,
    NAME_MAX,
    get_district,
    get_district_by_id,
    load_districts,
    update_district,
)
from mapping.demo import load_demo
from mapping.errors import ConflictError, NotFoundError, ValidationError

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture
def demo(engine: Engine) -> Engine:
    load_demo(engine, DEMO)
    return engine


def test_a_rename_saves_and_logs_each_changed_field(demo: Engine) -> None:
    before = get_district(demo, "lubiechow")
    values = {**before.values, "name": "Lubiechów <b>", "code": "lubiechow-d", "schematic": False}
    with demo.begin() as conn:
        after = update_district(conn, before.id, before.fingerprint, values, actor="ola")
    assert after.values == values and after.fingerprint != before.fingerprint
    assert get_district_by_id(demo, before.id).values["code"] == "lubiechow-d"
    assert "lubiechow-d" in set(load_districts(demo)["code"])  # the geometry stays
    entries, total = audit.list_entries(
        demo, audit.AuditFilter(table="district", record_id=str(before.id))
    )
    assert total == 3 and set(entries["field"]) == {"name", "code", "schematic"}
    assert set(entries["how"]) == {"form"} and set(entries["actor"]) == {"ola"}
    with pytest.raises(NotFoundError):
        get_district(demo, "lubiechow")


def test_a_stale_fingerprint_is_a_conflict_and_overwrites_nothing(demo: Engine) -> None:
    first = get_district(demo, "gaj")
    with demo.begin() as conn:
        update_district(conn, first.id, first.fingerprint, {**first.values, "name": "A"}, actor="a")
    with demo.begin() as conn, pytest.raises(ConflictError) as raised:
        update_district(conn, first.id, first.fingerprint, {**first.values, "name": "B"}, actor="b")
    assert raised.value.status_code == 409 and raised.value.current.values["name"] == "A"
    assert get_district(demo, "gaj").values["name"] == "A"
    assert audit.list_entries(demo, audit.AuditFilter(actor="b"))[1] == 0


@pytest.mark.parametrize("field", ["code", "name"])
def test_a_code_or_name_of_another_district_is_refused(demo: Engine, field: str) -> None:
    mine, other = get_district(demo, "gaj"), get_district(demo, "lubiechow")
    values = {**mine.values, field: other.values[field]}
    with demo.begin() as conn, pytest.raises(ValidationError, match=f"^{field}: "):
        update_district(conn, mine.id, mine.fingerprint, values, actor="ola")
    assert get_district(demo, "gaj") == mine


def test_the_limits_are_the_columns() -> None:
    assert (CODE_MAX, NAME_MAX) == (64, 200)
