"""Survey counts in the database: load them, and save one action's wave as a whole.

A save replaces the counts of every action and wave it holds (a re-import of an action's
final wave replaces that wave and leaves the initial one), adds one audit entry per action and
wave it created or changed, in the caller's transaction, and takes palmap's write lock first.
Only counts are stored (:class:`mapping.surveys.SurveyCount`): never a respondent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping.db import audit
from mapping.db.base import DISTRICT, Bind, SaveResult, connection
from mapping.db.locking import hold_write_lock
from mapping.db.models import Base
from mapping.programme import require_valid
from mapping.surveys import SurveyCount, count_problems

__all__ = ["SURVEY", "load_counts", "save_counts"]

SURVEY: sa.Table = Base.metadata.tables["survey_count"]
ACTION: sa.Table = Base.metadata.tables["action"]

_Group = tuple[str, str]


def load_counts(bind: Bind) -> list[SurveyCount]:
    """Every survey count, by action, wave, district, question and answer."""
    join = SURVEY.join(ACTION, ACTION.c.id == SURVEY.c.action_id).join(
        DISTRICT, DISTRICT.c.id == SURVEY.c.district_id
    )
    stmt = (
        sa.select(
            ACTION.c.code,
            DISTRICT.c.code,
            SURVEY.c.wave,
            SURVEY.c.question,
            SURVEY.c.answer,
            SURVEY.c.count,
        )
        .select_from(join)
        .order_by(ACTION.c.code, SURVEY.c.wave, DISTRICT.c.code, SURVEY.c.question, SURVEY.c.answer)
    )
    with connection(bind) as conn:
        return [
            SurveyCount(str(a), str(d), str(w), str(q), str(ans), int(n))
            for a, d, w, q, ans, n in conn.execute(stmt)
        ]


def _describe(counts: Sequence[SurveyCount]) -> str | None:
    if not counts:
        return None
    questions = len({c.question for c in counts})
    answers = sum(c.count for c in counts)
    return f"{len(counts)} counts, {questions} questions, {answers} answers"


def save_counts(
    conn: Connection, counts: Sequence[SurveyCount], *, actor: str | None, how: str
) -> SaveResult:
    """Replace the stored counts of each action and wave in ``counts`` by those given.

    Rows are counted per action and wave: ``inserted`` for a wave stored for the first time,
    ``updated`` for a wave whose counts changed, ``unchanged`` for one stored as given.

    Raises
    ------
    mapping.errors.ValidationError
        For a count that fails its checks (an unknown action or district included).
    """
    hold_write_lock(conn)
    districts = {str(c): int(i) for i, c in conn.execute(sa.select(DISTRICT.c.id, DISTRICT.c.code))}
    actions = {str(c): int(i) for i, c in conn.execute(sa.select(ACTION.c.id, ACTION.c.code))}
    for c in counts:
        where = f"survey count {c.action}/{c.wave}/{c.district}"
        require_valid(count_problems(c, actions=actions, districts=districts), where)
    groups: dict[_Group, list[SurveyCount]] = defaultdict(list)
    for c in counts:
        groups[(c.action, c.wave)].append(c)
    stored: dict[_Group, list[SurveyCount]] = defaultdict(list)
    for c in load_counts(conn):
        if (c.action, c.wave) in groups:
            stored[(c.action, c.wave)].append(c)
    result = SaveResult()
    changes: list[audit.Change] = []
    for (action, wave), given in sorted(groups.items()):
        before = stored.get((action, wave), [])
        if sorted(before, key=_key) == sorted(given, key=_key):
            result += SaveResult(unchanged=1)
            continue
        key = actions[action]
        conn.execute(sa.delete(SURVEY).where(SURVEY.c.action_id == key, SURVEY.c.wave == wave))
        conn.execute(
            sa.insert(SURVEY),
            [
                {
                    "action_id": key,
                    "district_id": districts[c.district],
                    "wave": wave,
                    "question": c.question,
                    "answer": c.answer,
                    "count": c.count,
                }
                for c in given
            ],
        )
        result += SaveResult(updated=1) if before else SaveResult(inserted=1)
        changes.append(
            audit.Change(
                "survey_count", f"{action}/{wave}", None, _describe(before), _describe(given)
            )
        )
    if actor is not None:
        audit.record(conn, changes, actor=actor, how=how)
    return result


def _key(c: SurveyCount) -> tuple[str, str, str, int]:
    return (c.district, c.question, c.answer, c.count)
