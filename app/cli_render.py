"""``palmap render``: the files the pages offer, drawn by the same core functions, without HTTP.

``palmap render map`` parses its options with the page's parser
(:func:`mapping.pages.query.parse_map_query`), classifies with
:func:`mapping.pages.indicator_map.build_choropleth` and writes
:func:`mapping.pages.exports.indicator_map_file`: the same bytes as ``/mapa/<layer>.<fmt>`` for
the same query and language.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli_common import handle_errors
from app.config import LANGUAGES
from app.db import get_engine

#: Class schemes and counts the pages offer (``mapping.pages`` is imported when a command runs:
#: it pulls in matplotlib and folium, and ``palmap --help`` should start quickly).
SCHEMES: tuple[str, ...] = ("quantiles", "equal_interval", "fisher_jenks")
DEFAULT_SCHEME = "quantiles"
CLASS_COUNTS: tuple[int, ...] = (3, 4, 5, 6, 7)
DEFAULT_K = 5
FORMATS: tuple[str, ...] = ("png", "svg", "pdf", "html")


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
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the texts.")
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
def render_map(
    layer: str,
    year: int | None,
    scheme: str | None,
    k: int | None,
    lang: str | None,
    dpi: int | None,
    output: Path,
) -> None:
    """Draw an indicator map to FILE: exactly what /mapa/LAYER.png|svg|pdf|html serves."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError(f"expected FILE.png, .svg, .pdf or .html, got {output.name}")
    args = {
        name: str(value)
        for name, value in (("year", year), ("scheme", scheme), ("k", k), ("dpi", dpi))
        if value is not None
    }
    body = map_file(layer, args, lang or current_app.config["DEFAULT_LANG"], fmt)
    output.write_bytes(body)
    click.echo(f"{layer} map written to {output} ({len(body):,} bytes).")


def map_file(layer: str, args: dict[str, str], lang: str, fmt: str) -> bytes:
    """The bytes of ``/mapa/<layer>.<fmt>?<args>`` in ``lang``, from the app's database."""
    from mapping.analysis import AnalysisData
    from mapping.pages.data import PageData
    from mapping.pages.embed_query import parse_export_query
    from mapping.pages.errors import UnknownItemError
    from mapping.pages.exports import indicator_map_file
    from mapping.pages.indicator_map import build_choropleth
    from mapping.pages.query import parse_map_query
    from mapping.pages.text import Translator

    config = current_app.config
    tr = Translator.from_catalogues(config["BABEL_TRANSLATION_DIRECTORIES"], lang)
    analysis = AnalysisData.from_store(get_engine())
    data = PageData.from_analysis(analysis, min_count=int(config["MIN_COUNT"]))
    try:
        query = parse_map_query(args, analysis, tr, layer=layer)
    except UnknownItemError as exc:
        known = ", ".join(value for _label, value in exc.known)
        raise UnknownItemError(
            f"{exc} {exc.heading}: {known}." if known else str(exc), field=exc.field
        ) from None
    built = build_choropleth(data, query, tr)
    export = parse_export_query(args, tr)
    return indicator_map_file(data, built, tr, export, fmt, today=date.today())
