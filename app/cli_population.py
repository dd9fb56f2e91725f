"""``palmap import population`` (a population surface for a year) and ``palmap import
residential`` (the residential-area layer of the dasymetric grid), through the same import flow
as every import (:func:`mapping.io.flow.run_import`). Registered in ``palmap import`` by
:mod:`app.cli_data`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli_common import (
    handle_errors,
)
from mapping.io.options import ImportOptions


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
    """Run the import of ``kind`` as every ``palmap import`` command does."""
    from app.cli_import import run_command

    run_command(kind, file, options, report_path)


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
