"""`palmap import partnerships|actions`, `palmap export` and `palmap template` for the
programme, end to end on the demo database: exit statuses, the row-level report, nothing
written on failure, updates by code, the audit log and a clean round trip."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
from flask import Flask
from flask.testing import FlaskCliRunner

from app.db import get_engine
from mapping.db import audit, store
from mapping.db import programme as stored

PARTNERSHIPS = (
    "partnerstwo,nazwa,opis,członek,rodzaj,rola,kontakt\n"
    "pal-test,Partnerstwo Testowe,Opis,MOPS,instytucja,lider,mops@example.invalid\n"
    "pal-test,,,Szkoła Podstawowa nr 5,szkoła,partner,\n"
    "pal-test,,,Klub sportowy,organizacja pozarządowa,,\n"
)
ACTIONS = (
    "code,title,type,partnership,districts,funding,start_date,end_date,planned_participants,"
    "actual_participants,reserve_list,status,description\n"
    't-1,Festyn,IV.5,pal-test,Sobięcin|stary-zdroj,"EFS:12 000,50|gmina:3000",01.06.2012,'
    "2012-06-02,200,180,20,zakończone,\n"
    "t-2,Kurs zawodowy,6,,srodmiescie,eu:40000,2013-02-01,,15,,5,planned,Kurs\n"
)
BAD_ACTIONS = (
    "code,title,type,districts,funding,start_date,end_date,actual_participants,status\n"
    "t-3,Debata,IV.4,Sobiecin,,2012-03-01,2012-02-01,,planned\n"
    "t-4,Debata,IV.9,Sobięcinn,lottery:5,2012-03-01,,10,planned\n"
)


def run(runner: FlaskCliRunner, *args: str | Path, status: int = 0) -> str:
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == status, result.output
    return result.output


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_partnerships_and_actions_then_again_adds_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    engine = get_engine(app)
    before = {a.code for a in stored.load_actions(engine)}
    out = run(runner, "import", "partnerships", write(tmp_path, "p.csv", PARTNERSHIPS))
    assert "loaded 1" in out
    out = run(runner, "import", "actions", write(tmp_path, "a.csv", ACTIONS))
    assert "read 2, loaded 2, updated 0, unchanged 0" in out
    actions = {a.code: a for a in stored.load_actions(engine)}
    assert set(actions) - before == {"t-1", "t-2"}
    festyn = actions["t-1"]
    assert festyn.districts == ("sobiecin", "stary-zdroj")
    assert [(f.source, f.amount) for f in festyn.funding] == [("eu", 12000.5), ("city", 3000.0)]
    assert (festyn.status, festyn.actual_participants, festyn.partnership) == (
        "done",
        180,
        "pal-test",
    )
    assert actions["t-2"].action_type == "IV.6"
    [partnership] = [p for p in stored.load_partnerships(engine) if p.code == "pal-test"]
    assert [m.kind for m in partnership.members] == ["institution", "school", "ngo"]
    # Again: nothing changes; a changed row updates by code, no duplicate.
    out = run(runner, "import", "actions", tmp_path / "a.csv")
    assert "loaded 0, updated 0, unchanged 2" in out
    write(tmp_path, "a.csv", ACTIONS.replace("Kurs zawodowy", "Kurs spawania"))
    out = run(runner, "import", "actions", tmp_path / "a.csv")
    assert "loaded 0, updated 1, unchanged 1" in out
    assert len(stored.load_actions(engine)) == len(before) + 2
    # The audit log: the created records, the changed title, the import's summary (how=cli).
    entries, _total = audit.list_entries(engine, audit.AuditFilter(record_id="t-2"))
    assert sorted(str(f) for f in entries["field"]) == ["None", "title"]
    assert set(entries["how"]) == {"cli"} and all(a.startswith("cli:") for a in entries["actor"])
    entries, _total = audit.list_entries(engine, audit.AuditFilter(table="actions"))
    assert len(entries) == 3


def test_invalid_rows_refuse_the_file_with_a_row_level_report(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    engine = get_engine(app)
    version, before = store.data_version(engine), stored.load_actions(engine)
    report = tmp_path / "report.json"
    path = write(tmp_path, "bad.csv", BAD_ACTIONS)
    out = run(runner, "import", "actions", path, "--report", report, status=3)
    assert "nothing was written" in out and "--skip-invalid" in out
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    where = sorted((f["row"], f["field"]) for f in findings if f["severity"] == "error")
    assert where == [
        (2, "end_date"),
        (3, "actual_participants"),
        (3, "districts"),
        (3, "funding"),
        (3, "type"),
    ]
    district = next(f for f in findings if f["field"] == "districts")
    assert district["value"] == "Sobięcinn" and "Sobięcin" in district["fix"]
    assert stored.load_actions(engine) == before and store.data_version(engine) == version
    # A dry run writes nothing; skipping the invalid rows loads none here (both are bad).
    valid = write(tmp_path, "a.csv", ACTIONS.replace("pal-test", ""))
    out = run(runner, "import", "actions", valid, "--dry-run")
    assert "Dry run" in out and stored.load_actions(engine) == before
    run(runner, "import", "actions", path, "--skip-invalid")
    assert stored.load_actions(engine) == before


def test_an_unknown_partnership_or_a_missing_column_is_named(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    out = run(runner, "import", "actions", write(tmp_path, "a.csv", ACTIONS), status=3)
    assert "expected the code of a known partnership, got 'pal-test'" in out
    path = write(tmp_path, "b.csv", "code,title\nx,y\n")
    out = run(runner, "import", "actions", path, status=3)
    assert "expected the columns type, start_date" in out
    path = write(tmp_path, "p.csv", "partnerstwo,nazwa,członek,rodzaj\np,P,Bank,bank\n")
    out = run(runner, "import", "partnerships", path, status=3)
    assert "kind" in out and "'bank'" in out


def test_export_reimports_unchanged_csv_and_xlsx(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    engine = get_engine(app)
    run(runner, "import", "partnerships", write(tmp_path, "p.csv", PARTNERSHIPS))
    run(runner, "import", "actions", write(tmp_path, "a.csv", ACTIONS))
    actions, partnerships = stored.load_actions(engine), stored.load_partnerships(engine)
    for suffix, extra in ((".csv", []), (".xlsx", []), (".csv", ["--excel"])):
        for kind in ("partnerships", "actions"):
            target = tmp_path / f"{kind}{suffix}"
            out = run(runner, "export", kind, "-o", target, *extra)
            assert f"{kind} written to" in out
            out = run(runner, "import", kind, target)
            count = len(actions if kind == "actions" else partnerships)
            assert f"loaded 0, updated 0, unchanged {count}" in out, out
    assert stored.load_actions(engine) == actions
    assert stored.load_partnerships(engine) == partnerships
    text = (tmp_path / "actions.csv").read_text("utf-8-sig")  # the --excel one
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert next(r for r in rows if r["code"] == "t-1")["funding"] == "eu:12000.5|city:3000"
    run(runner, "export", "actions", "-o", tmp_path / "a.geojson", status=2)


def test_templates_list_the_allowed_values_and_import_as_they_are(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    for kind in ("partnerships", "actions"):
        target = tmp_path / f"{kind}.xlsx"
        run(runner, "template", kind, "-o", target)
        sheets = pd.read_excel(target, sheet_name=None)
        run(runner, "template", kind, "-o", tmp_path / f"{kind}.csv")
        out = run(runner, "import", kind, tmp_path / f"{kind}.csv", "--dry-run")
        assert "0 errors, 0 warnings; nothing written" in out
    assert {"actions", "types", "funding_sources", "statuses", "districts"} <= set(sheets)
    assert list(sheets["types"]["code"]) == [f"IV.{i}" for i in range(1, 8)]


def test_the_demo_has_two_partnerships_and_invented_actions_in_the_target_districts(
    app: Flask,
) -> None:
    engine = get_engine(app)
    partnerships = stored.load_partnerships(engine)
    actions = [a for a in stored.load_actions(engine) if a.code.startswith("demo-")]
    assert [p.code for p in partnerships] == ["pal-centrum", "pal-polnoc"]
    assert all("(demo)" in m.name for p in partnerships for m in p.members)
    assert len(actions) == 15 and all("demo" in a.title for a in actions)
    assert {a.start_date.year for a in actions} == {2010, 2011, 2012, 2013}
    assert len({a.action_type for a in actions}) == 7
    crisis = {"bialy-kamien", "stary-zdroj", "srodmiescie", "sobiecin", "nowe-miasto"}
    assert {d for a in actions for d in a.districts} == crisis | {"podgorze-i", "podgorze-ii"}
