"""Small-count suppression of counts shown with their totals: primary and secondary.

A table of counts with its margins (totals) is a set of equations: each total is the sum of
its cells. Hiding a small count (:func:`primary`, fewer than ``min_count``) is not enough when
the rest of an equation is shown: the hidden count is the total minus the other cells. That
is the *differencing attack*, and it also works across tables that share totals (the survey
results per action and per district add up to the same totals over all actions).

:func:`secondary` closes it: in every equation (a row or column of a table with its margin,
or two views adding up to the same total) with exactly one hidden member, it hides a second
one, the smallest other non-zero cell (a margin only when no cell is left), and repeats until
no equation has exactly one hidden member. An equation with no hidden member, or with two or
more, cannot be solved for a single hidden member by subtraction.

Members are any hashable keys; the values are the true counts. Nothing here knows what the
counts are counts of (:mod:`mapping.surveys` builds the survey tables and their equations).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from mapping.errors import ValidationError

__all__ = ["Equation", "check_min_count", "determined", "primary", "recoverable", "secondary"]


@dataclass(frozen=True)
class Equation:
    """``sum(left) == sum(right)``: a total (right) and its parts (left), or two sets of parts
    that add up to the same total."""

    left: tuple[Hashable, ...]
    right: tuple[Hashable, ...] = ()

    @property
    def members(self) -> tuple[Hashable, ...]:
        """Every key in the equation."""
        return self.left + self.right


def check_min_count(min_count: object) -> int:
    """``min_count`` as an int, or a :class:`~mapping.errors.ValidationError`.

    >>> check_min_count(5)
    5
    >>> check_min_count(-1)
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: expected min_count as a whole number >= 0, got -1; use 5, or 0 to turn suppression off
    """  # noqa: E501
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 0:
        raise ValidationError(
            f"expected min_count as a whole number >= 0, got {min_count!r}; use 5, or 0 to "
            "turn suppression off"
        )
    return min_count


def primary(values: Mapping[Hashable, int], min_count: int) -> set[Hashable]:
    """The keys whose count is below ``min_count`` (0 included; none when ``min_count`` is 0).

    >>> sorted(primary({"a": 3, "b": 0, "c": 7}, 5))
    ['a', 'b']
    >>> primary({"a": 3}, 0)
    set()
    """
    if check_min_count(min_count) == 0:
        return set()
    return {key for key, value in values.items() if value < min_count}


def secondary(
    values: Mapping[Hashable, int],
    equations: Iterable[Equation],
    hidden: Collection[Hashable],
    *,
    margins: Collection[Hashable] = (),
) -> set[Hashable]:
    """``hidden`` grown until no equation has exactly one hidden member, and no hidden member
    is fixed by the equations together (:func:`determined`).

    In an equation with one hidden member, the member hidden next is the smallest non-zero
    cell shown (ties: the first by key text), else the smallest margin shown, else any member
    shown. A hidden member that several equations fix together (subtraction across two tables
    and a third) gets the same treatment in one of its equations. Hidden members stay hidden,
    so the loop ends.

    Examples
    --------
    A row 3 + 9 + 12 = 24: the 3 alone hidden is 24 - 9 - 12, so 9 goes too.

    >>> values = {"a": 3, "b": 9, "c": 12, "total": 24}
    >>> sorted(secondary(values, [Equation(("a", "b", "c"), ("total",))], {"a"},
    ...                  margins={"total"}))
    ['a', 'b']
    """
    chosen = set(hidden)
    margin_set = set(margins)
    listed = list(equations)
    while True:
        _single_unknowns(values, listed, chosen, margin_set)
        fixed = determined(listed, chosen)
        if not fixed:
            return chosen
        shown = [m for e in listed if fixed[0] in e.members for m in e.members if m not in chosen]
        if not shown:
            return chosen  # every equation of it is hidden whole: nothing left to hide
        chosen.add(min(shown, key=lambda m: _preference(m, values, margin_set)))


def _single_unknowns(
    values: Mapping[Hashable, int],
    equations: list[Equation],
    chosen: set[Hashable],
    margins: set[Hashable],
) -> None:
    changed = True
    while changed:
        changed = False
        for equation in equations:
            members = equation.members
            if sum(1 for m in members if m in chosen) != 1:
                continue
            shown = [m for m in members if m not in chosen]
            if not shown:
                continue
            chosen.add(min(shown, key=lambda m: _preference(m, values, margins)))
            changed = True


def determined(equations: Iterable[Equation], hidden: Collection[Hashable]) -> list[Hashable]:
    """The hidden members whose value the equations and the shown members fix, by any linear
    combination of the equations (stronger than subtraction one equation at a time).

    A hidden member is fixed when its unit vector lies in the row space of the equations'
    coefficients on the hidden members.

    >>> eqs = [Equation(("a", "b"), ("t",)), Equation(("b",), ("u",))]
    >>> determined(eqs, {"a", "b"})
    ['a', 'b']
    >>> determined(eqs[:1], {"a", "b"})
    []
    """
    order = sorted(hidden, key=str)
    index = {key: i for i, key in enumerate(order)}
    rows = []
    for equation in equations:
        row = np.zeros(len(order))
        for member in equation.left:
            if member in index:
                row[index[member]] += 1.0
        for member in equation.right:
            if member in index:
                row[index[member]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return []
    _u, singular, basis = np.linalg.svd(np.array(rows), full_matrices=False)
    basis = basis[singular > 1e-9 * singular.max()]
    # |projection of e_i onto the row space|^2 is the squared norm of column i of the basis.
    reach = (basis**2).sum(axis=0)
    return [key for key, r in zip(order, reach, strict=True) if r > 1 - 1e-9]


def _preference(
    key: Hashable, values: Mapping[Hashable, int], margins: set[Hashable]
) -> tuple[int, int, str]:
    value = values[key]
    rank = 0 if key not in margins and value > 0 else (1 if key in margins else 2)
    return rank, value, str(key)


def recoverable(
    shown: Mapping[Hashable, int | None], equations: Iterable[Equation]
) -> dict[Hashable, int]:
    """The differencing attack: the hidden members (value None) that subtraction recovers.

    Solves every equation with exactly one unknown member, adds what it found to the known
    values and goes on until nothing new is found. Members missing from ``shown`` count as
    unknown.

    >>> shown = {"a": None, "b": 9, "c": 12, "total": 24}
    >>> recoverable(shown, [Equation(("a", "b", "c"), ("total",))])
    {'a': 3}
    >>> recoverable({**shown, "b": None}, [Equation(("a", "b", "c"), ("total",))])
    {}
    """
    known = {k: v for k, v in shown.items() if v is not None}
    found: dict[Hashable, int] = {}
    listed = list(equations)
    progress = True
    while progress:
        progress = False
        for equation in listed:
            unknown = [m for m in equation.members if m not in known]
            if len(unknown) != 1:
                continue
            target = unknown[0]
            left = sum(known[m] for m in equation.left if m in known)
            right = sum(known[m] for m in equation.right if m in known)
            value = right - left if target in equation.left else left - right
            known[target] = found[target] = value
            progress = True
    return found
