"""``palmap import``, ``palmap export`` and ``palmap template``: data in and out of palmap.

The import commands are thin adapters over :func:`mapping.io.flow.run_import`: they turn flags
into one :class:`~mapping.io.options.ImportOptions`, call the core, print its report and summary,
and map the outcome to an exit status. An import reads the whole file, validates every row and
writes in ONE transaction, or not at all: any invalid row refuses the import (exit 3) unless
``--skip-invalid`` loads the valid rows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from flask.cli import with_appcontext

from app.cli_common import EXIT_INVALID, EXIT_USAGE, handle_errors
from app.cli_common import fail as _fail
from app.cli_import import run_command
from app.db import get_engine
from mapping.db import store
from mapping.io.options import ImportOptions, Layout

F = TypeVar("F", bound=Callable[..., Any])


def _common(func: F) -> F:
    options = [
        click.option("--dry-run", is_flag=True, help="Validate and report; write nothing."),
        click.option("--skip-invalid", is_flag=True, help="Load the valid rows, report the rest."),
        click.option(
            "--report",
            "report_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write the report to FILE (.csv or .json).",
        ),
        click.option("--replace", is_flag=True, help="Replace the layer instead of updating it."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group("import")
def import_group() -> None:
    """Import districts, resources, indicator values, partnerships, actions, surveys or a
    population surface from a file."""


def _programme_options(func: F) -> F:
    options = [
        click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--sheet", help="Sheet of an XLSX file."),
        click.option("--dry-run", is_flag=True, help="Validate and report; write nothing."),
        click.option("--skip-invalid", is_flag=True, help="Load the valid rows, report the rest."),
        click.option(
            "--report",
            "report_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write the report to FILE (.csv or .json).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@import_group.command("partnerships")
@_programme_options
@with_appcontext
@handle_errors
def import_partnerships(
    file: Path, sheet: str | None, dry_run: bool, skip_invalid: bool, report_path: Path | None
) -> None:
    """Partnerships of the programme, one row per member; updated by code."""
    options = ImportOptions(layer=sheet, dry_run=dry_run, skip_invalid=skip_invalid)
    run_command("partnerships", file, options, report_path)


@import_group.command("actions")
@_programme_options
@with_appcontext
@handle_errors
def import_actions(
    file: Path, sheet: str | None, dry_run: bool, skip_invalid: bool, report_path: Path | None
) -> None:
    """Actions of the programme (types IV.1-IV.7), one row per action; updated by code."""
    options = ImportOptions(layer=sheet, dry_run=dry_run, skip_invalid=skip_invalid)
    run_command("actions", file, options, report_path)


@import_group.command("surveys")
@_programme_options
@with_appcontext
@handle_errors
def import_surveys(
    file: Path, sheet: str | None, dry_run: bool, skip_invalid: bool, report_path: Path | None
) -> None:
    """Survey results of actions: counts (action, district, wave, question, answer, count) or
    anonymous responses (respondent instead of count; needs PALMAP_SURVEY_KEY). Each action and
    wave in the file replaces its stored counts; only counts are kept."""
    from flask import current_app

    key = current_app.config.get("SURVEY_KEY")
    options = ImportOptions(layer=sheet, dry_run=dry_run, skip_invalid=skip_invalid)
    run_command(
        "surveys", file, options, report_path, survey_key=key.encode("utf-8") if key else None
    )


@import_group.command("districts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--layer", help="Layer (GeoPackage, zip with several shapefiles) or sheet (XLSX).")
@click.option("--code-field", help="Column with district codes (default: slugs of the names).")
@click.option("--name-field", help="Column with district names (default: nazwa/name).")
@click.option("--crs", help="CRS of a file that has none, e.g. EPSG:2180 or 2180.")
@_common
@with_appcontext
@handle_errors
def import_districts(
    file: Path,
    layer: str | None,
    code_field: str | None,
    name_field: str | None,
    crs: str | None,
    dry_run: bool,
    skip_invalid: bool,
    report_path: Path | None,
    replace: bool,
) -> None:
    """District boundaries: GeoJSON, GeoPackage, zipped Shapefile, or CSV/XLSX with WKT."""
    options = ImportOptions(
        layer=layer,
        crs=crs,
        code_field=code_field,
        name_field=name_field,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        replace=replace,
    )
    run_command("districts", file, options, report_path)


@import_group.command("resources")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--layer", help="Layer (GeoPackage, zip) or sheet (XLSX).")
@click.option("--crs", help="CRS of the coordinates, e.g. EPSG:2180 or 2180 (default: detected).")
@click.option("--name-field", help="Column with names (default: nazwa/name).")
@click.option("--category-field", help="Column with categories (default: kategoria/category).")
@click.option("--address-field", help="Column with addresses (default: adres/address).")
@click.option("--district-field", help="Column with district codes or names.")
@click.option("--external-id-field", help="Column with the source's identifiers.")
@click.option("--lat-field", help="Column with latitudes (with --lon-field).")
@click.option("--lon-field", help="Column with longitudes (with --lat-field).")
@click.option("--x-field", help="Column X: longitude in degrees, or the northing in PUWG 1992.")
@click.option("--y-field", help="Column Y: latitude in degrees, or the easting in PUWG 1992.")
@click.option("--default-category", help="Category code for rows whose category is unknown.")
@_common
@with_appcontext
@handle_errors
def import_resources(
    file: Path,
    dry_run: bool,
    skip_invalid: bool,
    report_path: Path | None,
    replace: bool,
    **fields: str | None,
) -> None:
    """Resources: CSV/XLSX with coordinates, WKT or only a district; or a point layer."""
    options = ImportOptions(**fields, dry_run=dry_run, skip_invalid=skip_invalid, replace=replace)
    run_command("resources", file, options, report_path)


@import_group.command("indicators")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--wide-indicators", is_flag=True, help="One column per indicator code, for the --year given."
)
@click.option("--wide-years", is_flag=True, help="One column per year, for the --indicator given.")
@click.option("--year", type=int, help="Year of a --wide-indicators file.")
@click.option("--indicator", help="Indicator code of a --wide-years file.")
@click.option(
    "--define",
    "define",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV/XLSX defining new indicators: code, name_pl, name_en, unit, "
    "higher_is_more_need, denominator.",
)
@click.option("--sheet", help="Sheet of an XLSX file.")
@_common
@with_appcontext
@handle_errors
def import_indicators(
    file: Path,
    wide_indicators: bool,
    wide_years: bool,
    year: int | None,
    indicator: str | None,
    define: Path | None,
    sheet: str | None,
    dry_run: bool,
    skip_invalid: bool,
    report_path: Path | None,
    replace: bool,
) -> None:
    """Indicator values per district and year: long (district, year, indicator, value) or wide."""
    if wide_indicators and wide_years:
        _fail("give --wide-indicators or --wide-years, not both", EXIT_USAGE)
    layout: Layout = (
        "wide_indicators" if wide_indicators else "wide_years" if wide_years else "long"
    )
    options = ImportOptions(
        layer=sheet,
        layout=layout,
        year=year,
        indicator=indicator,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        replace=replace,
    )
    run_command("indicators", file, options, report_path, definitions=define)


def _population_command() -> click.Command:
    from app.cli_population import import_population

    return import_population


def _residential_command() -> click.Command:
    from app.cli_population import import_residential

    return import_residential


import_group.add_command(_population_command())
import_group.add_command(_residential_command())


def _network_command() -> click.Command:
    from app.cli_network import import_network

    return import_network


import_group.add_command(_network_command())


def _osm_command() -> click.Command:
    from app.cli_osm import import_osm

    return import_osm


import_group.add_command(_osm_command())


EXPORT_FORMATS = ("geojson", "gpkg", "csv", "xlsx", "shp")  # mapping.io.export.EXPORT_FORMATS


@click.command("export")
@click.argument(
    "kind",
    type=click.Choice(
        ["districts", "resources", "indicators", "partnerships", "actions", "surveys"]
    ),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write; its extension chooses the format unless --format is given.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    help="geojson, gpkg, csv, xlsx or shp (a zipped Shapefile).",
)
@click.option("--excel", is_flag=True, help="CSV for Excel: BOM, ';' and decimal commas.")
@click.option("--district", help="Only this district code.")
@click.option("--category", help="Only this category code (resources).")
@click.option("--year", type=int, help="Only this year (indicators).")
@with_appcontext
@handle_errors
def export(
    kind: str,
    output: Path,
    fmt: str | None,
    excel: bool,
    district: str | None,
    category: str | None,
    year: int | None,
) -> None:
    """Write districts, resources, indicator values, partnerships, actions or surveys to a file.

    Surveys are the suppressed tables of /ankiety.csv, never responses."""
    from mapping.io.export import format_from_path, write_frame

    try:
        fmt = fmt or format_from_path(output)
    except Exception as exc:  # an unknown extension is a usage error
        _fail(f"{exc} (--format)", EXIT_USAGE)
    engine = get_engine()
    store.require_schema(engine)
    if kind in ("partnerships", "actions"):
        from app.cli_programme import export_programme

        export_programme(engine, kind, output, fmt=fmt, excel=excel)
        return
    if kind == "surveys":
        from flask import current_app

        from app.cli_surveys import export_surveys

        min_count = int(current_app.config["MIN_COUNT"])
        export_surveys(engine, output, fmt=fmt, excel=excel, min_count=min_count)
        return
    districts = store.load_districts(engine)
    if district is not None and district not in set(districts["code"]):
        _fail(
            f"--district: expected one of {', '.join(districts['code'])}, got {district!r}",
            EXIT_INVALID,
        )
    if kind == "districts":
        frame = districts[["code", "name", "source", "schematic", "geometry"]]
        if district:
            frame = frame[frame["code"] == district]
        layer = "districts"
    elif kind == "resources":
        frame = _resources_for_export(engine, district=district, category=category)
        layer = "resources"
    else:
        frame = store.load_indicator_values(engine, year=year)
        if district:
            frame = frame[frame["district_code"] == district]
        names = dict(zip(districts["code"], districts["name"], strict=True))
        frame.insert(1, "district_name", frame["district_code"].map(names))
        layer = "indicators"
        if fmt in ("geojson", "gpkg", "shp"):
            _fail("indicator values have no geometry: export them as csv or xlsx", EXIT_USAGE)
    write_frame(frame, output, format=fmt, layer=layer, excel=excel)
    click.echo(f"{len(frame)} {kind} written to {output} ({fmt}).")


def _resources_for_export(engine: Any, *, district: str | None, category: str | None) -> Any:
    from mapping.io.export import resources_for_export

    resources = store.load_resources(engine, category=category)
    if category is not None and category not in set(store.load_categories(engine)["code"]):
        _fail(f"--category: unknown category {category!r}", EXIT_INVALID)
    # district_code: where the resource lies, or the district it was assigned to.
    located = store.resource_districts(engine).set_index("resource_id")["district_code"]
    resources["district_code"] = resources["id"].map(located)
    if district is not None:
        resources = resources[resources["district_code"] == district]
    return resources_for_export(resources)


@click.command("template")
@click.argument(
    "kind",
    type=click.Choice(
        ["resources", "districts", "indicators", "partnerships", "actions", "surveys"]
    ),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.xlsx (with sheets of allowed values) or FILE.csv.",
)
@with_appcontext
@handle_errors
def template(kind: str, output: Path) -> None:
    """An empty file with the expected columns, an example row and the allowed values."""
    from mapping.io.export import template_frame, write_frame, write_workbook

    engine = get_engine()
    store.require_schema(engine)
    if kind in ("partnerships", "actions"):
        from app.cli_programme import programme_sheets

        sheets = programme_sheets(engine, kind)
    elif kind == "surveys":
        from app.cli_surveys import survey_sheets

        sheets = survey_sheets(engine)
    else:
        sheets = template_frame(
            kind,  # type: ignore[arg-type]
            categories=store.load_categories(engine),
            indicators=store.load_indicators(engine),
            districts=store.load_districts(engine),
        )
    suffix = output.suffix.lower()
    if suffix == ".xlsx":
        write_workbook(sheets, output)
    elif suffix == ".csv":
        first = next(iter(sheets.values()))
        write_frame(first, output, format="csv", layer=kind)
    else:
        _fail(f"expected FILE.xlsx or FILE.csv, got {output.name}", EXIT_USAGE)
    click.echo(f"Template for {kind} written to {output} (sheets: {', '.join(sheets)}).")
