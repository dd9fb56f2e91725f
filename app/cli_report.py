"""``palmap report EDITION -o FILE.pdf|docx|html``: the yearly report of a published edition.

The same content and the same bytes as ``/sprawozdanie/<edition>.pdf|.docx`` (and the page's
report as a standalone HTML file), built by :mod:`mapping.report`.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli_common import handle_errors
from app.config import LANGUAGES
from app.db import get_engine

FORMATS: tuple[str, ...] = ("pdf", "docx", "html")


@click.command("report")
@click.argument("edition")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.pdf (A4), FILE.docx (Word) or FILE.html (standalone, with print styles).",
)
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the report.")
@with_appcontext
@handle_errors
def report(edition: str, output: Path, lang: str | None) -> None:
    """Write the yearly report of a published EDITION to a PDF, DOCX or HTML file.

    The report holds the edition's title page data, its needs maps beside the previous
    published edition's, the resource changes since then, the target-area ranking and the chosen
    target areas, actions by type, the survey change, the sources and the boundaries note."""
    from mapping.pages.text import Translator
    from mapping.report.files import report_file

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError(f"expected FILE.pdf, FILE.docx or FILE.html, got {output.name}")
    config = current_app.config
    tr = Translator.from_catalogues(
        config["BABEL_TRANSLATION_DIRECTORIES"], lang or config["DEFAULT_LANG"]
    )
    from mapping.report.summaries import programme_summary, survey_summary

    engine = get_engine()
    body = report_file(
        engine,
        edition,
        tr,
        fmt,
        min_count=int(config["MIN_COUNT"]),
        programme=programme_summary(engine, edition),
        surveys=survey_summary(
            engine,
            edition,
            min_count=int(config["MIN_COUNT"]),
            measure=tr("mean answer (1-5) and respondents, initial → final wave"),
        ),
    )
    output.write_bytes(body)
    click.echo(f"Report of edition {edition} written to {output} ({len(body):,} bytes).")
