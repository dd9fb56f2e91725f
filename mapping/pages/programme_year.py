"""The programme records of one edition: what ``/partnerstwa``, ``/dzialania`` and ``/ankiety``
(and ``/ankiety.csv``) show with ``?edition=CODE``.

An edition freezes the maps (districts, resources, indicators) when it is published; the
programme's records are written later in its year (the partnerships choose target areas from the
published maps, the actions run, the surveys come in), so they are not frozen with it. The rule:

- the edition's **programme year** is the year its code starts with (``2013`` for ``2013`` and
  ``2013-korekta``), or, for a code without a year (``wiosna``), the latest year of its frozen
  indicator values;
- its **target areas** are those chosen for the edition (``target_area.edition == CODE``);
- its **actions** are those in one of its target areas (the action's partnership chose, for this
  edition, a target area holding one of the action's districts) that have not ended before the
  programme year, and those that run in the programme year
  (:attr:`mapping.programme.Action.years`); cancelled actions run in no year but stay in their
  target area;
- its **partnerships** are those with a target area or an action in it;
- its **surveys** are the survey counts of its actions;
- everything is drawn on the edition's **frozen district boundaries and names**: a district
  redrawn or renamed after publication does not change the edition's map or tables, and a district
  created after it is not drawn (its code is shown as it is).

So an action chosen for an edition's target area stays in that edition when its dates move to
another year, and a later change to another year's actions or to the live boundaries never
changes the edition's pages. Without ``?edition=`` the pages show every live record on the live
boundaries and say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mapping.db.base import Bind
from mapping.programme import Action, Partnership
from mapping.surveys import SurveyCount
from mapping.target_areas import TargetAreaRecord

__all__ = ["ProgrammeRecords", "ProgrammeYear", "load_programme", "programme_year"]

_LEADING_YEAR = re.compile(r"(19|20)\d\d(?!\d)")


@dataclass(frozen=True)
class ProgrammeYear:
    """The records of one edition's programme year (see the module's rule)."""

    edition: str
    year: int | None
    target_areas: tuple[TargetAreaRecord, ...]

    def has_action(self, action: Action) -> bool:
        """Whether ``action`` belongs to the edition: in one of its target areas, or running in
        its programme year (cancelled ones never run).

        >>> from datetime import date
        >>> area = TargetAreaRecord("p1", "2012", ("gaj",))
        >>> year = ProgrammeYear("2012", 2012, (area,))
        >>> year.has_action(Action("a", "t", "IV.5", date(2012, 5, 1)))
        True
        >>> year.has_action(Action("b", "t", "IV.5", date(2014, 5, 1), partnership="p1",
        ...                        districts=("gaj",)))
        True
        >>> year.has_action(Action("c", "t", "IV.5", date(2013, 5, 1), districts=("gaj",)))
        False
        >>> year.has_action(Action("d", "t", "IV.5", date(2011, 5, 1), partnership="p1",
        ...                        districts=("gaj",)))
        False
        """
        chosen = any(
            area.partnership == action.partnership and set(area.districts) & set(action.districts)
            for area in self.target_areas
        )
        if chosen and (self.year is None or max(action.years) >= self.year):
            return True
        runs = self.year is not None and self.year in action.years
        return runs and action.status != "cancelled"

    def actions(self, actions: Iterable[Action]) -> list[Action]:
        """The edition's actions, in the order given."""
        return [a for a in actions if self.has_action(a)]

    def partnerships(
        self, partnerships: Iterable[Partnership], actions: Iterable[Action]
    ) -> list[Partnership]:
        """The partnerships with a target area or an action in the edition."""
        active = {a.partnership for a in self.actions(actions)}
        active |= {area.partnership for area in self.target_areas}
        return [p for p in partnerships if p.code in active]


def programme_year(
    edition: str, years: Sequence[int], target_areas: Iterable[TargetAreaRecord]
) -> ProgrammeYear:
    """The programme year of ``edition``: ``years`` are the years of its frozen values.

    >>> programme_year("2012", [2011, 2013], []).year
    2012
    >>> programme_year("2013-korekta", [], []).year
    2013
    >>> programme_year("wiosna", [2011, 2013], []).year
    2013
    >>> programme_year("wiosna", [], []).year is None
    True
    """
    found = _LEADING_YEAR.match(edition)
    year: int | None = int(found[0]) if found else (max(years) if years else None)
    chosen = tuple(area for area in target_areas if area.edition == edition)
    return ProgrammeYear(edition=edition, year=year, target_areas=chosen)


@dataclass(frozen=True)
class ProgrammeRecords:
    """What a programme page shows: every live record, or one edition's (``year`` not None)."""

    partnerships: list[Partnership]
    actions: list[Action]
    target_areas: list[TargetAreaRecord]
    year: ProgrammeYear | None = None

    def counts(self, counts: Iterable[SurveyCount]) -> list[SurveyCount]:
        """The survey counts of the actions shown."""
        if self.year is None:
            return list(counts)
        own = {a.code for a in self.actions}
        return [c for c in counts if c.action in own]


def load_programme(bind: Bind, edition: str | None, years: Sequence[int]) -> ProgrammeRecords:
    """The live records (``edition`` None), or those of ``edition``'s programme year
    (``years``: the years of its frozen values)."""
    from mapping.db import programme as stored
    from mapping.db import target_areas as chosen

    partnerships = stored.load_partnerships(bind)
    actions = stored.load_actions(bind)
    areas = chosen.list_target_areas(bind)
    if edition is None:
        return ProgrammeRecords(partnerships, actions, areas)
    year = programme_year(edition, years, areas)
    return ProgrammeRecords(
        partnerships=year.partnerships(partnerships, actions),
        actions=year.actions(actions),
        target_areas=list(year.target_areas),
        year=year,
    )
