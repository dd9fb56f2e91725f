"""Surveys of the programme's actions: counts of answers per action, district and wave, their
checks, and the suppressed summary every page, download and report shows.

The programme (``../shared/domain``, part VI) surveys the participants of every action at least
twice: an initial and a final subjective assessment (the two :data:`WAVES`). palmap stores only
counts: for one action, district, wave and question, how many respondents gave each answer
(:class:`SurveyCount`); never a person's answers.

:func:`summarise` turns the counts into a :class:`SurveySummary`: per question, one table for
all actions, one per action and one per district, each with the answers' counts in the initial
and the final wave, the change, the number of respondents per wave and, for a numeric scale
(answers 1-5), the mean. Every value in it is already suppressed (:mod:`mapping.disclosure`):

- a count below ``min_count`` (``PALMAP_MIN_COUNT``), 0 included, is hidden (primary);
- any count that subtraction would recover from what is shown is hidden too (secondary): in
  each table (answers and their total per wave), across the per-action and the per-district
  tables of an answer (they add up to the same total over all actions, and so do the actions
  and districts of each group of actions sharing districts), and between the respondents of one
  table in two questions when they are equal;
- a change is shown only when both of its counts are, a mean only when its whole wave is.

Renderers (the page, the CSV download, the yearly report) show a :class:`SurveySummary` as it
is: None means hidden.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import Final

from mapping.disclosure import Equation, check_min_count, primary, secondary
from mapping.errors import msg
from mapping.programme import Named, Problem, codes

__all__ = [
    "ANSWER_MAX",
    "QUESTION_MAX",
    "SCOPES",
    "WAVES",
    "AnswerLine",
    "SurveyCount",
    "SurveySummary",
    "SurveyTable",
    "count_problems",
    "is_scale",
    "summarise",
]

#: The two waves of every action's survey.
WAVES: Final[tuple[Named, ...]] = (
    Named("initial", "wstępna", "initial"),
    Named("final", "końcowa", "final"),
)
#: The views of a question: all actions together, one action, one district.
SCOPES: Final[tuple[str, ...]] = ("all", "action", "district")
#: Longest question and answer (the columns of ``survey_count``).
QUESTION_MAX: Final = 300
ANSWER_MAX: Final = 200
#: The largest count of respondents taken as plausible for one answer.
COUNT_MAX: Final = 1_000_000
_SCALE = re.compile(r"[1-9][0-9]?")

Value = int | None


@dataclass(frozen=True, order=True)
class SurveyCount:
    """How many respondents of ``action`` in ``district`` gave ``answer`` to ``question`` in
    ``wave`` (``initial`` or ``final``)."""

    action: str
    district: str
    wave: str
    question: str
    answer: str
    count: int


def count_problems(
    count: SurveyCount, *, actions: Collection[str], districts: Collection[str]
) -> list[Problem]:
    """What is wrong with one count: an unknown action, district or wave, an empty or long
    question or answer, a count that is not a whole number from 0 to 1,000,000.

    >>> c = SurveyCount("a9", "gaj", "middle", "Q", "", 3)
    >>> [(p.field, str(p.problem)) for p in count_problems(c, actions=["a1"], districts=["gaj"])]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('action', "expected the code of a stored action, got 'a9'"),
     ('wave', "expected initial or final, got 'middle'"),
     ('answer', 'expected the answer, got none')]
    """
    problems: list[Problem] = []
    if count.action not in actions:
        listed = sorted(actions)
        known = ", ".join(listed[:20]) + (" ..." if len(listed) > 20 else "")
        fix = (
            msg("write one of the stored actions: {known}", known=known)
            if listed
            else msg("import the actions first (palmap import actions)")
        )
        problems.append(
            Problem(
                "action",
                count.action,
                msg("expected the code of a stored action, got {value!r}", value=count.action),
                fix,
            )
        )
    if count.district not in districts:
        problems.append(
            Problem(
                "district",
                count.district,
                msg("expected a stored district, got {value!r}", value=count.district),
                msg("write the code or name of a district"),
            )
        )
    if count.wave not in codes(WAVES):
        problems.append(
            Problem(
                "wave",
                count.wave,
                msg("expected initial or final, got {value!r}", value=count.wave),
                msg("write initial or final (wstępna or końcowa)"),
            )
        )
    for name, limit in (("question", QUESTION_MAX), ("answer", ANSWER_MAX)):
        text = getattr(count, name)
        if not text:
            problems.append(
                Problem(
                    name, None, msg("expected the {name}, got none", name=name), msg("fill it in")
                )
            )
        elif len(text) > limit:
            problems.append(
                Problem(
                    name,
                    text,
                    msg(
                        "expected at most {limit} characters, got {count}",
                        limit=limit,
                        count=len(text),
                    ),
                    msg("shorten it"),
                )
            )
    if not 0 <= count.count <= COUNT_MAX:
        problems.append(
            Problem(
                "count",
                str(count.count),
                msg(
                    "expected a count from 0 to {limit}, got {value}",
                    limit=f"{COUNT_MAX:,}".replace(",", " "),
                    value=count.count,
                ),
                msg("write the number of respondents who gave the answer"),
            )
        )
    return problems


def is_scale(answers: Iterable[str]) -> bool:
    """True when every answer is a whole number from 1 to 99 (a scale such as 1-5).

    >>> is_scale(["1", "5", "3"]), is_scale(["tak", "nie"]), is_scale([])
    (True, False, False)
    """
    listed = list(answers)
    return bool(listed) and all(_SCALE.fullmatch(a) for a in listed)


@dataclass(frozen=True)
class AnswerLine:
    """One answer's counts in the initial and the final wave (None: hidden)."""

    answer: str
    counts: tuple[Value, Value]

    @property
    def change(self) -> Value:
        """Final minus initial, or None when either is hidden."""
        initial, final = self.counts
        return None if initial is None or final is None else final - initial


