"""Row-level findings of an import: what is wrong, where, and how to fix it.

Every reader in :mod:`mapping.io` fills one :class:`ImportReport` while it works. A finding names
the row *as in the file* (:attr:`ImportReport.unit` says what a row is: ``"line"`` for CSV, where
the header is line 1 and the first data record line 2; ``"row"`` for XLSX, the sheet's own row
number; ``"feature"`` for vector files, counted from 1 in file order), the field, the value, the
problem and the fix. Findings with ``row=None`` concern the whole file (a column, the CRS).

Severity decides what happens to the row:

``error``
    the row is not in the frame the reader returns; the caller refuses the import (exit 3) or, with
    when the options say to skip invalid rows, loads the rest.
``warning``
    the row is loaded but something was changed or dropped (a repaired polygon, a website that is
    not http(s), a point outside every district).
``info``
    the row is loaded as it is; the report says how it was read (Z dropped, known only by district).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from mapping.errors import Message, ValidationError, msg
from mapping.io.safety import guard_formula

__all__ = ["Finding", "ImportReport", "Severity", "unit_word"]

Severity = Literal["error", "warning", "info"]
_SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
_COLUMNS: tuple[str, ...] = ("severity", "row", "field", "value", "problem", "fix")
_FIELDS: tuple[str, ...] = ("row", "field", "value", "problem", "fix", "severity")
#: What a row is, as a word the web pages translate (see :attr:`ImportReport.unit`).
_UNIT_WORDS: dict[str, Message] = {
    "line": msg("line"),
    "row": msg("row"),
    "feature": msg("feature"),
}


def unit_word(unit: str) -> Message | str:
    """The word for a row of the file (``line``, ``row``, ``feature``) as a translatable message.

    >>> str(unit_word("line")), unit_word("record")
    ('line', 'record')
    """
    return _UNIT_WORDS.get(unit, unit)


@dataclass(frozen=True)
class Finding:
    """One thing the reader found about one row (or about the whole file when ``row`` is None).

    Attributes
    ----------
    row
        Row number as in the file (see :attr:`ImportReport.unit`), or None for the whole file.
    field
        Column (or ``"geometry"``) the finding is about, or None.
    value
        The offending value as text, or None.
    problem
        What is wrong, as "expected X, got Y".
    fix
        How to fix it.
    severity
        ``"error"`` (row not loaded), ``"warning"`` (loaded, changed) or ``"info"``.
    problem_msg, fix_msg
        ``problem`` and ``fix`` as :class:`mapping.errors.Message` (template and values), which the
        web pages translate; None for a finding given as plain text.

    Examples
    --------
    >>> Finding(3, "lat", "abc", "expected a number, got 'abc'", "write it as 50.77", "error")
    ... # doctest: +ELLIPSIS
    Finding(row=3, field='lat', value='abc', problem=..., severity='error')
    """

    row: int | None
    field: str | None
    value: str | None
    problem: str
    fix: str
    severity: Severity = "error"
    problem_msg: Message | None = dataclasses.field(default=None, compare=False, repr=False)
    fix_msg: Message | None = dataclasses.field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.severity not in _SEVERITIES:
            raise ValueError(f"expected severity in {_SEVERITIES}, got {self.severity!r}")

    def message(self, unit: str = "row") -> str:
        """Return the finding as one sentence: where, what, how to fix.

        Examples
        --------
        >>> Finding(3, "lat", "abc", "expected a number", "write 50.77", "error").message("line")
        "line 3, field 'lat', value 'abc': expected a number; write 50.77"
        """
        where = [f"{unit} {self.row}" if self.row is not None else "file"]
        if self.field is not None:
            where.append(f"field {self.field!r}")
        if self.value is not None:
            where.append(f"value {_short(self.value, 60)!r}")
        text = f"{', '.join(where)}: {self.problem}"
        return f"{text}; {self.fix}" if self.fix else text


@dataclass
class ImportReport:
    """The findings of one import plus its counters and the assumptions the reader made.

    Attributes
    ----------
    source
        File name the rows came from (used in messages and as the default ``source`` of rows).
    unit
        What a row number counts: ``"line"`` (CSV), ``"row"`` (XLSX) or ``"feature"`` (vector).
    findings
        Every finding, in the order found.
    read
        Rows (or features) read from the file, header excluded.
    valid
        Rows in the frame the last builder returned.
    repaired
        Rows whose geometry was repaired.
    assumptions
        What the reader assumed, e.g. ``"coordinates read as EPSG:2180 (PUWG 1992), X = northing"``.

    Examples
    --------
    >>> report = ImportReport(source="data.csv", unit="line", read=2)
    >>> _ = report.add("expected a number, got 'x'", row=3, field="capacity", value="x",
    ...                fix="write a whole number such as 25")
    >>> report.skipped, len(report.errors())
    (1, 1)
    >>> print(report.as_table())  # doctest: +NORMALIZE_WHITESPACE
    severity  line  field     value  problem                     fix
    error     3     capacity  x      expected a number, got 'x'  write a whole number such as 25
    """

    source: str | None = None
    unit: str = "row"
    findings: list[Finding] = field(default_factory=list)
    read: int = 0
    valid: int = 0
    repaired: int = 0
    assumptions: list[str] = field(default_factory=list)

    # -- filling ------------------------------------------------------------------------------

    def add(
        self,
        problem: str | Message,
        *,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
        fix: str | Message = "",
        severity: Severity = "error",
    ) -> Finding:
        """Record one finding and return it.

        ``problem`` and ``fix`` are :func:`mapping.errors.msg` messages (translated on the web
        pages) or plain English text.

        Examples
        --------
        >>> ImportReport().add("expected a name", row=2, field="name", fix="fill it in").severity
        'error'
        >>> from mapping.errors import msg
        >>> ImportReport().add(msg("expected at most {n} characters", n=5), row=2).problem
        'expected at most 5 characters'
        """
        finding = Finding(
            row=None if row is None else int(row),
            field=field,
            value=None if value is None else str(value),
            problem=str(problem),
            fix=str(fix),
            severity=severity,
            problem_msg=problem if isinstance(problem, Message) else None,
            fix_msg=fix if isinstance(fix, Message) else None,
        )
        self.findings.append(finding)
        return finding

    def add_rows(
        self,
        rows: Iterable[int],
        values: Iterable[object] | None = None,
        *,
        problem: str | Message,
        fix: str | Message = "",
        field: str | None = None,
        severity: Severity = "error",
    ) -> None:
        """Record the same problem for several rows (``values`` in step with ``rows``).

        ``problem`` and ``fix`` may contain ``{value}`` or ``{value!r}``, replaced by each row's
        value. In plain text nothing else is interpreted, so it may hold any text; a
        :func:`mapping.errors.msg` message gets ``value`` as one more argument.

        Examples
        --------
        >>> report = ImportReport()
        >>> report.add_rows([2, 5], ["x", "y"], problem="expected a number, got {value!r}",
        ...                 field="capacity")
        >>> [f.problem for f in report.findings]
        ["expected a number, got 'x'", "expected a number, got 'y'"]
        """
        rows = list(rows)
        values_list = [None] * len(rows) if values is None else list(values)
        for row, value in zip(rows, values_list, strict=True):
            text = None if value is None or value is pd.NA else str(value)
            self.add(
                _fill(problem, text),
                row=row,
                field=field,
                value=text,
                fix=_fill(fix, text),
                severity=severity,
            )

    def assume(self, text: str) -> None:
        """Record an assumption once.

        Examples
        --------
        >>> report = ImportReport()
        >>> report.assume("text decoded as cp1250"); report.assume("text decoded as cp1250")
        >>> report.assumptions
        ['text decoded as cp1250']
        """
        if text not in self.assumptions:
            self.assumptions.append(text)

    # -- reading ------------------------------------------------------------------------------

    def sorted_findings(self) -> list[Finding]:
        """Return the findings ordered as a reader wants them: whole-file first, then by row.

        Examples
        --------
        >>> r = ImportReport(); _ = r.add("b", row=5); _ = r.add("a", row=2); _ = r.add("file")
        >>> [f.row for f in r.sorted_findings()]
        [None, 2, 5]
        """
        rank = {severity: i for i, severity in enumerate(_SEVERITIES)}
        return sorted(
            self.findings,
            key=lambda f: (f.row is not None, f.row or 0, rank[f.severity]),
        )

    def errors(self) -> list[Finding]:
        """Return the findings of severity ``error``.

        Examples
        --------
        >>> ImportReport().errors()
        []
        """
        return [f for f in self.findings if f.severity == "error"]

    def warnings(self) -> list[Finding]:
        """Return the findings of severity ``warning``.

        Examples
        --------
        >>> ImportReport().warnings()
        []
        """
        return [f for f in self.findings if f.severity == "warning"]

    def error_rows(self) -> set[int]:
        """Return the row numbers that have at least one error (these rows are not loaded).

        Examples
        --------
        >>> r = ImportReport(); _ = r.add("bad", row=4); _ = r.add("worse", row=4)
        >>> r.error_rows()
        {4}
        """
        return {f.row for f in self.findings if f.severity == "error" and f.row is not None}

    @property
    def skipped(self) -> int:
        """Number of rows left out because of an error."""
        return len(self.error_rows())

    def find(
        self, *, row: int | None = None, field: str | None = None, severity: Severity | None = None
    ) -> list[Finding]:
        """Return the findings that match every given criterion.

        Examples
        --------
        >>> r = ImportReport(); _ = r.add("bad", row=4, field="lat")
        >>> len(r.find(row=4, field="lat")), len(r.find(field="lon"))
        (1, 0)
        """
        return [
            f
            for f in self.findings
            if (row is None or f.row == row)
            and (field is None or f.field == field)
            and (severity is None or f.severity == severity)
        ]

    def summary(self) -> str:
        """Return one line with the counters.

        Examples
        --------
        >>> ImportReport(unit="line", read=10, valid=8, repaired=1).summary()
        'read 10 lines, valid 8, skipped 0, repaired 1, 0 errors, 0 warnings'
        """
        return (
            f"read {self.read} {self.unit}s, valid {self.valid}, skipped {self.skipped}, "
            f"repaired {self.repaired}, {len(self.errors())} errors, "
            f"{len(self.warnings())} warnings"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the findings as a frame: severity, row, field, value, problem, fix.

        ``row`` is a nullable integer column (``<NA>`` for file-level findings).

        Examples
        --------
        >>> r = ImportReport(); _ = r.add("bad", row=4, field="lat", value="x", fix="fix it")
        >>> r.to_frame().to_dict("records")
        [{'severity': 'error', 'row': 4, 'field': 'lat', 'value': 'x', 'problem': 'bad', \
'fix': 'fix it'}]
        """
        findings = self.sorted_findings()
        # Built column by column as object arrays: a frame built from records would infer a
        # string dtype and turn a missing field or value into NaN instead of None.
        frame = pd.DataFrame(
            {
                c: pd.Series([getattr(f, c) for f in findings], dtype=object)
                for c in _COLUMNS
                if c != "row"
            },
            columns=list(_COLUMNS),
        )
        frame["row"] = pd.array([f.row for f in findings], dtype="Int64")
        return frame

    def write(self, path: str | Path) -> None:
        """Write the report as CSV (findings only) or JSON (counters, assumptions, findings).

        The format follows the extension (``.csv`` or ``.json``). CSV cells that a spreadsheet
        would run as a formula are prefixed with ``'``.

        Raises
        ------
        ValueError
            If the extension is neither ``.csv`` nor ``.json``.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> r = ImportReport(source="a.csv", unit="line"); _ = r.add("bad", row=2, value="=1+1")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     r.write(pathlib.Path(tmp) / "report.csv")
        ...     (pathlib.Path(tmp) / "report.csv").read_text().splitlines()[1]
        "error,2,,'=1+1,bad,"
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".json":
            document = {
                "source": self.source,
                "unit": self.unit,
                "read": self.read,
                "valid": self.valid,
                "skipped": self.skipped,
                "repaired": self.repaired,
                "assumptions": list(self.assumptions),
                "findings": [{k: getattr(f, k) for k in _FIELDS} for f in self.sorted_findings()],
            }
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        elif suffix == ".csv":
            frame = self.to_frame()
            for column in ("field", "value", "problem", "fix"):
                frame[column] = [None if v is None else guard_formula(v) for v in frame[column]]
            frame.to_csv(path, index=False, encoding="utf-8")
        else:
            raise ValueError(
                f"expected a report file ending in .csv or .json, got {path.name!r}; "
                "choose one of those extensions"
            )

    def as_table(self, max_rows: int = 50) -> str:
        """Return the findings as a plain-text table for the terminal (first ``max_rows``).

        Findings about the whole file come first, then the rows in file order.

        Columns: severity, row (headed by :attr:`unit`), field, value, problem, fix. Long values
        and problems are shortened, the fix never; a last line says how many were left out.

        Examples
        --------
        >>> ImportReport().as_table()
        'no findings'
        """
        if not self.findings:
            return "no findings"
        shown = self.sorted_findings()[:max_rows]
        header = ["severity", self.unit, "field", "value", "problem", "fix"]
        rows = [
            [
                f.severity,
                "" if f.row is None else str(f.row),
                f.field or "",
                _short(f.value or "", 30),
                _short(f.problem, 160),
                f.fix,  # never shortened: it often lists the allowed values
            ]
            for f in shown
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip()
            for r in [header, *rows]
        ]
        if len(self.findings) > max_rows:
            lines.append(
                f"... and {len(self.findings) - max_rows} more (write the whole report to a file "
                "to see them)"
            )
        return "\n".join(lines)

    def raise_if_errors(self) -> None:
        """Raise ValidationError summarising the errors, if there are any.

        Raises
        ------
        ValidationError
            With the number of rows and errors and the first three errors.

        Examples
        --------
        >>> r = ImportReport(source="a.csv", unit="line")
        >>> r.raise_if_errors()  # nothing to raise
        >>> _ = r.add("expected a number, got 'x'", row=3, field="lat", value="x", fix="fix it")
        >>> r.raise_if_errors()
        Traceback (most recent call last):
        ...
        mapping.errors.ValidationError: a.csv: 1 line failed validation (1 error): line 3, \
field 'lat', value 'x': expected a number, got 'x'; fix it
        """
        errors = [f for f in self.sorted_findings() if f.severity == "error"]
        if not errors:
            return
        rows = self.skipped
        what = f"{rows} {self.unit}{'s' if rows != 1 else ''}" if rows else "the file"
        first = "; ".join(f.message(self.unit) for f in errors[:3])
        more = f"; and {len(errors) - 3} more errors" if len(errors) > 3 else ""
        prefix = f"{self.source}: " if self.source else ""
        raise ValidationError(
            f"{prefix}{what} failed validation ({len(errors)} error"
            f"{'s' if len(errors) != 1 else ''}): {first}{more}"
        )


def _fill(template: str | Message, value: str | None) -> str | Message:
    if isinstance(template, Message):
        return template.with_args(value=value or "")
    if "{value" not in template:
        return template
    return template.replace("{value!r}", repr(value or "")).replace("{value}", value or "")


def _short(text: str, width: int) -> str:
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= width else text[: width - 1] + "…"
