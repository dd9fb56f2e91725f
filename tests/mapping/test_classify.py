"""Class breaks with mapclassify, per year and pooled across years."""

from __future__ import annotations

import math

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


def test_fisher_jenks_refuses_classes_single_precision_cannot_separate():
    """0 and 1e-300 differ in double precision but not within 1e-7 of the range 0..2."""
    values = [0.0, 1e-300, 1.0, 2.0]
    assert class_breaks(values, scheme="equal_interval", k=4)[-1] == 2.0
    with pytest.raises(ValidationError, match=r"tell apart \(3; it works in single precision"):
        class_breaks(values, scheme="fisher_jenks", k=4)
    # The two count as one value, and the break is the larger of them.
    assert class_breaks(values, scheme="fisher_jenks", k=3) == [1e-300, 1.0, 2.0]


def test_fisher_jenks_on_large_offsets():
    """Populations around 1e6 differing by units: float32 on raw values would lose them."""
    values = [1_000_000, 1_000_001, 1_000_002, 1_000_010, 1_000_011, 1_000_012]
    assert class_breaks(values, scheme="fisher_jenks", k=2) == [1_000_002.0, 1_000_012.0]


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


def distinct_for(values: list[float], scheme: str) -> int:
    """Distinct values as the scheme sees them: Fisher-Jenks merges values closer than 1e-7
    of the range (it works in single precision on values scaled to [0, 1])."""
    if scheme != "fisher_jenks":
        return len(set(values))
    span = max(values) - min(values)
    scaled = np.round((np.array(values) - min(values)) / (span or 1), 7)
    return len(set(np.float32(scaled).tolist()))


values_list = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), min_size=1, max_size=30
)


@settings(max_examples=100, deadline=None)
@given(values_list, st.sampled_from(["quantiles", "fisher_jenks", "equal_interval"]), st.data())
def test_breaks_are_increasing_and_end_at_the_maximum(values, scheme, data):
    k = data.draw(st.integers(1, distinct_for(values, scheme)))
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
    k = min(3, distinct_for([v for vs in by_year.values() for v in vs], scheme))
    breaks = pooled_breaks(
        {year: pd.Series(vs) for year, vs in by_year.items()}, scheme=scheme, k=k
    )
    lowest = min(min(vs) for vs in by_year.values())
    for vs in by_year.values():
        # Every value falls in a class: between the pooled minimum and the last break.
        assert all(lowest <= v <= breaks[-1] + 1e-9 * max(1, abs(breaks[-1])) for v in vs)
    assert breaks[-1] == pytest.approx(max(max(vs) for vs in by_year.values()), abs=1e-9)
