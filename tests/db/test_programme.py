"""mapping.db.programme on both backends: partnerships and actions saved by code, their
districts and funding, the audit log, the data version and the checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mapping.db import audit, store
from mapping.db import programme as stored
from mapping.errors import ConflictError, ValidationError
from mapping.programme import Action, Funding, Member, Partnership
from tests.conftest import migrate
from tests.db.test_store import districts_frame

PARTNERSHIP = Partnership(
    "pal-a",
    "Partnerstwo <b>Aleja</b>",
    "opis",
    (
        Member("MOPS", "institution", "lider", "mops@example.invalid"),
        Member("Szkoła nr 1", "school", None, None),
    ),
)
ACTION = Action(
    "act-1",
    "Festyn rodzinny",
    "IV.5",
    date(2012, 6, 1),
    status="done",
    partnership="pal-a",
    districts=("b", "a"),
    funding=(Funding("city", 15000.0), Funding("eu", 120000.5)),
    end_date=date(2012, 6, 2),
    planned_participants=200,
    actual_participants=180,
    reserve_list=20,
    description="opis",
)


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame())
    return engine


def _save(engine: Engine, *, partnerships=(), actions=()) -> tuple:
    with engine.begin() as conn:
        saved_p = stored.save_partnerships(conn, list(partnerships), actor="tester", how="cli")
        saved_a = stored.save_actions(conn, list(actions), actor="tester", how="cli")
    return saved_p, saved_a


def test_save_and_load_round_trip_with_districts_funding_and_members(loaded: Engine) -> None:
    version = store.data_version(loaded)
    saved_p, saved_a = _save(loaded, partnerships=[PARTNERSHIP], actions=[ACTION])
    assert (saved_p.inserted, saved_a.inserted) == (1, 1)
    assert store.data_version(loaded) > version  # the data-version triggers cover the tables
    assert stored.load_partnerships(loaded) == [PARTNERSHIP]
    [action] = stored.load_actions(loaded)
    assert action == replace(
        ACTION,
        districts=("a", "b"),
        funding=(Funding("eu", 120000.5), Funding("city", 15000.0)),
    )
    assert action.version == 1 and action.total_funding == 135000.5


def test_saving_again_changes_nothing_and_a_change_updates_by_code(loaded: Engine) -> None:
    _save(loaded, partnerships=[PARTNERSHIP], actions=[ACTION])
    version = store.data_version(loaded)
    saved_p, saved_a = _save(loaded, partnerships=[PARTNERSHIP], actions=[ACTION])
    assert (saved_p.unchanged, saved_a.unchanged) == (1, 1)
    assert store.data_version(loaded) == version
    changed = replace(ACTION, districts=("c",), funding=(Funding("state", 5.0),), title="Festyn")
    fewer = replace(PARTNERSHIP, members=PARTNERSHIP.members[:1])
    saved_p, saved_a = _save(loaded, partnerships=[fewer], actions=[changed])
    assert (saved_p.updated, saved_a.updated) == (1, 1)
    [action] = stored.load_actions(loaded)
    assert (action.title, action.districts, action.funding, action.version) == (
        "Festyn",
        ("c",),
        (Funding("state", 5.0),),
        2,
    )
    assert stored.load_partnerships(loaded)[0].members == PARTNERSHIP.members[:1]
    with loaded.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM action_district")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM action_funding")).scalar_one() == 1


def test_every_change_is_in_the_audit_log(loaded: Engine) -> None:
    _save(loaded, partnerships=[PARTNERSHIP], actions=[ACTION])
    _save(loaded, actions=[replace(ACTION, status="running", title="Festyn 2")])
    entries, _total = audit.list_entries(loaded, audit.AuditFilter(table="action"))
    fields = sorted(str(f) for f in entries["field"])
    assert fields == ["None", "status", "title"]
    created = entries[entries["field"].isna()].iloc[0]
    assert '"districts": "a|b"' in created["new_value"]
    assert '"funding": "eu:120000.5|city:15000"' in created["new_value"]
    assert set(entries["actor"]) == {"tester"} and set(entries["how"]) == {"cli"}
    entries, _total = audit.list_entries(loaded, audit.AuditFilter(table="partnership"))
    assert len(entries) == 1


def test_an_invalid_action_or_a_stale_version_writes_nothing(loaded: Engine) -> None:
    _save(loaded, partnerships=[PARTNERSHIP], actions=[ACTION])
    version = store.data_version(loaded)
    bad = [
        (replace(ACTION, code="act-2", districts=("nowhere",)), "districts: expected the code"),
        (replace(ACTION, code="act-2", partnership="pal-x"), "partnership: expected the code"),
        (replace(ACTION, code="act-2", end_date=date(2011, 1, 1)), "end_date: expected an end"),
        (replace(ACTION, code="act-2", status="planned"), "actual_participants: expected no"),
        (replace(ACTION, code="act-2", reserve_list=-1), "reserve_list: expected a whole"),
        (replace(ACTION, code="act-2", action_type="IV.9"), "type: expected one of IV.1"),
    ]
    for action, message in bad:
        with pytest.raises(ValidationError, match=message):
            _save(loaded, actions=[replace(ACTION, code="act-0"), action])
    with pytest.raises(ConflictError, match="version 1, yours 7"):
        _save(loaded, actions=[replace(ACTION, title="x", version=7)])
    with pytest.raises(ConflictError, match="version 1, yours 3"):
        _save(loaded, partnerships=[replace(PARTNERSHIP, name="x", version=3)])
    with pytest.raises(ValidationError, match="code: an action with the code 'act-1'"):
        with loaded.begin() as conn:
            stored.save_actions(conn, [ACTION], actor="t", how="form", new=True)
    with pytest.raises(ValidationError, match="code: a partnership with the code 'pal-a'"):
        with loaded.begin() as conn:
            stored.save_partnerships(conn, [PARTNERSHIP], actor="t", how="form", new=True)
    assert [a.code for a in stored.load_actions(loaded)] == ["act-1"]
    assert store.data_version(loaded) == version


def test_deleting_a_partnership_or_district_keeps_the_action(loaded: Engine) -> None:
    _save(loaded, partnerships=[PARTNERSHIP], actions=[ACTION])
    with loaded.begin() as conn:
        conn.execute(sa.text("DELETE FROM partnership"))
        conn.execute(sa.text("DELETE FROM district WHERE code = 'a'"))
    [action] = stored.load_actions(loaded)
    assert (action.partnership, action.districts) == (None, ("b",))


def test_0008_downgrades_and_upgrades(loaded: Engine) -> None:
    _save(loaded, partnerships=[PARTNERSHIP], actions=[ACTION])
    migrate(loaded, "downgrade", "0007")
    assert "action" not in sa.inspect(loaded).get_table_names()
    migrate(loaded, "upgrade", "head")
    assert stored.load_actions(loaded) == []
    version = store.data_version(loaded)
    _save(loaded, partnerships=[PARTNERSHIP])
    assert store.data_version(loaded) > version
