"""CSV and XLSX tables as municipal offices write them, read into frames of text.

Polish conventions handled here:

* encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), and the two
  Central European single-byte encodings, cp1250 (Windows) and ISO-8859-2, told apart by which one
  decodes the file with fewer characters that cannot occur in Polish text;
* delimiters ``,`` ``;`` or tab, detected from the first records;
* decimal commas and spaces (also no-break spaces) between groups of thousands: :func:`number`;
* column names in Polish or English, matched ignoring case, diacritics, spaces and underscores:
  :func:`canonical_columns`.

Every cell is read as text (codes and identifiers such as ``007`` stay as written); the builders in
:mod:`mapping.io.resources` parse the fields they need. The frame's index is the row number as in
the file: for CSV the record number counting the header as line 1 (a record whose quoted text spans
several physical lines counts once, as in a spreadsheet); for XLSX the sheet's own row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Literal

import numpy as np
import pandas as pd

from mapping.errors import RefusedInputError, ValidationError
from mapping.io.report import ImportReport
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_size, check_zip, sniff, unguard_series
from mapping.text import slugify

__all__ = [
    "TableKind",
    "canonical_columns",
    "cell_texts",
    "column_key",
    "decode_text",
    "name_key",
    "number",
    "parse_numbers",
    "read_table",
]

TableKind = Literal["resources", "districts", "indicators"]

# Characters that Polish text written in cp1250 or ISO-8859-2 may contain above ASCII. Anything
# else above ASCII (C1 controls, ¶, ±, ¦, š, Ľ ...) counts against an encoding.
_POLISH_OK = frozenset(
    "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ„”“‘’‚–—…«»°§€×·•éüöäÉÜÖÄ\u00a0"  # noqa: RUF001 - typographic quotes
)


def _plausible_bytes(encoding: str) -> bytes:
    plausible = bytearray(range(0x80))
    for byte in range(0x80, 0x100):
        try:
            char = bytes([byte]).decode(encoding)
        except UnicodeDecodeError:
            continue
        if char in _POLISH_OK:
            plausible.append(byte)
    return bytes(plausible)


_PLAUSIBLE_BYTES = {e: _plausible_bytes(e) for e in ("cp1250", "iso-8859-2")}
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16 with BOM",
    "cp1250": "cp1250 (Windows Central European)",
    "iso-8859-2": "ISO-8859-2 (Latin-2)",
}
_DELIMITERS: tuple[str, ...] = (",", ";", "\t")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}
_SAMPLE_CHARS = 64 * 1024
_SPACE_CLASS = "[ \u00a0\u202f\u2009]"
_GROUPED_BY_SPACES = re.compile(rf"[+-]?\d{{1,3}}(?:{_SPACE_CLASS}\d{{3}})+(?:[.,]\d+)?")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_GUARDED = re.compile(r"\x00'[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")


# ---------------------------------------------------------------------------------------------
# Names


def name_key(text: object) -> str:
    """Return the key two names are compared by: ASCII, lowercase, words joined by ``-``.

    Case, Polish diacritics, punctuation and extra spaces do not matter. Text without any letter
    or digit gives ``""``.

    Examples
    --------
    >>> name_key("  Biały   KAMIEŃ ") == name_key("bialy kamien")
    True
    >>> name_key("--")
    ''
    """
    if not isinstance(text, str):
        return ""
    try:
        return slugify(text)
    except ValidationError:
        return ""


def column_key(name: object) -> str:
    """Return the key a column name is matched by: :func:`name_key` without separators or units.

    Examples
    --------
    >>> column_key("Szerokość geograficzna (N)"), column_key("external_id")
    ('szerokoscgeograficzna', 'externalid')
    """
    text = _PARENTHESES.sub(" ", str(name))
    return name_key(text).replace("-", "")


_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "resources": {
        "external_id": ("externalid", "extid", "identyfikator", "idzewnetrzny", "id"),
        "name": ("name", "nazwa", "nazwaobiektu", "nazwazasobu"),
        "category": ("category", "kategoria", "kategoriazasobu", "rodzaj"),
        "address": ("address", "adres"),
        "district": (
            "districtcode",
            "koddzielnicy",
            "kodosiedla",
            "district",
            "dzielnica",
            "osiedle",
            "districtname",
            "nazwadzielnicy",
            "nazwaosiedla",
        ),
        "lat": ("lat", "latitude", "szerokosc", "szer", "szerokoscgeograficzna"),
        "lon": ("lon", "lng", "long", "longitude", "dlugosc", "dl", "dlugoscgeograficzna"),
        "wkt": ("wkt", "geometry", "geometria", "geom"),
        "x": ("x", "wspx", "wspolrzednax"),
        "y": ("y", "wspy", "wspolrzednay"),
        "capacity": ("capacity", "pojemnosc", "miejsca", "liczbamiejsc"),
        "operator": ("operator", "prowadzacy", "organizator", "podmiotprowadzacy"),
        "phone": ("phone", "telefon", "tel"),
        "website": ("website", "www", "strona", "stronawww", "url"),
        "opening_hours": ("openinghours", "godziny", "godzinyotwarcia", "hours"),
        "description": ("description", "opis", "descr"),
        "source": ("source", "zrodlo", "zrodlodanych"),
        "synthetic": ("synthetic",),
    },
    "districts": {
        "code": ("code", "kod", "districtcode", "koddzielnicy", "kodosiedla"),
        "name": (
            "name",
            "nazwa",
            "district",
            "dzielnica",
            "osiedle",
            "districtname",
            "nazwadzielnicy",
            "nazwaosiedla",
        ),
        "wkt": ("wkt", "geometry", "geometria", "geom"),
        "source": ("source", "zrodlo", "zrodlodanych"),
        "schematic": ("schematic",),
    },
    "indicators": {
        "district": (
            "districtcode",
            "koddzielnicy",
            "kodosiedla",
            "district",
            "dzielnica",
            "osiedle",
            "districtname",
            "nazwadzielnicy",
            "nazwaosiedla",
        ),
        "year": ("year", "rok"),
        "indicator": ("indicator", "wskaznik", "indicatorcode", "kodwskaznika"),
        "value": ("value", "wartosc"),
        "code": ("code", "kod"),
        "name_pl": ("namepl", "nazwapl", "nazwa", "nazwapolska"),
        "name_en": ("nameen", "nazwaen", "name", "nazwaangielska"),
        "unit": ("unit", "jednostka"),
        "higher_is_more_need": ("higherismoreneed", "higherneed"),
        "denominator": ("denominator", "mianownik"),
        "description": ("description", "opis"),
        "source": ("source", "zrodlo", "zrodlodanych"),
    },
}


def canonical_columns(columns: Iterable[object], kind: TableKind) -> dict[str, str]:
    """Map the columns of a file to palmap's canonical names.

    Names are compared by :func:`column_key` (case, diacritics, spaces, underscores and text in
    brackets do not matter). When several columns could mean the same field, the one whose name
    comes first in the alias list wins (``external_id`` before ``id``, a district code before a
    district name); the others stay unmapped.

    Parameters
    ----------
    columns
        Column names as in the file.
    kind
        ``"resources"``, ``"districts"`` or ``"indicators"`` (values and definitions).

    Returns
    -------
    dict
        Original column name to canonical name, for the columns that were recognised.

    Examples
    --------
    >>> canonical_columns(["Nazwa", "Kategoria", "Szerokość", "Dł.", "Dzielnica"], "resources")
    {'Nazwa': 'name', 'Kategoria': 'category', 'Dzielnica': 'district', 'Szerokość': 'lat', \
'Dł.': 'lon'}
    >>> canonical_columns(["id", "external_id"], "resources")
    {'external_id': 'external_id'}
    >>> canonical_columns(["Osiedle", "Rok", "Wskaźnik", "Wartość"], "indicators")
    {'Osiedle': 'district', 'Rok': 'year', 'Wskaźnik': 'indicator', 'Wartość': 'value'}
    """
    try:
        aliases = _ALIASES[kind]
    except KeyError:
        raise ValueError(f"expected kind in {tuple(_ALIASES)}, got {kind!r}") from None
    names = [str(c) for c in columns]
    keys = {name: column_key(name) for name in names}
    result: dict[str, str] = {}
    for canonical, alias_keys in aliases.items():
        for alias in alias_keys:
            match = next((n for n in names if keys[n] == alias and n not in result), None)
            if match is not None:
                result[match] = canonical
                break
    return result


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
    return (
        pd.Series(numbers, index=values.index, dtype="float64"),
        pd.Series(bad, index=values.index, dtype=bool),
    )


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
# Text decoding


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file, detecting its encoding.

    UTF-8 (with or without BOM) and UTF-16 with BOM are recognised exactly. Anything else is
    decoded as cp1250 or ISO-8859-2, whichever gives fewer characters that do not occur in Polish
    text (``ś`` is byte 0x9C in cp1250 but 0xB6 in ISO-8859-2; 0x9C is a control character in
    ISO-8859-2 and 0xB6 is ``¶`` in cp1250). A tie goes to cp1250.

    Returns
    -------
    text : str
        The decoded text, without BOM.
    encoding : str
        Python's name of the encoding used (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1250``
        or ``iso-8859-2``).

    Examples
    --------
    >>> decode_text("Świetlica źródło".encode("cp1250"))
    ('Świetlica źródło', 'cp1250')
    >>> decode_text("Świetlica źródło".encode("iso-8859-2"))
    ('Świetlica źródło', 'iso-8859-2')
    >>> decode_text("\\ufeffnazwa".encode("utf-8"))
    ('nazwa', 'utf-8-sig')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Count, on the bytes, those that decode to something Polish text never holds (or to
    # nothing at all): one C-level pass per encoding.
    scores = {
        encoding: len(data.translate(None, _PLAUSIBLE_BYTES[encoding]))
        for encoding in ("cp1250", "iso-8859-2")
    }
    encoding = min(scores, key=lambda e: (scores[e], e != "cp1250"))
    return data.decode(encoding, errors="replace"), encoding


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"expected {_ENCODING_NAMES[encoding]} text as the byte order mark says, got bytes "
            f"that do not decode at position {exc.start}; save the file again as UTF-8"
        ) from exc


def _detect_delimiter(text: str) -> str:
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None and _consistency(sample, sniffed)[0] == 1.0:
        return sniffed
    scored = {d: _consistency(sample, d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: scored[d])
    return best if scored[best][1] > 1 else ","


def _consistency(sample: str, delimiter: str) -> tuple[float, int]:
    """(share of records with as many fields as the header, fields in the header)."""
    rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(r)][:200]
    if len(rows) > 1 and not sample.endswith("\n"):
        rows = rows[:-1]  # the sample may end in the middle of a record
    if not rows:
        return (0.0, 0)
    width = len(rows[0])
    if width < 2:
        return (0.0, width)
    same = sum(1 for r in rows if len(r) == width)
    return (same / len(rows), width)


# ---------------------------------------------------------------------------------------------
# Reading


def read_table(
    data: bytes,
    *,
    filename: str,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[pd.DataFrame, ImportReport]:
    """Read a CSV or XLSX file into a frame of text cells and an :class:`ImportReport`.

    Parameters
    ----------
    data
        The whole file.
    filename
        Its name (the extension must agree with the content; see :func:`mapping.io.safety.sniff`).
    sheet
        XLSX only: the sheet to read; the first one when None.
    limits
        Size, row (``max_features``) and, for XLSX, zip limits.

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
    kind = sniff(data, filename=filename)
    name = PurePosixPath(filename.replace("\\", "/")).name
    if kind == "csv":
        report = ImportReport(source=name, unit="line")
        header, body, numbers = _read_csv(data, report)
    elif kind == "xlsx":
        report = ImportReport(source=name, unit="row")
        header, body, numbers = _read_xlsx(data, report, sheet=sheet, limits=limits)
    else:
        raise RefusedInputError(
            f"{name}: expected a table (CSV or XLSX), got a {kind} file; import it as a map "
            "layer or export the table as CSV or XLSX"
        )
    table = _build_table(header, body, numbers, report)
    if len(table) > limits.max_features:
        raise RefusedInputError(
            f"{name}: expected at most {limits.max_features} rows, got {len(table)}; split the "
            "file or raise the limit (PALMAP_MAX_FEATURES)"
        )
    report.read = len(table)
    return table, report


