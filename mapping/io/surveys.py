"""Survey results read from tables (CSV, XLSX) in one of two layouts, with a finding (row,
field, value, problem, fix) for every problem, as the other imports do.

Aggregated counts, one row per action, district, wave, question and answer::

    action,district,wave,question,answer,count

Anonymous responses, one row per respondent and question::

    action,district,wave,respondent,question,answer

The layout is told by the columns (``count`` or ``respondent``). A respondent id is hashed at
once with HMAC-SHA256 under a secret key (``PALMAP_SURVEY_KEY`` in the app): the hash is used
only to count the distinct respondents and to find a respondent who answered one question
twice (or in two districts), and then dropped with the rows; palmap keeps the counts only.
Without a key responses are refused. ``wave`` is ``initial`` or ``final`` (``wstępna``,
``końcowa``); ``district`` a district code or name; ``action`` the code of a stored action.
Polish column names work too (:data:`SURVEY_COLUMNS`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping

import pandas as pd

from mapping.errors import ValidationError, msg
from mapping.io.fields import texts
from mapping.io.matching import column_key, district_problem, match_districts
from mapping.io.report import ImportReport, unit_word
from mapping.io.safety import DEFAULT_LIMITS, Limits
from mapping.io.tabular import number, read_table
from mapping.programme import match_named
from mapping.surveys import WAVES, SurveyCount, count_problems

__all__ = ["KEY_MIN_LENGTH", "SURVEY_COLUMNS", "counts_from_table", "read_surveys"]

#: Each column of a survey file and the column keys (:func:`column_key`) it is known by.
SURVEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "action": ("action", "dzialanie", "kod", "code", "koddzialania"),
    "district": ("district", "osiedle", "dzielnica"),
    "wave": ("wave", "fala", "pomiar", "etap"),
    "respondent": ("respondent", "respondentid", "ankieta", "idrespondenta"),
    "question": ("question", "pytanie"),
    "answer": ("answer", "odpowiedz"),
    "count": ("count", "liczba", "n", "liczbaodpowiedzi"),
}
_COMMON = ("action", "district", "wave", "question", "answer")
#: The shortest secret key accepted for hashing respondent ids.
KEY_MIN_LENGTH = 16


def _fields(table: pd.DataFrame, report: ImportReport) -> dict[str, str]:
    found: dict[str, str] = {}
    for column in table.columns:
        key = column_key(column)
        name = next((f for f, keys in SURVEY_COLUMNS.items() if key in keys), None)
        if name is None or name in found:
            report.add(
                msg(
                    "expected one of the columns {columns}, got {column!r}; its values are ignored",
                    columns=", ".join(SURVEY_COLUMNS),
                    column=str(column),
                ),
                field=str(column),
                fix=msg("rename the column, or leave it out"),
                severity="warning",
            )
            continue
        found[name] = str(column)
    missing = [n for n in _COMMON if n not in found]
    layouts = [n for n in ("count", "respondent") if n in found]
    if missing or len(layouts) != 1:
        need = missing + ([] if len(layouts) == 1 else ["count or respondent (one of them)"])
        raise ValidationError(
            msg(
                "{source}: expected the columns {columns}; add them (palmap template surveys "
                "writes a file of counts with every column)",
                source=report.source or "file",
                columns=", ".join(need),
            )
        )
    return found


def _hasher(key: bytes | None, report: ImportReport) -> hmac.HMAC:
    if key is None or len(key) < KEY_MIN_LENGTH:
        source = report.source or "file"
        raise ValidationError(
            msg(
                "{source}: expected a secret key of at least {limit} characters to hash the "
                "respondent ids of survey responses, got none; set PALMAP_SURVEY_KEY to a long "
                "random secret, or import aggregated counts (a count column instead of "
                "respondent)",
                source=source,
                limit=KEY_MIN_LENGTH,
            )
            if not key
            else msg(
                "{source}: expected a secret key of at least {limit} characters to hash the "
                "respondent ids of survey responses, got a shorter one; set PALMAP_SURVEY_KEY to "
                "a long random secret, or import aggregated counts (a count column instead of "
                "respondent)",
                source=source,
                limit=KEY_MIN_LENGTH,
            )
        )
    return hmac.new(key, digestmod=hashlib.sha256)


def _wave(text: str) -> str:
    return match_named(text, WAVES) or text


def _districts(cells: pd.Series, districts: pd.DataFrame, report: ImportReport) -> pd.Series:
    matched, unmatched = match_districts(cells, districts)
    for row, value in cells[matched.isna()].items():
        problem, fix = district_problem(value, unmatched.get(value, []), districts)
        report.add(
            problem if value else msg("expected the district, got none"),
            row=int(row),
            field="district",
            value=value or None,
            fix=fix if value else msg("fill it in"),
        )
    return matched


def _count(text: str, row: int, report: ImportReport) -> int | None:
    try:
        value = number(text)
    except ValidationError:
        value = float("nan")
    if value != value or not value.is_integer() or value < 0:
        report.add(
            msg("expected a whole number of respondents, got {value!r}", value=text),
            row=row,
            field="count",
            value=text or None,
            fix=msg("write digits only, such as 12"),
        )
        return None
    return int(value)


def _responses(
    cells: Mapping[str, list[str]], rows: list[int], key: bytes | None, report: ImportReport
) -> dict[int, int]:
    """Row -> 1 for each valid response; errors for repeated answers. Hashes are dropped."""
    hasher = _hasher(key, report)
    answered: dict[tuple[str, str, str, str], int] = {}
    district_of: dict[tuple[str, str, str], tuple[str, int]] = {}
    per_wave: dict[tuple[str, str], set[str]] = defaultdict(set)
    counts: dict[int, int] = {}
    for i, row in enumerate(rows):
        given = cells["respondent"][i]
        if not given:
            report.add(
                msg("expected the respondent's id, got none"),
                row=row,
                field="respondent",
                fix=msg("give each respondent an id (any text, hashed at once and dropped)"),
            )
            continue
        digest = hasher.copy()
        digest.update(given.encode("utf-8"))
        person = digest.hexdigest()
        action, wave = cells["action"][i], _wave(cells["wave"][i])
        first = answered.setdefault((action, wave, person, cells["question"][i]), row)
        place = district_of.setdefault((action, wave, person), (cells["district"][i], row))
        if first != row:
            report.add(
                msg(
                    "expected one answer per respondent and question, got a second one (the "
                    "first on {unit} {row})",
                    unit=unit_word(report.unit),
                    row=first,
                ),
                row=row,
                field="respondent",
                fix=msg("keep one answer of the respondent to this question"),
            )
        elif place[0] != cells["district"][i]:
            report.add(
                msg(
                    "expected one district per respondent in an action's wave, got {value!r} "
                    "and {other!r} (on {unit} {row})",
                    value=cells["district"][i],
                    other=place[0],
                    unit=unit_word(report.unit),
                    row=place[1],
                ),
                row=row,
                field="district",
                fix=msg("write the respondent's district the same way on every row"),
            )
        else:
            counts[row] = 1
            per_wave[(action, wave)].add(person)
    people = sum(len(p) for p in per_wave.values())
    report.assumptions.append(
        f"responses: {people} respondent(s) in {len(per_wave)} action wave(s); respondent ids "
        "hashed with the survey key and dropped, only counts kept"
    )
    return counts


def counts_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    districts: pd.DataFrame,
    actions: Collection[str],
    key: bytes | None = None,
) -> list[SurveyCount]:
    """The survey counts of a table in either layout; a row with an error is left out.

    Examples
    --------
    >>> d = pd.DataFrame({"code": ["gaj"], "name": ["Gaj"]})
    >>> t = pd.DataFrame({"działanie": ["a1", "a1", "a1", "zz"], "osiedle": ["Gaj"] * 4,
    ...                   "fala": ["wstępna", "wstępna", "wstępna", "końcowa"],
    ...                   "respondent": ["r1", "r2", "r1", "r1"], "pytanie": ["Q"] * 4,
    ...                   "odpowiedź": ["4", "4", "5", "3"]}, index=[2, 3, 4, 5])
    >>> report = ImportReport(unit="line")
    >>> counts_from_table(t, report, districts=d, actions=["a1"], key=b"k" * 16)
    [SurveyCount(action='a1', district='gaj', wave='initial', question='Q', answer='4', count=2)]
    >>> [(f.row, f.field) for f in report.errors()]
    [(4, 'respondent'), (5, 'action')]
    """
    fields = _fields(table, report)
    district_codes = _districts(texts(table[fields["district"]]), districts, report)
    cells = {name: texts(table[column]).tolist() for name, column in fields.items()}
    rows = [int(r) for r in table.index]
    if "respondent" in fields:
        given = _responses(cells, rows, key, report)
    else:
        given = {}
        for i, row in enumerate(rows):
            value = _count(cells["count"][i], row, report)
            if value is not None:
                given[row] = value
    totals: Counter[tuple[str, str, str, str, str]] = Counter()
    first: dict[tuple[str, str, str, str, str], int] = {}
    bad = {f.row for f in report.errors()}
    for i, row in enumerate(rows):
        district = district_codes.iloc[i]
        if row in bad or row not in given or district is None:
            continue
        count = SurveyCount(
            cells["action"][i],
            str(district),
            _wave(cells["wave"][i]),
            cells["question"][i],
            cells["answer"][i],
            given[row],
        )
        problems = count_problems(count, actions=actions, districts=set(district_codes.dropna()))
        for p in problems:
            report.add(p.problem, row=row, field=p.field, value=p.value, fix=p.fix)
        cell = (count.action, count.district, count.wave, count.question, count.answer)
        if not problems and "count" in fields and cell in first:
            report.add(
                msg(
                    "expected each action, district, wave, question and answer once, got it also "
                    "on {unit} {row}",
                    unit=unit_word(report.unit),
                    row=first[cell],
                ),
                row=row,
                field="answer",
                value=count.answer,
                fix=msg("add the two counts up into one row"),
            )
        elif not problems:
            first.setdefault(cell, row)
            totals[cell] += count.count
    report.valid = len({r for r in rows if r in given} - {f.row for f in report.errors()})
    return [SurveyCount(*cell, count) for cell, count in totals.items()]


def read_surveys(
    data: bytes,
    *,
    filename: str,
    districts: pd.DataFrame,
    actions: Collection[str],
    key: bytes | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[SurveyCount], ImportReport]:
    """Survey counts from a CSV or XLSX file (see the module's documentation for the layouts)."""
    table, report = read_table(data, filename=filename, sheet=sheet, limits=limits)
    counts = counts_from_table(table, report, districts=districts, actions=actions, key=key)
    return counts, report
