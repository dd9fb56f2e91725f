"""Partnerships and actions as tables in the layout :mod:`mapping.io.programme` reads: an
export imports again unchanged, and a template is that layout with one example row.

Districts are written as codes separated by ``|``, funding as ``source:amount`` pairs
separated by ``|`` in the order of :data:`mapping.programme.FUNDING_SOURCES`, dates as
``YYYY-MM-DD``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mapping.programme import (
    ACTION_TYPES,
    FUNDING_SOURCES,
    MEMBER_KINDS,
    STATUSES,
    Action,
    Funding,
    Partnership,
)

__all__ = [
    "ACTION_EXPORT_COLUMNS",
    "PARTNERSHIP_EXPORT_COLUMNS",
    "actions_frame",
    "funding_cell",
    "partnerships_frame",
    "programme_template",
]

ACTION_EXPORT_COLUMNS: tuple[str, ...] = (
    "code",
    "title",
    "type",
    "partnership",
    "districts",
    "funding",
    "start_date",
    "end_date",
    "planned_participants",
    "actual_participants",
    "reserve_list",
    "status",
    "description",
)
PARTNERSHIP_EXPORT_COLUMNS: tuple[str, ...] = (
    "partnership",
    "name",
    "description",
    "member",
    "kind",
    "role",
    "contact",
)
_ORDER = {named.code: i for i, named in enumerate(FUNDING_SOURCES)}


def _amount(value: float) -> str:
    """``120000``, ``120000.5`` (never an exponent, at most two decimals)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def funding_cell(funding: Sequence[Funding]) -> str:
    """The ``funding`` cell of an action.

    >>> funding_cell([Funding("city", 15000.0), Funding("eu", 120000.5)])
    'eu:120000.5|city:15000'
    """
    ordered = sorted(funding, key=lambda f: _ORDER.get(f.source, len(_ORDER)))
    return "|".join(f"{f.source}:{_amount(f.amount)}" for f in ordered)


def _count(value: int | None) -> object:
    return value  # an object column of ints and None: written as 25 and an empty cell


def actions_frame(actions: Sequence[Action]) -> pd.DataFrame:
    """One row per action, :data:`ACTION_EXPORT_COLUMNS`."""
    rows = [
        {
            "code": a.code,
            "title": a.title,
            "type": a.action_type,
            "partnership": a.partnership or "",
            "districts": "|".join(a.districts),
            "funding": funding_cell(a.funding),
            "start_date": a.start_date.isoformat(),
            "end_date": a.end_date.isoformat() if a.end_date else "",
            "planned_participants": _count(a.planned_participants),
            "actual_participants": _count(a.actual_participants),
            "reserve_list": _count(a.reserve_list),
            "status": a.status,
            "description": a.description or "",
        }
        for a in actions
    ]
    return pd.DataFrame(rows, columns=list(ACTION_EXPORT_COLUMNS), dtype=object)


def partnerships_frame(partnerships: Sequence[Partnership]) -> pd.DataFrame:
    """One row per member (one row with the member empty for a partnership without any)."""
    rows = []
    for p in partnerships:
        head = {"partnership": p.code, "name": p.name, "description": p.description or ""}
        empty = {"member": "", "kind": "", "role": "", "contact": ""}
        members = [
            {"member": m.name, "kind": m.kind, "role": m.role or "", "contact": m.contact or ""}
            for m in p.members
        ] or [empty]
        rows += [{**head, **member} for member in members]
    return pd.DataFrame(rows, columns=list(PARTNERSHIP_EXPORT_COLUMNS))


def programme_template(
    kind: str, *, districts: pd.DataFrame | None = None, partnerships: Sequence[str] = ()
) -> dict[str, pd.DataFrame]:
    """The sheets of an import template for ``actions`` or ``partnerships``: the layout with
    one example row first, then the allowed values (types, sources, statuses, kinds,
    districts, partnerships)."""
    if kind == "partnerships":
        sheets = {
            "partnerships": pd.DataFrame(
                [
                    [
                        "pal-przyklad",
                        "Partnerstwo „Przykład”",
                        "Cel partnerstwa.",
                        "MOPS",
                        "institution",
                        "lider",
                        "biuro@example.invalid",
                    ],
                    ["pal-przyklad", "", "", "Szkoła Podstawowa nr 1", "school", "partner", ""],
                ],
                columns=list(PARTNERSHIP_EXPORT_COLUMNS),
            ),
            "kinds": _named(MEMBER_KINDS),
        }
        return sheets
    first = (
        str(districts["code"].iloc[0]) if districts is not None and len(districts) else "przyklad"
    )
    example = {
        "code": "dzialanie-001",
        "title": "Festyn rodzinny",
        "type": "IV.5",
        "partnership": partnerships[0] if partnerships else "",
        "districts": first,
        "funding": "eu:12000|city:3000",
        "start_date": "2012-06-01",
        "end_date": "2012-06-02",
        "planned_participants": 200,
        "actual_participants": None,
        "reserve_list": 20,
        "status": "planned",
        "description": "Opis działania.",
    }
    sheets = {
        "actions": pd.DataFrame([example], columns=list(ACTION_EXPORT_COLUMNS), dtype=object),
        "types": _named(ACTION_TYPES),
        "funding_sources": _named(FUNDING_SOURCES),
        "statuses": _named(STATUSES),
    }
    if districts is not None:
        sheets["districts"] = pd.DataFrame(districts[["code", "name"]]).reset_index(drop=True)
    if partnerships:
        sheets["partnerships"] = pd.DataFrame({"code": list(partnerships)})
    return sheets


def _named(choices: Sequence[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([tuple(c) for c in choices], columns=["code", "name_pl", "name_en"])