@dataclass(frozen=True)
class SurveyTable:
    """One question's answers for all actions (``scope`` ``all``, ``code`` empty), one action
    or one district (``code`` its code)."""

    scope: str
    code: str
    question: str
    lines: tuple[AnswerLine, ...]
    #: Respondents per wave (None: hidden).
    totals: tuple[Value, Value]
    #: The mean answer per wave (to 2 decimals) for a numeric scale, when the whole wave is
    #: shown.
    means: tuple[float | None, float | None]

    @property
    def total_change(self) -> Value:
        """Respondents in the final wave minus the initial, or None when either is hidden."""
        initial, final = self.totals
        return None if initial is None or final is None else final - initial

    @property
    def hidden(self) -> int:
        """How many counts (answers and totals) are hidden."""
        values = [v for line in self.lines for v in line.counts] + list(self.totals)
        return sum(1 for v in values if v is None)


@dataclass(frozen=True)
class SurveySummary:
    """Every survey table, already suppressed: what any page, download or report may show."""

    min_count: int
    questions: tuple[str, ...]
    tables: tuple[SurveyTable, ...]

    def of(self, scope: str, question: str | None = None) -> list[SurveyTable]:
        """The tables of one scope (and question)."""
        return [
            t
            for t in self.tables
            if t.scope == scope and (question is None or t.question == question)
        ]

    def table(self, scope: str, code: str, question: str) -> SurveyTable | None:
        """One table, or None."""
        return next(
            (t for t in self.tables if (t.scope, t.code, t.question) == (scope, code, question)),
            None,
        )

    @property
    def hidden(self) -> int:
        """How many counts are hidden in every table."""
        return sum(t.hidden for t in self.tables)

    def rows(self) -> list[dict[str, object]]:
        """One dict per answer, total and mean of every table (``initial``, ``final``,
        ``change``: None where hidden): the layout of the CSV download."""
        rows: list[dict[str, object]] = []
        for t in self.tables:
            base = {"scope": t.scope, "code": t.code, "question": t.question}
            for line in t.lines:
                rows.append(
                    {
                        **base,
                        "row": "answer",
                        "answer": line.answer,
                        "initial": line.counts[0],
                        "final": line.counts[1],
                        "change": line.change,
                    }
                )
            rows.append(
                {
                    **base,
                    "row": "total",
                    "answer": "",
                    "initial": t.totals[0],
                    "final": t.totals[1],
                    "change": t.total_change,
                }
            )
            if any(m is not None for m in t.means):
                rows.append(
                    {
                        **base,
                        "row": "mean",
                        "answer": "",
                        "initial": t.means[0],
                        "final": t.means[1],
                        "change": None,
                    }
                )
        return rows


# ---------------------------------------------------------------------------------------------
# Building the summary

_WAVE_CODES = codes(WAVES)
# A node: (question, scope, code, wave, answer); answer None is the table's total.
_Node = tuple[str, str, str, str, str | None]


@dataclass
class _Question:
    question: str
    answers: list[str]
    actions: list[str]
    districts: list[str]
    edges: set[tuple[str, str]]


def _answer_order(answers: Iterable[str]) -> list[str]:
    unique = set(answers)
    if is_scale(unique):
        return sorted(unique, key=int)
    return sorted(unique)


def _values(counts: Iterable[SurveyCount]) -> tuple[dict[_Node, int], list[_Question]]:
    values: dict[_Node, int] = defaultdict(int)
    seen: dict[str, _Question] = {}
    for c in counts:
        q = seen.setdefault(c.question, _Question(c.question, [], [], [], set()))
        q.answers.append(c.answer)
        q.edges.add((c.action, c.district))
    questions = []
    for q in sorted(seen.values(), key=lambda q: q.question):
        q.answers = _answer_order(q.answers)
        q.actions = sorted({a for a, _ in q.edges})
        q.districts = sorted({d for _, d in q.edges})
        questions.append(q)
        for scope, keys in (("all", [""]), ("action", q.actions), ("district", q.districts)):
            for key in keys:
                for wave in _WAVE_CODES:
                    for answer in [*q.answers, None]:
                        values[(q.question, scope, key, wave, answer)] = 0
    return values, questions


