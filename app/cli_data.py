"""``palmap import``, ``palmap export`` and ``palmap template``: data in and out of palmap.

An import reads the whole file, validates every row and writes in ONE transaction, or not at all:
any invalid row refuses the import (exit 3) unless ``--skip-invalid`` loads the valid rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli_common import EXIT_INVALID, EXIT_USAGE, handle_errors
from app.cli_common import fail as _fail
from app.db import get_engine
from app.pages import CLASS_COUNTS, DEFAULT_K, DEFAULT_SCHEME, SCHEMES
from mapping.db import store
from mapping.io.report import ImportReport
from mapping.io.safety import Limits

#: Files with more rows than this get a progress bar while they are written.
PROGRESS_ROWS = 5_000


def _limits() -> Limits:
    config = current_app.config
    return Limits(
        max_file_mb=float(config["MAX_FILE_MB"]),
        max_features=int(config["MAX_FEATURES"]),
        max_vertices=int(config["MAX_VERTICES"]),
    )


def _common(func):
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


def _show(report: ImportReport, report_path: Path | None) -> None:
    for assumption in report.assumptions:
        click.echo(f"Assumed: {assumption}", err=True)
    if report.findings:
        click.echo(report.as_table(), err=True)
    if report_path is not None:
        report.write(report_path)
        click.echo(f"Report written to {report_path}.", err=True)


def _save(
    report: ImportReport,
    rows: int,
    *,
    dry_run: bool,
    skip_invalid: bool,
    report_path: Path | None,
    started: float,
    write: Callable[[Any, Callable[[int], None] | None], store.SaveResult],
) -> None:
    """Show the report, then refuse, stop (dry run) or write in one transaction."""
    _show(report, report_path)
    errors = report.errors()
    if errors and not skip_invalid:
        _fail(
            f"{len(errors)} problem(s) in {report.error_rows() and len(report.error_rows()) or 1} "
            "row(s) or the file; nothing was written. Fix them, or load the valid rows with "
            "--skip-invalid.",
            EXIT_INVALID,
        )
    if dry_run:
        click.echo(f"Dry run: {report.summary()}; nothing written.")
        return
    engine = get_engine()
    store.require_schema(engine)
    with engine.begin() as conn:
        if rows > PROGRESS_ROWS:
            with click.progressbar(
                length=rows, label="Writing", file=click.get_text_stream("stderr")
            ) as bar:
                result = write(conn, bar.update)
        else:
            result = write(conn, None)
    click.echo(
        f"read {report.read}, loaded {result.inserted}, updated {result.updated}, "
        f"unchanged {result.unchanged}, skipped {report.skipped}, repaired {report.repaired}, "
        f"{time.perf_counter() - started:.1f} s"
    )


@click.group("import")
def import_group() -> None:
    """Import districts, resources or indicator values from a file."""


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
    file, layer, code_field, name_field, crs, dry_run, skip_invalid, report_path, replace
) -> None:
    """District boundaries: GeoJSON, GeoPackage, zipped Shapefile, or CSV/XLSX with WKT."""
    from mapping.io.imports import read_districts

    started = time.perf_counter()
    districts, report = read_districts(
        file.read_bytes(),
        filename=file.name,
        layer=layer,
        crs=crs,
        code_field=code_field,
        name_field=name_field,
        limits=_limits(),
    )
    _save(
        report,
        len(districts),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        report_path=report_path,
        started=started,
        write=lambda conn, _progress: store.save_districts(conn, districts, replace=replace),
    )


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
    file,
    layer,
    crs,
    name_field,
    category_field,
    address_field,
    district_field,
    external_id_field,
    lat_field,
    lon_field,
    x_field,
    y_field,
    default_category,
    dry_run,
    skip_invalid,
    report_path,
    replace,
) -> None:
    """Resources: CSV/XLSX with coordinates, WKT or only a district; or a point layer."""
    from mapping.io.imports import read_resources

    if bool(lat_field) != bool(lon_field) or bool(x_field) != bool(y_field):
        _fail("give --lat-field with --lon-field, and --x-field with --y-field", EXIT_USAGE)
    if lat_field and x_field:
        _fail("give either --lat-field/--lon-field or --x-field/--y-field, not both", EXIT_USAGE)
    started = time.perf_counter()
    engine = get_engine()
    store.require_schema(engine)
    categories = store.load_categories(engine)
    if default_category and default_category not in set(categories["code"]):
        _fail(
            f"--default-category: expected one of {', '.join(categories['code'])}, "
            f"got {default_category!r}",
            EXIT_USAGE,
        )
    resources, report = read_resources(
        file.read_bytes(),
        filename=file.name,
        districts=store.load_districts(engine),
        categories=categories,
        layer=layer,
        crs=crs,
        name_field=name_field,
        category_field=category_field,
        address_field=address_field,
        district_field=district_field,
        external_id_field=external_id_field,
        lat_field=lat_field,
        lon_field=lon_field,
        x_field=x_field,
        y_field=y_field,
        default_category=default_category,
        limits=_limits(),
    )

    def write(conn, progress):
        if replace:
            store.delete_resources(conn)
        return store.save_resources(conn, resources, progress=progress)

    _save(
        report,
        len(resources),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        report_path=report_path,
        started=started,
        write=write,
    )


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
    file,
    wide_indicators,
    wide_years,
    year,
    indicator,
    define,
    sheet,
    dry_run,
    skip_invalid,
    report_path,
    replace,
) -> None:
    """Indicator values per district and year: long (district, year, indicator, value) or wide."""
    import pandas as pd

    from mapping.io.imports import read_indicator_definitions, read_indicator_values

    if wide_indicators and wide_years:
        _fail("give --wide-indicators or --wide-years, not both", EXIT_USAGE)
    if wide_indicators and year is None:
        _fail("--wide-indicators needs --year", EXIT_USAGE)
    if wide_years and not indicator:
        _fail("--wide-years needs --indicator", EXIT_USAGE)
    layout = "wide_indicators" if wide_indicators else "wide_years" if wide_years else "long"
    started = time.perf_counter()
    engine = get_engine()
    store.require_schema(engine)
    indicators = store.load_indicators(engine)
    definitions = None
    if define is not None:
        definitions, define_report = read_indicator_definitions(
            define.read_bytes(), filename=define.name, limits=_limits()
        )
        if define_report.errors():
            _show(define_report, None)
            _fail(
                f"{define.name}: the indicator definitions have errors; nothing was written",
                EXIT_INVALID,
            )
        known = indicators[~indicators["code"].isin(definitions["code"])]
        indicators = pd.concat([known, definitions], ignore_index=True)
    values, report = read_indicator_values(
        file.read_bytes(),
        filename=file.name,
        districts=store.load_districts(engine),
        indicators=indicators,
        layout=layout,
        year=year,
        indicator=indicator,
        sheet=sheet,
        limits=_limits(),
    )

    def write(conn, _progress):
        result = store.SaveResult()
        if definitions is not None:
            store.save_indicators(conn, definitions)
        if replace:
            store.delete_indicator_values(conn, sorted(set(values["indicator"])))
        return result + store.save_indicator_values(conn, values)

    _save(
        report,
        len(values),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        report_path=report_path,
        started=started,
        write=write,
    )


EXPORT_FORMATS = ("geojson", "gpkg", "csv", "xlsx", "shp")


@click.command("export")
@click.argument("kind", type=click.Choice(["districts", "resources", "indicators"]))
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
def export(kind, output, fmt, excel, district, category, year) -> None:
    """Write districts, resources or indicator values to a file QGIS or a spreadsheet opens."""
    from mapping.io.export import format_from_path, write_frame

    try:
        fmt = fmt or format_from_path(output)
    except Exception as exc:  # an unknown extension is a usage error
        _fail(f"{exc}; or give --format", EXIT_USAGE)
    engine = get_engine()
    store.require_schema(engine)
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


def _resources_for_export(engine, *, district: str | None, category: str | None):
    resources = store.load_resources(engine, category=category)
    if category is not None and category not in set(store.load_categories(engine)["code"]):
        _fail(f"--category: unknown category {category!r}", EXIT_INVALID)
    # district_code: where the resource lies, or the district it was assigned to.
    located = store.resource_districts(engine).set_index("resource_id")["district_code"]
    resources["district_code"] = resources["id"].map(located)
    if district is not None:
        resources = resources[resources["district_code"] == district]
    return resources.drop(columns=["updated_at"])


@click.command("template")
@click.argument("kind", type=click.Choice(["resources", "districts", "indicators"]))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.xlsx (with sheets of allowed values) or FILE.csv.",
)
@with_appcontext
@handle_errors
def template(kind, output) -> None:
    """An empty file with the expected columns, an example row and the allowed values."""
    from mapping.io.export import template_frame, write_frame, write_workbook

    engine = get_engine()
    store.require_schema(engine)
    sheets = template_frame(
        kind,
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


@click.group("render")
def render() -> None:
    """Render maps to files for reports (the same files the pages offer)."""


@render.command("map")
@click.option("--layer", required=True, help="Layer: an indicator code, CODE_rate or needs_index.")
@click.option("--year", type=int, help="Year (default: the newest with data).")
@click.option(
    "--scheme",
    type=click.Choice(SCHEMES),
    help=f"Class scheme (default as on the page: {DEFAULT_SCHEME}).",
)
@click.option(
    "--k",
    type=click.IntRange(min(CLASS_COUNTS), max(CLASS_COUNTS)),
    help=f"Number of classes (default {DEFAULT_K}).",
)
@click.option("--lang", type=click.Choice(["pl", "en"]), help="Language of the texts.")
@click.option("--dpi", type=int, help="Resolution of a PNG (default 300).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.png, FILE.svg, FILE.pdf (A4 for reports) or FILE.html (standalone).",
)
@with_appcontext
@handle_errors
def render_map(layer, year, scheme, k, lang, dpi, output) -> None:
    """Draw an indicator map to FILE: exactly what /mapa/LAYER.png|svg|pdf|html serves."""
    from urllib.parse import quote

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf", "html"):
        _fail(f"expected FILE.png, .svg, .pdf or .html, got {output.name}", EXIT_USAGE)
    query = {
        key: value
        for key, value in (
            ("year", year),
            ("scheme", scheme),
            ("k", k),
            ("lang", lang),
            ("dpi", dpi),
        )
        if value is not None
    }
    client = current_app.test_client()
    response = client.get(
        f"/mapa/{quote(layer, safe='')}.{fmt}",
        query_string=query,
        headers={"Accept": "application/json"},
    )
    if response.status_code != 200:
        payload = response.get_json(silent=True) or {}
        message = payload.get("message") or payload.get("error") or f"HTTP {response.status_code}"
        known = [str(item.get("label")) for item in payload.get("known", [])]
        if known:
            message += " " + ", ".join(known)
        _fail(message, EXIT_INVALID if response.status_code in (400, 404) else 1)
    output.write_bytes(response.data)
    click.echo(f"{layer} map written to {output} ({len(response.data):,} bytes).")
