"""``palmap import population`` (a population surface for a year) and ``palmap import
residential`` (the residential-area layer of the dasymetric grid), through the same import flow
as every import (:func:`mapping.io.flow.run_import`). Registered in ``palmap import`` by
:mod:`app.cli_data`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli_common import (
    EXIT_INVALID,
    EXIT_USAGE,
    announce_wait,
    cli_actor,
    fail,
    handle_errors,
)
from app.db import get_engine, import_limits, write_wait
from mapping.errors import CRSError
from mapping.io.options import ImportOptions, OptionsError

#: The flag of each import option this command has.
_FLAGS = {"population_field": "--column", "year": "--year", "layer": "--layer", "crs": "--crs"}


@click.command("population")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, help="Year of the population (default: the file's year column).")
@click.option(
    "--column",
    "population_field",
    help="Column with the number of people (default: population/ludnosc/mieszkancy/tot).",
)
@click.option("--layer", help="Layer (GeoPackage, zip) or sheet (XLSX).")
@click.option("--crs", help="CRS of a file that has none, e.g. EPSG:2180 or 2180.")
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Load the valid rows, report the rest.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE (.csv or .json).",
)
@with_appcontext
@handle_errors
def import_population(
    file: Path,
    year: int | None,
    population_field: str | None,
    layer: str | None,
    crs: str | None,
    dry_run: bool,
    skip_invalid: bool,
    report_path: Path | None,
) -> None:
    """A population surface: points or grid cells (a census grid, address or building points)
    with a population column, for one year. It replaces the stored surface of that year; access
    is then measured from these points."""
    options = ImportOptions(
        layer=layer,
        crs=crs,
        year=year,
        population_field=population_field,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    _import("population", file, options, report_path)


def _import(kind: str, file: Path, options: ImportOptions, report_path: Path | None) -> None:
    """Run the import of ``kind`` and print its findings, report and summary."""
    from mapping.io.flow import run_import

    try:
        result = run_import(
            kind,
            file.read_bytes(),
            filename=file.name,
            engine=get_engine(),
            options=options,
            limits=import_limits(),
            wait=write_wait(announce_wait),
            actor=cli_actor(),
            how="cli",
        )
    except OptionsError as exc:
        fail(f"{exc} ({_FLAGS.get(exc.option, '--' + exc.option)})", EXIT_USAGE)
    except CRSError as exc:
        fail(f"{exc} (--crs)", EXIT_INVALID)
    for assumption in result.report.assumptions:
        click.echo(f"Assumed: {assumption}", err=True)
    if result.report.findings:
        click.echo(result.report.as_table(), err=True)
    if report_path is not None:
        result.report.write(report_path)
        click.echo(f"Report written to {report_path}.", err=True)
    if result.status == "refused":
        fail(result.refusal() + " (--skip-invalid)", EXIT_INVALID)
    click.echo(result.summary())


@click.command("residential")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--layer", help="Layer (GeoPackage, zip) or sheet (XLSX).")
@click.option("--crs", help="CRS of a file that has none, e.g. EPSG:2180 or 2180.")
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Load the valid rows, report the rest.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE (.csv or .json).",
)
@with_appcontext
@handle_errors
def import_residential(
    file: Path,
    layer: str | None,
    crs: str | None,
    dry_run: bool,
    skip_invalid: bool,
    report_path: Path | None,
) -> None:
    """Residential areas: polygons of where people live (BDOT10k residential built-up areas,
    OpenStreetMap landuse=residential). They replace the stored layer as a whole; without a
    population surface, each district's residents are then spread over a grid inside its
    residential areas only."""
    options = ImportOptions(layer=layer, crs=crs, dry_run=dry_run, skip_invalid=skip_invalid)
    _import("residential", file, options, report_path)
