"""``palmap init-db``, ``palmap load-demo`` and ``palmap backup``: the database as a whole."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli_common import handle_errors
from app.db import get_engine

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


@click.command("init-db")
@with_appcontext
@handle_errors
def init_db() -> None:
    """Create the database, or migrate it to the newest schema (safe to run again)."""
    from mapping.db.migrate import head_revision, upgrade

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
    from mapping.db import store
    from mapping.demo import load_demo as load_demo_core

    engine = get_engine()
    store.require_schema(engine)
    if if_empty and not store.is_empty(engine):
        click.echo("Districts are already loaded; demo data not loaded (--if-empty).")
        return
    started = time.perf_counter()
    results = load_demo_core(engine, folder)
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
    from mapping.db import store
    from mapping.db.backup import backup as backup_database

    engine = get_engine()
    store.require_schema(engine)
    path = backup_database(engine, target, overwrite=overwrite)
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")
