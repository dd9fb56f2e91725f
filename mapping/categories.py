"""Resource categories: the ones a new database starts with, and the rules for a category.

Categories are data: ``palmap categories add|rename`` (through :mod:`mapping.db.categories`)
changes them in the database, and every page reads them from there. :data:`DEFAULT_CATEGORIES`
are those of a Local Activity Programme (programme section III) that a new database holds:
migration 0001 seeds a frozen copy of them (a migration never reads this module), and
tests/db/test_store.py checks that a new database holds exactly these. Colours are Paul Tol's
colour-blind-safe qualitative palettes ("muted" plus two from "light"), so that neighbouring
categories stay apart for readers with a colour-vision deficiency.

The ``clean_*`` functions check what a user gives for a category; their messages name the field
and the fix, in words that fit a command line and a web form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, NamedTuple

from mapping.errors import ValidationError, msg
from mapping.text import slugify

#: Longest code, names, aliases and capacity unit (the columns of ``resource_category``).
CODE_MAX: Final = 64
NAME_MAX: Final = 200
UNIT_MAX: Final = 64

_CODE = re.compile(r"[a-z][a-z0-9_]*")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


class Category(NamedTuple):
    """One seeded category."""

    code: str
    name_pl: str
    name_en: str
    aliases: str
    colour: str
    #: What a resource's capacity counts (places, seats); None when it is not set.
    capacity_unit: str | None = None


DEFAULT_CATEGORIES: Final[tuple[Category, ...]] = (
    Category(
        "rada_osiedla",
        "siedziba wspólnoty samorządowej",
        "seat of a district council",
        "rada osiedla|wspólnota samorządowa",
        "#332288",
    ),
    Category(
        "mops",
        "MOPS",
        "social welfare centre office",
        "siedziba MOPS|punkt MOPS|ośrodek pomocy społecznej",
        "#CC6677",
    ),
    Category(
        "swietlica",
        "świetlica środowiskowa",
        "community day room for children",
        "świetlica opiekuńczo-wychowawcza|świetlica",
        "#DDCC77",
    ),
    Category(
        "sala_gimnastyczna", "sala gimnastyczna", "school gym", "hala sportowa szkoły", "#117733"
    ),
    Category("boisko", "boisko szkolne", "school pitch", "boisko", "#44AA99"),
    Category("kis", "Klub Integracji Społecznej", "social integration club", "KIS", "#882255"),
    Category(
        "obiekt_sportowy",
        "obiekt sportowy",
        "sports or recreation facility",
        "obiekt rekreacyjny|obiekt sportowo-rekreacyjny",
        "#999933",
    ),
    Category("pracownia_komputerowa", "pracownia komputerowa", "computer lab", "", "#88CCEE"),
    Category("plac_zabaw", "plac zabaw", "playground", "", "#AA4499"),
    Category(
        "lokal_komunalny", "lokal komunalny", "municipal premises", "zasób komunalny", "#EE8866"
    ),
    Category(
        "ngo",
        "organizacja pozarządowa",
        "non-governmental organisation",
        "NGO|stowarzyszenie|fundacja",
        "#77AADD",
    ),
)


@dataclass(frozen=True)
class CategoryRecord:
    """A category as the database holds it."""

    #: Stable ASCII code that resources reference; never changes once created.
    code: str
    name_pl: str
    name_en: str
    #: ``#RRGGBB``: the colour of its markers and legend entries.
    colour: str
    #: Other names met in source files, ``|``-separated, matched when importing.
    aliases: str | None = None
    #: What a resource's ``capacity`` counts (places, seats, m²); empty when not said.
    capacity_unit: str | None = None


@dataclass(frozen=True)
class CategoryChange:
    """New values for a category; None keeps the current value, "" clears an optional one."""

    name_pl: str | None = None
    name_en: str | None = None
    colour: str | None = None
    aliases: str | None = None
    capacity_unit: str | None = None

    def is_empty(self) -> bool:
        """True when nothing would change."""
        return all(value is None for value in vars(self).values())


def clean_code(code: str) -> str:
    """Return ``code`` if it can identify a category, else raise :class:`ValidationError`.

    Examples
    --------
    >>> clean_code("klub_seniora")
    'klub_seniora'
    >>> clean_code("Klub seniora")
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: code: expected lowercase ASCII letters, digits and _ \
starting with a letter (at most 64 characters), got 'Klub seniora'; use for example 'klub_seniora'
    """
    code = code.strip()
    if _CODE.fullmatch(code) and len(code) <= CODE_MAX:
        return code
    try:
        example = slugify(code).replace("-", "_")[:CODE_MAX]
    except ValidationError:
        example = "klub_seniora"
    if not _CODE.fullmatch(example):
        example = f"c_{example}"[:CODE_MAX]
    raise ValidationError(
        msg(
            "code: expected lowercase ASCII letters, digits and _ starting with a letter "
            "(at most {limit} characters), got {value!r}; use for example {example!r}",
            limit=CODE_MAX,
            value=code,
            example=example,
        )
    )


def clean_colour(colour: str) -> str:
    """Return ``colour`` as ``#RRGGBB`` (upper case), else raise :class:`ValidationError`.

    Examples
    --------
    >>> clean_colour(" #88ccee ")
    '#88CCEE'
    >>> clean_colour("blue")
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: colour: expected # and six hexadecimal digits (#RRGGBB), \
got 'blue'; use for example #88CCEE
    """
    cleaned = colour.strip()
    if not _COLOUR.fullmatch(cleaned):
        raise ValidationError(
            msg(
                "colour: expected # and six hexadecimal digits (#RRGGBB), got {value!r}; use for "
                "example #88CCEE",
                value=colour,
            )
        )
    return cleaned.upper()


def clean_text(field: str, value: str, *, limit: int, required: bool) -> str | None:
    """Return ``value`` without surrounding spaces (None for an empty optional one), else raise
    :class:`ValidationError` naming ``field``.

    Examples
    --------
    >>> clean_text("name_en", "  senior club ", limit=200, required=True)
    'senior club'
    >>> clean_text("capacity_unit", "", limit=64, required=False) is None
    True
    """
    cleaned = value.strip()
    if not cleaned:
        if required:
            raise ValidationError(
                msg("{field}: expected a name, got nothing; give one", field=field)
            )
        return None
    if len(cleaned) > limit:
        raise ValidationError(
            msg(
                "{field}: expected at most {limit} characters, got {count}; shorten it",
                field=field,
                limit=limit,
                count=len(cleaned),
            )
        )
    return cleaned


def clean_record(record: CategoryRecord) -> CategoryRecord:
    """Every field of a new category checked and tidied (:class:`ValidationError` otherwise)."""
    return CategoryRecord(
        code=clean_code(record.code),
        name_pl=str(clean_text("name_pl", record.name_pl, limit=NAME_MAX, required=True)),
        name_en=str(clean_text("name_en", record.name_en, limit=NAME_MAX, required=True)),
        colour=clean_colour(record.colour),
        aliases=clean_text("aliases", record.aliases or "", limit=10_000, required=False),
        capacity_unit=clean_text(
            "capacity_unit", record.capacity_unit or "", limit=UNIT_MAX, required=False
        ),
    )


def apply_change(record: CategoryRecord, change: CategoryChange) -> CategoryRecord:
    """``record`` with the values of ``change`` (checked); the code never changes.

    Examples
    --------
    >>> old = CategoryRecord("kis", "KIS", "social integration club", "#882255")
    >>> apply_change(old, CategoryChange(name_en="integration club", colour="#aa4499"))
    CategoryRecord(code='kis', name_pl='KIS', name_en='integration club', colour='#AA4499', \
aliases=None, capacity_unit=None)
    """
    if change.is_empty():
        raise ValidationError(
            msg(
                "expected a new value for name_pl, name_en, colour, aliases or capacity_unit, "
                "got none; give at least one"
            )
        )

    def new(field: str) -> str | None:
        value = getattr(change, field)
        return getattr(record, field) if value is None else value

    return clean_record(
        CategoryRecord(
            code=record.code,
            name_pl=str(new("name_pl")),
            name_en=str(new("name_en")),
            colour=str(new("colour")),
            aliases=new("aliases"),
            capacity_unit=new("capacity_unit"),
        )
    )