def _read_csv(data: bytes, report: ImportReport) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    text, encoding = decode_text(data)
    report.assume(f"text decoded as {_ENCODING_NAMES[encoding]}")
    delimiter = _detect_delimiter(text)
    report.assume(f"columns separated by {_DELIMITER_NAMES[delimiter]}")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            quotechar='"',
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise ValidationError(
            f"{report.source}: expected a header line and data, got an empty table; "
            "write the column names in the first line"
        ) from None
    except pd.errors.ParserError:
        frame = _read_ragged_csv(text, delimiter, report)
    numbers = np.arange(1, len(frame) + 1)
    header = [str(v) for v in frame.iloc[0].tolist()] if len(frame) else []
    body, numbers = frame.iloc[1:], numbers[1:]
    rejected = np.isin(numbers, sorted(report.error_rows()))
    return header, body[~rejected].reset_index(drop=True), numbers[~rejected]


def _read_ragged_csv(text: str, delimiter: str, report: ImportReport) -> pd.DataFrame:
    """Slow path for files whose records do not all have the header's number of fields."""
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise ValidationError(
            f"{report.source}: expected CSV records, got {exc}; check the quotes in the file"
        ) from exc
    width = len(records[0]) if records else 0
    rows: list[list[str]] = []
    for number, record in enumerate(records, start=1):
        if len(record) > width:
            extra = record[width:]
            if any(cell.strip() for cell in extra):
                report.add(
                    f"expected {width} fields as in the header, got {len(record)}",
                    row=number,
                    value=delimiter.join(record)[:80],
                    fix="quote text that contains the delimiter, or add the missing column "
                    "name to the header",
                )
                # Kept so that the numbering stays right; _read_csv drops the rows with errors.
                record = record[:width]
            else:
                record = record[:width]
        rows.append(record + [""] * (width - len(record)))
    return pd.DataFrame(rows, dtype=str)


