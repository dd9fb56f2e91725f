"""The programme's partnerships and actions for ``palmap export`` and ``palmap template``
(``palmap import partnerships|actions`` go through :func:`mapping.io.flow.run_import` like
every import, in :mod:`app.cli_data`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from app.cli_common import EXIT_USAGE, fail
from mapping.db import programme as stored
from mapping.db import store

#: The formats partnerships and actions are exported in (they have no geometry).
TABLE_FORMATS = ("csv", "xlsx")


def export_programme(engine: Any, kind: str, output: Path, *, fmt: str, excel: bool) -> None:
    """Write every partnership (one row per member) or action to ``output``, in the layout
    ``palmap import`` reads."""
    from mapping.io.export import write_frame
    from mapping.io.programme_export import actions_frame, partnerships_frame

    if fmt not in TABLE_FORMATS:
        fail(f"{kind} have no geometry: export them as csv or xlsx (--format)", EXIT_USAGE)
    if kind == "partnerships":
        partnerships = stored.load_partnerships(engine)
        frame = partnerships_frame(partnerships)
        count = len(partnerships)
    else:
        actions = stored.load_actions(engine)
        frame = actions_frame(actions)
        count = len(actions)
    write_frame(frame, output, format=fmt, layer=kind, excel=excel)
    click.echo(f"{count} {kind} written to {output} ({fmt}).")


def programme_sheets(engine: Any, kind: str) -> dict[str, pd.DataFrame]:
    """The template's sheets, listing the stored districts and partnerships."""
    from mapping.io.programme_export import programme_template

    return programme_template(
        kind,
        districts=store.load_districts(engine),
        partnerships=[p.code for p in stored.load_partnerships(engine)],
    )
