"""`palmap import surveys` and `palmap template surveys` end to end on the demo database: both
layouts, the key for responses, refusals that write nothing, the dry run, a re-imported wave
replacing the stored one, the audit log, and no respondent id kept anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from app.db import get_engine
from mapping.db import audit
from mapping.db import surveys as stored

KEY = "test-survey-key-0123456789"
Q = "Ocena aktywności (1-5)"
COUNTS = (
    "action,district,wave,question,answer,count\n"
    f"demo-2012-03,sobiecin,initial,{Q},2,7\n"
    f"demo-2012-03,sobiecin,initial,{Q},4,6\n"
    f"demo-2012-03,sobiecin,final,{Q},4,9\n"
)
RESPONSES = (
    "działanie,osiedle,fala,respondent,pytanie,odpowiedź\n"
    f"demo-2013-02,Sobięcin,wstępna,Anna Kowalska,{Q},3\n"
    f"demo-2013-02,Sobięcin,wstępna,Jan Nowak,{Q},3\n"
    f"demo-2013-02,Sobięcin,końcowa,Anna Kowalska,{Q},5\n"
)


def run(runner: FlaskCliRunner, *args: str | Path, status: int = 0) -> str:
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == status, result.output
    return result.output


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _mine(app: Flask, action: str) -> list:
    return [c for c in stored.load_counts(get_engine(app)) if c.action == action]


def test_import_counts_dry_run_then_write_then_replace_one_wave(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, "s.csv", COUNTS)
    out = run(runner, "import", "surveys", path, "--dry-run")
    assert "Dry run" in out and _mine(app, "demo-2012-03") == []
    out = run(runner, "import", "surveys", path)
    assert "read 3, loaded 2, updated 0, unchanged 0" in out
    assert sorted((c.wave, c.answer, c.count) for c in _mine(app, "demo-2012-03")) == [
        ("final", "4", 9),
        ("initial", "2", 7),
        ("initial", "4", 6),
    ]
    write(tmp_path, "s.csv", COUNTS.splitlines()[0] + f"\ndemo-2012-03,sobiecin,final,{Q},5,12\n")
    out = run(runner, "import", "surveys", path)
    assert "loaded 0, updated 1, unchanged 0" in out
    assert sorted((c.wave, c.answer, c.count) for c in _mine(app, "demo-2012-03")) == [
        ("final", "5", 12),
        ("initial", "2", 7),
        ("initial", "4", 6),
    ]
    entries, _total = audit.list_entries(get_engine(app), audit.AuditFilter(table="survey_count"))
    assert "demo-2012-03/final" in set(entries["record_id"])
    assert set(entries["how"]) == {"cli"}


def test_unknown_action_is_refused_naming_the_known_ones_and_nothing_is_written(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    bad = COUNTS + f"demo-2099-99,sobiecin,final,{Q},4,9\ndemo-2012-03,Sobiecinn,final,{Q},3,x\n"
    out = run(runner, "import", "surveys", write(tmp_path, "s.csv", bad), status=3)
    assert re.search(r"error +5 +action +demo-2099-99 ", out)
    assert "'demo-2099-99'" in out and "demo-2010-01, demo-2010-02" in out
    assert re.search(r"error +6 +count +x ", out) and "did you mean 'Sobięcin'" in out
    assert "nothing was written" in out
    assert _mine(app, "demo-2012-03") == []
    out = run(runner, "import", "surveys", tmp_path / "s.csv", "--skip-invalid")
    assert "skipped 2" in out and len(_mine(app, "demo-2012-03")) == 3


def test_responses_need_the_key(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    app.config["SURVEY_KEY"] = None
    out = run(runner, "import", "surveys", write(tmp_path, "r.csv", RESPONSES), status=3)
    assert "PALMAP_SURVEY_KEY" in out
    assert _mine(app, "demo-2013-02") == []


def test_responses_are_counted_and_no_respondent_is_kept(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    app.config["SURVEY_KEY"] = KEY
    twice = RESPONSES + f"demo-2013-02,Sobięcin,wstępna,Jan Nowak,{Q},4\n"
    out = run(runner, "import", "surveys", write(tmp_path, "r.csv", twice), status=3)
    assert re.search(r"error +5 +respondent ", out)
    assert "one answer per respondent and question" in out
    assert "Jan Nowak" not in out  # the report never repeats an id
    out = run(runner, "import", "surveys", write(tmp_path, "r.csv", RESPONSES))
    assert "3 respondent(s) in 2 action wave(s)" in out  # 2 initial, 1 final
    assert sorted((c.wave, c.answer, c.count) for c in _mine(app, "demo-2013-02")) == [
        ("final", "5", 1),
        ("initial", "3", 2),
    ]
    engine = get_engine(app)
    with engine.connect() as conn:
        dump = "\n".join(str(tuple(r)) for r in conn.exec_driver_sql("SELECT * FROM survey_count"))
        dump += "\n".join(str(tuple(r)) for r in conn.exec_driver_sql("SELECT * FROM audit_log"))
    assert "Anna" not in dump and "Nowak" not in dump


def test_template_has_both_layouts(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = run(runner, "template", "surveys", "-o", tmp_path / "t.xlsx")
    assert "surveys, responses, waves" in out
    sheets = pd.read_excel(tmp_path / "t.xlsx", sheet_name=None)
    assert list(sheets["surveys"].columns) == [
        "action",
        "district",
        "wave",
        "question",
        "answer",
        "count",
    ]
    assert "respondent" in sheets["responses"].columns
    assert "demo-2012-03" in set(sheets["actions"]["code"])
    # The template imports as it is (counts of a stored action and district).
    sheets["surveys"].to_csv(tmp_path / "t.csv", index=False)
    run(runner, "import", "surveys", tmp_path / "t.csv", "--dry-run")


@pytest.mark.parametrize("layout", ["counts", "responses"])
def test_xlsx_works_too(app: Flask, runner: FlaskCliRunner, tmp_path: Path, layout: str) -> None:
    app.config["SURVEY_KEY"] = KEY
    text = COUNTS if layout == "counts" else RESPONSES
    frame = pd.read_csv(write(tmp_path, "x.csv", text))
    frame.to_excel(tmp_path / "x.xlsx", index=False)
    out = run(runner, "import", "surveys", tmp_path / "x.xlsx")
    assert "loaded 2" in out
