"""Editions of the maps: what an edition is, its code and title rules, its frozen parts.

Each year the city publishes an edition of the maps of resources and needs (the Local Activity
Programme's task IV.2). Publishing freezes the data every page reads (districts, categories,
resources, indicators and their values, and the demand of access: the population surfaces and
the residential areas); a page, embed or export asked for ``edition=CODE``
shows exactly that data, also after later edits and imports. Without ``edition`` the pages show
the live data and say so. SQL lives in :mod:`mapping.db.editions`; the bytes of a frozen frame
in :mod:`mapping.snapshot`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from mapping.errors import ValidationError, msg

__all__ = [
    "DEMAND_PARTS",
    "PARTS",
    "STATUSES",
    "EditionRecord",
    "clean_code",
    "clean_title",
]

#: The frozen frames every edition has, in the order they are written.
PARTS: tuple[str, ...] = ("districts", "categories", "resources", "indicators", "values")
#: The frozen demand of access (:mod:`mapping.population`): the population surfaces of every
#: year and the residential areas. Editions published before palmap froze them have neither
#: (their access is measured from the residents on a grid over each whole district, as it was
#: then); an edition has both or neither, and its digest covers those it has.
DEMAND_PARTS: tuple[str, ...] = ("population", "residential")
STATUSES: tuple[str, ...] = ("draft", "published")

_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,31}")


@dataclass(frozen=True)
class EditionRecord:
    """An edition as stored (``digest`` and the ``published_*`` fields only once published)."""

    id: int
    code: str
    title: str
    status: str
    created_by: str
    created_at: datetime
    published_by: str | None = None
    published_at: datetime | None = None
    digest: str | None = None

    @property
    def published(self) -> bool:
        return self.status == "published"


def clean_code(code: object) -> str:
    """An edition code as stored, or a ValidationError naming the fix.

    >>> clean_code(" 2013 ")
    '2013'
    >>> clean_code("2013 final")
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: code: expected 1-32 letters, digits, '.', '_' or '-' \
starting with a letter or digit, such as 2013 or 2013-korekta, got '2013 final'
    """
    text = str(code or "").strip()
    if not _CODE.fullmatch(text):
        raise ValidationError(
            msg(
                "code: expected 1-32 letters, digits, '.', '_' or '-' starting with a letter or "
                "digit, such as 2013 or 2013-korekta, got {value!r}",
                value=text,
            )
        )
    return text


def clean_title(title: object) -> str:
    """An edition title as stored: 1-200 characters of one line.

    >>> clean_title("  Mapy zasobów i potrzeb 2013 ")
    'Mapy zasobów i potrzeb 2013'
    """
    text = " ".join(str(title or "").split())
    if not text:
        raise ValidationError(msg("title: expected a title such as 'Mapy 2013', got nothing"))
    if len(text) > 200:
        raise ValidationError(
            msg(
                "title: expected at most {limit} characters, got {count}",
                limit=200,
                count=len(text),
            )
        )
    return text
