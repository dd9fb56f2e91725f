"""Surveys for ``palmap template surveys`` (``palmap import surveys`` goes through
:func:`mapping.io.flow.run_import` like every import, in :mod:`app.cli_data`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mapping.db import programme as stored
from mapping.db import store


def survey_sheets(engine: Any) -> dict[str, pd.DataFrame]:
    """The template's sheets, listing the stored actions and districts."""
    from mapping.io.survey_export import survey_template

    return survey_template(
        districts=store.load_districts(engine),
        actions=[a.code for a in stored.load_actions(engine)],
    )
