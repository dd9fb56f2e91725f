"""Surveys for ``palmap template surveys`` and ``palmap export surveys`` (``palmap import
surveys`` goes through :func:`mapping.io.flow.run_import` like every import, in
:mod:`app.cli_data`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from app.cli_common import EXIT_USAGE, fail
from mapping.db import programme as stored
from mapping.db import store


def survey_sheets(engine: Any) -> dict[str, pd.DataFrame]:
    """The template's sheets, listing the stored actions and districts."""
    from mapping.io.survey_export import survey_template

    return survey_template(
        districts=store.load_districts(engine),
        actions=[a.code for a in stored.load_actions(engine)],
    )


#: The formats the survey tables are exported in (they have no geometry).
TABLE_FORMATS = ("csv", "xlsx")


def export_surveys(engine: Any, output: Path, *, fmt: str, excel: bool, min_count: int) -> None:
    """Write the suppressed survey tables (all actions, per district, per action) to ``output``:
    the rows of ``/ankiety.csv``, built from the same :class:`~mapping.surveys.SurveySummary`.
    Never a response, never a count under ``min_count`` nor one recoverable by subtraction
    (``hidden`` instead)."""
    from mapping.db import surveys
    from mapping.io.export import write_frame
    from mapping.io.survey_export import summary_frame
    from mapping.surveys import summarise

    if fmt not in TABLE_FORMATS:
        fail("surveys have no geometry: export them as csv or xlsx (--format)", EXIT_USAGE)
    summary = summarise(surveys.load_counts(engine), min_count=min_count)
    frame = summary_frame(summary)
    write_frame(frame, output, format=fmt, layer="surveys", excel=excel)
    click.echo(
        f"{len(frame)} rows of survey tables written to {output} ({fmt}); "
        f"{summary.hidden} counts hidden (fewer than {min_count} respondents, or recoverable "
        "by subtraction)."
    )
