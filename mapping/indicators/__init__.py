"""Indicators of need: registry, rates, normalisation, a composite needs index, change over time.

The inputs are the ``indicators`` and long ``indicator_values`` frames of :mod:`mapping.frames`.
Every public name is importable from ``mapping.indicators``; each lives in one module:

:mod:`~mapping.indicators.registry`
    :class:`Indicator` and :class:`IndicatorRegistry`: what each indicator is (names, unit,
    direction, denominator, source), looked up by code.
:mod:`~mapping.indicators.values`
    :func:`values_for_year` (one indicator, one year, by district), :func:`rates` (per
    1,000 of the indicator's denominator, raw or empirical Bayes smoothed), :func:`rate_table`
    (raw and smoothed side by side, small denominators flagged) and :func:`rates_description`
    (what the rates were made of, for method metadata).
:mod:`~mapping.indicators.smoothing`
    :func:`eb_smooth` (global empirical Bayes via pysal ``esda``), :func:`small_denominator`
    and its default threshold :data:`SMALL_DENOMINATOR`.
:mod:`~mapping.indicators.normalisation`
    :func:`normalise` (``zscore``, ``minmax``, ``rank``; a larger number always means more
    need), :func:`exponential_transform` (the IMD transform, :data:`IMD_SCALE`),
    :func:`rank_descending` and :func:`normalise_weights`.
:mod:`~mapping.indicators.needs`
    :func:`needs_index` (``zscore`` or ``imd``) and :class:`NeedsIndex`, the scores with the
    method, weights, year and sources that explain them.
:mod:`~mapping.indicators.change`
    :func:`change_between_years`: absolute and relative change and whether it improved or
    worsened by the indicator's direction (:func:`change_status`).
"""

from mapping.indicators.change import change_between_years, change_status
from mapping.indicators.needs import NeedsIndex, needs_index
from mapping.indicators.normalisation import (
    IMD_SCALE,
    RANK_DECIMALS,
    exponential_transform,
    normalise,
    normalise_weights,
    rank_descending,
)
from mapping.indicators.registry import Indicator, IndicatorRegistry, denominator_cycle
from mapping.indicators.smoothing import SMALL_DENOMINATOR, eb_smooth, small_denominator
from mapping.indicators.values import (
    Smoothing,
    rate_table,
    rates,
    rates_description,
    values_for_year,
)

__all__ = [
    "IMD_SCALE",
    "RANK_DECIMALS",
    "SMALL_DENOMINATOR",
    "Smoothing",
    "Indicator",
    "IndicatorRegistry",
    "NeedsIndex",
    "change_between_years",
    "change_status",
    "denominator_cycle",
    "eb_smooth",
    "exponential_transform",
    "needs_index",
    "normalise",
    "normalise_weights",
    "rank_descending",
    "rate_table",
    "rates",
    "rates_description",
    "small_denominator",
    "values_for_year",
]
