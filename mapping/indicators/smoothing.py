"""Small numbers: empirical Bayes smoothing of rates and a flag on small denominators.

A rate of a district with few residents swings by chance: in a district of 500 people one
beneficiary more moves the rate per 1,000 by 2. The global empirical Bayes estimate (Marshall
1991, "Mapping disease and mortality rates using empirical Bayes estimators") pulls each raw
rate ``r_i = e_i / b_i`` (events over population at risk) towards the mean of all districts
``m = sum(e) / sum(b)``, the more the smaller ``b_i`` is:

* the variance of the rates between districts, beyond what chance alone gives, is estimated
  as ``s2 = sum(b_i (r_i - m)^2) / sum(b) - m / mean(b)``;
* each district's weight is ``w_i = s2 / (s2 + m / b_i)`` (close to 1 for a large district,
  smaller for a small one), and the smoothed rate is ``w_i r_i + (1 - w_i) m``.

The computation is :class:`esda.smoothing.Empirical_Bayes` of pysal's ``esda`` (a maintained
implementation). When ``s2 <= 0`` (the rates vary no more than chance would make them) every
smoothed rate is the mean ``m``: the estimator's convention, which ``esda`` leaves to the
caller. Districts whose rate cannot be computed (a missing count, a denominator missing or 0)
take no part and get NaN.

A rate whose denominator is below :data:`SMALL_DENOMINATOR` (1,000 by default: below it one
person more or less moves a rate per 1,000 by more than 1) is flagged as small
(:func:`small_denominator`); the threshold is an option of every function that flags.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from mapping.errors import ValidationError

__all__ = [
    "EB_METHOD",
    "SMALL_DENOMINATOR",
    "check_small_below",
    "eb_smooth",
    "small_denominator",
]

#: A denominator below this many people flags the rate as small (one person moves a rate per
#: 1,000 by more than 1).
SMALL_DENOMINATOR = 1000
#: How the smoothed rates are made, in words (for explanations and method metadata).
EB_METHOD = (
    "global empirical Bayes (Marshall 1991): each rate shrunk towards the mean of all districts, "
    "the more the smaller its denominator (esda.smoothing.Empirical_Bayes)"
)


def check_small_below(small_below: float) -> float:
    """``small_below`` if it is a number >= 0, else :class:`ValidationError` saying the fix."""
    if isinstance(small_below, bool) or not isinstance(small_below, int | float):
        raise ValidationError(
            f"expected the small-denominator threshold as a number >= 0, got {small_below!r}; "
            f"use {SMALL_DENOMINATOR} (people) or 0 to flag none"
        )
    if not np.isfinite(small_below) or small_below < 0:
        raise ValidationError(
            f"expected the small-denominator threshold >= 0, got {small_below!r}; "
            f"use {SMALL_DENOMINATOR} (people) or 0 to flag none"
        )
    return float(small_below)


def _empirical_bayes() -> Any:
    """esda's ``Empirical_Bayes``, imported on first use.

    Imported here, not at the top: esda loads SciPy's statistics and scikit-learn, which would
    cost every palmap command about a second at start-up (tests/app/test_cli.py). Its package
    also imports ``tqdm.auto`` (esda.topo), which in a notebook kernel without ipywidgets warns
    "IProgress not found" on stderr; palmap draws no progress bar, so that warning is dropped.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        from esda.smoothing import Empirical_Bayes

    return Empirical_Bayes


def eb_smooth(events: pd.Series, population: pd.Series) -> pd.Series:
    """Global empirical Bayes estimates of the rates ``events / population`` (not per 1,000).

    Parameters
    ----------
    events
        Counts per district (index: district codes).
    population
        Population at risk per district (the rate's denominator), aligned on the same index.

    Returns
    -------
    pandas.Series
        The smoothed rates (a share, multiply by 1,000 for per 1,000), indexed like
        ``events``; NaN where the count is missing or the population is missing or <= 0.

    Examples
    --------
    Three districts, rates 0.1, 0.2 and 0.3; the mean is 60 / 300 = 0.2; the excess variance
    ``s2 = (100 * 0.01 + 0 + 100 * 0.01) / 300 - 0.2 / 100 = 0.004667``, each weight
    ``s2 / (s2 + 0.2 / 100) = 0.7``: 0.1 becomes 0.7 * 0.1 + 0.3 * 0.2 = 0.13.

    >>> import pandas as pd
    >>> e = pd.Series([10, 20, 30], index=["a", "b", "c"])
    >>> b = pd.Series([100, 100, 100], index=["a", "b", "c"])
    >>> eb_smooth(e, b).round(6).to_dict()
    {'a': 0.13, 'b': 0.2, 'c': 0.27}
    """
    population = population.reindex(events.index)
    usable = events.notna() & population.notna() & (population > 0)
    result = pd.Series(np.nan, index=events.index, dtype="float64", name=events.name)
    if not usable.any():
        return result
    e = events[usable].to_numpy(dtype="float64")
    b = population[usable].to_numpy(dtype="float64")
    mean = e.sum() / b.sum()
    excess = (b * (e / b - mean) ** 2).sum() / b.sum() - mean / b.mean()
    if excess <= 0:
        smoothed = np.full(len(e), mean)
    else:
        smoothed = _empirical_bayes()(e, b).r.ravel()
    result[usable] = smoothed
    return result


def small_denominator(
    population: pd.Series, *, small_below: float = SMALL_DENOMINATOR
) -> pd.Series:
    """True where the denominator is below ``small_below`` (a missing one is not flagged).

    Examples
    --------
    >>> import pandas as pd
    >>> small_denominator(pd.Series([513, 636, 1000, None], index=list("abcd"))).to_dict()
    {'a': True, 'b': True, 'c': False, 'd': False}
    """
    threshold = check_small_below(small_below)
    return (population.notna() & (population < threshold)).astype(bool)
