"""A damaged database (issue 11, point 4): checked at start and by `palmap check-db`.

Four damaged SpatiaLite files made from a real demo database: cut to half its length, a garbage
header ("not a database"), pages in the middle of a table's b-tree overwritten (SQLite opens it,
PRAGMA quick_check finds the damage), and a zero-length file. Every command that would read or
write it, and the web app's start-up, exit 1 with what is wrong and what to do, never a
traceback, and leave the file as it was; a zero-length file is never turned into a new database
with the demo data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy.engine import Engine

from app.cli import cli
from tests.app.conftest import make_app

DamageFn = Callable[[Path], None]


def _cut_to_half(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _garbage_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"this is not a SQLite database, it is a text file that was copied here")


def _damage_table_pages(path: Path) -> None:
    """Overwrite the cells of a page in the middle of spatial_ref_sys's b-tree (its table fills
    most of the file): SQLite opens the file; PRAGMA quick_check finds the damage."""
    db = sqlite3.connect(path)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    with path.open("r+b") as handle:
        handle.seek((pages // 2) * page_size + 8)
        handle.write(b"\xa5" * (page_size // 2))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


DAMAGES: dict[str, tuple[DamageFn, str]] = {
    "truncated": (_cut_to_half, "it was cut short"),
    "garbage_header": (_garbage_header, "so it is not a SQLite database"),
    "damaged_pages": (_damage_table_pages, "is damaged: SQLite's PRAGMA quick_check found"),
    "zero_length": (_empty, "exists but is empty (0 bytes)"),
}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database, made once (init-db and load-demo), checkpointed into one file."""
    folder = tmp_path_factory.mktemp("demo")
    app = make_app(folder)
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        assert runner.invoke(args=command).exit_code == 0
    from app.db import get_engine

    get_engine(app).dispose()
    path = folder / "test.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture(params=list(DAMAGES))
def damaged(request: pytest.FixtureRequest, demo_file: Path, tmp_path: Path) -> tuple[Path, str]:
    """A copy of the demo database damaged one way; the words the message must hold."""
    damage, words = DAMAGES[request.param]
    path = tmp_path / "test.sqlite"
    shutil.copy(demo_file, path)
    damage(path)
    return path, words


def _palmap(tmp_path: Path, *args: str) -> Result:
    """`palmap ARGS` as typed, on the database tmp_path/test.sqlite (the app it builds is the
    command's own: without pages for the data commands, with them for `routes`)."""
    env = {
        "PALMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite'}",
        "PALMAP_INSTANCE_PATH": str(tmp_path / "instance"),
        "PALMAP_TILES": "none",
        "PALMAP_SECRET_KEY": "test",
    }
    return CliRunner().invoke(cli, list(args), env=env)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["init-db"],
        ["load-demo", "--if-empty"],
        ["load-demo"],
        ["import", "resources", "{csv}"],
        ["categories", "add", "klub", "--name-pl", "k", "--name-en", "c", "--colour", "#112233"],
        ["export", "resources", "-o", "{out}"],
        ["backup", "{out}"],
        ["check-db"],
    ],
    ids=lambda args: "-".join(a for a in args[:2] if not a.startswith("{")),
)
def test_every_command_refuses_a_damaged_file_with_words_and_exit_1(
    damaged: tuple[Path, str], tmp_path: Path, command: list[str]
) -> None:
    path, words = damaged
    csv = tmp_path / "r.csv"
    csv.write_text("name,category,lat,lon\nA,kis,50.77,16.28\n", encoding="utf-8")
    args = [a.format(csv=csv, out=tmp_path / "out.csv") for a in command]
    before = _digest(path)
    result = _palmap(tmp_path, *args)
    assert result.exit_code == 1, result.output
    _no_traceback(result)
    assert words in result.output
    assert "palmap backup" in result.output  # what to do: restore the last backup
    assert _digest(path) == before  # nothing written into it, not even SpatiaLite's metadata
    assert not (tmp_path / "out.csv").exists()


def test_the_web_app_does_not_start_on_a_damaged_file(
    damaged: tuple[Path, str], tmp_path: Path
) -> None:
    path, words = damaged
    before = _digest(path)
    result = _palmap(tmp_path, "routes")  # builds the web app, as `palmap run` does
    assert result.exit_code == 1, result.output
    _no_traceback(result)
    assert words in result.output
    from mapping.errors import DatabaseDamagedError

    with pytest.raises(DatabaseDamagedError, match="palmap will neither"):
        make_app(tmp_path)  # create_app(), as app.wsgi (gunicorn) calls it
    assert _digest(path) == before


