"""``palmap import osm``: resources (or, with ``--districts``, districts) from an OpenStreetMap
extract, through the same import flow as every import (:func:`mapping.io.flow.run_import`, kinds
``osm`` and ``osm_districts``). Registered in ``palmap import`` by :mod:`app.cli_data`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli_common import (
    EXIT_USAGE,
    fail,
    handle_errors,
)
from mapping.io.options import ImportOptions
from mapping.io.osm import OsmOptions


def _places(value: str | None) -> tuple[str, ...]:
    if value is None:
        return OsmOptions().places
    places = tuple(p.strip() for p in value.split(",") if p.strip())
    if not places:
        fail("--places: expected place values such as suburb,quarter,neighbourhood", EXIT_USAGE)
    return places


@click.command("osm")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tag mapping CSV (key,value,category,condition); default: the demo categories' table.",
)
@click.option("--districts", is_flag=True, help="Import district boundaries instead of resources.")
@click.option("--admin-level", type=click.IntRange(1, 12), help="Districts: admin_level to load.")
@click.option(
    "--places",
    help="Districts without boundaries: place values to draft them from "
    "(default suburb,quarter,neighbourhood).",
)
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Load the valid rows, report the rest.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE (.csv or .json).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Remove resources from OSM gone from this extract (districts: those not in it).",
)
@with_appcontext
@handle_errors
def import_osm(
    file: Path,
    mapping_file: Path | None,
    districts: bool,
    admin_level: int | None,
    places: str | None,
    dry_run: bool,
    skip_invalid: bool,
    report_path: Path | None,
    replace: bool,
) -> None:
    """Resources from an OpenStreetMap extract (.osm or .osm.pbf), by a tag mapping; with
    --districts, administrative boundaries or draft districts from place nodes. Re-importing
    updates by OSM id; resources gone from the extract are reported, removed only with
    --replace."""
    from app.cli_import import run_command

    if not districts and (admin_level is not None or places is not None):
        fail("--admin-level and --places go with --districts", EXIT_USAGE)
    osm = OsmOptions(
        tag_mapping=None
        if mapping_file is None
        else (mapping_file.read_bytes(), mapping_file.name),
        admin_level=admin_level,
        places=_places(places),
    )
    options = ImportOptions(dry_run=dry_run, skip_invalid=skip_invalid, replace=replace)
    kind = "osm_districts" if districts else "osm"
    result = run_command(kind, file, options, report_path, max_rows=500, osm=osm)
    if result.deleted:
        click.echo(f"Removed {result.deleted} resource(s) gone from the extract.")
    left_out = sum(1 for f in result.report.findings if f.field == "osm")
    if left_out:
        click.echo(f"Left out {left_out} feature(s) that no rule maps (listed in the report).")
