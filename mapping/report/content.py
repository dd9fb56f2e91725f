"""What a report holds, independent of the file it is written to: sections of blocks.

Every text is final (translated, numbers formatted); the writers only lay it out and escape it
for their format. Map figures carry their PNG bytes, drawn once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "Block",
    "Facts",
    "Figure",
    "Figures",
    "Paragraph",
    "ReportContent",
    "Section",
    "Table",
    "numeric_columns",
]

#: A number as the report prints it ("1 234,5", "-0.27", "12%"), or a dash (a hidden value).
_NUMBER = re.compile(r"[-+−–]?[\d\s\u00a0.,]*\d[\d\s\u00a0.,]*%?|[-–]")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text; ``note`` ones are set smaller (remarks, "nothing recorded")."""

    text: str
    note: bool = False


@dataclass(frozen=True)
class Facts:
    """Labelled values (a definition list): ``(label, value)`` pairs."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table with a caption, its header and rows of texts (as many cells as columns)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def numeric_columns(table: Table) -> list[bool]:
    """Which columns of ``table`` hold numbers only (the writers set them flush right, so that
    their digits line up); a column of dashes or blanks only is not one.

    >>> numeric_columns(Table("", ("a", "b", "c"), (("1", "x", "–"), ("-0,5", "2", ""))))
    [True, False, False]
    """
    found = []
    for index in range(len(table.columns)):
        cells = [row[index].strip() for row in table.rows]
        filled = [c for c in cells if c]
        found.append(
            any(c not in "-–" for c in filled) and all(_NUMBER.fullmatch(c) for c in filled)
        )
    return found


@dataclass(frozen=True)
class Figure:
    """A static map as PNG bytes, its caption and its text alternative."""

    png: bytes
    caption: str
    alt: str


@dataclass(frozen=True)
class Figures:
    """Figures set side by side (this edition's map beside the previous edition's)."""

    figures: tuple[Figure, ...]


Block = Paragraph | Facts | Table | Figures


@dataclass(frozen=True)
class Section:
    """A numbered section: its ``key`` (stable, for tests and anchors), heading and blocks."""

    key: str
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReportContent:
    """The whole report: its title, language, edition, the day it is dated, and sections."""

    title: str
    lang: str
    edition: str
    author: str
    day: date
    sections: tuple[Section, ...]
