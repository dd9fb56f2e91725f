"""A partnership typed into a form (its name, description and one line of fields per member),
checked with the import's own checks (:func:`mapping.io.programme.partnerships_from_table`, one
row per member), and a partnership's values as the form shows them.

Member ``n`` (from 1) has the fields ``member_n``, ``kind_n``, ``role_n`` and ``contact_n``; a
line left empty is no member. The form offers :data:`EMPTY_LINES` empty lines after the members.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from mapping.io.programme import partnerships_from_table
from mapping.io.report import Finding, ImportReport
from mapping.programme import Partnership

__all__ = [
    "EMPTY_LINES",
    "MEMBER_FIELDS",
    "check_partnership_form",
    "member_lines",
    "partnership_values",
]

#: Empty member lines the form offers for new members.
EMPTY_LINES = 3
#: The fields of one member line (``<name>_<n>``).
MEMBER_FIELDS: tuple[str, ...] = ("member", "kind", "role", "contact")
#: Most member lines a form may send.
MAX_LINES = 200


def partnership_values(partnership: Partnership | None) -> dict[str, str]:
    """The code, name and description, and every member line, as the form shows them.

    >>> from mapping.programme import Member
    >>> v = partnership_values(Partnership("p", "P", None, (Member("MOPS", "institution"),)))
    >>> v["member_1"], v["kind_1"], v["member_2"], v["kind_2"], v["description"]
    ('MOPS', 'institution', '', 'other', '')
    """
    values = {"code": "", "name": "", "description": ""}
    members = partnership.members if partnership is not None else ()
    if partnership is not None:
        values.update(
            code=partnership.code,
            name=partnership.name,
            description=partnership.description or "",
        )
    for n in range(1, len(members) + EMPTY_LINES + 1):
        member = members[n - 1] if n <= len(members) else None
        values[f"member_{n}"] = member.name if member else ""
        values[f"kind_{n}"] = member.kind if member else "other"
        values[f"role_{n}"] = (member.role or "") if member else ""
        values[f"contact_{n}"] = (member.contact or "") if member else ""
    return values


def member_lines(values: Mapping[str, str]) -> int:
    """How many member lines ``values`` holds (the form's, or a submitted one)."""
    n = 0
    while f"member_{n + 1}" in values and n < MAX_LINES:
        n += 1
    return n


def check_partnership_form(
    submitted: Mapping[str, str],
) -> tuple[Partnership | None, list[Finding]]:
    """The partnership the form describes, or None and the findings; a finding about a member
    has the line's number as its row."""
    head = {
        "partnership": (submitted.get("code") or "").strip(),
        "name": (submitted.get("name") or "").strip(),
        "description": (submitted.get("description") or "").strip(),
    }
    rows, numbers = [], []
    for n in range(1, member_lines(submitted) + 1):
        line = {f: (submitted.get(f"{f}_{n}") or "").strip() for f in MEMBER_FIELDS}
        if not (line["member"] or line["role"] or line["contact"]):
            continue  # an empty line (its kind keeps the default)
        rows.append({**head, **line})
        numbers.append(n)
    if not rows:
        rows, numbers = [{**head, **dict.fromkeys(MEMBER_FIELDS, "")}], [1]
    table = pd.DataFrame(rows, index=pd.Index(numbers, name="row"), dtype=object)
    report = ImportReport(source="form", unit="member", read=len(rows))
    found = partnerships_from_table(table, report)
    errors = [f for f in report.findings if f.severity == "error"]
    return (found[0] if found and not errors else None), errors
