"""The Local Activity Programme's partnerships and actions: their kinds and their rules.

The programme (``../shared/domain``, parts IV and V) names seven types of action (IV.1-IV.7),
four sources of funding, and the partners of a local partnership; an action runs in one or more
target districts, has dates, planned and actual participants, a reserve list and a status.
This module holds those names (Polish and English) and the checks of one partnership or action;
:mod:`mapping.io.programme` reads them from files and :mod:`mapping.db.programme` stores them.
Nothing here knows about a database, a command line or a web form.

Each check returns :class:`Problem` values (field, value, problem, fix) instead of raising, so
that an import reports every problem of every row; :func:`require_valid` turns them into one
:class:`~mapping.errors.ValidationError` for a single record (a form, a save).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Final, NamedTuple

from mapping.errors import Message, ValidationError, msg
from mapping.text import slugify

__all__ = [
    "ACTION_TYPES",
    "FUNDING_SOURCES",
    "MEMBER_KINDS",
    "STATUSES",
    "Action",
    "Funding",
    "Member",
    "Named",
    "Partnership",
    "Problem",
    "action_problems",
    "code_problem",
    "match_named",
    "partnership_problems",
    "require_valid",
]

#: Longest code, title or name and role (the columns of the tables in mapping/db/models.py).
CODE_MAX: Final = 64
TITLE_MAX: Final = 300
ROLE_MAX: Final = 200
#: The largest number of participants or reserve places, and amount in PLN, taken as plausible.
PEOPLE_MAX: Final = 1_000_000
AMOUNT_MAX: Final = 10_000_000_000.0

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class Named(NamedTuple):
    """A code with its Polish and English names."""

    code: str
    name_pl: str
    name_en: str

    def name(self, lang: str) -> str:
        """The name in ``lang`` (``pl`` or anything else for English)."""
        return self.name_pl if lang == "pl" else self.name_en


#: The seven types of action of the programme (part IV).
ACTION_TYPES: Final[tuple[Named, ...]] = (
    Named("IV.1", "zawiązywanie partnerstw lokalnych", "forming local partnerships"),
    Named("IV.2", "mapy zasobów i potrzeb", "maps of resources and needs"),
    Named("IV.3", "wolontariat i praca z liderami", "volunteering and work with leaders"),
    Named(
        "IV.4",
        "stałe działania aktywizujące (spotkania obywatelskie, debaty)",
        "permanent activation (civic meetings, debates)",
    ),
    Named(
        "IV.5",
        "inicjatywy integracyjne (festyny, rajdy, konkursy, sport)",
        "integration initiatives (festivals, rallies, contests, sports)",
    ),
    Named(
        "IV.6",
        "instrumenty aktywnej integracji (treningi, poradnictwo, kursy)",
        "instruments of active integration (trainings, counselling, courses)",
    ),
    Named(
        "IV.7",
        "promocja Centrum Aktywności Lokalnej",
        "promoting the Local Activity Centre",
    ),
)
#: The four sources of funding (part V).
FUNDING_SOURCES: Final[tuple[Named, ...]] = (
    Named("eu", "środki Unii Europejskiej (m.in. EFS)", "EU funds (such as the ESF)"),
    Named("city", "środki własne gminy", "the city's own funds"),
    Named("state", "budżet państwa", "the state budget"),
    Named("sponsor", "sponsorzy", "sponsors"),
)
#: What an action's status may be.
STATUSES: Final[tuple[Named, ...]] = (
    Named("planned", "planowane", "planned"),
    Named("running", "w toku", "running"),
    Named("done", "zakończone", "done"),
    Named("cancelled", "odwołane", "cancelled"),
)
#: Statuses in which an action has (or had) participants to count.
COUNTED_STATUSES: Final = frozenset({"running", "done"})
#: Who may be a member of a partnership.
MEMBER_KINDS: Final[tuple[Named, ...]] = (
    Named("institution", "instytucja publiczna", "public institution"),
    Named("ngo", "organizacja pozarządowa", "NGO"),
    Named("school", "szkoła", "school"),
    Named("police", "policja / straż miejska", "police / municipal guard"),
    Named("employer", "pracodawca", "employer"),
    Named("church", "kościół / parafia", "church / parish"),
    Named("resident_group", "grupa mieszkańców", "resident group"),
    Named("other", "inny partner", "other partner"),
)

#: Other spellings met in files, matched like the names (folded: lower case, no diacritics).
_ALIASES: Final[dict[str, str]] = {
    "efs": "eu",
    "esf": "eu",
    "ue": "eu",
    "gmina": "city",
    "miasto": "city",
    "panstwo": "state",
    "sponsorzy": "sponsor",
    "sponsors": "sponsor",
    "organizacja": "ngo",
    "stowarzyszenie": "ngo",
    "fundacja": "ngo",
    "instytucja": "institution",
    "szkola": "school",
    "policja": "police",
    "parafia": "church",
    "kosciol": "church",
    "mieszkancy": "resident_group",
    "inne": "other",
}


def _key(text: str) -> str:
    try:
        return slugify(text).replace("-", "_")
    except ValidationError:  # nothing of it survives (only punctuation): matches nothing
        return ""


def match_named(value: str, choices: Iterable[Named]) -> str | None:
    """The code of ``value`` given as a code, a Polish or English name or a known alias.

    Compared ignoring case, diacritics and punctuation; None when nothing matches.

    Examples
    --------
    >>> match_named("iv.6", ACTION_TYPES), match_named("EFS", FUNDING_SOURCES)
    ('IV.6', 'eu')
    >>> match_named("Zakończone", STATUSES), match_named("grupa mieszkańców", MEMBER_KINDS)
    ('done', 'resident_group')
    >>> match_named("6", ACTION_TYPES), match_named("lottery", FUNDING_SOURCES)
    ('IV.6', None)
    """
    choices = tuple(choices)
    key = _key(value)
    if not key:
        return None
    for choice in choices:
        if key in (_key(choice.code), _key(choice.name_pl), _key(choice.name_en)):
            return choice.code
    if choices is ACTION_TYPES or choices == ACTION_TYPES:
        numbered = {c.code.split(".")[1]: c.code for c in ACTION_TYPES}
        if key in numbered:
            return numbered[key]
    alias = _ALIASES.get(key)
    return alias if alias in {c.code for c in choices} else None


def codes(choices: Iterable[Named]) -> tuple[str, ...]:
    """The codes of ``choices``."""
    return tuple(c.code for c in choices)


class Problem(NamedTuple):
    """What is wrong with one field: the field, the value as given, the problem and the fix
    (:func:`mapping.errors.msg` messages: English in the CLI, translated on the pages)."""

    field: str
    value: str | None
    problem: Message
    fix: Message


@dataclass(frozen=True)
class Member:
    """One member of a partnership: an institution, NGO, school, ... with its role and contact."""

    name: str
    kind: str = "other"
    role: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class Partnership:
    """A local partnership (code, name, description) and its members."""

    code: str
    name: str
    description: str | None = None
    members: tuple[Member, ...] = ()
    #: The stored version (optimistic locking); None for a record not stored yet.
    version: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Funding:
    """One source's amount in PLN."""

    source: str
    amount: float