def test_palmap_run_exits_1_with_the_message_instead_of_serving(tmp_path: Path) -> None:
    path = tmp_path / "test.sqlite"
    path.write_bytes(b"not a database " * 100)
    env = {
        **os.environ,
        "PALMAP_DATABASE_URL": f"sqlite:///{path}",
        "PALMAP_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "palmap"), "run", "--port", "5999"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # a server that started would still run: the test fails
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "Error: " in done.stderr and "is not a SQLite database" in done.stderr


def test_check_db_says_what_is_wrong_and_what_to_do(
    damaged: tuple[Path, str], tmp_path: Path
) -> None:
    path, words = damaged
    result = _palmap(tmp_path, "check-db")
    assert result.exit_code == 1
    assert f"Database {path}:" in result.output
    assert "BAD" in result.output and words in result.output
    if "empty" in words:
        assert f"delete the empty file {path} and run `palmap init-db`" in result.output
    else:
        assert "move the damaged file aside" in result.output


def test_check_db_on_a_sound_database_says_so(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["check-db", "--full"])
    assert result.exit_code == 0, result.output
    assert "ok  integrity: PRAGMA integrity_check: ok" in result.output
    assert "ok  schema: at revision" in result.output and "the newest" in result.output
    assert result.output.rstrip().endswith("The database is sound.")


def test_check_db_on_a_missing_file_says_to_run_init_db_and_creates_nothing(
    empty_app: Flask, tmp_path: Path
) -> None:
    result = empty_app.test_cli_runner().invoke(args=["check-db"])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "palmap init-db" in result.output
    assert not (tmp_path / "test.sqlite").exists()


def test_make_run_on_a_zero_length_file_refuses_instead_of_loading_the_demo(
    tmp_path: Path,
) -> None:
    """`make run`'s `init-db` then `load-demo --if-empty` (issue 11: the demo data silently
    replaced a zero-length file)."""
    path = tmp_path / "test.sqlite"
    path.write_bytes(b"")
    for command in (["init-db"], ["load-demo", "--if-empty"]):
        result = _palmap(tmp_path, *command)
        assert result.exit_code == 1, result.output
        _no_traceback(result)
        assert "exists but is empty" in result.output
        assert "will neither create a new database" in result.output
    assert path.stat().st_size == 0


def test_make_run_on_a_fresh_machine_creates_the_database_with_the_demo(tmp_path: Path) -> None:
    outputs = []
    for command in (["init-db"], ["load-demo", "--if-empty"], ["check-db"]):
        result = _palmap(tmp_path, *command)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert "resources: 116 inserted" in outputs[1]
    assert "The database is sound." in outputs[2]


def test_load_demo_if_empty_leaves_a_database_with_resources_alone(
    empty_app: Flask, tmp_path: Path
) -> None:
    """A database that holds resources but no districts yet is in use: no demo data in it."""
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    csv = tmp_path / "r.csv"
    csv.write_text("name,category,lat,lon\nA,kis,50.77,16.28\n", encoding="utf-8")
    assert runner.invoke(args=["import", "resources", str(csv)]).exit_code == 0
    result = runner.invoke(args=["load-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "demo data not loaded" in result.output


def _invoke_on(engine: Engine, tmp_path: Path, *args: str) -> Result:
    """`palmap ARGS` on ``engine``'s database (either backend)."""
    env = {
        "PALMAP_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "PALMAP_INSTANCE_PATH": str(tmp_path / "instance"),
        "PALMAP_SECRET_KEY": "test",
    }
    return CliRunner().invoke(cli, list(args), env=env)


def test_check_db_on_each_backend_names_what_it_checked(engine: Engine, tmp_path: Path) -> None:
    result = _invoke_on(engine, tmp_path, "check-db")
    assert result.exit_code == 0, result.output
    assert "ok  schema: at revision" in result.output
    if engine.dialect.name == "postgresql":
        assert "ok  server: PostgreSQL" in result.output and "ok  postgis: PostGIS" in result.output
    else:
        assert "ok  integrity: PRAGMA quick_check: ok" in result.output


def test_check_db_on_a_database_never_migrated_or_behind_says_run_init_db(
    engine: Engine, tmp_path: Path
) -> None:
    from tests.conftest import migrate

    migrate(engine, "downgrade", "0002")
    result = _invoke_on(engine, tmp_path, "check-db")
    assert result.exit_code == 1
    assert "at revision 0002, newest" in result.output
    assert "run `palmap init-db` to upgrade it (nothing is lost)" in result.output
    migrate(engine, "downgrade", "base")
    result = _invoke_on(engine, tmp_path, "check-db")
    assert result.exit_code == 1
    assert "never migrated" in result.output


def test_check_db_on_a_postgresql_server_that_does_not_answer(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "PALMAP_DATABASE_URL": f"postgresql+psycopg://palmap@127.0.0.1:{port}/palmap",
        "PALMAP_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    result = CliRunner().invoke(cli, ["check-db"], env=env)
    assert result.exit_code == 1
    _no_traceback(result)
    assert "BAD server: cannot connect" in result.output
    assert "check PALMAP_DATABASE_URL and that the server runs" in result.output
