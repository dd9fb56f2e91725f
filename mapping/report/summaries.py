"""The programme's records of one edition's year, summarised for the yearly report: actions by
type (participants, funds by source) and the target areas the partnerships chose in the edition.

The edition's actions are the ones its programme pages show (``/dzialania?edition=CODE``, the
rule of :mod:`mapping.pages.programme_year`: in one of its target areas, or running in its
programme year); cancelled ones are left out of the sums. The districts of a target area are
named as in the edition.
"""

from __future__ import annotations

from collections import defaultdict

from mapping.analysis import AnalysisData
from mapping.db import programme as programme_store
from mapping.db import target_areas
from mapping.db.base import Bind
from mapping.pages.programme_year import ProgrammeYear, programme_year
from mapping.programme import Action
from mapping.report.programme import (
    ACTION_TYPES,
    ActionTypeSummary,
    ProgrammeSummary,
    SurveyChange,
    SurveySummary,
    TargetAreaChoice,
)

__all__ = ["programme_summary", "survey_summary"]


def _edition_year(bind: Bind, code: str, data: AnalysisData) -> ProgrammeYear:
    return programme_year(code, data.years, target_areas.list_target_areas(bind))


def _counted(year: ProgrammeYear, actions: list[Action]) -> list[Action]:
    """The edition's actions that are not cancelled."""
    return [a for a in year.actions(actions) if a.status != "cancelled"]


def programme_summary(bind: Bind, code: str) -> ProgrammeSummary:
    """Actions by type in the edition's programme year, and the target areas chosen in it."""
    data = AnalysisData.from_edition(bind, code)
    year = _edition_year(bind, code, data)
    names = dict(zip(data.districts["code"], data.districts["name"], strict=True))
    by_type: dict[str, list[Action]] = defaultdict(list)
    for action in _counted(year, programme_store.load_actions(bind)):
        by_type[action.action_type].append(action)
    actions = []
    for kind in ACTION_TYPES:
        found = by_type.get(kind, [])
        if not found:
            continue
        funds: dict[str, float] = defaultdict(float)
        for action in found:
            for part in action.funding:
                funds[part.source] += float(part.amount)
        actions.append(
            ActionTypeSummary(
                action_type=kind,
                actions=len(found),
                planned_participants=sum(a.planned_participants or 0 for a in found),
                actual_participants=sum(a.actual_participants or 0 for a in found),
                funds=tuple(sorted(funds.items())),
            )
        )
    partnerships = {p.code: p.name for p in programme_store.load_partnerships(bind)}
    chosen = tuple(
        TargetAreaChoice(
            partnership=partnerships.get(area.partnership, area.partnership),
            districts=tuple(str(names.get(c, c)) for c in area.districts),
            codes=area.districts,
            ranking=tuple(sorted((str(k), str(v)) for k, v in area.ranking.items())),
        )
        for area in year.target_areas
    )
    return ProgrammeSummary(actions=tuple(actions), target_areas=chosen)


def survey_summary(bind: Bind, code: str, *, min_count: int, measure: str) -> SurveySummary:
    """The survey change of each of the edition's actions (see the module): the mean answer
    and the respondents of the initial and the final wave per question, taken from the survey
    tables as already suppressed (:func:`mapping.surveys.summarise`: small counts and counts
    recoverable by subtraction are hidden), so the report shows nothing the page does not."""
    from mapping.db import surveys as survey_store
    from mapping.surveys import summarise

    data = AnalysisData.from_edition(bind, code)
    year = _edition_year(bind, code, data)
    running = {a.code: a.title for a in _counted(year, programme_store.load_actions(bind))}
    tables = summarise(survey_store.load_counts(bind), min_count=min_count).of("action")
    changes = tuple(
        SurveyChange(
            action=running[t.code] or t.code,  # its title, as a reader knows it
            question=t.question,
            initial=t.means[0],
            final=t.means[1],
            respondents_initial=t.totals[0],
            respondents_final=t.totals[1],
        )
        for t in tables
        if t.code in running
    )
    return SurveySummary(changes=changes, measure=measure if changes else "")
