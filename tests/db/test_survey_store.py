"""mapping.db.surveys on both backends: counts saved per action and wave (a re-import of one
wave replaces it and leaves the other), the audit log, the data version, the checks, the
migration down and up, and no respondent anywhere in the schema."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mapping.db import audit, store
from mapping.db import programme as programme_store
from mapping.db import surveys as stored
from mapping.errors import ValidationError
from mapping.programme import Action
from mapping.surveys import SurveyCount
from tests.conftest import migrate
from tests.db.test_store import districts_frame

ACTIONS = [
    Action("act-1", "Festyn", "IV.5", date(2012, 6, 1), districts=("a", "b")),
    Action("act-2", "Kurs", "IV.6", date(2012, 9, 1), districts=("c",)),
]
Q = "Jak oceniasz <b>osiedle</b>? (1-5)"


def counts(action: str = "act-1", wave: str = "initial", n: int = 7) -> list[SurveyCount]:
    return [
        SurveyCount(action, "a", wave, Q, "4", n),
        SurveyCount(action, "b", wave, Q, "2", 3),
    ]


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame())
        programme_store.save_actions(conn, ACTIONS, actor=None, how="cli")
    return engine


def _save(engine: Engine, given: list[SurveyCount]) -> store.SaveResult:
    with engine.begin() as conn:
        return stored.save_counts(conn, given, actor="tester", how="cli")


def test_save_load_and_replace_one_wave_only(loaded: Engine) -> None:
    assert _save(loaded, counts() + counts(wave="final", n=9)) == store.SaveResult(inserted=2)
    assert sorted(stored.load_counts(loaded), key=repr) == sorted(
        counts() + counts(wave="final", n=9), key=repr
    )
    # The same file again: unchanged; a new final wave replaces the final wave only.
    assert _save(loaded, counts()) == store.SaveResult(unchanged=1)
    new_final = [SurveyCount("act-1", "a", "final", Q, "5", 11)]
    assert _save(loaded, new_final) == store.SaveResult(updated=1)
    loaded_counts = stored.load_counts(loaded)
    assert [c for c in loaded_counts if c.wave == "final"] == new_final
    assert sorted(c for c in loaded_counts if c.wave == "initial") == sorted(counts())


def test_each_written_wave_is_in_the_audit_log_without_any_answer_text(loaded: Engine) -> None:
    _save(loaded, counts())
    _save(loaded, counts(n=8))
    entries, _total = audit.list_entries(loaded, audit.AuditFilter(table="survey_count"))
    assert list(entries["record_id"]) == ["act-1/initial", "act-1/initial"]
    assert set(entries["actor"]) == {"tester"}
    assert list(entries["new_value"]) == [
        "2 counts, 1 questions, 11 answers",
        "2 counts, 1 questions, 10 answers",
    ]
    assert list(entries["old_value"]) == ["2 counts, 1 questions, 10 answers", None]


def test_an_import_raises_the_data_version(loaded: Engine) -> None:
    version = store.data_version(loaded)
    _save(loaded, counts())
    assert store.data_version(loaded) > version


def test_an_unknown_action_is_refused_naming_the_known_ones(loaded: Engine) -> None:
    with pytest.raises(ValidationError, match=r"'act-9'.*act-1, act-2"):
        _save(loaded, [replace(counts()[0], action="act-9")])
    assert stored.load_counts(loaded) == []


def test_deleting_an_action_deletes_its_counts(loaded: Engine) -> None:
    _save(loaded, counts() + counts("act-2"))
    with loaded.begin() as conn:
        conn.execute(sa.text("DELETE FROM action WHERE code = 'act-1'"))
    assert {c.action for c in stored.load_counts(loaded)} == {"act-2"}


def test_the_schema_has_counts_only(loaded: Engine) -> None:
    columns = {c["name"] for c in sa.inspect(loaded).get_columns("survey_count")}
    assert columns == {"id", "action_id", "district_id", "wave", "question", "answer", "count"}


def test_0010_downgrades_and_upgrades(loaded: Engine) -> None:
    _save(loaded, counts())
    migrate(loaded, "downgrade", "0009")
    assert "survey_count" not in sa.inspect(loaded).get_table_names()
    assert {a.code for a in programme_store.load_actions(loaded)} == {"act-1", "act-2"}
    migrate(loaded, "upgrade", "head")
    assert stored.load_counts(loaded) == []
    version = store.data_version(loaded)
    _save(loaded, counts())
    assert store.data_version(loaded) > version
