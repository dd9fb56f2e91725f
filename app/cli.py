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


# --- analysis ------------------------------------------------------------------------------

FORMATS = ("table", "csv", "json")


def emit(frame, fmt: str, output: Path | None) -> None:
    """Write a result frame as a table, CSV or a JSON list of objects, to a file or stdout."""
    import pandas as pd

    frame = frame.reset_index(drop=True)
    if fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        text = frame.to_csv(index=False)
    else:
        shown = frame.copy()
        for column in shown.columns:
            if pd.api.types.is_float_dtype(shown[column]):
                shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:,.3f}")
        text = shown.to_string(index=False, na_rep="") + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(frame)} rows written to {output}.", err=True)


def _analysis_options(func: F) -> F:
    options = [
        click.option("--year", type=int, required=True, help="Year of the indicator values."),
        click.option("--category", help="Resource category code (default: all)."),
        click.option("--weights", help="Indicator weights: code=w,code=w (default: equal)."),
        click.option(
            "--method",
            type=click.Choice(["zscore", "imd"]),
            default="zscore",
            show_default=True,
            help="Needs index method.",
        ),
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write to FILE instead of the terminal.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _data():
    from mapping.analysis import AnalysisData

    return AnalysisData.from_store(get_engine())


@click.group("analyse")
def analyse() -> None:
    """Analyses per district: supply, needs, access, gaps (alias: analyze)."""


@analyse.command("supply")
@_analysis_options
@with_appcontext
@handle_errors
def analyse_supply(year, category, weights, method, fmt, output) -> None:
    """Resources per district and category: count, capacity, per 1,000 residents, per km²."""
    from mapping.analysis import supply_table

    emit(supply_table(_data(), year=year, category=category), fmt, output)


@analyse.command("needs")
@_analysis_options
@with_appcontext
@handle_errors
def analyse_needs(year, category, weights, method, fmt, output) -> None:
    """Composite needs index per district (rank 1 = most need)."""
    from mapping.analysis import needs_table, parse_weights

    data = _data()
    index = needs_table(data, year=year, weights=parse_weights(weights), method=method)
    if fmt == "table":
        click.echo(index.explain(), err=True)
    emit(data.with_names(index.scores), fmt, output)


@analyse.command("access")
@_analysis_options
@click.option(
    "--radius",
    "radius_m",
    type=float,
    default=500.0,
    show_default=True,
    help="Radius of the coverage column, metres.",
)
@with_appcontext
@handle_errors
def analyse_access(year, category, weights, method, fmt, output, radius_m) -> None:
    """Access per district: demand, nearest_m, coverage, 2sfca, e2sfca (1.0 = city average)."""
    from mapping.analysis import access_table

    emit(access_table(_data(), year=year, category=category, radius_m=radius_m), fmt, output)


@analyse.command("gaps")
@_analysis_options
@with_appcontext
@handle_errors
def analyse_gaps(year, category, weights, method, fmt, output) -> None:
    """Needs rank against E2SFCA access rank, with quadrant labels."""
    from mapping.analysis import gaps_table, parse_weights

    table = gaps_table(
        _data(), year=year, weights=parse_weights(weights), method=method, category=category
    )
    emit(table, fmt, output)


@click.command("rank")
@click.option("--year", type=int, required=True, help="Year of the indicator values.")
@click.option("--weights", required=True, help="Indicator weights: code=w,code=w.")
@click.option("--method", type=click.Choice(["zscore", "imd"]), default="zscore", show_default=True)
@click.option(
    "--runs",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Sensitivity runs (each weight times a factor from [0.5, 1.5]).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the runs.")
@click.option("--category", help="Category of the access and supply terms (default: all).")
@click.option(
    "--access-weight",
    type=float,
    default=0.0,
    show_default=True,
    help="Weight of poor E2SFCA access as a term.",
)
@click.option(
    "--supply-weight",
    type=float,
    default=0.0,
    show_default=True,
    help="Weight of few resources per 1,000 residents as a term.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of the terminal.",
)
@with_appcontext
@handle_errors
def rank(year, weights, method, runs, seed, category, access_weight, supply_weight, fmt, output):
    """Rank districts as target areas (1 = highest priority), with rank_low/rank_high."""
    from mapping.analysis import parse_weights, rank_table

    data = _data()
    data.require_category(category)
    table = rank_table(
        data,
        year=year,
        weights=parse_weights(weights),
        method=method,
        runs=runs,
        seed=seed,
        category=category,
        access_weight=access_weight,
        supply_weight=supply_weight,
    )
    emit(table, fmt, output)


COMMANDS: tuple[click.Command, ...] = (init_db, load_demo, backup, analyse, rank)


def register(app: Flask) -> None:
    """Add palmap's commands to the app (``palmap`` and ``app.test_cli_runner()`` see them)."""
    for command in COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(analyse, "analyze")
