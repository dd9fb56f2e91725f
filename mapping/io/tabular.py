"""Tables (CSV, XLSX and any other table format of :mod:`mapping.io.formats`) read into frames
of text, and the numbers in them.

Polish conventions handled here (encodings and delimiters: :mod:`mapping.io.parsers`):

* decimal commas and spaces (also no-break spaces) between groups of thousands: :func:`number`;
* column names in Polish or English are matched by :func:`mapping.io.matching.canonical_columns`.

Every cell is read as text (codes and identifiers such as ``007`` stay as written); the builders in
:mod:`mapping.io.resources`, :mod:`mapping.io.districts` and :mod:`mapping.io.indicators` parse
the fields they need. The frame's index is the row number as in
the file: for CSV the record number counting the header as line 1 (a record whose quoted text spans
several physical lines counts once, as in a spreadsheet); for XLSX the sheet's own row number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from mapping.errors import RefusedInputError, ValidationError, msg
from mapping.io.formats import FORMATS, Format, format_named, sniff
from mapping.io.report import ImportReport, unit_word
from mapping.io.safety import (
    DEFAULT_LIMITS,
    GUARDED_START,
    Limits,
    check_size,
    unguard_series,
)

__all__ = [
    "cell_texts",
    "number",
    "parse_numbers",
    "read_table",
]

_SPACE_CLASS = "[ \u00a0\u202f\u2009]"
_GROUPED_BY_SPACES = re.compile(rf"[+-]?\d{{1,3}}(?:{_SPACE_CLASS}\d{{3}})+(?:[.,]\d+)?")
_GUARDED = re.compile("\x00" + GUARDED_START.pattern)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


# ---------------------------------------------------------------------------------------------
# Numbers


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of text as numbers, Polish or English style, vectorised.

    Accepted: ``1234.5``, ``1234,5`` (decimal comma), ``1 234,5`` and ``1\u00a0234,5`` (spaces
    or no-break spaces between groups of three digits), ``1.234,5`` and ``1,234.5`` (the last
    separator is the decimal one), exponents (``1e3``). A single separator is always decimal:
    ``1.234`` is one point two three four.

    Parameters
    ----------
    values
        Text cells; empty cells and missing values are "no number", not errors.

    Returns
    -------
    numbers : pandas.Series
        float64, NaN where the cell is empty or bad.
    bad : pandas.Series
        bool, True where a non-empty cell is not a finite number.

    Examples
    --------
    >>> numbers, bad = parse_numbers(pd.Series(["1 234,5", "2,5", "", "abc", "1.234,5", "inf"]))
    >>> numbers.tolist()[:3], bad.tolist()
    ([1234.5, 2.5, nan], [False, False, False, True, False, True])
    """
    texts = cell_texts(values)
    numbers = _plain_column(texts)
    if numbers is not None:
        bad = np.isinf(numbers)
        numbers[bad] = np.nan
    else:
        numbers, bad = _parse_cells(texts)
    return (
        pd.Series(numbers, index=values.index, dtype="float64"),
        pd.Series(bad, index=values.index, dtype=bool),
    )


#: Deletes every character that a plain number (digits, one decimal point or comma, an exponent)
#: or the cell separator may hold; what is left after it means "not plain".
_NOT_PLAIN = str.maketrans("", "", "0123456789.,eE+-\x00")


def _plain_column(texts: list[str]) -> np.ndarray | None:
    """Fast path of :func:`parse_numbers`: the whole column in a few C-level calls.

    When every cell is a plain number (digits, at most one decimal comma or point, an
    exponent), the column is joined once, its commas become points and NumPy parses it; any
    other column (an empty cell, a space between thousands, a word) gets None and goes through
    :func:`_parse_cells`, which reports each cell. A cell with two separators has two points
    after the replacement, which no float accepts, so it falls back too.
    """
    if not texts:
        return None
    joined = "\x00".join(texts)
    if joined.translate(_NOT_PLAIN) or joined.count("\x00") != len(texts) - 1:
        return None
    try:
        return np.array(joined.replace(",", ".").split("\x00"), dtype=float)
    except ValueError:  # an empty cell, "1.2.3", "e5", "-": the slow path tells them apart
        return None


