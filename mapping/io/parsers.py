"""Parse CSV and XLSX files as municipal offices write them into a header and rows of text.

Polish conventions handled here:

* encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), and the two
  Central European single-byte encodings, cp1250 (Windows) and ISO-8859-2, told apart by which one
  decodes the file with fewer characters that cannot occur in Polish text (:func:`decode_text`);
* delimiters ``,`` ``;`` or tab, detected from the first records.

:func:`parse_csv` and :func:`parse_xlsx` are the readers the format registry
(:mod:`mapping.io.formats`) names for its table formats; :func:`mapping.io.tabular.read_table`
turns their output into a table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile

import numpy as np
import pandas as pd

from mapping.errors import RefusedInputError, ValidationError, msg
from mapping.io.report import ImportReport
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_zip

__all__ = ["Parsed", "decode_text", "parse_csv", "parse_xlsx"]

#: A parsed table: the header cells, the rows (a frame of text) and each row's number in the file.
Parsed = tuple[list[str], pd.DataFrame, np.ndarray]

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
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


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
            msg(
                "expected {encoding} text as the byte order mark says, got bytes that do not "
                "decode at position {position}; save the file again as UTF-8",
                encoding=_ENCODING_NAMES[encoding],
                position=exc.start,
            )
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


def parse_csv(
    data: bytes, report: ImportReport, *, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Parsed:
    """Parse CSV text (``sheet`` and ``limits`` do not apply; the caller checked the size)."""
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
            msg(
                "{source}: expected a header line and data, got an empty table; write the column "
                "names in the first line",
                source=report.source,
            )
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
            msg(
                "{source}: expected CSV records, got {error}; check the quotes in the file",
                source=report.source,
                error=exc,
            )
        ) from exc
    width = len(records[0]) if records else 0
    rows: list[list[str]] = []
    for number, record in enumerate(records, start=1):
        if len(record) > width:
            extra = record[width:]
            if any(cell.strip() for cell in extra):
                report.add(
                    msg(
                        "expected {width} fields as in the header, got {count}",
                        width=width,
                        count=len(record),
                    ),
                    row=number,
                    value=delimiter.join(record)[:80],
                    fix=msg(
                        "quote text that contains the delimiter, or add the missing column "
                        "name to the header"
                    ),
                )
                # Kept so that the numbering stays right; _read_csv drops the rows with errors.
                record = record[:width]
            else:
                record = record[:width]
        rows.append(record + [""] * (width - len(record)))
    return pd.DataFrame(rows, dtype=str)


def parse_xlsx(
    data: bytes, report: ImportReport, *, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Parsed:
    """Parse one sheet (the first when ``sheet`` is None) of an XLSX workbook."""
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
                msg(
                    "{source}: expected an XLSX workbook, got one that cannot be read ({error}); "
                    "save it again from the spreadsheet as .xlsx",
                    source=report.source,
                    error=exc,
                )
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
                    msg(
                        "{source}: expected a sheet named {sheet!r}, got sheets {sheets}; give "
                        "one of them",
                        source=report.source,
                        sheet=sheet,
                        sheets=", ".join(repr(n) for n in names),
                    )
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
                        msg(
                            "{source}: expected at most {limit} rows, got more; split the file "
                            "or raise the limit (PALMAP_MAX_FEATURES)",
                            source=report.source,
                            limit=limits.max_features,
                        )
                    )
        finally:
            workbook.close()
    if header is None:
        raise ValidationError(
            msg(
                "{source}: expected a header row and data in sheet {sheet!r}, got an empty sheet; "
                "write the column names in the first row",
                source=report.source,
                sheet=chosen,
            )
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
