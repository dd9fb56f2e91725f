"""``palmap init-db``, ``palmap load-demo``, ``palmap backup`` and ``palmap check-db``: the database
as a whole.

Every command here first checks the database (:func:`app.db.get_engine`): a SQLite file that is
empty, not a database, cut short or damaged is refused with exit 1 and what to do; ``check-db``
reports the same checks (and, on PostgreSQL, the connection, PostGIS and the schema revision).
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli_common import EXIT_ERROR, announce_wait, cli_actor, fail, handle_errors
from app.db import get_engine, write_wait

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


@click.command("init-db")
@with_appcontext
@handle_errors
def init_db() -> None:
    """Create the database, or migrate it to the newest schema (safe to run again)."""
    from mapping.db.migrate import head_revision, upgrade

    engine = get_engine()
    started = time.perf_counter()
    revision = upgrade(engine, wait=write_wait(announce_wait))
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
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only into a database without districts, resources or indicator values.",
)
@click.option(
    "--with-editions",
    is_flag=True,
    help="Also publish the demo editions 2010-2013 and the partnerships' target areas in them "
    "(once: not when any edition exists).",
)
@with_appcontext
@handle_errors
def load_demo(folder: Path, if_empty: bool, with_editions: bool) -> None:
    """Load the demo data set (Wałbrzych, schematic). Loading twice changes nothing."""
    from mapping.db import store
    from mapping.demo import load_demo as load_demo_core

    engine = get_engine()
    store.require_schema(engine)
    if if_empty and not store.is_empty(engine):
        click.echo(
            "Data is already loaded (districts, resources or indicator values); demo data not "
            "loaded (--if-empty)."
        )
        return
    started = time.perf_counter()
    results = load_demo_core(engine, folder, wait=write_wait(announce_wait), actor=cli_actor())
    for name, result in results.items():
        click.echo(
            f"{name}: {result.inserted} inserted, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
    click.echo(f"Demo data loaded from {folder} in {time.perf_counter() - started:.2f} s.")
    if with_editions:
        from mapping.demo_cycle import publish_demo_cycle

        published = publish_demo_cycle(engine, actor=cli_actor())
        if published:
            click.echo(f"Demo editions published: {', '.join(published)}.")
        else:
            click.echo("An edition exists already; demo editions not published.")


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


@click.command("check-db")
@click.option(
    "--full",
    is_flag=True,
    help="SQLite: PRAGMA integrity_check (also compares every index with its table; slower).",
)
@with_appcontext
@handle_errors
def check_db(full: bool) -> None:
    """Check the database; say what is wrong and what to do (exit 1 when something is).

    SQLite: the file (not empty, SQLite's header, its whole length) and PRAGMA quick_check.
    PostgreSQL: the connection and PostGIS. Both: the schema revision. The database is not changed.
    """
    from mapping.db.health import check_database

    health = check_database(current_app.config["DATABASE_URL"], full=full)
    click.echo(f"Database {health.database}:")
    for finding in health.findings:
        click.echo(f"  {'ok ' if finding.ok else 'BAD'} {finding.name}: {finding.text}")
    if not health.ok:
        fail(health.advice, EXIT_ERROR)
    click.echo("The database is sound.")
