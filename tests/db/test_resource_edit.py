"""Editing one resource on both backends: optimistic locking and the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from mapping.db import audit
from mapping.db.resource_edit import get_resource, update_resource
from mapping.demo import load_demo
from mapping.errors import ConflictError, NotFoundError

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture
def demo(engine: Engine) -> Engine:
    load_demo(engine, DEMO)
    return engine


def test_a_save_changes_the_fields_raises_the_version_and_logs_each_field(demo: Engine) -> None:
    before = get_resource(demo, 1)
    values = {**before.values, "name": "Świetlica <b>Nowa</b>", "capacity": 30}
    with demo.begin() as conn:
        after = update_resource(conn, 1, before.version, values, actor="ola")
    assert after.version == before.version + 1
    assert after.values["name"] == "Świetlica <b>Nowa</b>" and after.values["capacity"] == 30
    entries, total = audit.list_entries(demo, audit.AuditFilter(table="resource", record_id="1"))
    changed = {"name"} | ({"capacity"} if before.values["capacity"] != 30 else set())
    assert total == len(changed) and set(entries["field"]) == changed
    row = entries.set_index("field").loc["name"]
    assert (row["old_value"], row["new_value"]) == (before.values["name"], values["name"])
    assert set(entries["actor"]) == {"ola"} and set(entries["how"]) == {"form"}


def test_a_save_from_a_stale_copy_is_a_conflict_and_overwrites_nothing(demo: Engine) -> None:
    first = get_resource(demo, 2)
    with demo.begin() as conn:
        update_resource(conn, 2, first.version, {**first.values, "phone": "74 111"}, actor="a")
    with demo.begin() as conn, pytest.raises(ConflictError) as raised:
        update_resource(conn, 2, first.version, {**first.values, "phone": "74 222"}, actor="b")
    assert raised.value.status_code == 409
    assert raised.value.current.values["phone"] == "74 111"
    assert get_resource(demo, 2).values["phone"] == "74 111"
    _, total = audit.list_entries(demo, audit.AuditFilter(actor="b"))
    assert total == 0


def test_moving_a_point_and_saving_nothing_new(demo: Engine) -> None:
    record = next(r for r in map(lambda i: get_resource(demo, i), range(1, 40)) if r.values["lat"])
    moved = {**record.values, "lat": record.values["lat"] + 0.001}
    with demo.begin() as conn:
        after = update_resource(conn, record.id, record.version, moved, actor="ola")
    assert after.values["lat"] == pytest.approx(moved["lat"], abs=1e-7)
    with demo.begin() as conn:
        same = update_resource(conn, record.id, after.version, after.values, actor="ola")
    assert same.version == after.version  # nothing changed: no new version, no entry
    _, total = audit.list_entries(demo, audit.AuditFilter(record_id=str(record.id)))
    assert total == 1


def test_an_unknown_resource_is_not_found(demo: Engine) -> None:
    with pytest.raises(NotFoundError):
        get_resource(demo, 999_999)


def _count(engine: Engine) -> int:
    from mapping.db import store

    return store.table_counts(engine)["resource"]


def test_add_delete_and_restore_a_resource(demo: Engine) -> None:
    from mapping.db.resource_edit import (
        add_resource,
        delete_resource,
        list_deleted,
        restore_resource,
    )

    template = get_resource(demo, 1).values
    before = _count(demo)
    with demo.begin() as conn:
        added = add_resource(conn, {**template, "name": "Nowa świetlica"}, actor="jan")
    assert added.values["name"] == "Nowa świetlica" and added.version == 1
    assert _count(demo) == before + 1
    with demo.begin() as conn, pytest.raises(ConflictError):
        delete_resource(conn, added.id, added.version + 5, actor="jan")
    with demo.begin() as conn:
        archived = delete_resource(conn, added.id, added.version, actor="jan")
    assert _count(demo) == before
    with pytest.raises(NotFoundError):
        get_resource(demo, added.id)
    listed = list_deleted(demo)
    assert listed[0]["name"] == "Nowa świetlica" and listed[0]["deleted_by"] == "jan"
    with demo.begin() as conn:
        back = restore_resource(conn, archived, actor="ola")
    restored = get_resource(demo, back)
    assert restored.values == added.values and list_deleted(demo) == []
    entries, total = audit.list_entries(demo, audit.AuditFilter(table="resource"))
    assert total == 3 and list(entries["actor"]) == ["ola", "jan", "jan"]
    assert entries.iloc[1]["old_value"] is not None and entries.iloc[1]["new_value"] is None
    with demo.begin() as conn, pytest.raises(NotFoundError):
        restore_resource(conn, archived, actor="ola")


def test_a_restore_after_its_id_was_given_again_takes_a_new_id(demo: Engine) -> None:
    from mapping.db.resource_edit import add_resource, delete_resource, restore_resource

    template = get_resource(demo, 1).values
    with demo.begin() as conn:
        first = add_resource(conn, {**template, "name": "Pierwsza"}, actor="jan")
    with demo.begin() as conn:
        archived = delete_resource(conn, first.id, first.version, actor="jan")
    with demo.begin() as conn:
        second = add_resource(conn, {**template, "name": "Druga"}, actor="jan")
    with demo.begin() as conn:
        back = restore_resource(conn, archived, actor="ola")
    assert get_resource(demo, back).values["name"] == "Pierwsza"
    assert get_resource(demo, second.id).values["name"] == "Druga"
