"""Partnerships and actions of the programme read from tables (CSV, XLSX), with a finding
(row, field, value, problem, fix) for every problem, as the other imports do.

Actions: one row per action::

    code,title,type,partnership,districts,funding,start_date,end_date,planned_participants,
    actual_participants,reserve_list,status,description

``type`` is ``IV.1`` ... ``IV.7`` (or ``6``, or the type's Polish or English name);
``districts`` the target districts, codes or names separated by ``|``; ``funding`` one
``source:amount`` per source separated by ``|`` (sources ``eu``, ``city``, ``state``,
``sponsor``, or their names; amounts in PLN, ``120 000,50`` or ``120000.5``); dates
``2012-06-01`` or ``01.06.2012``; ``status`` ``planned``, ``running``, ``done`` or
``cancelled`` (or the Polish words). ``partnership`` is the code of a stored partnership (or
empty).

Partnerships: one row per member (a partnership without members: one row, member empty)::

    partnership,name,description,member,kind,role,contact

``kind`` is one of :data:`mapping.programme.MEMBER_KINDS` (``other`` when empty). The rows of
one partnership give its members in order; its name and description may stand on its first row
only. Polish column names work too (:data:`ACTION_COLUMNS`, :data:`PARTNERSHIP_COLUMNS`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from mapping.errors import Message, ValidationError, msg
from mapping.io.fields import texts
from mapping.io.matching import column_key, district_problem, match_districts
from mapping.io.report import ImportReport, unit_word
from mapping.io.safety import DEFAULT_LIMITS, Limits
from mapping.io.tabular import number, read_table
from mapping.programme import (
    ACTION_TYPES,
    FUNDING_SOURCES,
    MEMBER_KINDS,
    STATUSES,
    Action,
    Funding,
    Member,
    Named,
    Partnership,
    Problem,
    action_problems,
    choice_problem,
    codes,
    match_named,
    partnership_problems,
)

__all__ = [
    "ACTION_COLUMNS",
    "PARTNERSHIP_COLUMNS",
    "actions_from_table",
    "partnerships_from_table",
    "read_actions",
    "read_partnerships",
]

#: Each column of an actions file and the column keys (:func:`column_key`) it is known by.
ACTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "kod", "koddzialania"),
    "title": ("title", "tytul", "nazwa", "nazwadzialania"),
    "type": ("type", "typ", "rodzaj", "typdzialania"),
    "partnership": ("partnership", "partnerstwo"),
    "districts": ("districts", "district", "osiedla", "osiedle", "dzielnice", "obszar"),
    "funding": ("funding", "finansowanie", "zrodlafinansowania"),
    "start_date": ("startdate", "start", "poczatek", "datarozpoczecia", "od"),
    "end_date": ("enddate", "end", "koniec", "datazakonczenia", "do"),
    "planned_participants": ("plannedparticipants", "planowani", "uczestnicyplanowani"),
    "actual_participants": ("actualparticipants", "faktyczni", "uczestnicyfaktyczni"),
    "reserve_list": ("reservelist", "listarezerwowa", "rezerwa"),
    "status": ("status", "stan"),
    "description": ("description", "opis"),
}
#: Each column of a partnerships file and the column keys it is known by.
PARTNERSHIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "partnership": ("partnership", "partnerstwo", "code", "kod"),
    "name": ("name", "nazwa", "nazwapartnerstwa"),
    "description": ("description", "opis"),
    "member": ("member", "czlonek", "partner", "instytucja"),
    "kind": ("kind", "rodzaj", "typ"),
    "role": ("role", "rola"),
    "contact": ("contact", "kontakt"),
}
_REQUIRED_ACTION = ("code", "title", "type", "start_date")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+)?")
_PL_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _columns(
    table: pd.DataFrame, report: ImportReport, known: Mapping[str, tuple[str, ...]]
) -> dict[str, str]:
    """Canonical field -> column of the table; a warning for each column not recognised."""
    found: dict[str, str] = {}
    for column in table.columns:
        key = column_key(column)
        canonical = next((f for f, keys in known.items() if key in keys), None)
        if canonical is None or canonical in found:
            report.add(
                msg(
                    "expected one of the columns {columns}, got {column!r}; its values are ignored",
                    columns=", ".join(known),
                    column=str(column),
                ),
                field=str(column),
                fix=msg("rename the column, or leave it out"),
                severity="warning",
            )
            continue
        found[canonical] = str(column)
    return found


def _need(fields: Mapping[str, str], names: tuple[str, ...], report: ImportReport) -> None:
    missing = [n for n in names if n not in fields]
    if missing:
        raise ValidationError(
            msg(
                "{source}: expected the columns {columns}, got none; add them (palmap template "
                "writes a file with every column)",
                source=report.source or "file",
                columns=", ".join(missing),
            )
        )


@dataclass
class _Row:
    """The cells of one row and the problems found in them."""

    number: int
    cells: Mapping[str, str]
    problems: list[Problem] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.cells.get(name, "")

    def problem(self, name: str, value: str | None, problem: Message, fix: Message) -> None:
        self.problems.append(Problem(name, value, problem, fix))


def _date(row: _Row, name: str) -> date | None:
    text = row.get(name)
    if not text:
        return None
    iso, polish = _ISO_DATE.fullmatch(text), _PL_DATE.fullmatch(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if polish:
            return date(int(polish[3]), int(polish[2]), int(polish[1]))
    except ValueError:
        pass
    row.problem(
        name,
        text,
        msg("expected a date such as 2012-06-01 or 01.06.2012, got {value!r}", value=text),
        msg("write the day, month and year of a real date"),
    )
    return None


def _count(row: _Row, name: str) -> int | None:
    text = row.get(name)
    if not text:
        return None
    try:
        value = number(text)
    except ValidationError:
        value = float("nan")
    if value != value or not value.is_integer():
        row.problem(
            name,
            text,
            msg("expected a whole number of people, got {value!r}", value=text),
            msg("write digits only, such as 25"),
        )
        return None
    return int(value)


def _choice(row: _Row, name: str, choices: tuple[Named, ...], default: str | None) -> str | None:
    text = row.get(name)
    if not text:
        if default is None:
            row.problem(
                name, None, msg("expected the {name}, got none", name=name), msg("fill it in")
            )
        return default
    code = match_named(text, choices)
    if code is None:
        row.problems.append(choice_problem(name, text, choices))
    return code


def _funding(row: _Row) -> tuple[Funding, ...]:
    text = row.get("funding")
    found = []
    for part in (p.strip() for p in text.split("|") if p.strip()):
        source_text, colon, amount_text = part.partition(":")
        source = match_named(source_text, FUNDING_SOURCES)
        try:
            amount = number(amount_text) if colon else None
        except ValidationError:
            amount = None
        if source is None or amount is None:
            row.problem(
                "funding",
                part,
                msg(
                    "expected source:amount with a source of {sources} and an amount in PLN, "
                    "got {value!r}",
                    sources=", ".join(codes(FUNDING_SOURCES)),
                    value=part,
                ),
                msg("write for example eu:120000|city:15000,50"),
            )
            continue
        found.append(Funding(source, round(amount, 2)))
    return tuple(found)


def _districts(row: _Row, districts: pd.DataFrame) -> tuple[str, ...]:
    parts = [p.strip() for p in row.get("districts").split("|") if p.strip()]
    if not parts:
        return ()
    matched, unmatched = match_districts(pd.Series(parts, dtype=object), districts)
    for value, closest in unmatched.items():
        problem, fix = district_problem(value, closest, districts)
        row.problem("districts", value, problem, fix)
    return tuple(str(c) for c in matched if c is not None)


def _action(row: _Row, districts: pd.DataFrame) -> Action:
    return Action(
        code=row.get("code"),
        title=row.get("title"),
        action_type=_choice(row, "type", ACTION_TYPES, None) or "",
        start_date=_date(row, "start_date") or date.min,
        status=_choice(row, "status", STATUSES, "planned") or "",
        partnership=row.get("partnership") or None,
        districts=_districts(row, districts),
        funding=_funding(row),
        end_date=_date(row, "end_date"),
        planned_participants=_count(row, "planned_participants"),
        actual_participants=_count(row, "actual_participants"),
        reserve_list=_count(row, "reserve_list"),
        description=row.get("description") or None,
    )


def _rows(table: pd.DataFrame, fields: Mapping[str, str]) -> list[_Row]:
    cells = {name: texts(table[column]).tolist() for name, column in fields.items()}
    return [
        _Row(int(number_), {name: values[i] for name, values in cells.items()})
        for i, number_ in enumerate(table.index)
    ]


def _report(report: ImportReport, row: _Row) -> None:
    for p in row.problems:
        report.add(p.problem, row=row.number, field=p.field, value=p.value, fix=p.fix)


def actions_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    districts: pd.DataFrame,
    partnerships: Collection[str],
) -> list[Action]:
    """Build the actions of a table (one per row); a row with an error is left out whole.

    ``districts``: a frame with ``code`` and ``name``; ``partnerships``: the known codes.

    Examples
    --------
    >>> d = pd.DataFrame({"code": ["gaj"], "name": ["Gaj"]})
    >>> t = pd.DataFrame({"kod": ["a1", "a2"], "tytuł": ["Festyn", "Kurs"], "typ": ["5", "IV.9"],
    ...                   "osiedla": ["Gaj", "Gajj"], "finansowanie": ["EFS: 1 200,5", "x"],
    ...                   "początek": ["01.06.2012", "2012-13-01"]}, index=[2, 3])
    >>> report = ImportReport(unit="line")
    >>> [(a.code, a.action_type, a.districts, a.funding[0].amount)
    ...  for a in actions_from_table(t, report, districts=d, partnerships=())]
    [('a1', 'IV.5', ('gaj',), 1200.5)]
    >>> sorted({(f.row, f.field) for f in report.errors()})
    [(3, 'districts'), (3, 'funding'), (3, 'start_date'), (3, 'type')]
    """
    fields = _columns(table, report, ACTION_COLUMNS)
    _need(fields, _REQUIRED_ACTION, report)
    district_codes = {str(c) for c in districts["code"]}
    actions: list[Action] = []
    seen: dict[str, int] = {}
    for row in _rows(table, fields):
        action = _action(row, districts)
        if action.start_date == date.min and not any(p.field == "start_date" for p in row.problems):
            row.problem(
                "start_date", None, msg("expected the start date, got none"), msg("fill it in")
            )
        reported = {p.field for p in row.problems}
        for problem in action_problems(action, districts=district_codes, partnerships=partnerships):
            unknown_start = problem.field == "end_date" and action.start_date == date.min
            if problem.field not in reported and not unknown_start:
                row.problems.append(problem)
        if action.code in seen:
            row.problem(
                "code",
                action.code,
                msg(
                    "expected each code once, got {value!r} also on {unit} {row}",
                    value=action.code,
                    unit=unit_word(report.unit),
                    row=seen[action.code],
                ),
                msg("give each action its own code"),
            )
        seen.setdefault(action.code, row.number)
        _report(report, row)
        if not row.problems:
            actions.append(action)
    report.valid = len(actions)
    return actions


def _member(row: _Row) -> Member | None:
    name = row.get("member")
    kind = _choice(row, "kind", MEMBER_KINDS, "other")
    if not name:
        if row.get("kind") or row.get("role") or row.get("contact"):
            row.problem(
                "member", None, msg("expected the member's name, got none"), msg("fill it in")
            )
        return None
    return Member(name, kind or "", row.get("role") or None, row.get("contact") or None)


@dataclass
class _Group:
    code: str
    name: str = ""
    description: str = ""
    members: list[Member] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)


def _same(row: _Row, group: _Group, name: str) -> None:
    given, kept = row.get(name), getattr(group, name)
    if given and kept and given != kept:
        row.problem(
            name,
            given,
            msg(
                "expected the {name} of partnership {code} as on its first row ({kept!r}), "
                "got {value!r}",
                name=name,
                code=group.code,
                kept=kept,
                value=given,
            ),
            msg("write it the same way on every row, or only on the first"),
        )
    elif given:
        setattr(group, name, given)


def partnerships_from_table(table: pd.DataFrame, report: ImportReport) -> list[Partnership]:
    """Build the partnerships of a table (one row per member); a partnership with an error on
    any of its rows is left out whole (its members are replaced as a whole when saved).

    Examples
    --------
    >>> t = pd.DataFrame({"partnerstwo": ["p1", "p1", "p2"], "nazwa": ["Gaj razem", "", "P2"],
    ...                   "członek": ["MOPS", "SP 5", ""], "rodzaj": ["instytucja", "szkoła", ""]})
    >>> [(p.code, [m.kind for m in p.members])
    ...  for p in partnerships_from_table(t, ImportReport())]
    [('p1', ['institution', 'school']), ('p2', [])]
    """
    fields = _columns(table, report, PARTNERSHIP_COLUMNS)
    _need(fields, ("partnership", "name"), report)
    groups: dict[str, _Group] = {}
    for row in _rows(table, fields):
        group = groups.setdefault(row.get("partnership"), _Group(row.get("partnership")))
        _same(row, group, "name")
        _same(row, group, "description")
        member = _member(row)
        if member is not None:
            group.members.append(member)
        group.rows.append(row)
    partnerships: list[Partnership] = []
    for group in groups.values():
        built = Partnership(group.code, group.name, group.description or None, tuple(group.members))
        _place(group, partnership_problems(built))
        for row in group.rows:
            _report(report, row)
        if not any(row.problems for row in group.rows):
            partnerships.append(built)
    report.valid = sum(len(g.rows) for g in groups.values() if not any(r.problems for r in g.rows))
    return partnerships


_MEMBER_FIELDS = {"member_name": "member", "member_kind": "kind", "member_role": "role"}


def _place(group: _Group, problems: list[Problem]) -> None:
    """Put the problems of a whole partnership on its rows: a member's on the member's row,
    the rest on its first row."""
    member_rows = [r for r in group.rows if r.get("member")]
    member_problems = [p for p in problems if p.field.startswith("member_")]
    for problem in problems:
        if problem.field.startswith("member_"):
            continue
        group.rows[0].problems.append(problem._replace(field=_partnership_field(problem.field)))
    for problem in member_problems:
        field_name = _MEMBER_FIELDS.get(problem.field, "contact")
        if any(p.field == field_name for r in group.rows for p in r.problems):
            continue  # reported on its row already (an unknown kind)
        target = next(
            (r for r in member_rows if r.get(field_name) == (problem.value or "")), group.rows[0]
        )
        if not any(p.field == field_name for p in target.problems):
            target.problems.append(problem._replace(field=field_name))


def _partnership_field(name: str) -> str:
    return "partnership" if name == "code" else name


def read_actions(
    data: bytes,
    *,
    filename: str,
    districts: pd.DataFrame,
    partnerships: Collection[str],
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[Action], ImportReport]:
    """Actions from a CSV or XLSX file (see the module's documentation for the columns)."""
    table, report = read_table(data, filename=filename, sheet=sheet, limits=limits)
    return actions_from_table(table, report, districts=districts, partnerships=partnerships), report


def read_partnerships(
    data: bytes, *, filename: str, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[Partnership], ImportReport]:
    """Partnerships and their members from a CSV or XLSX file, one row per member."""
    table, report = read_table(data, filename=filename, sheet=sheet, limits=limits)
    return partnerships_from_table(table, report), report
