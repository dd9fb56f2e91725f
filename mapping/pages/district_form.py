"""A district's name, code, source and schematic flag typed into a form, checked with the
district import's own checks.

The districts as they are, with the edited one's fields replaced, go through
:func:`mapping.io.districts.districts_from_vector` as a file with a code column would: a form
accepts and refuses exactly what an import does (code format, a code no other district has, a
name). On top, what the table holds (:data:`mapping.db.districts.CODE_MAX`, ``NAME_MAX``) and a
name no other district has (two districts of one name could not be told apart on a page).
Boundaries are not edited here: they change by an import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from mapping.errors import NotFoundError
from mapping.io.options import ImportOptions
from mapping.io.report import ImportReport

#: The form's fields, in the order of the form.
FORM_FIELDS: tuple[str, ...] = ("name", "code", "source", "schematic")
#: The most characters of a source text (as a resource form's fields).
SOURCE_MAX = 2000

#: What each rule of the checks is called, for a page that words them in its own language.
RULES: tuple[str, ...] = (
    "code_format",
    "code_taken",
    "name_empty",
    "name_taken",
    "too_long",
    "other",
)


@dataclass(frozen=True)
class DistrictProblem:
    """One problem with one field: the check's own words and the ``rule`` it broke."""

    field: str
    value: str
    problem: str
    fix: str
    rule: str = "other"
    limit: int = 0


def form_values(values: Mapping[str, Any]) -> dict[str, str]:
    """A stored district (``mapping.db.districts.DistrictRecord.values``) as the form's text.

    >>> form_values({"code": "gaj", "name": "Gaj", "source": float("nan"), "schematic": True})
    {'name': 'Gaj', 'code': 'gaj', 'source': '', 'schematic': 'true'}
    """

    def text(value: Any) -> str:
        return (
            ""
            if value is None or (pd.api.types.is_scalar(value) and pd.isna(value))
            else str(value)
        )

    out = {name: text(values.get(name)) for name in FORM_FIELDS}
    out["schematic"] = "true" if values.get("schematic") else ""
    return out


def _too_long(cells: Mapping[str, str], limits: Mapping[str, int]) -> list[DistrictProblem]:
    return [
        DistrictProblem(
            name,
            cells[name][:40] + "…",
            f"expected at most {limit} characters, got {len(cells[name])}",
            "shorten it",
            rule="too_long",
            limit=limit,
        )
        for name, limit in limits.items()
        if len(cells[name]) > limit
    ]


def _rule(field: str | None, problem: str) -> str:
    if field == "code":
        return "code_taken" if "unique" in problem else "code_format"
    if field == "name":
        return "name_empty" if "empty" in problem else "name_taken"
    return "other"


def _name_taken(name: str, others: pd.DataFrame) -> list[DistrictProblem]:
    def key(text: str) -> str:
        return " ".join(text.split()).casefold()

    same = others[others["name"].map(lambda n: key(str(n)) == key(name))]
    if not name or same.empty:
        return []
    return [
        DistrictProblem(
            "name",
            name,
            f"expected a name no other district has, got {name!r} (district "
            f"{same['code'].iloc[0]!r})",
            "choose another name",
            rule="name_taken",
        )
    ]


def check_district_form(
    form: Mapping[str, str],
    *,
    districts: gpd.GeoDataFrame,
    district_id: int,
    code_max: int,
    name_max: int,
) -> tuple[dict[str, Any] | None, list[DistrictProblem]]:
    """The checked values (``mapping.db.districts.EDIT_FIELDS``) and the problems found; values
    are None when there is any problem (then nothing may be saved).

    ``districts`` are all districts as loaded (:data:`mapping.frames.DISTRICT_COLUMNS`), the one
    edited among them by its database id ``district_id``; ``code_max`` and ``name_max`` are the
    table's limits.
    """
    from mapping.io.districts import districts_from_vector

    cells = {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}
    too_long = _too_long(cells, {"code": code_max, "name": name_max, "source": SOURCE_MAX})
    if too_long:
        return None, too_long
    schematic = cells["schematic"].lower() in ("true", "1", "on", "yes", "tak")
    edited = districts["id"].astype("int64") == district_id
    if not edited.any():
        raise NotFoundError(f"id: there is no district {district_id} (any more)")
    table = pd.DataFrame(
        {
            "code": districts["code"].astype(str).where(~edited, cells["code"]),
            "name": districts["name"].astype(str).where(~edited, cells["name"]),
        }
    )
    table.index = pd.RangeIndex(1, len(table) + 1)
    layer = gpd.GeoDataFrame(table, geometry=list(districts.geometry), crs=districts.crs)
    report = ImportReport(source="form", unit="row", read=len(layer))
    districts_from_vector(
        layer, report, options=ImportOptions(code_field="code", name_field="name")
    )
    row = int(table.index[edited.to_numpy()][0])
    problems = [
        DistrictProblem(
            f.field or "", str(f.value or ""), f.problem, f.fix, rule=_rule(f.field, f.problem)
        )
        for f in report.findings
        if f.severity == "error" and f.row == row
    ]
    problems += _name_taken(cells["name"], districts[~edited.to_numpy()])
    if problems:
        return None, problems
    values = {
        "code": cells["code"],
        "name": cells["name"],
        "source": cells["source"] or None,
        "schematic": schematic,
    }
    return values, []