@dataclass(frozen=True)
class Action:
    """One action of the programme.

    ``districts`` are district codes; ``partnership`` a partnership code (or None);
    ``funding`` one amount per source.
    """

    code: str
    title: str
    action_type: str
    start_date: date
    status: str = "planned"
    partnership: str | None = None
    districts: tuple[str, ...] = ()
    funding: tuple[Funding, ...] = ()
    end_date: date | None = None
    planned_participants: int | None = None
    actual_participants: int | None = None
    reserve_list: int | None = None
    description: str | None = None
    #: The stored version (optimistic locking); None for a record not stored yet.
    version: int | None = field(default=None, compare=False)

    @property
    def total_funding(self) -> float:
        """The amounts of every source added up (PLN)."""
        return float(sum(f.amount for f in self.funding))

    @property
    def years(self) -> range:
        """The calendar years the action runs in (its start year alone without an end)."""
        end = self.end_date or self.start_date
        return range(self.start_date.year, end.year + 1)


def code_problem(code: str, what: str) -> Problem | None:
    """A problem with a record's code (letters, digits, ``.``, ``_``, ``-``; at most 64).

    >>> str(code_problem("pal-2012/3", "action").fix)
    "use letters, digits, '.', '_' and '-' only, such as 'pal-2012-03'"
    """
    if not code:
        return Problem(
            "code", None, msg("expected the {what}'s code, got none", what=what), msg("fill it in")
        )
    if len(code) > CODE_MAX or not _CODE.fullmatch(code):
        return Problem(
            "code",
            code,
            msg(
                "expected a code of at most {limit} letters, digits, '.', '_' and '-', got "
                "{value!r}",
                limit=CODE_MAX,
                value=code,
            ),
            msg("use letters, digits, '.', '_' and '-' only, such as 'pal-2012-03'"),
        )
    return None


