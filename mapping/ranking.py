"""Needs against supply: gaps, and the ranking of target areas with its sensitivity to weights.

Gaps (:func:`gaps`)
    ``need_rank`` 1 is the highest needs index; ``access_rank`` 1 is the best access (the highest
    score, or the shortest distance when ``higher_is_better=False``). ``gap = access_rank -
    need_rank``: large and positive where need is high and access is poor. Quadrants split each
    measure at its median: a district is ``high_need`` when its needs index is strictly above
    the median and ``high_access`` when its access is strictly better than the median; a district
    exactly at a median (the middle one of an odd number, or ties) counts as low. Ties in
    either rank are ordered by district code.

Target areas (:func:`rank_target_areas`)
    The score is the needs index of :func:`mapping.indicators.needs_index` by domains
    (:mod:`mapping.indicators.domains`: indicators combined within their domain, the domain
    score transformed - z-score, or the IMD exponential transform -, the domains weighted),
    with lack of access and lack of supply as two more domains, normalised by the same method
    with "higher is better". The domain weights (by default the mean weight of each domain's
    indicators), ``access_weight`` and ``supply_weight`` are on one scale and are normalised
    together to sum to 1. Rank 1 is the highest priority; equal scores (within 1e-10) are
    ordered by district code, so the ranking is deterministic.

    The access and supply terms are one-sided: a value above the city median counts as the
    median. Surplus in the best-served district no longer outweighs absence elsewhere (on the
    demo, 2021, day rooms, the uncapped z-score gave the best-served district -2.04 and the
    districts without access +0.78).

    Sensitivity: the runs perturb the weights (every indicator and domain weight times its own
    factor from U(``factor_range``)), the normalisation (z-scores, min-max scores, IMD scores)
    and leave each indicator out in turn; see :func:`rank_target_areas`. ``rank_low`` and
    ``rank_high`` hold 90% of a district's ranks; ``top_share`` is the share of runs in which
    it is in the top N; ``stability`` is ``robust`` when that share is at least 90% or at most
    10%. ``rank_low <= rank_high`` always holds, but the rank of the unperturbed settings need
    not lie between them.

    Method versions: a saved ranking of before this method (no ``method_version``) is drawn
    again with version 1 (weights perturbed only, uncapped terms, robust = a rank interval at
    most 2 places wide), so that its justification sheet stays the same.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from mapping.errors import MappingError, ValidationError
from mapping.indicators import IndicatorRegistry, NeedsIndex, needs_index, rank_descending
from mapping.sensitivity import (
    DEFAULT_RUNS,
    DEFAULT_TOP,
    METHOD_VERSION,
    METHOD_VERSIONS,
    PERTURBATIONS,
    ROBUST_SHARE,
    RankSettings,
    check_weight,
    domain_ranking,
    legacy_ranking,
    ranking_description,
)

__all__ = [
    "DEFAULT_RUNS",
    "DEFAULT_TOP",
    "METHOD_VERSION",
    "PERTURBATIONS",
    "QUADRANTS",
    "ROBUST_SHARE",
    "gaps",
    "index_description",
    "rank_target_areas",
    "ranking_description",
]

#: The four quadrant labels of :func:`gaps`.
QUADRANTS: tuple[str, ...] = (
    "high_need_low_access",
    "high_need_high_access",
    "low_need_low_access",
    "low_need_high_access",
)


def _series_by_district(frame: pd.DataFrame, column: str, *, name: str) -> pd.Series:
    for col in ("district_code", column):
        if col not in frame.columns:
            raise MappingError(
                f"expected {name} with columns district_code, {column}; missing {col}"
            )
    codes = frame["district_code"].astype(str)
    if codes.duplicated().any():
        raise ValidationError(
            f"expected one row per district in {name}, got repeats of "
            f"{', '.join(sorted(set(codes[codes.duplicated()])))}; keep one row per district"
        )
    try:
        numbers = pd.to_numeric(frame[column], errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"expected numbers in {name}.{column}; fix the values") from exc
    return pd.Series(numbers.to_numpy(), index=codes.to_numpy(), name=column)


def gaps(
    needs: pd.DataFrame,
    access: pd.DataFrame,
    *,
    access_col: str,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """Needs rank against access rank per district, with quadrant labels.

    Parameters
    ----------
    needs
        ``district_code`` and ``needs_index`` (for example ``NeedsIndex.scores``).
    access
        ``district_code`` and ``access_col`` (for example the output of
        :func:`mapping.analysis.access_table` or :func:`mapping.population.demand_access`).
    access_col
        The access measure to compare.
    higher_is_better
        ``True`` for scores (``2sfca``, ``coverage``), ``False`` for distances (``nearest_m``).

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``needs_index``, ``access_col``, ``need_rank``, ``access_rank``,
        ``gap``, ``quadrant`` (one of :data:`QUADRANTS`), sorted by gap (largest first), then
        need rank.

    Raises
    ------
    ValidationError
        If the two frames do not cover the same districts or a value is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> needs = pd.DataFrame({"district_code": ["a", "b", "c", "d"],
    ...                       "needs_index": [2.0, 1.0, -1.0, -2.0]})
    >>> acc = pd.DataFrame({"district_code": ["a", "b", "c", "d"],
    ...                     "e2sfca": [0.2, 1.5, 0.5, 1.8]})
    >>> gaps(needs, acc, access_col="e2sfca")[["district_code", "gap", "quadrant"]].to_dict(
    ...     "records")  # doctest: +NORMALIZE_WHITESPACE
    [{'district_code': 'a', 'gap': 3, 'quadrant': 'high_need_low_access'},
     {'district_code': 'b', 'gap': 0, 'quadrant': 'high_need_high_access'},
     {'district_code': 'c', 'gap': 0, 'quadrant': 'low_need_low_access'},
     {'district_code': 'd', 'gap': -3, 'quadrant': 'low_need_high_access'}]
    """
    need = _series_by_district(needs, "needs_index", name="needs")
    acc = _series_by_district(access, access_col, name="access")
    only_need = sorted(set(need.index) - set(acc.index))
    only_access = sorted(set(acc.index) - set(need.index))
    if only_need or only_access:
        raise ValidationError(
            "expected needs and access for the same districts, got needs only for "
            f"{', '.join(only_need) or '(none)'} and access only for "
            f"{', '.join(only_access) or '(none)'}; compute both on the same districts"
        )
    codes = np.array(sorted(need.index))
    need = need.reindex(codes)
    acc = acc.reindex(codes)
    holes = sorted(set(codes[need.isna().to_numpy()]) | set(codes[acc.isna().to_numpy()]))
    if holes:
        raise ValidationError(
            f"expected a needs index and {access_col} for every district, got none for "
            f"{', '.join(holes)}; fill the missing values (NaN access means no resource or no "
            "demand) or leave those districts out"
        )
    goodness = acc.to_numpy() if higher_is_better else -acc.to_numpy()
    need_rank = rank_descending(need.to_numpy(), codes)
    access_rank = rank_descending(goodness, codes)
    high_need = need.to_numpy() > np.median(need.to_numpy())
    high_access = goodness > np.median(goodness)
    quadrant = np.where(
        high_need,
        np.where(high_access, "high_need_high_access", "high_need_low_access"),
        np.where(high_access, "low_need_high_access", "low_need_low_access"),
    )
    result = pd.DataFrame(
        {
            "district_code": codes,
            "needs_index": need.to_numpy(),
            access_col: acc.to_numpy(),
            "need_rank": need_rank,
            "access_rank": access_rank,
            "gap": access_rank - need_rank,
            "quadrant": quadrant.astype(object),
        }
    )
    return result.sort_values(
        ["gap", "need_rank"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def _check_options(
    runs: object,
    factor_range: tuple[float, float],
    robust_width: float,
    top: object,
    perturb: Collection[str],
    method_version: object,
) -> tuple[float, float]:
    if method_version not in METHOD_VERSIONS or isinstance(method_version, bool):
        raise ValidationError(
            f"expected method_version 1 or 2, got {method_version!r}; 2 is the current method"
        )
    if isinstance(runs, bool) or not isinstance(runs, int | np.integer) or runs < 1:
        raise ValidationError(f"expected runs as a whole number >= 1, got {runs!r}; e.g. 1000")
    try:
        low, high = (float(f) for f in factor_range)
    except (TypeError, ValueError):
        low, high = math.nan, math.nan
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= high):
        raise ValidationError(
            f"expected factor_range (low, high) with 0 < low <= high, got {factor_range!r}; "
            "for example (0.5, 1.5)"
        )
    if not (isinstance(robust_width, int | float) and robust_width >= 0):
        raise ValidationError(f"expected robust_width >= 0, got {robust_width!r}; e.g. 2")
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
        raise ValidationError(f"expected top as a whole number >= 1, got {top!r}; e.g. 5")
    unknown = sorted(set(perturb) - set(PERTURBATIONS))
    if unknown:
        raise ValidationError(
            f"expected perturbations among {', '.join(PERTURBATIONS)}, got {', '.join(unknown)}"
        )
    return low, high


def rank_target_areas(
    values: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    year: int,
    weights: Mapping[str, float],
    method: Literal["zscore", "imd"] = "zscore",
    access: pd.Series | None = None,
    access_weight: float = 0.0,
    supply: pd.Series | None = None,
    supply_weight: float = 0.0,
    runs: int | None = None,
    seed: int = 0,
    factor_range: tuple[float, float] = (0.5, 1.5),
    robust_width: float = 2,
    use_rates: bool = True,
    top: int = DEFAULT_TOP,
    domain_weights: Mapping[str, float] | None = None,
    perturb: Collection[str] = PERTURBATIONS,
    method_version: int = METHOD_VERSION,
) -> pd.DataFrame:
    """Rank districts as target areas, with the stability of each rank.

    Parameters
    ----------
    values
        The long ``indicator_values`` frame.
    registry
        The indicators (their domains group them, :mod:`mapping.indicators.domains`).
    year
        The year of the values.
    weights
        Indicator code to weight (>= 0); within a domain, the indicators' relative weights.
    method
        ``zscore`` or ``imd``, as in :func:`mapping.indicators.needs_index`; also used to
        normalise the access and supply terms.
    access
        Access per district (higher = better, for example the ``e2sfca`` column of
        :func:`mapping.analysis.access_table`), indexed by district code. Poor access raises
        the score; (version 2) access above the city median counts as the median.
    access_weight
        Weight of the access term, on the scale of the domain weights.
    supply
        Supply per district (higher = more, for example ``per_1000`` of one category from
        :func:`mapping.supply.supply_per_district`), indexed by district code. Little supply
        raises the score; (version 2) capped at the median like access.
    supply_weight
        Weight of the supply term, on the scale of the domain weights.
    runs
        Number of sensitivity runs (>= 1); ``None``: :data:`DEFAULT_RUNS` of the version.
    seed
        Seed of the draws; the same seed gives the same output.
    factor_range
        ``(low, high)``, 0 < low <= high: each weight is multiplied by a factor from U(low, high).
    robust_width
        (version 1) ``stability`` is ``robust`` when ``rank_high - rank_low <= robust_width``.
    use_rates
        Use rates per 1,000 of each indicator's denominator rather than raw values.
    top
        (version 2) The N of the top-N share.
    domain_weights
        Domain code to weight; ``None`` (or a domain left out): the mean of the positive weights
        of the domain's indicators.
    perturb
        (version 2) What the runs perturb: ``weights``, ``method`` (z-scores, min-max scores and
        IMD exponential scores, a third of the runs each), ``leave_one_out`` (each weighted
        indicator left out in turn, when there are two or more).
    method_version
        :data:`METHOD_VERSION` (2) or 1, the method of rankings saved before version 2.

    Returns
    -------
    pandas.DataFrame
        One row per district, by rank: ``district_code``, ``score`` (larger = more need),
        ``rank`` (1 = highest priority), ``rank_low``, ``rank_high``, (version 2)
        ``top_share``, ``stability``, then the normalised inputs: one column per indicator
        code, and ``access`` / ``supply`` when given.

    Raises
    ------
    NotFoundError
        If an indicator is unknown or has no values in ``year``.
    ValidationError
        If a weight or option is out of range, or a district lacks a value.

    Notes
    -----
    Version 2 runs every combination of the normalisation methods and the left-out indicator
    (none, or each in turn) as a *scenario*, each with ``ceil(runs / scenarios)`` draws of weight
    factors (every indicator weight and every domain weight times its own factor). ``rank_low``
    and ``rank_high`` are the 5th and 95th percentiles of a district's ranks over all the runs
    (inverted-CDF definition, so they are ranks that occurred); ``top_share`` is the share of
    the runs in which the district is in the top ``top``; ``stability`` is ``robust`` when
    ``top_share >= ROBUST_SHARE`` (a target in nearly every run) or ``<= 1 - ROBUST_SHARE``
    (nearly never one), else ``fragile``. With 12,000 runs the standard error of a share is at
    most 0.5 percentage points.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["poverty", "crime"], "name_pl": ["Ubóstwo", "Przestępczość"],
    ...     "name_en": ["Poverty", "Crime"], "unit": ["%", "per 1000"],
    ...     "higher_is_more_need": [True, True], "denominator": [None, None]}))
    >>> v = pd.DataFrame({"district_code": ["a", "b", "c"] * 2,
    ...                   "indicator": ["poverty"] * 3 + ["crime"] * 3, "year": 2023,
    ...                   "value": [10, 20, 30, 5, 5, 20]})
    >>> out = rank_target_areas(v, reg, year=2023, weights={"poverty": 1, "crime": 1}, top=1)
    >>> out[["district_code", "rank", "rank_low", "rank_high", "top_share", "stability"]].to_dict(
    ...     "records")  # doctest: +NORMALIZE_WHITESPACE
    [{'district_code': 'c', 'rank': 1, 'rank_low': 1, 'rank_high': 1, 'top_share': 1.0,
      'stability': 'robust'},
     {'district_code': 'b', 'rank': 2, 'rank_low': 2, 'rank_high': 3, 'top_share': 0.0,
      'stability': 'robust'},
     {'district_code': 'a', 'rank': 3, 'rank_low': 2, 'rank_high': 3, 'top_share': 0.0,
      'stability': 'robust'}]
    """
    if runs is None and method_version in DEFAULT_RUNS:
        runs = DEFAULT_RUNS[method_version]
    access_weight = check_weight(access_weight, name="access_weight")
    supply_weight = check_weight(supply_weight, name="supply_weight")
    low, high = _check_options(runs, factor_range, robust_width, top, perturb, method_version)
    for term in ("access", "supply"):
        if term in weights:
            raise ValidationError(
                f"expected indicator codes in weights, got {term!r}, which names the {term} "
                f"term; use {term}_weight"
            )
    index = needs_index(
        values,
        registry,
        year=year,
        weights=weights,
        method=method,
        use_rates=use_rates,
        domain_weights=domain_weights,
    )
    terms = {
        "access": (access, access_weight),
        "supply": (supply, supply_weight),
    }
    for term, (series, weight) in terms.items():
        if series is None and weight > 0:
            raise ValidationError(
                f"expected {term} values when {term}_weight > 0, got none; pass {term}=..."
            )
    settings = RankSettings(
        method=method,
        runs=int(cast(int, runs)),
        seed=seed,
        low=low,
        high=high,
        robust_width=float(robust_width),
        top=int(top),
        perturb=tuple(perturb),
    )
    if method_version == 1:
        return legacy_ranking(index, weights, terms, settings)
    return domain_ranking(index, weights, terms, settings, domain_weights)


def index_description(
    index: NeedsIndex,
    *,
    top: int | None = None,
    runs: int | None = None,
    method_version: int | None = None,
    access_weight: float = 0.0,
    supply_weight: float = 0.0,
) -> dict[str, Any]:
    """How a needs index (and, given ``method_version``, a ranking) was made, as a
    JSON-serialisable dict for output metadata: method, domains with their weights and
    indicators, the indicators' weights within their domain, and the sensitivity settings.

    >>> import pandas as pd
    >>> reg = IndicatorRegistry(pd.DataFrame({
    ...     "code": ["a", "b"], "name_pl": ["a", "b"], "name_en": ["a", "b"], "unit": ["", ""],
    ...     "higher_is_more_need": [True, True], "denominator": [None, None],
    ...     "domain": ["income", "income"]}))
    >>> v = pd.DataFrame({"district_code": ["x", "y"] * 2, "indicator": ["a", "a", "b", "b"],
    ...                   "year": 2023, "value": [1, 2, 3, 5]})
    >>> d = index_description(needs_index(v, reg, year=2023, weights={"a": 1, "b": 1}))
    >>> d["domains"]
    {'income': {'weight': 1.0, 'indicators': {'a': 0.5, 'b': 0.5}}}
    """
    domains: dict[str, dict[str, Any]] = {}
    for domain, weight in index.domain_weights.items():
        members = {c: float(w) for c, w in index.weights.items() if index.domains[c] == domain}
        total = math.fsum(members.values())
        domains[domain] = {
            "weight": float(weight),
            "indicators": {c: (w / total if total else 0.0) for c, w in members.items()},
        }
    out: dict[str, Any] = {
        "method": index.method,
        "year": int(index.year),
        "domains": domains,
        "domain_transform": (
            "IMD exponential transform of the ranked domain score"
            if index.method == "imd"
            else "z-score of the domain score"
        ),
        "inputs": "rates per 1,000 of each denominator" if index.use_rates else "values",
    }
    if method_version is not None:
        out["terms"] = {
            "access_weight": float(access_weight),
            "supply_weight": float(supply_weight),
        }
        out["sensitivity"] = ranking_description(
            method=index.method,
            top=DEFAULT_TOP if top is None else top,
            runs=runs,
            method_version=method_version,
        )
    return out
