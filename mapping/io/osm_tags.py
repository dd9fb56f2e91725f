"""The table that turns OSM tags into palmap categories, and its checks.

A tag mapping is a CSV file with the columns ``key``, ``value``, ``category`` and ``condition``
(the default, for the demo categories, is ``mapping/data/osm_tags.csv``; README shows it). Rules
are tried in file order and the first that matches a feature gives its category:

* ``key`` and ``value``: the feature has the tag ``key=value`` (``value`` ``*``: any value);
* ``category``: a known category code;
* ``condition`` (optional): ``inside:KEY=VALUE`` - the feature's point lies inside an area of the
  extract tagged ``KEY=VALUE`` (``inside:amenity=school``: a sports hall of a school), or
  ``TAG~WORD|WORD`` - the feature's tag ``TAG`` contains one of the words, ignoring case
  (``operator~MOPS|ośrodek pomocy społecznej``). Words are plain text, not patterns.

So a more specific rule (with a condition) goes above the general one for the same tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from mapping.errors import ValidationError, msg
from mapping.io.report import ImportReport
from mapping.io.tabular import read_table

__all__ = [
    "DEFAULT_TAG_MAPPING",
    "TagRule",
    "default_tag_mapping",
    "first_rule",
    "read_tag_mapping",
]

#: The default mapping's file name inside the ``mapping.data`` package data.
DEFAULT_TAG_MAPPING = "osm_tags.csv"
_COLUMNS = ("key", "value", "category", "condition")
_KEY = re.compile(r"[A-Za-z0-9_:.\-]{1,100}")
_INSIDE = re.compile(r"inside:(?P<key>[^=\s]+)=(?P<value>[^=\s]+)")
_WORDS = re.compile(r"(?P<key>[A-Za-z0-9_:.\-]+)~(?P<words>.+)")


@dataclass(frozen=True)
class TagRule:
    """One row of a tag mapping (``line``: its line in the CSV file)."""

    key: str
    value: str
    category: str
    line: int
    inside: tuple[str, str] | None = None
    words_key: str | None = None
    words: tuple[str, ...] = ()

    def describe(self) -> str:
        """The rule as written, for messages.

        >>> TagRule("leisure", "pitch", "boisko", 2).describe()
        'leisure=pitch'
        """
        condition = ""
        if self.inside is not None:
            condition = f" inside:{self.inside[0]}={self.inside[1]}"
        elif self.words_key is not None:
            condition = f" {self.words_key}~{'|'.join(self.words)}"
        return f"{self.key}={self.value}{condition}"

    def tag_matches(self, tags: Mapping[str, str]) -> bool:
        """Whether the feature has this rule's tag (the condition aside)."""
        value = tags.get(self.key)
        return value is not None and (self.value == "*" or value == self.value)

    def words_match(self, tags: Mapping[str, str]) -> bool:
        """Whether the word condition holds (True when the rule has none)."""
        if self.words_key is None:
            return True
        text = tags.get(self.words_key, "").casefold()
        return any(word.casefold() in text for word in self.words)


def _condition(rule: TagRule, text: str, report: ImportReport, row: int) -> TagRule | None:
    if not text:
        return rule
    inside = _INSIDE.fullmatch(text)
    if inside:
        return TagRule(**{**rule.__dict__, "inside": (inside["key"], inside["value"])})
    words = _WORDS.fullmatch(text)
    if words:
        found = tuple(w.strip() for w in words["words"].split("|") if w.strip())
        if found:
            return TagRule(**{**rule.__dict__, "words_key": words["key"], "words": found})
    report.add(
        msg("expected a condition inside:KEY=VALUE or TAG~WORD|WORD, got {value!r}", value=text),
        row=row,
        field="condition",
        value=text,
        fix=msg("write inside:amenity=school, operator~MOPS|MOPR, or leave it empty"),
    )
    return None


def _rule(
    cells: Mapping[str, str], row: int, report: ImportReport, known: Collection[str]
) -> TagRule | None:
    ok = True
    for column in ("key", "value"):
        if not _KEY.fullmatch(cells[column]) and not (column == "value" and cells[column] == "*"):
            report.add(
                msg(
                    "expected an OSM {column} (letters, digits, _ : . -), got {value!r}",
                    column=column,
                    value=cells[column],
                ),
                row=row,
                field=column,
                value=cells[column],
                fix=msg("write the tag as in OpenStreetMap, such as leisure and playground"),
            )
            ok = False
    if cells["category"] not in known:
        report.add(
            msg("expected a known category code, got {value!r}", value=cells["category"]),
            row=row,
            field="category",
            value=cells["category"],
            fix=msg("use one of {known}", known=", ".join(sorted(known))),
        )
        ok = False
    rule = TagRule(cells["key"], cells["value"], cells["category"], row)
    checked = _condition(rule, cells["condition"], report, row)
    return checked if ok else None


def read_tag_mapping(data: bytes, *, filename: str, categories: Collection[str]) -> list[TagRule]:
    """The rules of a tag mapping CSV, checked against the known category codes.

    Raises
    ------
    ValidationError
        A column is missing or a row is wrong: the message names each line, field and fix.

    Examples
    --------
    >>> rules = read_tag_mapping(b"key,value,category\\nleisure,pitch,boisko\\n",
    ...                          filename="tags.csv", categories=["boisko"])
    >>> [(r.describe(), r.category, r.line) for r in rules]
    [('leisure=pitch', 'boisko', 2)]
    >>> read_tag_mapping(b"key,value,category\\nleisure,pitch,pole\\n",
    ...                  filename="tags.csv", categories=["boisko"])
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: tags.csv: the tag mapping has errors: line 2, field \
'category', value 'pole': expected a known category code, got 'pole'; use one of boisko
    """
    table, report = read_table(data, filename=filename)
    columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in _COLUMNS[:3] if c not in columns]
    if missing:
        raise ValidationError(
            msg(
                "{source}: expected the tag mapping columns key, value, category (and "
                "condition), got {columns}; add the missing column(s) {missing}",
                source=filename,
                columns=", ".join(map(repr, table.columns)),
                missing=", ".join(missing),
            )
        )
    table.columns = columns
    rules: list[TagRule] = []
    for row, record in table.iterrows():
        cells = {c: str(record.get(c, "") or "").strip() for c in _COLUMNS}
        rule = _rule(cells, int(row), report, categories)
        if rule is not None:
            rules.append(rule)
    if report.errors():
        details = "; ".join(f.message(report.unit) for f in report.errors()[:10])
        raise ValidationError(
            msg(
                "{source}: the tag mapping has errors: {details}",
                source=filename,
                details=details,
            )
        )
    return rules


def default_tag_mapping() -> tuple[bytes, str]:
    """The default tag mapping (bytes, file name) shipped with palmap."""
    data = resources.files("mapping.data").joinpath(DEFAULT_TAG_MAPPING).read_bytes()
    return data, DEFAULT_TAG_MAPPING


def first_rule(
    tags: Mapping[str, str],
    rules: Sequence[TagRule],
    inside: Callable[[str, str], bool],
) -> tuple[TagRule | None, list[TagRule]]:
    """The first rule whose tag and condition hold, and the rules whose tag matched but whose
    condition did not (to say why a feature was left out). ``inside(key, value)`` says
    whether the feature lies in an area tagged ``key=value``."""
    failed: list[TagRule] = []
    for rule in rules:
        if not rule.tag_matches(tags):
            continue
        holds = rule.words_match(tags) and (rule.inside is None or inside(*rule.inside))
        if holds:
            return rule, failed
        failed.append(rule)
    return None, failed
