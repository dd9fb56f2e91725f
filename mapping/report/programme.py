"""The programme's records the report summarises: actions, target areas chosen by the
partnerships, surveys. They are recorded by other parts of palmap; the report takes them as these
small typed summaries (empty ones when nothing is recorded), so that the report's core does not
depend on how they are stored.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTION_TYPES",
    "FUNDING_SOURCES",
    "ActionTypeSummary",
    "ProgrammeSummary",
    "SurveyChange",
    "SurveySummary",
    "TargetAreaChoice",
]

#: The seven types of actions of the Local Activity Programme (part IV), in order.
ACTION_TYPES: tuple[str, ...] = ("IV.1", "IV.2", "IV.3", "IV.4", "IV.5", "IV.6", "IV.7")
#: The four sources of funds: EU funds (such as the ESF), the city's own, the state budget,
#: sponsors.
FUNDING_SOURCES: tuple[str, ...] = ("eu", "city", "state", "sponsor")


@dataclass(frozen=True)
class ActionTypeSummary:
    """The actions of one type (``IV.1`` .. ``IV.7``) in the edition's year."""

    action_type: str
    actions: int
    planned_participants: int
    actual_participants: int
    #: Funds by source as ``(source, PLN)`` pairs (sources from :data:`FUNDING_SOURCES`);
    #: a tuple, so that a summary is hashable (the report cache's key holds it).
    funds: tuple[tuple[str, float], ...] = ()

    def fund(self, source: str) -> float:
        """The funds from ``source`` (0 when none)."""
        return sum(amount for name, amount in self.funds if name == source)


@dataclass(frozen=True)
class TargetAreaChoice:
    """A target area a partnership chose for the edition: its districts' names, their codes,
    and the ranking that justified the choice as it was saved (its query values with ``runs``
    and ``seed``, as ``(key, value)`` pairs in key order; empty when none was saved)."""

    partnership: str
    districts: tuple[str, ...]
    codes: tuple[str, ...] = ()
    ranking: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ProgrammeSummary:
    """Actions by type and the chosen target areas of one edition (empty: none recorded)."""

    actions: tuple[ActionTypeSummary, ...] = ()
    target_areas: tuple[TargetAreaChoice, ...] = ()


@dataclass(frozen=True)
class SurveyChange:
    """One question's change from the initial to the final wave, as already suppressed
    (``None``: the cell is hidden, too few respondents or recoverable by subtraction)."""

    action: str
    question: str
    initial: float | None
    final: float | None
    respondents_initial: int | None
    respondents_final: int | None


@dataclass(frozen=True)
class SurveySummary:
    """The survey changes of one edition's actions; ``measure`` says what the numbers are (such
    as "share of positive answers, %"). Empty: no surveys loaded."""

    changes: tuple[SurveyChange, ...] = ()
    measure: str = ""
