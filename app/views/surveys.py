"""The surveys of the programme's actions (``/ankiety``, ``/surveys``) and their download
(``/ankiety.csv``, ``/surveys.csv``) (:mod:`mapping.pages.surveys`).

Both show one :class:`~mapping.surveys.SurveySummary`, suppressed once at ``PALMAP_MIN_COUNT``
(small counts, and every count subtraction would recover from what is shown): the page and the
download show the same values. Not in the page cache (its fingerprint covers the analysis
frames only); the counts are read on each request.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from app import pages
from app.db import get_engine
from mapping.db import programme as programme_store
from mapping.db import store
from mapping.db import surveys as stored
from mapping.io.survey_export import SUMMARY_COLUMNS, summary_frame
from mapping.listing import csv_text
from mapping.pages.surveys import build_surveys, parse_question
from mapping.surveys import SurveySummary, summarise

bp = Blueprint("surveys", __name__)


def _summary() -> SurveySummary:
    min_count = int(current_app.config["MIN_COUNT"])
    return summarise(stored.load_counts(get_engine()), min_count=min_count)


@pages.page_route(bp, "/ankiety", "/surveys", endpoint="index")
def index() -> str:
    """One question's answers in the initial and the final wave, for all actions, per district
    and per action."""
    engine, tr = get_engine(), pages.translator()
    summary = _summary()
    number = parse_question(pages.args(), summary, tr)
    districts = store.load_districts(engine)
    names = {str(c): str(n) for c, n in zip(districts["code"], districts["name"], strict=True)}
    page = build_surveys(
        summary, number, actions=programme_store.load_actions(engine), districts=names, tr=tr
    )
    return render_template("surveys.html", **pages.fields_of(page))


@pages.page_route(bp, "/ankiety.csv", "/surveys.csv", endpoint="download")
def download() -> Response:
    """Every table of every question as CSV, hidden counts as ``hidden``."""
    frame = summary_frame(_summary())
    text = csv_text(frame.to_dict("records"), list(SUMMARY_COLUMNS))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="palmap-surveys.csv"'},
    )