def _read_xlsx(
    data: bytes, report: ImportReport, *, sheet: str | None, limits: Limits
) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    check_zip(data, limits)
    import openpyxl  # imported here: only XLSX needs it

    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it does not know; the cells still read.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise ValidationError(
                f"{report.source}: expected an XLSX workbook, got one that cannot be read "
                f"({exc}); save it again from the spreadsheet as .xlsx"
            ) from exc
        try:
            names = list(workbook.sheetnames)
            if sheet is None:
                chosen = names[0]
                if len(names) > 1:
                    report.assume(f"read the first sheet {chosen!r} of {names}")
            elif sheet in names:
                chosen = sheet
            else:
                raise ValidationError(
                    f"{report.source}: expected a sheet named {sheet!r}, got sheets "
                    f"{', '.join(repr(n) for n in names)}; give one of them"
                )
            worksheet = workbook[chosen]
            # Some writers declare wrong sheet dimensions; read every row that is there.
            worksheet.reset_dimensions()
            rows: list[list[str]] = []
            numbers: list[int] = []
            header: list[str] | None = None
            for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), 1):
                cells = [_cell_text(v) for v in values]
                if not any(c.strip() for c in cells):
                    continue
                if header is None:
                    header = cells
                    continue
                rows.append(cells)
                numbers.append(number)
                if len(rows) > limits.max_features:
                    raise RefusedInputError(
                        f"{report.source}: expected at most {limits.max_features} rows, got "
                        "more; split the file or raise the limit (PALMAP_MAX_FEATURES)"
                    )
        finally:
            workbook.close()
    if header is None:
        raise ValidationError(
            f"{report.source}: expected a header row and data in sheet {chosen!r}, got an empty "
            "sheet; write the column names in the first row"
        )
    width = max([len(header), *(len(r) for r in rows)])
    header = header + [""] * (width - len(header))
    body = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=range(width))
    return header, body.astype(str) if len(body) else body, np.asarray(numbers, dtype=int)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value)
    # OOXML writes characters XML cannot hold as _xHHHH_ (Excel: a carriage return is _x000D_).
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _build_table(
    header: Sequence[str], body: pd.DataFrame, numbers: np.ndarray, report: ImportReport
) -> pd.DataFrame:
    if not header:
        raise ValidationError(
            f"{report.source}: expected a header {report.unit} with column names, got an empty "
            "file; write the column names first"
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
                    f"expected a name for column {position + 1}, got none; its values are ignored",
                    field=f"column {position + 1}",
                    fix="give the column a name in the header",
                    severity="warning",
                )
            continue
        if name in seen:
            raise ValidationError(
                f"{report.source}: expected each column name once, got {name!r} in columns "
                f"{seen[name] + 1} and {position + 1}; rename one of them"
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
