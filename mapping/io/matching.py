"""Matching what a file says against what palmap knows: column names, districts, categories.

One place for the rules every import (and the resource search) shares:

* :func:`name_key` and :func:`fold`: case, Polish diacritics, punctuation and extra spaces do not
  matter (one folding, built on :func:`mapping.text.slugify`);
* :data:`COLUMN_ALIASES` and :func:`canonical_columns`: the column names palmap recognises, Polish
  and English, per import kind; :data:`DISTRICT_KEYS` are the names of a district column;
* :func:`match_districts`: by code, then by name; an unmatched name gets the closest known names
  (:func:`closest_names`, :func:`district_problem`);
* :func:`match_categories` and :func:`match_indicators`: by code, Polish name, alias or English
  name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Literal

import pandas as pd

from mapping.errors import Message, ValidationError, msg
from mapping.io.fields import as_object, texts
from mapping.io.report import ImportReport
from mapping.text import slugify

__all__ = [
    "COLUMN_ALIASES",
    "DISTRICT_CODE_KEYS",
    "DISTRICT_KEYS",
    "DISTRICT_NAME_KEYS",
    "WKT_KEYS",
    "TableKind",
    "canonical_columns",
    "closest_names",
    "column_key",
    "district_problem",
    "fold",
    "match_categories",
    "match_districts",
    "match_indicators",
    "name_key",
    "need",
    "resolve_fields",
]

TableKind = Literal["resources", "districts", "indicators"]

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")


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


def fold(text: object) -> str:
    """Return text as words without case, diacritics or punctuation, for searching.

    The same folding as :func:`name_key`, with the words separated by spaces; missing values
    (None, NaN, <NA>) give ``""``.

    Examples
    --------
    >>> fold("Świetlica ŁĄKA"), fold("ul. Łąkowa 1"), fold(None)
    ('swietlica laka', 'ul lakowa 1', '')
    """
    return name_key(text).replace("-", " ")


def column_key(name: object) -> str:
    """Return the key a column name is matched by: :func:`name_key` without separators or units.

    Examples
    --------
    >>> column_key("Szerokość geograficzna (N)"), column_key("external_id")
    ('szerokoscgeograficzna', 'externalid')
    """
    text = _PARENTHESES.sub(" ", str(name))
    return name_key(text).replace("-", "")


#: Column keys (:func:`column_key`) of a district code and of a district name.
DISTRICT_CODE_KEYS: tuple[str, ...] = ("districtcode", "koddzielnicy", "kodosiedla")
DISTRICT_NAME_KEYS: tuple[str, ...] = (
    "district",
    "dzielnica",
    "osiedle",
    "districtname",
    "nazwadzielnicy",
    "nazwaosiedla",
)
#: Every column key that names a district (a code before a name).
DISTRICT_KEYS: tuple[str, ...] = DISTRICT_CODE_KEYS + DISTRICT_NAME_KEYS
_SOURCE_KEYS = ("source", "zrodlo", "zrodlodanych")
_WKT_KEYS = ("wkt", "geometry", "geometria", "geom")

#: Recognised column keys per import kind and canonical field, the preferred name first.
COLUMN_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "resources": {
        "external_id": ("externalid", "extid", "identyfikator", "idzewnetrzny", "id"),
        "name": ("name", "nazwa", "nazwaobiektu", "nazwazasobu"),
        "category": ("category", "kategoria", "kategoriazasobu", "rodzaj"),
        "address": ("address", "adres"),
        "district": DISTRICT_KEYS,
        "lat": ("lat", "latitude", "szerokosc", "szer", "szerokoscgeograficzna"),
        "lon": ("lon", "lng", "long", "longitude", "dlugosc", "dl", "dlugoscgeograficzna"),
        "wkt": _WKT_KEYS,
        "x": ("x", "wspx", "wspolrzednax"),
        "y": ("y", "wspy", "wspolrzednay"),
        "capacity": ("capacity", "pojemnosc", "miejsca", "liczbamiejsc"),
        "operator": ("operator", "prowadzacy", "organizator", "podmiotprowadzacy"),
        "phone": ("phone", "telefon", "tel"),
        "website": ("website", "www", "strona", "stronawww", "url"),
        "opening_hours": ("openinghours", "godziny", "godzinyotwarcia", "hours"),
        "description": ("description", "opis", "descr"),
        "source": _SOURCE_KEYS,
        "synthetic": ("synthetic",),
    },
    "districts": {
        "code": ("code", "kod", *DISTRICT_CODE_KEYS),
        "name": ("name", "nazwa", *DISTRICT_NAME_KEYS),
        "wkt": _WKT_KEYS,
        "source": _SOURCE_KEYS,
        "schematic": ("schematic",),
    },
    "indicators": {
        "district": DISTRICT_KEYS,
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
        "source": _SOURCE_KEYS,
        "domain": ("domain", "domena", "dziedzina"),
    },
}
#: Column keys of a WKT geometry column.
WKT_KEYS: tuple[str, ...] = _WKT_KEYS


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
        aliases = COLUMN_ALIASES[kind]
    except KeyError:
        raise ValueError(f"expected kind in {tuple(COLUMN_ALIASES)}, got {kind!r}") from None
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


def closest_names(key: str, names: Mapping[str, str]) -> list[str]:
    """Up to three known names whose key is closest to ``key`` (``names``: key to name).

    Examples
    --------
    >>> closest_names("bialy-kamien-ii", {"bialy-kamien": "Biały Kamień", "gaj": "Gaj"})
    ['Biały Kamień']
    """
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)
    return [names[k] for k in close]


def _district_lookups(
    districts: pd.DataFrame,
) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    codes = [str(c) for c in districts["code"]]
    names = [str(n) for n in districts["name"]] if "name" in districts else codes
    by_code = {c: c for c in codes}
    by_lower = {c.lower(): c for c in codes}
    by_key: dict[str, str] = {}
    for code, name in zip(codes, names, strict=True):
        by_key.setdefault(name_key(name), code)
    for code in codes:
        by_key.setdefault(name_key(code), code)
    key_names = {name_key(n): n for n in names}
    return by_code, by_lower, by_key, key_names


def match_districts(
    values: pd.Series, districts: pd.DataFrame
) -> tuple[pd.Series, dict[str, list[str]]]:
    """Match district codes or names to district codes.

    By code first (exactly, then ignoring case), then by name ignoring case, diacritics,
    punctuation and extra spaces.

    Parameters
    ----------
    values
        Text as in the file (empty means no district).
    districts
        Frame with ``code`` and ``name``.

    Returns
    -------
    codes : pandas.Series
        Object dtype, the matched code or None (empty or unmatched), indexed like ``values``.
    unmatched : dict
        Each unmatched value to the closest known district names (possibly none).

    Examples
    --------
    >>> d = pd.DataFrame({"code": ["bialy-kamien", "srodmiescie"],
    ...                   "name": ["Biały Kamień", "Śródmieście"]})
    >>> codes, unmatched = match_districts(
    ...     pd.Series(["srodmiescie", "  BIAŁY  kamień", "Srodmiescie", "Biały Kamien II", ""]), d)
    >>> codes.tolist()
    ['srodmiescie', 'bialy-kamien', 'srodmiescie', None, None]
    >>> unmatched
    {'Biały Kamien II': ['Biały Kamień']}
    """
    by_code, by_lower, by_key, key_names = _district_lookups(districts)
    text = texts(values)
    lookup: dict[str, str | None] = {}
    unmatched: dict[str, list[str]] = {}
    for value in text.unique():
        if value == "":
            lookup[value] = None
            continue
        code = by_code.get(value) or by_lower.get(value.lower()) or by_key.get(name_key(value))
        lookup[value] = code
        if code is None:
            unmatched[value] = closest_names(name_key(value), key_names)
    return as_object(text.map(lookup)), unmatched


#: The fix for an unknown district with one, two or three close names.
_DID_YOU_MEAN = (
    msg("did you mean {a!r}?"),
    msg("did you mean {a!r} or {b!r}?"),
    msg("did you mean {a!r} or {b!r} or {c!r}?"),
)


def district_problem(
    value: str, closest: list[str], districts: pd.DataFrame
) -> tuple[Message, Message]:
    """The problem and the fix for a district value that matched no district.

    Examples
    --------
    >>> str(district_problem("Gajj", ["Gaj"], pd.DataFrame({"name": ["Gaj"]}))[1])
    "did you mean 'Gaj'?"
    """
    problem = msg("expected the code or name of a known district, got {value!r}", value=value)
    if closest:
        fix = _DID_YOU_MEAN[min(len(closest), 3) - 1].with_args(
            **dict(zip("abc", closest, strict=False))
        )
    else:
        known = sorted(str(n) for n in districts["name"]) if "name" in districts else []
        shown = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
        fix = (
            msg("use one of the known districts: {shown}", shown=shown)
            if shown
            else msg("import the districts first")
        )
    return problem, fix


def match_categories(values: pd.Series, categories: pd.DataFrame) -> pd.Series:
    """Match category codes, Polish names, aliases or English names to category codes.

    Compared ignoring case, diacritics, punctuation and extra spaces; on a clash a code beats a
    Polish name, which beats an alias, which beats an English name.

    Returns
    -------
    pandas.Series
        Object dtype: the code, or None for an empty or unknown value.

    Examples
    --------
    >>> from mapping.categories import DEFAULT_CATEGORIES
    >>> cats = pd.DataFrame(DEFAULT_CATEGORIES)
    >>> match_categories(pd.Series(["Świetlica", "KIS", "playground", "Plac  zabaw", "?"]),
    ...                  cats).tolist()
    ['swietlica', 'kis', 'plac_zabaw', 'plac_zabaw', None]
    """
    lookup: dict[str, str] = {}
    records = categories.to_dict("records")
    for record in records:
        lookup.setdefault(name_key(str(record["code"])), str(record["code"]))
    for record in records:
        lookup.setdefault(name_key(str(record.get("name_pl") or "")), str(record["code"]))
    for record in records:
        for alias in str(record.get("aliases") or "").split("|"):
            lookup.setdefault(name_key(alias), str(record["code"]))
    for record in records:
        lookup.setdefault(name_key(str(record.get("name_en") or "")), str(record["code"]))
    lookup.pop("", None)
    text = texts(values)
    mapping = {value: lookup.get(name_key(value)) for value in text.unique()}
    return as_object(text.map(mapping))


def match_indicators(indicators: pd.DataFrame) -> dict[str, str]:
    """Return a lookup from :func:`name_key` of an indicator's code or names to its code.

    Examples
    --------
    >>> ind = pd.DataFrame({"code": ["residents"], "name_pl": ["mieszkańcy"]})
    >>> match_indicators(ind)[name_key("Mieszkańcy")]
    'residents'
    """
    lookup: dict[str, str] = {}
    for column in ("code", "name_pl", "name_en"):
        if column not in indicators:
            continue
        for code, value in zip(indicators["code"], indicators[column], strict=True):
            lookup.setdefault(name_key(str(value or "")), str(code))
    lookup.pop("", None)
    return lookup


def resolve_fields(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    kind: TableKind,
    explicit: Mapping[str, str | None],
) -> dict[str, str]:
    """Canonical field to column: the columns chosen in the options first, then recognised names.

    Raises
    ------
    ValidationError
        If a chosen column is not in the table.
    """
    columns = [str(c) for c in table.columns]
    for canonical, column in explicit.items():
        if column is not None and column not in columns:
            raise ValidationError(
                msg(
                    "{source}: expected a column {column!r} for {field}, got columns {columns}; "
                    "choose one of them",
                    source=report.source or "file",
                    column=column,
                    field=canonical,
                    columns=", ".join(repr(c) for c in columns),
                )
            )
    given = {canonical: column for canonical, column in explicit.items() if column is not None}
    recognised = {
        canonical: column
        for column, canonical in canonical_columns(
            [c for c in columns if c not in given.values()], kind
        ).items()
        if canonical not in given
    }
    return {**recognised, **given}


def need(
    fields: Mapping[str, str], canonical: str, report: ImportReport, hint: str | Message
) -> str:
    """The column of a required field; a ValidationError that names the field when missing."""
    if canonical not in fields:
        raise ValidationError(
            msg(
                "{source}: expected a column for {field} ({hint}), got none; add it, or choose "
                "the column that holds the {what}",
                source=report.source or "file",
                field=canonical,
                hint=hint,
                what=canonical.replace("_", " "),
            )
        )
    return fields[canonical]
