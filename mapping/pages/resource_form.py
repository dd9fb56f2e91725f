"""A resource typed into a form, checked with the import's own checks.

The form's fields are one row of a table with the canonical column names, read by
:func:`mapping.io.resources.resources_from_table`: a form accepts and refuses exactly what a file
does, with the same words (field, value, problem, fix).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from mapping.errors import MappingError, Message, msg
from mapping.frames import EDITABLE_ATTRIBUTES
from mapping.io.report import ImportReport

#: The form's fields, in the order of the form, named as an import file's columns.
FORM_FIELDS: tuple[str, ...] = (
    "name",
    "category",
    "address",
    "lat",
    "lon",
    "district",
    "capacity",
    "operator",
    "phone",
    "website",
    "opening_hours",
    "description",
    "source",
)
#: The most characters a form field may hold (longer ones are refused, not cut).
MAX_FIELD = 2000


@dataclass(frozen=True)
class FormProblem:
    """One problem with one field, as the import reports it (``problem_msg`` and ``fix_msg``:
    the same as templates the page translates, see :class:`mapping.errors.Message`)."""

    field: str
    value: str
    problem: str
    fix: str
    severity: str = "error"
    problem_msg: Message | None = None
    fix_msg: Message | None = None


def _problem(field: str, value: str, problem: Message, fix: Message) -> FormProblem:
    return FormProblem(field, value, str(problem), str(fix), problem_msg=problem, fix_msg=fix)


def form_values(record_values: Mapping[str, Any]) -> dict[str, str]:
    """A stored resource (``mapping.db.resource_edit`` values) as the form's text fields.

    >>> form = form_values({"name": "A", "lat": 50.75, "district_code": "gaj", "capacity": None})
    >>> form["district"], form["lat"], form["capacity"]
    ('gaj', '50.75', '')
    """
    out = {name: "" for name in FORM_FIELDS}
    for name in FORM_FIELDS:
        key = "district_code" if name == "district" else name
        value = record_values.get(key)
        out[name] = "" if value is None or value is pd.NA else str(value)
    return out


def check_resource_form(
    form: Mapping[str, str], *, districts: gpd.GeoDataFrame, categories: pd.DataFrame
) -> tuple[dict[str, Any] | None, list[FormProblem]]:
    """The checked values (``mapping.db.resource_edit.EDIT_FIELDS``) and the problems found;
    values are None when any problem is an error (then nothing may be saved)."""
    from mapping.io.resources import resources_from_table

    cells = {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}
    too_long = [
        _problem(
            name,
            value[:40] + "…",
            msg("expected at most {limit} characters", limit=MAX_FIELD),
            msg("shorten it"),
        )
        for name, value in cells.items()
        if len(value) > MAX_FIELD
    ]
    if too_long:
        return None, too_long
    table = pd.DataFrame({k: [v] for k, v in cells.items()}, index=pd.Index([1], name="line"))
    report = ImportReport(source="form", unit="line", read=1)
    try:
        frame = resources_from_table(
            table, report, districts=districts, categories=categories, source=cells["source"]
        )
    except MappingError as error:
        return None, [FormProblem("", "", str(error), "", problem_msg=error.translatable)]
    problems = [
        FormProblem(
            f.field or "",
            str(f.value or ""),
            f.problem,
            f.fix,
            f.severity,
            f.problem_msg,
            f.fix_msg,
        )
        for f in report.findings
        if f.severity in ("error", "warning")
    ]
    if frame.empty or any(p.severity == "error" for p in problems):
        return None, problems
    row = frame.iloc[0]
    point = row.geometry
    values: dict[str, Any] = {
        name: (None if pd.isna(row[name]) else row[name]) for name in EDITABLE_ATTRIBUTES
    }
    values["capacity"] = None if values["capacity"] is None else int(values["capacity"])
    values["source"] = cells["source"] or None
    values["district_code"] = None if pd.isna(row["district_code"]) else row["district_code"]
    missing = point is None or point.is_empty
    values["lat"] = None if missing else round(float(point.y), 7)
    values["lon"] = None if missing else round(float(point.x), 7)
    return values, problems
