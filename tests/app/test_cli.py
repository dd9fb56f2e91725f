"""The palmap command on a new database file."""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from app.cli import COMMANDS, FLASK_COMMANDS, cli
from app.db import get_engine
from mapping.db import store
from mapping.db.migrate import head_revision


def test_init_db_then_load_demo_on_a_new_file(empty_app: Flask, tmp_path: Path) -> None:
    runner = empty_app.test_cli_runner()
    database = tmp_path / "test.sqlite"
    assert not database.exists()

    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 1  # a configuration error: the schema is missing
    assert "palmap init-db" in result.output

    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert f"revision {head_revision()}" in result.output
    assert database.exists()

    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert "districts: 21 inserted" in result.output
    counts = store.table_counts(get_engine(empty_app))
    assert counts["district"] == 21
    assert counts["resource"] >= 80
    # residents, its three age groups (the denominators of issue 14) and four needs indicators
    assert counts["indicator"] == 8
    assert counts["indicator_value"] == 21 * 8 * 5


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

    from app import cli_serve

    # The registered `run` is Flask's, with its options, wrapped.
    registered = cli.get_command(cli.make_context("palmap", ["run", "--help"]), "run")
    assert registered is cli_serve.run
    assert registered.params == run_command.params
    assert registered.callback.__wrapped__ is run_command.callback
    # Built around a stand-in server: the modules are imported first, then it serves.
    calls: list[str] = []
    monkeypatch.setattr(run_command, "callback", lambda **kw: calls.append(f"serve {kw}"))
    monkeypatch.setattr(cli_serve, "preload_server_modules", lambda: calls.append("preload"))
    cli_serve.serve_command().callback(port=5000)
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


#: What a command that only prints help or a version must not import (each costs start-up time).
HEAVY_FOR_HELP = (
    "geopandas",
    "pandas",
    "sqlalchemy",
    "folium",
    "matplotlib",
    "pyogrio",
    "shapely",
    "flask",
)


@pytest.mark.parametrize("args", [["--help"], ["--version"]], ids=" ".join)
def test_help_and_version_import_neither_flask_nor_the_data_and_database_stacks(
    args: list[str],
) -> None:
    code = (
        "import sys\n"
        "from app.cli import cli\n"
        "try:\n"
        f"    cli.main({args!r}, prog_name='palmap')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        f"print(sorted(m for m in {HEAVY_FOR_HELP!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr


def test_help_lists_every_command_with_its_own_help_line() -> None:
    result = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    listed = dict(
        line.split(None, 1)
        for line in result.output.split("Commands:\n", 1)[1].splitlines()
        if line.strip()
    )
    assert set(listed) == {entry.name for entry in (*COMMANDS, *FLASK_COMMANDS)}
    assert {"run", "routes", "shell"} <= set(listed)
    for entry in (*COMMANDS, *FLASK_COMMANDS):
        command = entry.load()
        # The line listed without importing the module is the command's own, at any width.
        assert listed[entry.name] == command.get_short_help_str(limit=200), entry.name
        for width in (30, 45, 60):
            listed_help = entry.placeholder().get_short_help_str(width)
            assert listed_help == command.get_short_help_str(width), (entry.name, width)


def _imports(path: Path) -> set[str]:
    """Every module (and ``module.name``) that the file imports, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_command_modules_do_not_import_the_command_list() -> None:
    """app.cli lists the command modules; they import app.cli_common, never app.cli (no circle)."""
    root = Path(__file__).resolve().parents[2]
    modules = {entry.target.partition(":")[0] for entry in COMMANDS}
    assert {"app.cli_db", "app.cli_categories", "app.cli_analysis", "app.cli_data"} <= modules
    for module in modules:
        assert "app.cli" not in _imports(root / (module.replace(".", "/") + ".py")), module


def test_the_palmap_command_loads_the_app_for_a_command_that_needs_it(tmp_path: Path) -> None:
    """Through the lazy group (as `palmap` runs): the command module and the app load on demand."""
    env = {
        "PALMAP_INSTANCE_PATH": str(tmp_path / "instance"),
        "PALMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'palmap.sqlite'}",
        "PALMAP_SECRET_KEY": "x",
    }
    runner = CliRunner()
    assert runner.invoke(cli, ["init-db"], env=env).exit_code == 0
    result = runner.invoke(cli, ["categories", "list", "--format", "csv"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("code,name_pl,name_en,colour")
    result = runner.invoke(cli, ["analyze", "--help"], env=env)
    assert result.exit_code == 0 and "supply" in result.output


def test_data_commands_start_without_the_pages_and_the_map_stack(tmp_path: Path) -> None:
    """`palmap init-db`, `import`, `export`... build the app without pages and views
    (create_app(web=False)): folium compiles its templates on import, about 0.5 s."""
    data = tmp_path / "zasoby.csv"
    data.write_text("nazwa;kategoria;szerokość;długość\nA;boisko;50,77;16,28\n", encoding="utf-8")
    env = {
        **os.environ,
        "PALMAP_INSTANCE_PATH": str(tmp_path / "instance"),
        "PALMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'palmap.sqlite'}",
        "PALMAP_SECRET_KEY": "x",
    }
    web = ("folium", "app.pages", "app.views.maps", "flask_babel")
    code = (
        "import sys\n"
        "from app.cli import cli\n"
        f"for args in (['init-db'], ['import', 'resources', {str(data)!r}, '--dry-run']):\n"
        "    try:\n"
        "        cli.main(args, standalone_mode=False)\n"
        "    except SystemExit as exit:\n"
        "        assert not exit.code, exit.code\n"
        f"print(sorted(m for m in {web!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
    # A command that serves or renders pages still gets the whole app.
    code = "from app.cli import cli\ncli.main(['routes'], standalone_mode=False)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "/zasoby" in result.stdout or "/resources" in result.stdout, result.stdout
