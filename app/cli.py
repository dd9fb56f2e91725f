"""The ``palmap`` command: Flask's commands (``run``, ``routes``, ``shell``) plus palmap's own.

Exit statuses: 0 success, 1 unexpected or configuration error, 2 usage error, 3 validation
failed (nothing written), 4 input refused as unsafe, unsupported or over a limit (nothing written).
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from app import preload_server_modules
from app.db import get_engine
from mapping.db import store
from mapping.db.backup import backup as backup_database
from mapping.db.migrate import head_revision, upgrade
from mapping.errors import ConfigurationError, MappingError, RefusedInputError

EXIT_ERROR, EXIT_USAGE, EXIT_INVALID, EXIT_REFUSED = 1, 2, 3, 4
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, status: int) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(status)


def handle_errors(func: F) -> F:
    """Turn palmap's errors into a one-line message and the documented exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RefusedInputError as exc:
            _fail(str(exc), EXIT_REFUSED)
        except ConfigurationError as exc:
            _fail(str(exc), EXIT_ERROR)
        except MappingError as exc:
            _fail(str(exc), EXIT_INVALID)

    return wrapper  # type: ignore[return-value]


def _create_app() -> Flask:
    from app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=True)
def cli() -> None:
    """palmap: maps of a city's resources and needs, district by district.

    Settings come from PALMAP_* environment variables (see README.md).
    """


def _run_command() -> click.Command:
    """Flask's ``run`` that first imports :data:`app.SERVER_MODULES`."""
    import copy

    from flask.cli import run_command

    command = copy.copy(run_command)
    serve = run_command.callback
    assert serve is not None

    @functools.wraps(serve)
    def callback(*args: Any, **kwargs: Any) -> Any:
        preload_server_modules()
        return serve(*args, **kwargs)

    command.callback = callback
    return command


cli.add_command(_run_command(), "run")


@click.command("init-db")
@with_appcontext
@handle_errors
def init_db() -> None:
    """Create the database, or migrate it to the newest schema (safe to run again)."""
    engine = get_engine()
    started = time.perf_counter()
    revision = upgrade(engine)
    click.echo(
        f"Database {engine.url.render_as_string(hide_password=True)} is at revision {revision} "
        f"(newest {head_revision()}), {time.perf_counter() - started:.2f} s."
    )


@click.command("load-demo")
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEMO_DIR,
    show_default=True,
    help="Folder with the demo data set.",
)
@click.option("--if-empty", is_flag=True, help="Load only if no district is loaded yet.")
@with_appcontext
@handle_errors
def load_demo(folder: Path, if_empty: bool) -> None:
    """Load the demo data set (Wałbrzych, schematic). Loading twice changes nothing."""
    from mapping.demo import load_demo_frames

    engine = get_engine()
    store.require_schema(engine)
    if if_empty and not store.is_empty(engine):
        click.echo("Districts are already loaded; demo data not loaded (--if-empty).")
        return
    started = time.perf_counter()
    data = load_demo_frames(folder)
    with engine.begin() as conn:
        results = {
            "districts": store.save_districts(conn, data.districts),
            "resources": store.save_resources(conn, data.resources),
            "indicators": store.save_indicators(conn, data.indicators),
            "indicator values": store.save_indicator_values(conn, data.indicator_values),
        }
    for name, result in results.items():
        click.echo(
            f"{name}: {result.inserted} inserted, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
    click.echo(f"Demo data loaded from {folder} in {time.perf_counter() - started:.2f} s.")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace TARGET if it exists.")
@with_appcontext
@handle_errors
def backup(target: Path, overwrite: bool) -> None:
    """Write a consistent copy of the database to TARGET.

    SpatiaLite: a SQLite file made with the online backup API (safe while the app writes).
    PostGIS: a pg_dump archive in custom format (restore with pg_restore).
    """
    engine = get_engine()
    store.require_schema(engine)
    path = backup_database(engine, target, overwrite=overwrite)
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")


def commands() -> tuple[click.Command, ...]:
    """Every palmap command (Flask's run, routes and shell come on top)."""
    from app.cli_analysis import analyse, rank
    from app.cli_data import export, import_group, template
    from app.cli_render import render

    return (init_db, load_demo, backup, import_group, export, template, render, analyse, rank)


def register(app: Flask) -> None:
    """Add palmap's commands to the app (``palmap`` and ``app.test_cli_runner()`` see them)."""
    for command in commands():
        app.cli.add_command(command)
    from app.cli_analysis import analyse

    app.cli.add_command(analyse, "analyze")
