"""The programme's pages: partnerships with their members (``/partnerstwa``) and actions by
district (``/dzialania``): a map of the number of actions per district, its table, and the
filtered list with participants and funds.

The names of types, sources, statuses and member kinds come in both languages from
:mod:`mapping.programme`; every other text goes through ``tr``. The template escapes every
value (names and titles are user data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mapping.pages.data import PageData
from mapping.pages.errors import QueryError, UnknownItemError
from mapping.pages.query import choice
from mapping.pages.text import Translator
from mapping.programme import (
    ACTION_TYPES,
    FUNDING_SOURCES,
    MEMBER_KINDS,
    STATUSES,
    Action,
    Partnership,
    codes,
    names_of,
)
from mapping.render.choropleth import MapLegend, palette

__all__ = [
    "ActionsPage",
    "ActionsQuery",
    "PartnershipsPage",
    "build_actions",
    "build_partnerships",
    "parse_actions_query",
]

#: The years a query may name.
YEARS = range(1990, 2101)
#: Colours of the classes of the number of actions (light: few, dark: many).
ACTIONS_PALETTE = "ylgnbu"


@dataclass(frozen=True)
class ActionsQuery:
    """The filters of the actions page (None: all)."""

    action_type: str | None = None
    district: str | None = None
    year: int | None = None
    partnership: str | None = None

    def matches(self, action: Action) -> bool:
        """Whether ``action`` passes every filter (a year: the action runs in it)."""
        return (
            (self.action_type is None or action.action_type == self.action_type)
            and (self.district is None or self.district in action.districts)
            and (self.year is None or self.year in action.years)
            and (self.partnership is None or action.partnership == self.partnership)
        )


def _year(raw: str | None, tr: Translator) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in YEARS:
        raise QueryError(
            tr(
                "%(what)s: expected a number from %(min)s to %(max)s, got %(value)s.",
                what="year",
                min=str(YEARS.start),
                max=str(YEARS.stop - 1),
                value=raw,
            ),
            field="year",
            low=YEARS.start,
            high=YEARS.stop - 1,
        )
    return int(raw)


def parse_actions_query(
    args: Mapping[str, str],
    *,
    districts: Mapping[str, str],
    partnerships: Sequence[Partnership],
    tr: Translator,
) -> ActionsQuery:
    """The filters: ``type`` (IV.1-IV.7; 400 otherwise), ``district`` and ``partnership``
    (codes; 404 with the known ones otherwise), ``year`` (400 unless a year)."""
    allowed: tuple[str | None, ...] = codes(ACTION_TYPES)
    action_type = choice(args.get("type"), allowed, default=None, what="type", tr=tr)
    district = args.get("district") or None
    if district is not None and district not in districts:
        raise UnknownItemError(
            tr("There is no district %(code)s.", code=district),
            field="district",
            known=[(name, code) for code, name in districts.items()],
            heading=tr("Districts"),
        )
    partnership = args.get("partnership") or None
    if partnership is not None and partnership not in {p.code for p in partnerships}:
        raise UnknownItemError(
            tr("There is no partnership %(code)s.", code=partnership),
            field="partnership",
            known=[(p.name, p.code) for p in partnerships],
            heading=tr("Partnerships"),
        )
    return ActionsQuery(action_type, district, _year(args.get("year"), tr), partnership)


@dataclass(frozen=True)
class ActionsPage:
    """What the actions page draws."""

    query: ActionsQuery
    rows: list[dict[str, Any]]
    district_rows: list[dict[str, Any]]
    totals: dict[str, str]
    funding_totals: list[tuple[str, str]]
    fills: dict[str, str | None]
    tips: dict[str, list[tuple[str, str]]]
    legend: MapLegend | None
    options: dict[str, list[tuple[str, str]]]
    count: int
    total: int
    schematic: bool


def _funds(tr: Translator, amount: float) -> str:
    return tr("%(amount)s PLN", amount=tr.number(amount, 0))


def _count(tr: Translator, value: int | None) -> str:
    return "" if value is None else tr.number(value, 0)


def _dates(tr: Translator, action: Action) -> str:
    start = action.start_date.isoformat()
    return f"{start} – {action.end_date.isoformat()}" if action.end_date else start


def _row(
    action: Action, tr: Translator, districts: Mapping[str, str], partnerships: Mapping[str, str]
) -> dict[str, Any]:
    sources = names_of(FUNDING_SOURCES, tr.lang)
    return {
        "code": action.code,
        "title": action.title,
        "type": action.action_type,
        "type_name": names_of(ACTION_TYPES, tr.lang)[action.action_type],
        "partnership": partnerships.get(action.partnership or "", ""),
        "partnership_code": action.partnership or "",
        "districts": [(c, districts.get(c, c)) for c in action.districts],
        "dates": _dates(tr, action),
        "status": names_of(STATUSES, tr.lang)[action.status],
        "planned": _count(tr, action.planned_participants),
        "actual": _count(tr, action.actual_participants),
        "reserve": _count(tr, action.reserve_list),
        "funding": [(sources[f.source], _funds(tr, f.amount)) for f in action.funding],
        "total": _funds(tr, action.total_funding),
        "description": action.description or "",
    }


def _sum(values: Sequence[int | None]) -> int:
    return sum(v for v in values if v is not None)


def _classes(counts: Mapping[str, int]) -> list[tuple[int, int]]:
    """Up to five classes ``(low, high)`` of the positive counts, each holding whole numbers."""
    positive = sorted({c for c in counts.values() if c > 0})
    if not positive:
        return []
    if len(positive) <= 5:
        return [(c, c) for c in positive]
    step = len(positive) / 5
    edges = [positive[min(len(positive) - 1, round((i + 1) * step) - 1)] for i in range(5)]
    classes, low = [], 1
    for high in dict.fromkeys(edges):
        classes.append((low, high))
        low = high + 1
    return classes


def _map(
    counts: Mapping[str, int], tr: Translator
) -> tuple[dict[str, str | None], MapLegend | None]:
    classes = _classes(counts)
    if not classes:
        return {}, None
    colours = palette(ACTIONS_PALETTE, len(classes) + 1)[1:]
    fills: dict[str, str | None] = {}
    for code, count in counts.items():
        fills[code] = next(
            (c for (low, high), c in zip(classes, colours, strict=True) if low <= count <= high),
            None,
        )
    entries = [
        (colour, str(low) if low == high else f"{low}–{high}")
        for (low, high), colour in zip(classes, colours, strict=True)
    ]
    legend = MapLegend(
        title=tr("Number of actions"),
        entries=entries,
        note=tr("Grey: no action. Click a district to list its actions."),
    )
    return fills, legend


def _options(
    actions: Sequence[Action],
    districts: Mapping[str, str],
    partnerships: Sequence[Partnership],
    tr: Translator,
) -> dict[str, list[tuple[str, str]]]:
    years = sorted({year for a in actions for year in a.years})
    return {
        "types": [(t.code, f"{t.code} {t.name(tr.lang)}") for t in ACTION_TYPES],
        "districts": sorted(districts.items(), key=lambda item: item[1]),
        "years": [(str(y), str(y)) for y in years],
        "partnerships": [(p.code, p.name) for p in partnerships],
    }


def build_actions(
    data: PageData,
    actions: Sequence[Action],
    partnerships: Sequence[Partnership],
    query: ActionsQuery,
    tr: Translator,
) -> ActionsPage:
    """The actions the query selects: per district (map and table) and one by one (list)."""
    districts = {
        str(c): str(n)
        for c, n in zip(
            data.analysis.districts["code"], data.analysis.districts["name"], strict=True
        )
    }
    partnership_names = {p.code: p.name for p in partnerships}
    chosen = [a for a in actions if query.matches(a)]
    district_rows = []
    counts: dict[str, int] = {}
    tips: dict[str, list[tuple[str, str]]] = {}
    for code, name in sorted(districts.items(), key=lambda item: item[1]):
        here = [a for a in chosen if code in a.districts]
        counts[code] = len(here)
        actual = tr.number(_sum([a.actual_participants for a in here]), 0)
        funds = _funds(tr, sum(a.total_funding for a in here))
        district_rows.append(
            {
                "code": code,
                "name": name,
                "actions": len(here),
                "planned": tr.number(_sum([a.planned_participants for a in here]), 0),
                "actual": actual,
                "funds": funds,
            }
        )
        tips[code] = [
            (tr("Actions"), str(len(here))),
            (tr("Actual participants"), actual),
            (tr("Funds"), funds),
        ]
    fills, legend = _map(counts, tr)
    by_source: dict[str, float] = {}
    for action in chosen:
        for item in action.funding:
            by_source[item.source] = by_source.get(item.source, 0.0) + item.amount
    totals = {
        "planned": tr.number(_sum([a.planned_participants for a in chosen]), 0),
        "actual": tr.number(_sum([a.actual_participants for a in chosen]), 0),
        "reserve": tr.number(_sum([a.reserve_list for a in chosen]), 0),
        "funds": _funds(tr, sum(a.total_funding for a in chosen)),
    }
    return ActionsPage(
        query=query,
        rows=[_row(a, tr, districts, partnership_names) for a in chosen],
        district_rows=district_rows,
        totals=totals,
        funding_totals=[
            (source.name(tr.lang), _funds(tr, by_source[source.code]))
            for source in FUNDING_SOURCES
            if source.code in by_source
        ],
        fills=fills,
        tips=tips,
        legend=legend,
        options=_options(actions, districts, partnerships, tr),
        count=len(chosen),
        total=len(actions),
        schematic=data.schematic,
    )


@dataclass(frozen=True)
class PartnershipsPage:
    """Every partnership with its members and the number of its actions."""

    rows: list[dict[str, Any]]


def build_partnerships(
    partnerships: Sequence[Partnership], actions: Sequence[Action], tr: Translator
) -> PartnershipsPage:
    """The partnerships, ordered by name, each with its members (kinds named in the language)."""
    kinds = names_of(MEMBER_KINDS, tr.lang)
    rows = []
    for partnership in sorted(partnerships, key=lambda p: p.name):
        own = [a for a in actions if a.partnership == partnership.code]
        rows.append(
            {
                "code": partnership.code,
                "name": partnership.name,
                "description": partnership.description or "",
                "members": [
                    {
                        "name": m.name,
                        "kind": kinds.get(m.kind, m.kind),
                        "role": m.role or "",
                        "contact": m.contact or "",
                    }
                    for m in partnership.members
                ],
                "actions": len(own),
                "participants": tr.number(_sum([a.actual_participants for a in own]), 0),
                "funds": _funds(tr, sum(a.total_funding for a in own)),
            }
        )
    return PartnershipsPage(rows=rows)