def _add(values: dict[_Node, int], counts: Iterable[SurveyCount]) -> None:
    for c in counts:
        for scope, key in (("all", ""), ("action", c.action), ("district", c.district)):
            values[(c.question, scope, key, c.wave, c.answer)] += c.count
            values[(c.question, scope, key, c.wave, None)] += c.count


def _components(edges: set[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    """The groups of actions and districts linked by a survey count (union-find)."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for action, district in edges:
        parent[find(("a", action))] = find(("d", district))
    groups: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for node in sorted(parent):
        actions, districts = groups.setdefault(find(node), ([], []))
        (actions if node[0] == "a" else districts).append(node[1])
    return list(groups.values())


def _equations(q: _Question) -> list[Equation]:
    name = q.question
    equations: list[Equation] = []
    tables = [("all", "")] + [("action", a) for a in q.actions]
    tables += [("district", d) for d in q.districts]
    components = _components(q.edges)
    for wave in _WAVE_CODES:
        for scope, key in tables:
            cells = tuple((name, scope, key, wave, a) for a in q.answers)
            equations.append(Equation(cells, ((name, scope, key, wave, None),)))
        for answer in [*q.answers, None]:
            total = ((name, "all", "", wave, answer),)
            for scope, keys in (("action", q.actions), ("district", q.districts)):
                equations.append(
                    Equation(tuple((name, scope, k, wave, answer) for k in keys), total)
                )
            if len(components) > 1:
                for actions, districts in components:
                    equations.append(
                        Equation(
                            tuple((name, "action", a, wave, answer) for a in actions),
                            tuple((name, "district", d, wave, answer) for d in districts),
                        )
                    )
    return equations


def _same_respondents(values: dict[_Node, int], questions: list[_Question]) -> list[Equation]:
    """Equal respondents of one table in two questions: hiding one alone would not hide it."""
    by_table: dict[tuple[str, str, str], list[_Node]] = defaultdict(list)
    for node in values:
        if node[4] is None:
            by_table[(node[1], node[2], node[3])].append(node)
    equations = []
    for nodes in by_table.values():
        by_value: dict[int, list[_Node]] = defaultdict(list)
        for node in nodes:
            by_value[values[node]].append(node)
        for same in by_value.values():
            equations += [Equation((a,), (b,)) for a, b in zip(same, same[1:], strict=False)]
    return equations


def _mean(answers: list[str], counts: list[Value], total: Value) -> float | None:
    if total is None or total == 0 or any(c is None for c in counts):
        return None
    return round(sum(int(a) * int(c or 0) for a, c in zip(answers, counts, strict=True)) / total, 2)


def summarise(
    counts: Iterable[SurveyCount], *, min_count: int, secondary_suppression: bool = True
) -> SurveySummary:
    """The suppressed survey tables of ``counts`` (see the module's documentation).

    ``secondary_suppression=False`` hides the small counts only: never shown to anyone, it is
    there to show (in the tests) what the differencing attack recovers without it.

    Examples
    --------
    >>> counts = [SurveyCount("a1", "gaj", w, "Q", ans, n) for w, ans, n in
    ...           [("initial", "1", 3), ("initial", "2", 9), ("initial", "3", 12),
    ...            ("final", "1", 6), ("final", "2", 9), ("final", "3", 12)]]
    >>> t = summarise(counts, min_count=5).table("all", "", "Q")
    >>> [line.counts for line in t.lines], t.totals, t.means
    ([(None, 6), (None, 9), (12, 12)], (24, 27), (None, 2.22))
    """
    listed = list(counts)
    check_min_count(min_count)
    values, questions = _values(listed)
    _add(values, listed)
    equations = [e for q in questions for e in _equations(q)]
    equations += _same_respondents(values, questions)
    hidden: set[Hashable] = primary(values, min_count)  # type: ignore[arg-type]
    if secondary_suppression:
        margins = {n for n in values if n[1] == "all" or n[4] is None}
        hidden = secondary(values, equations, hidden, margins=margins)  # type: ignore[arg-type]

    def shown(node: _Node) -> Value:
        return None if node in hidden else values[node]

    tables = []
    for q in questions:
        scale = is_scale(q.answers)
        keys = [("all", "")] + [("action", a) for a in q.actions]
        keys += [("district", d) for d in q.districts]
        for scope, key in keys:
            lines = tuple(
                AnswerLine(
                    a,
                    tuple(shown((q.question, scope, key, w, a)) for w in _WAVE_CODES),  # type: ignore[arg-type]
                )
                for a in q.answers
            )
            totals = tuple(shown((q.question, scope, key, w, None)) for w in _WAVE_CODES)
            means = tuple(
                _mean(q.answers, [line.counts[i] for line in lines], totals[i]) if scale else None
                for i in range(len(_WAVE_CODES))
            )
            tables.append(SurveyTable(scope, key, q.question, lines, totals, means))  # type: ignore[arg-type]
    return SurveySummary(min_count, tuple(q.question for q in questions), tuple(tables))