def _text_problem(name: str, value: str | None, limit: int, *, required: bool) -> Problem | None:
    if not value:
        return (
            Problem(name, None, msg("expected the {name}, got none", name=name), msg("fill it in"))
            if required
            else None
        )
    if len(value) > limit:
        return Problem(
            name,
            value[:60],
            msg(
                "expected at most {limit} characters in the {name}, got {count}",
                limit=limit,
                name=name,
                count=len(value),
            ),
            msg("shorten it"),
        )
    return None


def _choice_problem(name: str, value: str, choices: tuple[Named, ...]) -> Problem | None:
    if value in codes(choices):
        return None
    return choice_problem(name, value, choices)


def choice_problem(name: str, value: str, choices: tuple[Named, ...]) -> Problem:
    """``value`` is none of ``choices`` (by code or by name).

    >>> str(choice_problem("type", "IV.9", ACTION_TYPES[:2]).problem)
    "expected one of IV.1, IV.2, got 'IV.9'"
    """
    known = ", ".join(codes(choices))
    return Problem(
        name,
        value,
        msg("expected one of {known}, got {value!r}", known=known, value=value),
        msg("write one of {known} (or its Polish or English name)", known=known),
    )


def partnership_problems(partnership: Partnership) -> list[Problem]:
    """Every problem of a partnership and its members (empty when it is valid).

    >>> bad = Partnership("p1", "", members=(Member("X", "bank"),))
    >>> [p.field for p in partnership_problems(bad)]
    ['name', 'member_kind']
    """
    found = [code_problem(partnership.code, "partnership")]
    found.append(_text_problem("name", partnership.name, TITLE_MAX, required=True))
    for member in partnership.members:
        found.append(_text_problem("member_name", member.name, TITLE_MAX, required=True))
        found.append(_choice_problem("member_kind", member.kind, MEMBER_KINDS))
        found.append(_text_problem("member_role", member.role, ROLE_MAX, required=False))
        found.append(_text_problem("member_contact", member.contact, ROLE_MAX, required=False))
    return [p for p in found if p is not None]


def _count_problem(name: str, value: int | None) -> Problem | None:
    if value is None or 0 <= value <= PEOPLE_MAX:
        return None
    return Problem(
        name,
        str(value),
        msg(
            "expected a whole number from 0 to {limit}, got {value}", limit=PEOPLE_MAX, value=value
        ),
        msg("write the number of people, 0 or more"),
    )


def _funding_problems(funding: tuple[Funding, ...]) -> list[Problem]:
    found: list[Problem] = []
    seen: set[str] = set()
    for item in funding:
        problem = _choice_problem("funding", item.source, FUNDING_SOURCES)
        if problem is not None:
            found.append(problem)
        elif item.source in seen:
            found.append(
                Problem(
                    "funding",
                    item.source,
                    msg("expected each source once, got {value!r} twice", value=item.source),
                    msg("add its amounts up into one"),
                )
            )
        seen.add(item.source)
        if not 0 <= item.amount <= AMOUNT_MAX:
            found.append(
                Problem(
                    "funding",
                    f"{item.source}:{item.amount:g}",
                    msg(
                        "expected an amount in PLN from 0 to {limit}, got {value}",
                        limit=f"{AMOUNT_MAX:.0f}",
                        value=f"{item.amount:g}",
                    ),
                    msg("write the amount without a minus sign, such as eu:120000"),
                )
            )
    return found


