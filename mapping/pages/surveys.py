"""The surveys page (``/ankiety``, ``/surveys``): one question's answers in the initial and the
final wave and the change, for all actions, per district and per action.

Everything shown comes from a :class:`~mapping.surveys.SurveySummary`, already suppressed: a
hidden count is the word "hidden" (the same for a small count and for one hidden so that it
cannot be recovered by subtraction); a share is shown only beside a shown count and total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mapping.pages.errors import UnknownItemError
from mapping.pages.text import Translator
from mapping.programme import Action
from mapping.surveys import SurveySummary, SurveyTable

__all__ = ["SurveysPage", "build_surveys", "parse_question"]


def parse_question(args: Mapping[str, str], summary: SurveySummary, tr: Translator) -> int:
    """The question asked for (``question``: its number from 1, the first by default); 404
    with the questions otherwise."""
    given = args.get("question") or "1"
    count = len(summary.questions)
    if count == 0 and given == "1":
        return 0
    if not given.isdigit() or not 1 <= int(given) <= count:
        raise UnknownItemError(
            tr("There is no question %(number)s.", number=given),
            field="question",
            known=[(text, str(i + 1)) for i, text in enumerate(summary.questions)],
            heading=tr("Questions"),
        )
    return int(given) - 1


@dataclass(frozen=True)
class SurveysPage:
    """What the surveys page draws."""

    question: str
    number: int
    questions: list[tuple[str, str]]
    overall: dict[str, Any] | None
    districts: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    min_count: int
    hidden: int


def _cell(tr: Translator, value: int | None, total: int | None) -> dict[str, str]:
    if value is None:
        return {"count": tr("hidden"), "share": "", "hidden": "1"}
    share = "" if not total else tr.number(100 * value / total, 0) + "%"
    return {"count": tr.number(value, 0), "share": share, "hidden": ""}


def _change(tr: Translator, value: int | None) -> str:
    if value is None:
        return tr("hidden")
    return ("+" if value > 0 else "") + tr.number(value, 0)


def _table(tr: Translator, table: SurveyTable, title: str, anchor: str) -> dict[str, Any]:
    initial_total, final_total = table.totals
    rows = [
        {
            "answer": line.answer,
            "initial": _cell(tr, line.counts[0], initial_total),
            "final": _cell(tr, line.counts[1], final_total),
            "change": _change(tr, line.change),
        }
        for line in table.lines
    ]
    means = [tr.number(m, 2) if m is not None else "" for m in table.means]
    return {
        "title": title,
        "anchor": anchor,
        "rows": rows,
        "totals": [_cell(tr, t, None)["count"] for t in table.totals],
        "total_change": _change(tr, table.total_change),
        "means": means if any(table.means) else None,
        "hidden": table.hidden,
    }


def build_surveys(
    summary: SurveySummary,
    number: int,
    *,
    actions: Sequence[Action],
    districts: Mapping[str, str],
    tr: Translator,
) -> SurveysPage:
    """The page of question ``number`` (from 0): its tables for all actions, each district (by
    name) and each action (by start date)."""
    if not summary.questions:
        return SurveysPage("", 0, [], None, [], [], summary.min_count, 0)
    question = summary.questions[number]
    overall = summary.table("all", "", question)
    by_district = sorted(
        summary.of("district", question), key=lambda t: districts.get(t.code, t.code)
    )
    titles = {a.code: a.title for a in actions}
    order = {a.code: i for i, a in enumerate(actions)}
    by_action = sorted(
        summary.of("action", question), key=lambda t: (order.get(t.code, 1e9), t.code)
    )
    return SurveysPage(
        question=question,
        number=number + 1,
        questions=[(str(i + 1), text) for i, text in enumerate(summary.questions)],
        overall=_table(tr, overall, tr("All actions"), "all") if overall else None,
        districts=[
            _table(tr, t, districts.get(t.code, t.code), f"district-{i}")
            for i, t in enumerate(by_district)
        ],
        actions=[
            {**_table(tr, t, titles.get(t.code, t.code), f"action-{i}"), "code": t.code}
            for i, t in enumerate(by_action)
        ],
        min_count=summary.min_count,
        hidden=sum(t.hidden for t in summary.tables if t.question == question),
    )
