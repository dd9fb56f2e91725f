"""Survey tables out of palmap: the import template (in the layout :mod:`mapping.io.surveys`
reads) and the suppressed summary as a table for the CSV download.

The download is built from a :class:`~mapping.surveys.SurveySummary` only, so it shows exactly
what the page shows: a hidden count is the word ``hidden``, never a number.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mapping.surveys import WAVES, SurveySummary

__all__ = [
    "COUNT_COLUMNS",
    "HIDDEN",
    "RESPONSE_COLUMNS",
    "SUMMARY_COLUMNS",
    "summary_frame",
    "survey_template",
]

COUNT_COLUMNS: tuple[str, ...] = ("action", "district", "wave", "question", "answer", "count")
RESPONSE_COLUMNS: tuple[str, ...] = (
    "action",
    "district",
    "wave",
    "respondent",
    "question",
    "answer",
)
SUMMARY_COLUMNS: tuple[str, ...] = (
    "scope",
    "code",
    "question",
    "row",
    "answer",
    "initial",
    "final",
    "change",
)
#: What a download shows for a hidden count (the same word for every reason it is hidden).
HIDDEN = "hidden"


def summary_frame(summary: SurveySummary) -> pd.DataFrame:
    """One row per answer, total and mean of every table; hidden counts as :data:`HIDDEN`, a
    mean not shown as an empty cell.

    >>> from mapping.surveys import SurveyCount, summarise
    >>> s = summarise([SurveyCount("a1", "gaj", "initial", "Q", "tak", 3)], min_count=5)
    >>> summary_frame(s).iloc[0].tolist()
    ['all', '', 'Q', 'answer', 'tak', 'hidden', 'hidden', 'hidden']
    """
    rows = []
    for row in summary.rows():
        cells = dict(row)
        for name in ("initial", "final", "change"):
            if cells[name] is None:  # a mean not shown (hidden or no answers) stays empty
                cells[name] = "" if row["row"] == "mean" else HIDDEN
        rows.append(cells)
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS), dtype=object)


def survey_template(
    *, districts: pd.DataFrame | None = None, actions: Sequence[str] = ()
) -> dict[str, pd.DataFrame]:
    """The sheets of an import template: counts with example rows, the responses layout, the
    waves, and the stored actions and districts."""
    action = actions[0] if actions else "dzialanie-001"
    district = (
        str(districts["code"].iloc[0]) if districts is not None and len(districts) else "przyklad"
    )
    question = "Jak ocenia Pan/Pani swoją aktywność w osiedlu? (1-5)"
    counts = [
        [action, district, "initial", question, "3", 12],
        [action, district, "final", question, "4", 15],
    ]
    responses = [
        [action, district, "initial", "r-001", question, "3"],
        [action, district, "final", "r-001", question, "4"],
    ]
    sheets = {
        "surveys": pd.DataFrame(counts, columns=list(COUNT_COLUMNS), dtype=object),
        "responses": pd.DataFrame(responses, columns=list(RESPONSE_COLUMNS), dtype=object),
        "waves": pd.DataFrame([tuple(w) for w in WAVES], columns=["code", "name_pl", "name_en"]),
    }
    if districts is not None:
        sheets["districts"] = pd.DataFrame(districts[["code", "name"]]).reset_index(drop=True)
    if actions:
        sheets["actions"] = pd.DataFrame({"code": list(actions)})
    return sheets
