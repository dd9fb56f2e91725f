"""run_import("surveys") on both backends: the dry run and a refusal write nothing, a write
replaces one action's wave, a rehearsal keeps nothing, responses need the key."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from mapping.db import programme as programme_store
from mapping.db import store
from mapping.db import surveys as stored
from mapping.errors import ValidationError
from mapping.io.flow import run_import
from mapping.io.options import ImportOptions
from mapping.programme import Action
from tests.db.test_store import districts_frame

COUNTS = (
    b"action,district,wave,question,answer,count\nact-1,a,initial,Q,tak,7\nact-1,b,final,Q,nie,6\n"
)
RESPONSES = (
    b"action,district,wave,respondent,question,answer\n"
    b"act-1,Aleja,initial,r1,Q,tak\nact-1,Aleja,initial,r2,Q,tak\n"
)


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame())
        programme_store.save_actions(
            conn, [Action("act-1", "Festyn", "IV.5", date(2012, 6, 1))], actor=None, how="cli"
        )
    return engine


def test_dry_run_refusal_rehearsal_and_write(loaded: Engine) -> None:
    dry = run_import(
        "surveys", COUNTS, filename="s.csv", engine=loaded, options=ImportOptions(dry_run=True)
    )
    assert dry.status == "dry_run" and stored.load_counts(loaded) == []
    bad = COUNTS + b"act-9,a,final,Q,tak,3\n"
    refused = run_import("surveys", bad, filename="s.csv", engine=loaded, actor="t")
    assert refused.status == "refused" and stored.load_counts(loaded) == []
    assert [(f.row, f.field) for f in refused.report.errors()] == [(4, "action")]
    rehearsed = run_import("surveys", COUNTS, filename="s.csv", engine=loaded, rehearse=True)
    assert (rehearsed.status, rehearsed.loaded) == ("rehearsed", 2)
    assert stored.load_counts(loaded) == []
    written = run_import("surveys", COUNTS, filename="s.csv", engine=loaded, actor="t")
    assert (written.status, written.loaded) == ("written", 2)
    assert len(stored.load_counts(loaded)) == 2


def test_responses_need_a_key_and_are_counted(loaded: Engine) -> None:
    with pytest.raises(ValidationError, match="PALMAP_SURVEY_KEY"):
        run_import("surveys", RESPONSES, filename="r.csv", engine=loaded)
    result = run_import("surveys", RESPONSES, filename="r.csv", engine=loaded, survey_key=b"k" * 32)
    assert result.status == "written"
    assert [(c.district, c.answer, c.count) for c in stored.load_counts(loaded)] == [
        ("a", "tak", 2)
    ]
