"""The differencing attack on the survey tables: from everything the download shows (each
answer's count, each table's total, per action, per district and for all actions, in both
waves and every question), recover hidden counts by subtraction in every row and column,
across the per-action and per-district views, and between equal respondents of two
questions. With secondary suppression it recovers nothing; with small counts hidden alone
(``secondary_suppression=False``) it recovers true counts.

The attack here is written from the download's rows and the public links of actions to
districts only: it does not call the suppression's own equations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

import numpy as np
import pandas as pd
import pytest

from mapping.io.survey_export import HIDDEN, summary_frame
from mapping.surveys import SurveyCount, summarise

WAVES = ("initial", "final")
QUESTIONS = {"Ocena osiedla (1-5)": ["1", "2", "3", "4", "5"], "Czy polecisz?": ["nie", "tak"]}


def synthetic(seed: int) -> tuple[list[SurveyCount], dict[str, list[str]]]:
    """Actions in 1-3 of 5 districts; per action, district and wave a number of respondents
    who each answer every question (so the respondents of a table are equal in every
    question)."""
    rng = np.random.default_rng(seed)
    districts = [f"d{i}" for i in range(5)]
    links = {
        f"a{i}": sorted(rng.choice(districts, size=int(rng.integers(1, 4)), replace=False))
        for i in range(7)
    }
    counts = []
    for action, where in links.items():
        for district in where:
            for wave in WAVES:
                people = int(rng.integers(0, 25))
                for question, answers in QUESTIONS.items():
                    split = rng.multinomial(people, rng.dirichlet(np.ones(len(answers))))
                    counts += [
                        SurveyCount(action, str(district), wave, question, a, int(n))
                        for a, n in zip(answers, split, strict=True)
                        if n > 0
                    ]
    return counts, {a: [str(d) for d in ds] for a, ds in links.items()}


Key = tuple[str, str, str, str, str]  # scope, code, question, wave, answer ("" = total)


def shown_values(frame: pd.DataFrame) -> dict[Key, int | None]:
    """What the download shows: None where it says hidden."""
    shown: dict[Key, int | None] = {}
    for row in frame.itertuples(index=False):
        if row.row == "mean":
            continue
        answer = row.answer if row.row == "answer" else ""
        for wave in WAVES:
            cell = getattr(row, wave)
            shown[(row.scope, row.code, row.question, wave, answer)] = (
                None if cell == HIDDEN else int(cell)
            )
    return shown


def truth(counts: list[SurveyCount]) -> dict[Key, int]:
    values: dict[Key, int] = defaultdict(int)
    for c in counts:
        for scope, code in (("all", ""), ("action", c.action), ("district", c.district)):
            values[(scope, code, c.question, c.wave, c.answer)] += c.count
            values[(scope, code, c.question, c.wave, "")] += c.count
    return values


def attack_equations(
    shown: dict[Key, int | None], links: dict[str, list[str]]
) -> list[tuple[list[Hashable], list[Hashable]]]:
    """sum(left) == sum(right), built from the download's layout and the actions' districts."""
    tables: dict[tuple[str, str, str, str], list[Key]] = defaultdict(list)
    answers: dict[str, set[str]] = defaultdict(set)
    for key in shown:
        scope, code, question, wave, answer = key
        if answer:
            tables[(scope, code, question, wave)].append(key)
            answers[question].add(answer)
    equations: list[tuple[list[Hashable], list[Hashable]]] = []
    for (scope, code, question, wave), cells in tables.items():
        equations.append((list(cells), [(scope, code, question, wave, "")]))  # rows and columns
    # Across views: per action and per district add up to all actions, and so does each group
    # of actions that share districts (found from the public links).
    groups = _groups(links)
    for question, given in answers.items():
        for wave in WAVES:
            for answer in [*given, ""]:
                everything = [("all", "", question, wave, answer)]
                for scope in ("action", "district"):
                    parts = [
                        k for k in shown if k[0] == scope and k[2:] == (question, wave, answer)
                    ]
                    equations.append((parts, everything))
                for actions, districts in groups:
                    left = [("action", a, question, wave, answer) for a in actions]
                    right = [("district", d, question, wave, answer) for d in districts]
                    equations.append(
                        ([k for k in left if k in shown], [k for k in right if k in shown])
                    )
    # Between questions: the same people answered every question of one table.
    totals: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
    for key in shown:
        if key[4] == "":
            totals[(key[0], key[1], key[3])].append(key)
    for same in totals.values():
        equations += [([a], [b]) for a, b in zip(same, same[1:], strict=False)]
    return equations


def _groups(links: dict[str, list[str]]) -> list[tuple[list[str], list[str]]]:
    groups: list[tuple[set[str], set[str]]] = []
    for action, districts in links.items():
        joined = [g for g in groups if g[1] & set(districts)]
        actions, places = {action}, set(districts)
        for g in joined:
            actions |= g[0]
            places |= g[1]
            groups.remove(g)
        groups.append((actions, places))
    return [(sorted(a), sorted(d)) for a, d in groups]


def subtract(
    shown: dict[Key, int | None], equations: list[tuple[list[Hashable], list[Hashable]]]
) -> dict[Hashable, int]:
    """Solve every equation with one unknown, again and again until nothing new is found."""
    known: dict[Hashable, int] = {k: v for k, v in shown.items() if v is not None}
    found: dict[Hashable, int] = {}
    progress = True
    while progress:
        progress = False
        for left, right in equations:
            unknown = [k for k in left + right if k not in known]
            if len(unknown) != 1:
                continue
            [target] = unknown
            value = sum(known.get(k, 0) for k in right) - sum(known.get(k, 0) for k in left)
            known[target] = found[target] = value if target in left else -value
            progress = True
    return found


def solve(
    shown: dict[Key, int | None], equations: list[tuple[list[Hashable], list[Hashable]]]
) -> dict[Hashable, int]:
    """The stronger attack: every hidden count that any combination of the equations fixes
    (linear algebra: least squares, and uniqueness by the null space)."""
    hidden = [k for k, v in shown.items() if v is None]
    index = {k: i for i, k in enumerate(hidden)}
    rows, rhs = [], []
    for left, right in equations:
        row = np.zeros(len(hidden))
        constant = 0.0
        for sign, side in ((1.0, left), (-1.0, right)):
            for k in side:
                if k in index:
                    row[index[k]] += sign
                else:
                    constant += sign * (shown.get(k) or 0)  # type: ignore[arg-type]
        if row.any():
            rows.append(row)
            rhs.append(-constant)
    if not rows:
        return {}
    matrix = np.array(rows)
    solution, *_ = np.linalg.lstsq(matrix, np.array(rhs), rcond=None)
    _u, singular, vt = np.linalg.svd(matrix)
    null = vt[int((singular > 1e-9 * singular.max()).sum()) :]
    free = np.abs(null).sum(axis=0) if len(null) else np.zeros(len(hidden))
    return {k: round(float(solution[i])) for k, i in index.items() if free[i] < 1e-7}


def attack(counts: list[SurveyCount], links: dict[str, list[str]], *, secondary: bool) -> dict:
    summary = summarise(counts, min_count=5, secondary_suppression=secondary)
    shown = shown_values(summary_frame(summary))
    equations = attack_equations(shown, links)
    recovered = subtract(shown, equations)
    solved = solve(shown, equations)
    real = truth(counts)
    # Only a recovered true count is a disclosure; the attack also checks itself.
    assert all(real.get(k, 0) == v for k, v in recovered.items())  # type: ignore[call-overload]
    assert all(real.get(k, 0) == v for k, v in solved.items())  # type: ignore[call-overload]
    hidden = [k for k, v in shown.items() if v is None]
    return {"recovered": recovered, "solved": solved, "hidden": hidden}


@pytest.mark.parametrize("seed", range(12))
def test_the_differencing_attack_recovers_nothing(seed: int) -> None:
    counts, links = synthetic(seed)
    result = attack(counts, links, secondary=True)
    assert result["hidden"], "the data set must hide something for the test to mean anything"
    assert result["recovered"] == {}
    assert result["solved"] == {}


def test_without_secondary_suppression_the_attack_recovers_true_counts() -> None:
    recovered = solved = 0
    for seed in range(12):
        counts, links = synthetic(seed)
        result = attack(counts, links, secondary=False)
        recovered += len(result["recovered"])
        solved += len(result["solved"])
    assert recovered > 50  # 237 when written
    assert solved >= recovered


def test_no_shown_count_is_below_the_minimum_and_means_only_for_whole_waves() -> None:
    counts, _links = synthetic(3)
    summary = summarise(counts, min_count=5)
    for table in summary.tables:
        values = [v for line in table.lines for v in line.counts] + list(table.totals)
        assert all(v is None or v >= 5 for v in values)
        for i, mean in enumerate(table.means):
            if mean is not None:
                assert all(line.counts[i] is not None for line in table.lines)
        for line in table.lines:
            assert (line.change is None) == (None in line.counts)


def test_min_count_zero_hides_nothing_and_a_small_table_hides_everything() -> None:
    counts, _links = synthetic(1)
    assert summarise(counts, min_count=0).hidden == 0
    small = [SurveyCount("a", "d", "initial", "Q", "tak", 3)]
    table = summarise(small, min_count=5).table("action", "a", "Q")
    assert table is not None and table.lines[0].counts == (None, None)
    assert table.totals == (None, None)
