"""The surveys of the programme's actions (``/ankiety``, ``/surveys``) and their download
(``/ankiety.csv``, ``/surveys.csv``) (:mod:`mapping.pages.surveys`).

Both show one :class:`~mapping.surveys.SurveySummary`, suppressed once at ``PALMAP_MIN_COUNT``
(small counts, and every count subtraction would recover from what is shown): the page and the
download show the same values. Both read ``?edition=CODE``: then they show the surveys of that
edition's actions (the rule: :mod:`mapping.pages.programme_year`), suppressed as they are shown,
with the district names of the edition as published. Not in the page cache (its fingerprint
covers the analysis frames only, :func:`app.cache.uncached_page`); the counts are read on each
request.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from app import pages
from app.cache import uncached_page
from app.db import get_engine
from mapping.db import surveys as stored
from mapping.io.survey_export import SUMMARY_COLUMNS, summary_frame
from mapping.listing import csv_text
from mapping.pages.data import PageData
from mapping.pages.programme_year import ProgrammeRecords, load_programme
from mapping.pages.surveys import build_surveys, parse_question
from mapping.surveys import SurveySummary, summarise

bp = Blueprint("surveys", __name__)


def _summary(data: PageData) -> tuple[SurveySummary, ProgrammeRecords]:
    engine = get_engine()
    records = load_programme(engine, data.edition, data.analysis.years)
    min_count = int(current_app.config["MIN_COUNT"])
    return summarise(records.counts(stored.load_counts(engine)), min_count=min_count), records


@pages.page_route(bp, "/ankiety", "/surveys", endpoint="index")
@uncached_page
def index() -> str:
    """One question's answers in the initial and the final wave, for all actions, per district
    and per action (of the edition with ``?edition=``)."""
    data, tr = pages.page_data(), pages.translator()
    summary, records = _summary(data)
    number = parse_question(pages.args(), summary, tr)
    districts = data.analysis.districts
    names = {str(c): str(n) for c, n in zip(districts["code"], districts["name"], strict=True)}
    page = build_surveys(summary, number, actions=records.actions, districts=names, tr=tr)
    return render_template("surveys.html", programme_year=records.year, **pages.fields_of(page))


@pages.page_route(bp, "/ankiety.csv", "/surveys.csv", endpoint="download")
@uncached_page
def download() -> Response:
    """Every table of every question as CSV, hidden counts as ``hidden`` (of the edition with
    ``?edition=``)."""
    summary, _records = _summary(pages.page_data())
    frame = summary_frame(summary)
    text = csv_text(frame.to_dict("records"), list(SUMMARY_COLUMNS))
    edition = pages.page_data().edition
    name = "palmap-surveys.csv" if edition is None else f"palmap-surveys-{edition}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
