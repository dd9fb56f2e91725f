"""Target areas: the districts a partnership chose in a published edition, and the ranking that
justified the choice, saved whole.

The ranking is kept as the query values of its page (:func:`mapping.pages.targets.target_args`:
year, method, weights, the access and supply terms, category, top) plus the edition, the
sensitivity runs and their seed. Those are everything the justification sheet reads, and an
edition's data never changes, so ``/obszary/karta?edition=E&...`` draws the same sheet, byte for
byte, whenever it is asked for. SQL in :mod:`mapping.db.target_areas`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from mapping.errors import ValidationError, msg

__all__ = ["TargetAreaRecord", "check_districts", "ranking_json", "sheet_args"]

#: Sensitivity runs and seed of the justification sheet (mapping.pages.targets uses these).
SEED = 0


@dataclass(frozen=True)
class TargetAreaRecord:
    """A partnership's target area in one edition."""

    partnership: str
    edition: str
    districts: tuple[str, ...]
    #: The ranking's query values (str -> str), the edition, runs and seed.
    ranking: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None
    chosen_by: str = ""
    chosen_at: datetime | None = None


def ranking_json(args: Mapping[str, object], *, runs: int, seed: int = SEED) -> str:
    """The ranking saved whole, as the stored JSON (keys sorted: the same ranking, the same text).

    >>> ranking_json({"year": 2013, "method": "zscore"}, runs=1000)
    '{"method": "zscore", "runs": "1000", "seed": "0", "year": "2013"}'
    """
    values = {str(k): str(v) for k, v in args.items()}
    values.update(runs=str(int(runs)), seed=str(int(seed)))
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def sheet_args(record: TargetAreaRecord) -> dict[str, str]:
    """The query of the justification sheet that reproduces the saved ranking (the edition
    included; runs and seed are the sheet's own, kept to show what was used). A ranking saved
    before method versions (no ``mv``) is of version 1, and is drawn again with it.

    >>> record = TargetAreaRecord("p", "2013", ("a",), {"year": "2013", "runs": "1000"})
    >>> sheet_args(record)
    {'year': '2013', 'mv': '1', 'edition': '2013'}
    """
    values = {k: v for k, v in record.ranking.items() if k not in ("runs", "seed")}
    values.setdefault("mv", "1")
    return {**values, "edition": record.edition}


def check_districts(chosen: Iterable[str], known: Iterable[str]) -> tuple[str, ...]:
    """The chosen district codes, each once, in order; every one must be a district of the
    edition, and at least one must be chosen.

    >>> check_districts(["b", "a", "b"], ["a", "b", "c"])
    ('b', 'a')
    """
    known_codes = list(known)
    picked = tuple(dict.fromkeys(str(c).strip() for c in chosen if str(c).strip()))
    if not picked:
        raise ValidationError(msg("districts: choose at least one district of the edition"))
    unknown = [c for c in picked if c not in known_codes]
    if unknown:
        raise ValidationError(
            msg(
                "districts: expected districts of the edition ({known}), got {value}",
                known=", ".join(known_codes),
                value=", ".join(unknown),
            )
        )
    return picked
