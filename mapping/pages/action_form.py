"""An action typed into a form, checked with the import's own checks
(:func:`mapping.io.programme.actions_from_table` on one row), and an action's values as the
form shows them.

The form has one field per column of the actions file, except that the target districts are
chosen one by one (checkboxes) and the funding has one amount field per source
(``funding_eu``, ``funding_city``, ...); both are put together into the file's cells here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from mapping.io.programme import actions_from_table
from mapping.io.programme_export import actions_frame
from mapping.io.report import Finding, ImportReport
from mapping.programme import FUNDING_SOURCES, Action, codes

__all__ = [
    "FORM_FIELDS",
    "FUNDING_FIELDS",
    "check_action_form",
    "form_values",
]

#: The form's text fields, in the order of the actions file.
FORM_FIELDS: tuple[str, ...] = (
    "code",
    "title",
    "type",
    "partnership",
    "start_date",
    "end_date",
    "planned_participants",
    "actual_participants",
    "reserve_list",
    "status",
    "description",
)
#: One amount field per funding source.
FUNDING_FIELDS: dict[str, str] = {f"funding_{code}": code for code in codes(FUNDING_SOURCES)}


def _amount(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def form_values(action: Action | None) -> dict[str, str]:
    """The text of each field (and each funding field) for ``action``; empty for a new one.

    >>> from datetime import date
    >>> from mapping.programme import Funding
    >>> a = Action("a1", "Kurs", "IV.6", date(2013, 1, 2), funding=(Funding("city", 12.5),))
    >>> v = form_values(a)
    >>> v["start_date"], v["funding_city"], v["funding_eu"], v["end_date"]
    ('2013-01-02', '12.5', '', '')
    """
    values = dict.fromkeys((*FORM_FIELDS, *FUNDING_FIELDS), "")
    if action is None:
        values["status"] = "planned"
        return values
    row = actions_frame([action]).iloc[0]
    for name in FORM_FIELDS:
        cell = row[name]
        values[name] = "" if cell is None or cell is pd.NA else str(cell)
    for item in action.funding:
        values[f"funding_{item.source}"] = _amount(item.amount)
    return values


def check_action_form(
    submitted: Mapping[str, str],
    chosen_districts: Sequence[str],
    *,
    districts: pd.DataFrame,
    partnerships: Collection[str],
) -> tuple[Action | None, list[Finding]]:
    """The action the form describes, or None and the findings (field, value, problem, fix).

    ``chosen_districts`` are the codes of the ticked districts.
    """
    cells = {name: (submitted.get(name) or "").strip() for name in FORM_FIELDS}
    money = [
        f"{source}:{(submitted.get(name) or '').strip()}"
        for name, source in FUNDING_FIELDS.items()
        if (submitted.get(name) or "").strip()
    ]
    cells["funding"] = "|".join(money)
    cells["districts"] = "|".join(c for c in chosen_districts if c)
    table = pd.DataFrame([cells], index=pd.Index([1], name="row"), dtype=object)
    report = ImportReport(source="form", unit="row", read=1)
    actions = actions_from_table(table, report, districts=districts, partnerships=partnerships)
    errors = [f for f in report.findings if f.severity == "error"]
    return (actions[0] if actions and not errors else None), errors