def _parse_cells(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Slow path of :func:`parse_numbers`: numbers and bad flags, cell by cell."""
    count = len(texts)
    numbers = np.full(count, np.nan)
    bad = np.zeros(count, dtype=bool)
    joined = "\x00".join(texts)
    if joined.count("\x00") != max(count - 1, 0):
        fast = [t.replace(",", ".") for t in texts]  # a cell holds NUL itself: no shortcut
    else:
        # One C-level replace over the whole column: decimal commas become points.
        fast = joined.replace(",", ".").split("\x00") if count else []
    plain = [
        bool(t) and t.count(",") <= 1 and _PLAIN_NUMBER.fullmatch(f) is not None
        for t, f in zip(texts, fast, strict=True)
    ]
    positions = np.flatnonzero(plain)
    if positions.size:
        numbers[positions] = np.array([fast[p] for p in positions], dtype=float)
    # The few cells that are not plain numbers: spaces, both separators, or not numbers at all.
    for position in np.flatnonzero(~np.asarray(plain, dtype=bool)):
        text = texts[position]
        if text:
            value = _parse_one(text)
            if value is None:
                bad[position] = True
            else:
                numbers[position] = value
    infinite = np.isinf(numbers)
    bad |= infinite
    numbers[infinite] = np.nan
    return numbers, bad


def _parse_one(text: str) -> float | None:
    """Slow path of :func:`parse_numbers` for one non-empty cell; None when it is no number."""
    compact = text
    if re.search(_SPACE_CLASS, text):
        if not _GROUPED_BY_SPACES.fullmatch(text):
            return None
        compact = re.sub(_SPACE_CLASS, "", text)
    if "," in compact and "." in compact:
        if re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+,\d*", compact):
            compact = compact.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+\.\d*", compact):
            compact = compact.replace(",", "")
        else:
            return None
    elif compact.count(",") == 1:
        compact = compact.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(compact):
        return None
    value = float(compact)
    return value if math.isfinite(value) else None


def cell_texts(values: pd.Series) -> list[str]:
    """Return a column as a list of stripped strings, ``""`` for missing values.

    Examples
    --------
    >>> cell_texts(pd.Series([" a ", None, 3, float("nan")], dtype=object))
    ['a', '', '3', '']
    """
    items = values.tolist()
    if pd.api.types.is_string_dtype(values.dtype) and not values.hasnans:
        try:
            return [v.strip() for v in items]
        except AttributeError:  # an object column holding something else than text
            pass
    out: list[str] = []
    for value in items:
        if isinstance(value, str):
            out.append(value.strip())
        elif value is None or value is pd.NA or (isinstance(value, float) and value != value):
            out.append("")
        else:
            out.append(str(value).strip())
    return out


def number(value: str) -> float:
    """Parse one number written Polish or English style (see :func:`parse_numbers`).

    Raises
    ------
    ValidationError
        If ``value`` is empty or not a finite number.

    Examples
    --------
    >>> number("1 234,5"), number("-0,25"), number("50.7712")
    (1234.5, -0.25, 50.7712)
    >>> number("12,3,4")
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: expected a number such as 1234,5 or 1234.5, got '12,3,4'; \
write digits with one decimal comma or point
    """
    numbers, bad = parse_numbers(pd.Series([value], dtype=object))
    result = float(numbers.iloc[0])
    if bad.iloc[0] or math.isnan(result):
        raise ValidationError(
            f"expected a number such as 1234,5 or 1234.5, got {value!r}; write digits with one "
            "decimal comma or point"
        )
    return result


# ---------------------------------------------------------------------------------------------
# Reading


def read_table(
    data: bytes,
    *,
    filename: str,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    formats: Sequence[Format] = FORMATS,
) -> tuple[pd.DataFrame, ImportReport]:
    """Read a CSV or XLSX file into a frame of text cells and an :class:`ImportReport`.

    Parameters
    ----------
    data
        The whole file.
    filename
        Its name (the extension must agree with the content; see :func:`mapping.io.formats.sniff`).
    sheet
        XLSX only: the sheet to read; the first one when None.
    limits
        Size, row (``max_features``) and, for XLSX, zip limits.
    formats
        The format registry (:data:`mapping.io.formats.FORMATS`); any table format in it is read.

    Returns
    -------
    table : pandas.DataFrame
        One column per header cell (names stripped of spaces), every cell text (``""`` when
        empty), cells stripped of surrounding spaces and of the ``'`` that palmap's exports put
        before a formula trigger. Index: the row number as in the file (CSV: header is line 1;
        XLSX: sheet row), named by ``report.unit``. Empty rows are left out.
    report : ImportReport
        ``unit`` ``"line"`` or ``"row"``, ``read`` set, assumptions on the encoding and delimiter.

    Raises
    ------
    RefusedInputError
        If the file is too large, not a CSV or XLSX, its content does not match its name, or it
        has more rows than ``limits.max_features``.
    ValidationError
        If the file has no header, a column name repeats, the sheet does not exist, or the text
        cannot be decoded.

    Examples
    --------
    >>> text = "Nazwa;Pojemność\\nŚwietlica „Promyk”;12,5\\n"
    >>> table, report = read_table(text.encode("cp1250"), filename="zasoby.csv")
    >>> table.to_dict("index")
    {2: {'Nazwa': 'Świetlica „Promyk”', 'Pojemność': '12,5'}}
    >>> report.assumptions
    ['text decoded as cp1250 (Windows Central European)', "columns separated by ';'"]
    """
    check_size(len(data), limits)
    fmt = format_named(sniff(data, filename=filename, formats=formats), formats)
    name = PurePosixPath(filename.replace("\\", "/")).name
    report = ImportReport(source=name, unit=fmt.unit)
    header, body, numbers = fmt.read_table(data, report, sheet=sheet, limits=limits)
    table = _build_table(header, body, numbers, report)
    if len(table) > limits.max_features:
        raise RefusedInputError(
            msg(
                "{source}: expected at most {limit} rows, got {count}; split the file or raise "
                "the limit (PALMAP_MAX_FEATURES)",
                source=name,
                limit=limits.max_features,
                count=len(table),
            )
        )
    report.read = len(table)
    return table, report


def _build_table(
    header: Sequence[str], body: pd.DataFrame, numbers: np.ndarray, report: ImportReport
) -> pd.DataFrame:
    if not header:
        raise ValidationError(
            msg(
                "{source}: expected a header {unit} with column names, got an empty file; write "
                "the column names first",
                source=report.source,
                unit=unit_word(report.unit),
            )
        )
    names = [h.strip().lstrip("\ufeff").strip() for h in header]
    body = body.copy()
    body.columns = range(body.shape[1])
    body.index = pd.Index(numbers, name=report.unit)
    keep: list[int] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        column = body[position] if len(body) else pd.Series(dtype=str)
        has_values = bool(len(column)) and any(v.strip() for v in column.tolist() if v)
        if not name:
            if has_values:
                report.add(
                    msg(
                        "expected a name for column {number}, got none; its values are ignored",
                        number=position + 1,
                    ),
                    field=f"column {position + 1}",
                    fix=msg("give the column a name in the header"),
                    severity="warning",
                )
            continue
        if name in seen:
            raise ValidationError(
                msg(
                    "{source}: expected each column name once, got {name!r} in columns {first} "
                    "and {second}; rename one of them",
                    source=report.source,
                    name=name,
                    first=seen[name] + 1,
                    second=position + 1,
                )
            )
        seen[name] = position
        keep.append(position)
    table = body[keep] if len(body.columns) else body
    table.columns = [names[p] for p in keep]
    table = table.astype(str) if len(table) else table.astype(object).astype(str)
    for column in table.columns:
        values = table[column].tolist()
        stripped = [v.strip() for v in values]
        guarded = _GUARDED.search("\x00" + "\x00".join(stripped)) is not None
        # Most columns need neither; writing a column back costs more than checking it.
        if guarded or stripped != values:
            cleaned = pd.Series(stripped, index=table.index, dtype=str)
            table[column] = unguard_series(cleaned) if guarded else cleaned
    if len(table):
        table = table[(table.to_numpy(dtype=object) != "").any(axis=1)]
    return table
