"""Class breaks with mapclassify, per year and pooled across years."""

from __future__ import annotations

import itertools
import math
import warnings

import mapclassify
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.classify import SCHEMES, class_breaks, pooled_breaks
from mapping.errors import ValidationError


def test_equal_interval_by_hand():
    """0..10 in 4 classes of width 2.5."""
    assert class_breaks([0, 10, 3, 7], scheme="equal_interval", k=4) == [2.5, 5.0, 7.5, 10.0]


def test_quantiles_by_hand():
    """1..8: quartiles by linear interpolation at 25 %, 50 %, 75 %, 100 %."""
    assert class_breaks(pd.Series(range(1, 9)), scheme="quantiles", k=4) == [
        2.75,
        4.5,
        6.25,
        8.0,
    ]


def test_fisher_jenks_finds_the_natural_groups():
    values = [1, 2, 3, 10, 11, 12, 30, 31]
    assert class_breaks(values, scheme="fisher_jenks", k=3) == [3.0, 12.0, 31.0]


def test_user_defined_adds_the_maximum_only_when_needed():
    assert class_breaks([1, 5, 30], scheme="user_defined", bins=[10, 20]) == [10.0, 20.0, 30.0]
    assert class_breaks([1, 5, 15], scheme="user_defined", bins=[10, 20]) == [10.0, 20.0]


def test_missing_values_are_left_out():
    values = pd.Series([np.nan, 0.0, 4.0, None, 8.0])
    assert class_breaks(values, scheme="equal_interval", k=2) == [4.0, 8.0]


def test_quantiles_with_repeated_values_return_fewer_breaks_without_warning():
    """1 x 10, 2, 3 in 3 classes: the 1/3 and 2/3 quantiles are both 1, so one is dropped.
    (pytest runs with warnings as errors, so mapclassify's warning must not escape.)"""
    breaks = class_breaks([1] * 10 + [2, 3], scheme="quantiles", k=3)
    assert breaks == [1.0, 3.0]


def test_k_one_is_the_maximum():
    assert class_breaks([4, 4, 4], scheme="equal_interval", k=1) == [4.0]


@pytest.mark.parametrize("scheme", ["quantiles", "fisher_jenks", "equal_interval"])
def test_k_larger_than_distinct_values(scheme):
    with pytest.raises(ValidationError, match=r"distinct values \(2\), got k=3; use k=2"):
        class_breaks([1, 1, 2, 2], scheme=scheme, k=3)


def test_fisher_jenks_separates_what_single_precision_cannot():
    """0 and 1e-300 are different values (mapclassify's float32 routine sees two zeros)."""
    assert class_breaks([0.0, 1e-300, 1.0, 2.0], scheme="fisher_jenks", k=4) == [
        0.0,
        1e-300,
        1.0,
        2.0,
    ]


def test_fisher_jenks_on_large_offsets():
    """Populations around 1e6 differing by units: float32 sums of squares would lose them."""
    values = [1_000_000, 1_000_001, 1_000_002, 1_000_010, 1_000_011, 1_000_012]
    assert class_breaks(values, scheme="fisher_jenks", k=2) == [1_000_002.0, 1_000_012.0]


THREE_CLUSTERS = [58.6, 58.6, 58.6, 58.7, 58.7, 58.8, 58.9, 58.9, 59.1]
THREE_CLUSTERS += [181.5, 181.5, 181.6, 181.6, 181.7, 181.9, 181.9, 182.0, 182.0, 182.1]
THREE_CLUSTERS += [914.6, 914.6, 914.6, 914.8, 914.8, 914.9, 914.9, 915.0, 915.2, 915.2]


def test_fisher_jenks_three_tight_clusters():
    """Three classes are the three clusters. For four, one cluster is split in two; mapclassify
    2.10 returns the unordered [59.1, 182.1, 915.2, 915.2] here (float32)."""
    assert class_breaks(THREE_CLUSTERS, scheme="fisher_jenks", k=3) == [59.1, 182.1, 915.2]
    four = class_breaks(THREE_CLUSTERS, scheme="fisher_jenks", k=4)
    assert len(four) == 4 and four == sorted(set(four))
    best = brute_force_breaks(THREE_CLUSTERS, 4)
    assert within_ss(THREE_CLUSTERS, four) == pytest.approx(within_ss(THREE_CLUSTERS, best))
    assert four[0] == 59.1 and four[-1] == 915.2


def test_fisher_jenks_agrees_with_mapclassify_on_well_conditioned_data():
    rng = np.random.default_rng(0)
    for _ in range(10):
        values = np.round(rng.lognormal(3, 1, size=42), 1)
        with warnings.catch_warnings():
            # mapclassify says numba is missing and it will be slow; that is all.
            warnings.filterwarnings("ignore", message="Numba not installed")
            expected = mapclassify.FisherJenks(values, k=5).bins.tolist()
        assert class_breaks(values, scheme="fisher_jenks", k=5) == expected


def within_ss(values: list[float], breaks: list[float]) -> float:
    x = np.sort(np.asarray(values, dtype=float))
    total, low = 0.0, -np.inf
    for upper in breaks:
        group = x[(x > low) & (x <= upper)]
        total += float(((group - group.mean()) ** 2).sum()) if group.size else 0.0
        low = upper
    return total