def _date_problems(action: Action) -> list[Problem]:
    if action.end_date is None or action.end_date >= action.start_date:
        return []
    return [
        Problem(
            "end_date",
            action.end_date.isoformat(),
            msg(
                "expected an end date on or after the start date {start}, got {value}",
                start=action.start_date.isoformat(),
                value=action.end_date.isoformat(),
            ),
            msg("swap the dates, or correct the one that is wrong"),
        )
    ]


def _participant_problems(action: Action) -> list[Problem]:
    found = [
        _count_problem("planned_participants", action.planned_participants),
        _count_problem("actual_participants", action.actual_participants),
        _count_problem("reserve_list", action.reserve_list),
    ]
    known = action.status in codes(STATUSES)
    if action.actual_participants is not None and known and action.status not in COUNTED_STATUSES:
        found.append(
            Problem(
                "actual_participants",
                str(action.actual_participants),
                msg(
                    "expected no actual participants for an action that is {status}, got {value}",
                    status=action.status,
                    value=action.actual_participants,
                ),
                msg("leave it empty until the action runs, or set the status to running or done"),
            )
        )
    return [p for p in found if p is not None]


def _reference_problems(
    action: Action, districts: Collection[str] | None, partnerships: Collection[str] | None
) -> list[Problem]:
    found: list[Problem] = []
    if districts is not None:
        for code in action.districts:
            if code not in districts:
                shown = ", ".join(sorted(districts)[:12])
                found.append(
                    Problem(
                        "districts",
                        code,
                        msg("expected the code of a known district, got {value!r}", value=code),
                        msg("use one of {codes}", codes=shown)
                        if shown
                        else msg("import the districts first"),
                    )
                )
    if partnerships is not None and action.partnership and action.partnership not in partnerships:
        shown = ", ".join(sorted(partnerships)[:12])
        found.append(
            Problem(
                "partnership",
                action.partnership,
                msg(
                    "expected the code of a known partnership, got {value!r}",
                    value=action.partnership,
                ),
                msg("use one of {codes}", codes=shown)
                if shown
                else msg("import the partnerships first"),
            )
        )
    if len(set(action.districts)) != len(action.districts):
        found.append(
            Problem(
                "districts",
                "|".join(action.districts),
                msg("expected each district once, got one twice"),
                msg("list each district once"),
            )
        )
    return found


def action_problems(
    action: Action,
    *,
    districts: Collection[str] | None = None,
    partnerships: Collection[str] | None = None,
) -> list[Problem]:
    """Every problem of an action (empty when it is valid).

    ``districts`` and ``partnerships`` are the known codes (None: not checked).

    Examples
    --------
    >>> a = Action("a1", "Festyn", "IV.5", date(2012, 6, 1), status="planned",
    ...            end_date=date(2012, 5, 1), actual_participants=40, districts=("gaj",))
    >>> [p.field for p in action_problems(a, districts={"sobiecin"})]
    ['end_date', 'actual_participants', 'districts']
    """
    found = [
        code_problem(action.code, "action"),
        _text_problem("title", action.title, TITLE_MAX, required=True),
        _choice_problem("type", action.action_type, ACTION_TYPES),
        _choice_problem("status", action.status, STATUSES),
    ]
    problems = [p for p in found if p is not None]
    problems += _date_problems(action)
    problems += _participant_problems(action)
    problems += _funding_problems(action.funding)
    problems += _reference_problems(action, districts, partnerships)
    return problems


def require_valid(problems: Iterable[Problem], what: str) -> None:
    """Raise one :class:`~mapping.errors.ValidationError` naming every problem, if any.

    >>> require_valid([Problem("title", None, msg("expected the title, got none"),
    ...                        msg("fill it in"))], "action a1")
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: action a1: title: expected the title, got none; fill it in
    """
    texts = [f"{p.field}: {p.problem}; {p.fix}" for p in problems]
    if texts:
        raise ValidationError(f"{what}: " + "; ".join(texts))


def names_of(choices: Iterable[Named], lang: str) -> Mapping[str, str]:
    """Code -> name in ``lang``."""
    return {c.code: c.name(lang) for c in choices}
