"""The palmap command on a new database file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from flask import Flask

from app.db import get_engine
from mapping.db import store


def test_init_db_then_load_demo_on_a_new_file(empty_app: Flask, tmp_path: Path) -> None:
    runner = empty_app.test_cli_runner()
    database = tmp_path / "test.sqlite"
    assert not database.exists()

    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 1  # a configuration error: the schema is missing
    assert "palmap init-db" in result.output

    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "revision 0002" in result.output
    assert database.exists()

    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert "districts: 21 inserted" in result.output
    counts = store.table_counts(get_engine(empty_app))
    assert counts["district"] == 21
    assert counts["resource"] >= 80
    assert counts["indicator"] == 5
    assert counts["indicator_value"] == 21 * 5 * 5


def test_load_demo_twice_changes_nothing(app: Flask) -> None:
    engine = get_engine(app)
    before_counts = store.table_counts(engine)
    before_per_district = store.counts_by_district_category(engine)
    result = app.test_cli_runner().invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert "21 inserted" not in result.output
    assert "districts: 0 inserted, 0 updated, 21 unchanged" in result.output
    assert store.table_counts(engine) == before_counts
    assert store.counts_by_district_category(engine).equals(before_per_district)


def test_load_demo_if_empty_skips_a_loaded_database(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["load-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already loaded" in result.output


def test_init_db_twice_is_harmless(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert store.table_counts(get_engine(app))["district"] == 21


def test_backup_opens_and_holds_the_same_rows(app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    original = store.table_counts(get_engine(app))
    with sqlite3.connect(target) as copy:
        for table, count in original.items():
            assert copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count  # noqa: S608
    # A second backup to the same file is refused unless asked for.
    again = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert again.exit_code == 3
    assert "existing" in again.output


def test_starting_palmap_does_not_import_the_plotting_and_statistics_stack(tmp_path: Path) -> None:
    """matplotlib, mapclassify (with scikit-learn and SciPy's statistics) and SciPy's k-d tree
    cost every `palmap` command about 2 s at start-up; they are imported where they are used."""
    heavy = ("matplotlib", "mapclassify", "sklearn", "scipy.spatial", "scipy.stats")
    code = (
        "import sys\n"
        "from app.cli import cli\n"
        "from app import create_app\n"
        f"create_app({{'INSTANCE_PATH': {str(tmp_path)!r}, 'SECRET_KEY': 'x'}})\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_palmap_run_imports_the_map_modules_before_serving(monkeypatch) -> None:
    from flask.cli import run_command

    from app import cli as cli_module

    # The registered `run` is Flask's, with its options, wrapped.
    registered = cli_module.cli.commands["run"]
    assert registered.params == run_command.params
    assert registered.callback.__wrapped__ is run_command.callback
    # Built around a stand-in server: the modules are imported first, then it serves.
    calls: list[str] = []
    monkeypatch.setattr(run_command, "callback", lambda **kw: calls.append(f"serve {kw}"))
    monkeypatch.setattr(cli_module, "preload_server_modules", lambda: calls.append("preload"))
    cli_module._run_command().callback(port=5000)
    assert calls == ["preload", "serve {'port': 5000}"]


def test_preloading_imports_the_server_modules() -> None:
    import subprocess

    from app import SERVER_MODULES

    code = (
        "import sys\nfrom app import preload_server_modules\n"
        f"assert not any(m in sys.modules for m in {SERVER_MODULES!r})\n"
        "preload_server_modules()\n"
        f"print(all(m in sys.modules for m in {SERVER_MODULES!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "True", result.stderr