def brute_force_breaks(values: list[float], k: int) -> list[float]:
    """Try every choice of k - 1 upper bounds among the distinct values; keep the best."""
    distinct = sorted(set(values))
    best, best_cost = None, np.inf
    for uppers in itertools.combinations(distinct[:-1], k - 1):
        breaks = [*uppers, distinct[-1]]
        cost = within_ss(values, breaks)
        if best is None or cost < best_cost - 1e-9 * max(1.0, best_cost):
            best, best_cost = breaks, cost
    return best


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(-50, 50).map(lambda v: v / 4), min_size=2, max_size=12),
    st.data(),
)
def test_fisher_jenks_is_optimal(values, data):
    """Same within-class sum of squares as the best of all possible breaks."""
    k = data.draw(st.integers(2, min(5, len(set(values)))) if len(set(values)) > 1 else st.just(1))
    breaks = class_breaks(values, scheme="fisher_jenks", k=k)
    if k == 1:
        assert breaks == [max(values)]
        return
    best = brute_force_breaks(values, k)
    assert within_ss(values, breaks) == pytest.approx(within_ss(values, best), abs=1e-9)


@pytest.mark.parametrize("values", [[], [np.nan, np.nan], pd.Series([], dtype=float)])
def test_empty_or_all_missing_refused(values):
    with pytest.raises(ValidationError, match="empty or all missing"):
        class_breaks(values, scheme="quantiles", k=2)


def test_other_input_errors():
    with pytest.raises(ValidationError, match="got 'natural'"):
        class_breaks([1, 2, 3], scheme="natural")
    with pytest.raises(ValidationError, match="k as a whole number"):
        class_breaks([1, 2, 3], scheme="quantiles", k=0)
    with pytest.raises(ValidationError, match="bins only with scheme 'user_defined'"):
        class_breaks([1, 2, 3], scheme="quantiles", k=2, bins=[2])
    for bins in (None, [], [3, 2], [1, math.inf], ["x"]):
        with pytest.raises(ValidationError, match="increasing finite numbers"):
            class_breaks([1, 2, 3], scheme="user_defined", bins=bins)
    with pytest.raises(ValidationError, match="infinity"):
        class_breaks([1, math.inf], scheme="quantiles", k=2)
    with pytest.raises(ValidationError, match="non-numeric"):
        class_breaks(["a", "b"], scheme="quantiles", k=2)


def test_pooled_breaks_by_hand():
    """2022: 0..4, 2023: 6..10 -> pooled 0..10, equal interval k=2: [5, 10]."""
    by_year = {
        2022: pd.Series([0.0, 2.0, 4.0]),
        2023: pd.DataFrame({"value": [6.0, 8.0, 10.0], "other": [99.0, 99.0, 99.0]}),
    }
    assert pooled_breaks(by_year, scheme="equal_interval", k=2) == [5.0, 10.0]
    assert class_breaks(by_year[2022], scheme="equal_interval", k=2) == [2.0, 4.0]


def test_pooled_breaks_column_and_empty_years():
    by_year = {2022: pd.DataFrame({"rate": [1.0, 3.0]}), 2023: pd.Series([np.nan])}
    assert pooled_breaks(by_year, scheme="equal_interval", k=2, column="rate") == [2.0, 3.0]
    with pytest.raises(ValidationError, match="column 'value' in the values of 2022"):
        pooled_breaks(by_year, scheme="equal_interval", k=2)
    with pytest.raises(ValidationError, match="none in 2022, 2023"):
        pooled_breaks({2022: [], 2023: [np.nan]}, scheme="quantiles", k=2)
    with pytest.raises(ValidationError, match="at least one year"):
        pooled_breaks({}, scheme="quantiles", k=2)


def test_schemes_listed():
    assert SCHEMES == ("quantiles", "fisher_jenks", "equal_interval", "user_defined")


values_list = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), min_size=1, max_size=30
)


@settings(max_examples=100, deadline=None)
@given(values_list, st.sampled_from(["quantiles", "fisher_jenks", "equal_interval"]), st.data())
def test_breaks_are_increasing_and_end_at_the_maximum(values, scheme, data):
    k = data.draw(st.integers(1, len(set(values))))
    breaks = class_breaks(values, scheme=scheme, k=k)
    assert len(breaks) <= k
    assert all(a < b for a, b in zip(breaks, breaks[1:], strict=False))
    assert breaks[-1] == pytest.approx(max(values), rel=1e-9, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.integers(2015, 2025), values_list, min_size=1, max_size=4),
    st.sampled_from(["quantiles", "fisher_jenks", "equal_interval"]),
)
def test_pooled_breaks_contain_every_years_values(by_year, scheme):
    k = min(3, len({v for vs in by_year.values() for v in vs}))
    breaks = pooled_breaks(
        {year: pd.Series(vs) for year, vs in by_year.items()}, scheme=scheme, k=k
    )
    lowest = min(min(vs) for vs in by_year.values())
    for vs in by_year.values():
        # Every value falls in a class: between the pooled minimum and the last break.
        assert all(lowest <= v <= breaks[-1] + 1e-9 * max(1, abs(breaks[-1])) for v in vs)
    assert breaks[-1] == pytest.approx(max(max(vs) for vs in by_year.values()), abs=1e-9)
