"""The yearly report of a published edition (``/sprawozdanie/<edition>``, English
``/report/<edition>``): the page with print CSS, and the same report as PDF and DOCX
(``.pdf``, ``.docx``). :mod:`mapping.report` builds the content once and writes the three; the
edition is in the path (the report is always of one published edition, never the live data).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template
from flask_babel import gettext as _

from app import pages
from app.db import get_engine
from mapping.pages.exports import file_name

bp = Blueprint("report", __name__)


def _min_count() -> int:
    return int(current_app.config["MIN_COUNT"])


@pages.page_route(bp, "/sprawozdanie/<edition>", "/report/<edition>", endpoint="page")
def page(edition: str) -> tuple[str, int]:
    """The report as a page (printable: the print CSS leaves out the navigation)."""
    from mapping.report.files import report_content
    from mapping.report.html import REPORT_CSS, report_article
    from mapping.report.summaries import programme_summary, survey_summary

    engine = get_engine()
    content = report_content(
        engine,
        edition,
        pages.translator(),
        min_count=_min_count(),
        programme=programme_summary(engine, edition),
        surveys=survey_summary(
            engine,
            edition,
            min_count=_min_count(),
            measure=_("mean answer (1-5) and respondents, initial → final wave"),
        ),
    )
    return render_template(
        "report.html",
        content=content,
        article=report_article(content),  # every text escaped by mapping.report.html
        css=REPORT_CSS,
        files=[
            (fmt.upper(), pages.page_url("report.file", edition=content.edition, fmt=fmt))
            for fmt in ("pdf", "docx")
        ],
    ), 200


@pages.page_route(
    bp,
    "/sprawozdanie/<edition>.<any(pdf,docx):fmt>",
    "/report/<edition>.<any(pdf,docx):fmt>",
    endpoint="file",
)
def file(edition: str, fmt: str) -> Response:
    """The report as an A4 PDF or a Word document: the same bytes on every request."""
    from mapping.report.files import MIME, report_file
    from mapping.report.summaries import programme_summary, survey_summary

    engine = get_engine()
    body = report_file(
        engine,
        edition,
        pages.translator(),
        fmt,
        min_count=_min_count(),
        programme=programme_summary(engine, edition),
        surveys=survey_summary(
            engine,
            edition,
            min_count=_min_count(),
            measure=_("mean answer (1-5) and respondents, initial → final wave"),
        ),
    )
    response = Response(body, content_type=MIME[fmt])
    name = file_name("report", edition)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
