"""Indicator registry, rates, normalisation, needs index and change, checked by hand."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mapping.errors import MappingError, NotFoundError, ValidationError
from mapping.indicators import (
    IndicatorRegistry,
    NeedsIndex,
    change_between_years,
    exponential_transform,
    needs_index,
    normalise,
    normalise_weights,
    rank_descending,
    rates,
    values_for_year,
)

IMD_C = 1 - math.exp(-100 / 23)


def imd(r: float) -> float:
    return -23 * math.log(1 - r * IMD_C)


def make_registry() -> IndicatorRegistry:
    return IndicatorRegistry(
        pd.DataFrame(
            {
                "code": ["residents", "unemployed", "income", "crime"],
                "name_pl": ["Mieszkańcy", "Bezrobotni", "Dochód", "Przestępstwa"],
                "name_en": ["Residents", "Unemployed", "Income", "Crimes"],
                "unit": ["persons", "persons", "PLN", "cases"],
                "higher_is_more_need": [False, True, False, True],
                "denominator": ["", "residents", None, "residents"],
                "description": ["", "", "", ""],
                "source": ["GUS", "PUP Wałbrzych", "MOPS", "Police"],
            }
        )
    )


def make_values() -> pd.DataFrame:
    """Districts a, b, c in 2022 and 2023."""
    rows = []
    data = {
        2022: {
            "residents": {"a": 1000, "b": 2000, "c": 4000},
            "unemployed": {"a": 50, "b": 60, "c": 40},
            "income": {"a": 3000, "b": 2500, "c": 4000},
            "crime": {"a": 10, "b": 40, "c": 20},
        },
        2023: {
            "residents": {"a": 1000, "b": 2000, "c": 4000},
            "unemployed": {"a": 40, "b": 60, "c": 80},
            "income": {"a": 3000, "b": 2600, "c": 3900},
        },
    }
    for year, indicators in data.items():
        for indicator, by_district in indicators.items():
            for district, value in by_district.items():
                rows.append((district, indicator, year, float(value)))
    return pd.DataFrame(rows, columns=["district_code", "indicator", "year", "value"])


# --- registry ---------------------------------------------------------------------------------


def test_registry_lookup_labels_direction_denominator():
    reg = make_registry()
    item = reg["unemployed"]
    assert item.label("pl") == "Bezrobotni"
    assert reg.label("unemployed", lang="en") == "Unemployed"
    assert item.unit == "persons"
    assert item.direction == 1
    assert reg["income"].direction == -1
    assert item.denominator == "residents"
    assert reg["residents"].denominator is None  # "" means none
    assert reg["income"].denominator is None  # None means none
    assert reg.codes == ("residents", "unemployed", "income", "crime")
    assert "crime" in reg and "poverty" not in reg
    assert len(reg) == 4
    assert [i.code for i in reg] == list(reg.codes)


def test_registry_unknown_code_lists_known_codes():
    with pytest.raises(NotFoundError) as info:
        make_registry()["poverty"]
    message = str(info.value)
    assert "'poverty'" in message
    assert "crime, income, residents, unemployed" in message
    assert info.value.status_code == 404


def test_registry_refuses_duplicate_codes_and_unknown_denominators():
    frame = make_registry_frame()
    with pytest.raises(ValidationError, match="unique indicator codes"):
        IndicatorRegistry(pd.concat([frame, frame.iloc[[0]]]))
    bad = frame.copy()
    bad.loc[1, "denominator"] = "population"
    with pytest.raises(ValidationError, match="got 'population'"):
        IndicatorRegistry(bad)
    self_ref = frame.copy()
    self_ref.loc[1, "denominator"] = "unemployed"
    with pytest.raises(ValidationError, match="another known indicator"):
        IndicatorRegistry(self_ref)


def test_registry_missing_column_and_bad_direction():
    frame = make_registry_frame()
    with pytest.raises(MappingError, match="missing unit"):
        IndicatorRegistry(frame.drop(columns="unit"))
    bad = frame.copy().astype({"higher_is_more_need": object})
    bad.loc[0, "higher_is_more_need"] = "maybe"
    with pytest.raises(ValidationError, match="'maybe'"):
        IndicatorRegistry(bad)


def test_registry_accepts_textual_booleans():
    frame = make_registry_frame().astype({"higher_is_more_need": object})
    frame["higher_is_more_need"] = ["nie", "tak", "false", "1"]
    reg = IndicatorRegistry(frame)
    assert [i.higher_is_more_need for i in reg] == [False, True, False, True]


def make_registry_frame() -> pd.DataFrame:
    reg = make_registry()
    return pd.DataFrame([dataclasses.asdict(i) for i in reg])


# --- values and rates --------------------------------------------------------------------------


def test_values_for_year():
    s = values_for_year(make_values(), indicator="unemployed", year=2023)
    assert s.to_dict() == {"a": 40.0, "b": 60.0, "c": 80.0}
    assert s.name == "unemployed"
    assert s.index.name == "district_code"


def test_values_for_year_not_found_lists_what_exists():
    with pytest.raises(NotFoundError, match="crime, income, residents, unemployed"):
        values_for_year(make_values(), indicator="poverty", year=2023)
    with pytest.raises(NotFoundError, match="years with values: 2022$"):
        values_for_year(make_values(), indicator="crime", year=2023)


def test_values_for_year_duplicates_refused():
    values = pd.concat([make_values(), make_values().iloc[[0]]])
    with pytest.raises(ValidationError, match="several for a"):
        values_for_year(values, indicator="residents", year=2022)


def test_rates_by_hand():
    """Unemployed per 1,000 residents in 2022: a 50/1000, b 60/2000, c 40/4000."""
    r = rates(make_values(), make_registry(), indicator="unemployed", year=2022)
    assert r.to_dict() == pytest.approx({"a": 50.0, "b": 30.0, "c": 10.0})
    r100 = rates(make_values(), make_registry(), indicator="unemployed", year=2022, per=100)
    assert r100.to_dict() == pytest.approx({"a": 5.0, "b": 3.0, "c": 1.0})


def test_rates_without_denominator_are_the_values():
    r = rates(make_values(), make_registry(), indicator="income", year=2022)
    assert r.to_dict() == {"a": 3000.0, "b": 2500.0, "c": 4000.0}


def test_rates_nan_where_denominator_missing_or_zero():
    values = make_values()
    values = values[~((values.indicator == "residents") & (values.district_code == "a"))]
    values.loc[(values.indicator == "residents") & (values.district_code == "b"), "value"] = 0
    r = rates(values, make_registry(), indicator="unemployed", year=2022)
    assert math.isnan(r["a"]) and math.isnan(r["b"])
    assert r["c"] == pytest.approx(10.0)


def test_rates_error_when_denominator_year_missing():
    values = make_values()
    values = values[~((values.indicator == "residents") & (values.year == 2023))]
    with pytest.raises(NotFoundError, match="'residents' for 2023 to compute the rate"):
        rates(values, make_registry(), indicator="unemployed", year=2023)


def test_rates_unknown_indicator():
    with pytest.raises(NotFoundError, match="known indicators"):
        rates(make_values(), make_registry(), indicator="poverty", year=2022)


# --- normalisation -----------------------------------------------------------------------------


def test_normalise_by_hand():
    s = pd.Series([2.0, 4.0, 6.0, np.nan], index=list("abcd"))
    z = normalise(s, method="zscore", higher_is_more_need=True)
    # mean 4, population std sqrt(8/3) = 1.63299
    assert z.iloc[:3].tolist() == pytest.approx([-1.224745, 0.0, 1.224745], rel=1e-5)
    assert math.isnan(z["d"])
    mm = normalise(s, method="minmax", higher_is_more_need=False)
    assert mm.iloc[:3].tolist() == [1.0, 0.5, 0.0]
    rk = normalise(s, method="rank", higher_is_more_need=True)
    assert rk.iloc[:3].tolist() == [1.0, 2.0, 3.0]
    ties = normalise(pd.Series([1.0, 1.0, 5.0]), method="rank", higher_is_more_need=True)
    assert ties.tolist() == [1.5, 1.5, 3.0]


def test_normalise_constant_series():
    s = pd.Series([3.0, 3.0, 3.0])
    assert normalise(s, method="zscore", higher_is_more_need=True).tolist() == [0.0] * 3
    assert normalise(s, method="minmax", higher_is_more_need=False).tolist() == [0.5] * 3


def test_normalise_unknown_method_and_text():
    with pytest.raises(ValidationError, match="'zscore', 'minmax' or 'rank'"):
        normalise(pd.Series([1.0, 2.0]), method="log", higher_is_more_need=True)
    with pytest.raises(ValidationError, match="expected numbers"):
        normalise(pd.Series(["x", "y"]), method="zscore", higher_is_more_need=True)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
samples = st.lists(finite, min_size=2, max_size=30)
methods = st.sampled_from(["zscore", "minmax", "rank"])


@settings(max_examples=200, deadline=None)
@given(samples, methods, st.booleans())
def test_normalise_is_monotone_in_the_direction(xs, method, higher):
    s = pd.Series(xs)
    out = normalise(s, method=method, higher_is_more_need=higher)
    order = np.argsort(xs, kind="stable")
    ordered = out.to_numpy()[order]
    steps = np.diff(ordered)
    if higher:
        assert (steps >= 0).all()
    else:
        assert (steps <= 0).all()


@settings(max_examples=200, deadline=None)
@given(samples, methods)
def test_flipping_direction_reverses_the_order(xs, method):
    up = normalise(pd.Series(xs), method=method, higher_is_more_need=True).to_numpy()
    down = normalise(pd.Series(xs), method=method, higher_is_more_need=False).to_numpy()
    for i in range(len(xs)):
        for j in range(len(xs)):
            if up[i] < up[j]:
                assert down[i] >= down[j]


@settings(max_examples=200, deadline=None)
@given(samples)
def test_minmax_stays_in_unit_interval(xs):
    for higher in (True, False):
        out = normalise(pd.Series(xs), method="minmax", higher_is_more_need=higher)
        assert ((out >= 0) & (out <= 1)).all()


@settings(max_examples=100, deadline=None)
@given(samples)
def test_zscore_mean_zero_and_unit_std(xs):
    assume(np.ptp(xs) > 1e-3)
    z = normalise(pd.Series(xs), method="zscore", higher_is_more_need=True)
    assert z.mean() == pytest.approx(0.0, abs=1e-9)
    assert z.std(ddof=0) == pytest.approx(1.0, rel=1e-9)


def test_exponential_transform_by_hand():
    """N = 3, higher is more need: ranks 1, 3, 2 -> R = 1/3, 1, 2/3."""
    out = exponential_transform(pd.Series([10.0, 30.0, 20.0]), higher_is_more_need=True)
    assert out.tolist() == pytest.approx([imd(1 / 3), 100.0, imd(2 / 3)])
    assert out.tolist() == pytest.approx([9.177425, 100.0, 24.680643], rel=1e-6)
    flipped = exponential_transform(pd.Series([10.0, 30.0, 20.0]), higher_is_more_need=False)
    assert flipped.tolist() == pytest.approx([100.0, imd(1 / 3), imd(2 / 3)])


@settings(max_examples=100, deadline=None)
@given(samples, st.booleans())
def test_exponential_transform_range(xs, higher):
    out = exponential_transform(pd.Series(xs), higher_is_more_need=higher)
    assert ((out > 0) & (out <= 100)).all()


# --- ranking helper and weights ----------------------------------------------------------------


def test_rank_descending_ties_by_code():
    ranks = rank_descending(np.array([1.0, 2.0, 1.0 + 1e-13, np.nan]), np.array(list("cbad")))
    # c and a tie within 1e-10: a (smaller code) first; NaN last.
    assert ranks.tolist() == [3, 1, 2, 4]


def test_normalise_weights():
    assert normalise_weights({"a": 1, "b": 3}) == {"a": 0.25, "b": 0.75}
    with pytest.raises(ValidationError, match="finite weight >= 0 for 'a'"):
        normalise_weights({"a": -1})
    with pytest.raises(ValidationError, match="at least one positive"):
        normalise_weights({"a": 0, "b": 0})
    with pytest.raises(ValidationError, match="non-empty mapping"):
        normalise_weights({})
    with pytest.raises(NotFoundError, match="unknown poverty"):
        normalise_weights({"poverty": 1}, known=make_registry())


# --- needs index -------------------------------------------------------------------------------


def test_needs_index_zscore_by_hand():
    """2022, rates per 1,000 residents: unemployed a 50, b 30, c 10; crime a 10, b 20, c 5.
    income (lower is more need) a 3000, b 2500, c 4000.

    z(unemployed) = (x - 30) / 16.3299 = 1.2247, 0, -1.2247
    z(crime): mean 11.6667, std 6.23610 -> -0.26726, 1.33631, -1.06904
    z(income), negated: mean 3166.67, std 623.610 -> 0.26726, 1.06904, -1.33631
    Weights 2:1:1 -> 0.5, 0.25, 0.25:
    a = 0.612372 - 0.066815 + 0.066815 = 0.612372
    b = 0 + 0.334077 + 0.267261 = 0.601338
    c = -0.612372 - 0.267261 - 0.334077 = -1.213710
    """
    ni = needs_index(
        make_values(),
        make_registry(),
        year=2022,
        weights={"unemployed": 2, "crime": 1, "income": 1},
        smoothing="none",  # the raw rates above; the smoothed default is tested on its own
    )
    assert isinstance(ni, NeedsIndex)
    assert dict(ni.weights) == {"unemployed": 0.5, "crime": 0.25, "income": 0.25}
    scores = ni.scores.set_index("district_code")
    assert scores["needs_index"].to_dict() == pytest.approx(
        {"a": 0.612372, "b": 0.601338, "c": -1.213710}, rel=1e-5
    )
    assert scores["rank"].to_dict() == {"a": 1, "b": 2, "c": 3}
    assert scores.loc["b", "income"] == pytest.approx(1.069045, rel=1e-5)
    assert list(ni.scores.columns) == [
        "district_code",
        "needs_index",
        "rank",
        "unemployed",
        "crime",
        "income",
    ]
    assert ni.scores["district_code"].tolist() == ["a", "b", "c"]  # sorted by rank


def test_needs_index_raw_values_differ_from_rates():
    """Raw unemployed counts 2022: a 50, b 60, c 40, so b has the most need."""
    ni = needs_index(
        make_values(), make_registry(), year=2022, weights={"unemployed": 1}, use_rates=False
    )
    assert ni.scores["district_code"].tolist() == ["b", "a", "c"]
    assert not ni.use_rates
    with_rates = needs_index(make_values(), make_registry(), year=2022, weights={"unemployed": 1})
    assert with_rates.scores["district_code"].tolist() == ["a", "b", "c"]


def test_needs_index_imd_by_hand():
    """IMD, 2022. unemployed rate a 50, b 30, c 10 -> ranks (1 = least) c 1, b 2, a 3.
    income (lower is more need) a 3000, b 2500, c 4000 -> ranks c 1, a 2, b 3.
    Equal weights: a = (X(1) + X(2/3)) / 2, b = (X(2/3) + X(1)) / 2, c = X(1/3).
    a and b tie; a wins on code."""
    ni = needs_index(
        make_values(),
        make_registry(),
        year=2022,
        weights={"unemployed": 1, "income": 1},
        method="imd",
    )
    scores = ni.scores.set_index("district_code")
    expected_ab = (100 + imd(2 / 3)) / 2
    assert scores["needs_index"].to_dict() == pytest.approx(
        {"a": expected_ab, "b": expected_ab, "c": imd(1 / 3)}
    )
    assert scores["rank"].to_dict() == {"a": 1, "b": 2, "c": 3}
    assert scores.loc["a", "unemployed"] == pytest.approx(100.0)
    assert ni.method == "imd"


def test_imd_does_not_let_a_good_domain_offset_a_bad_one():
    """Domains p and q with opposite orders: z-scores cancel to 0 for everybody, but under IMD
    the districts that are worst in one domain (x, z) outrank the middling one (y)."""
    reg = IndicatorRegistry(
        pd.DataFrame(
            {
                "code": ["p", "q"],
                "name_pl": ["p", "q"],
                "name_en": ["p", "q"],
                "unit": ["", ""],
                "higher_is_more_need": [True, True],
                "denominator": [None, None],
            }
        )
    )
    values = pd.DataFrame(
        {
            "district_code": ["x", "y", "z"] * 2,
            "indicator": ["p"] * 3 + ["q"] * 3,
            "year": 2023,
            "value": [3.0, 2.0, 1.0, 1.0, 2.0, 3.0],
        }
    )
    weights = {"p": 1, "q": 1}
    z = needs_index(values, reg, year=2023, weights=weights).scores.set_index("district_code")
    assert z["needs_index"].tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)
    i = needs_index(values, reg, year=2023, weights=weights, method="imd").scores
    i = i.set_index("district_code")["needs_index"]
    assert i["x"] == pytest.approx((100 + imd(1 / 3)) / 2)
    assert i["x"] == pytest.approx(i["z"])
    assert i["y"] == pytest.approx(imd(2 / 3))
    assert i["x"] > i["y"] * 2


def test_needs_index_metadata_explain_and_json():
    ni = needs_index(
        make_values(), make_registry(), year=2022, weights={"unemployed": 3, "income": 1}
    )
    assert ni.year == 2022
    assert ni.sources["unemployed"] == "PUP Wałbrzych; denominator residents: GUS"
    assert ni.sources["income"] == "MOPS"
    text = ni.explain()
    assert "z-scores" in text and "2022" in text and "unemployed 0.75" in text
    assert "sum to 1" in text
    data = ni.to_dict()
    json.dumps(data)  # serialisable
    assert data["weights"] == {"unemployed": 0.75, "income": 0.25}
    assert data["method"] == "zscore"
    assert data["scores"][0]["district_code"] == "a"
    assert data["higher_is_more_need"] == {"unemployed": True, "income": False}
    with pytest.raises(dataclasses.FrozenInstanceError):
        ni.year = 2020  # type: ignore[misc]
    with pytest.raises(TypeError):
        ni.weights["income"] = 1.0  # type: ignore[index]
    assert (
        "Index of Multiple Deprivation"
        in needs_index(
            make_values(), make_registry(), year=2022, weights={"income": 1}, method="imd"
        ).explain()
    )


def test_needs_index_errors():
    values, reg = make_values(), make_registry()
    with pytest.raises(NotFoundError, match="known indicators"):
        needs_index(values, reg, year=2022, weights={"poverty": 1})
    with pytest.raises(NotFoundError, match="years with values: 2022"):
        needs_index(values, reg, year=2023, weights={"crime": 1})
    with pytest.raises(ValidationError, match="'zscore' or 'imd'"):
        needs_index(values, reg, year=2022, weights={"crime": 1}, method="pca")
    with pytest.raises(ValidationError, match="weight >= 0"):
        needs_index(values, reg, year=2022, weights={"crime": -1})


def test_needs_index_missing_value_names_district():
    values = make_values()
    values = values[~((values.indicator == "crime") & (values.district_code == "b"))]
    with pytest.raises(ValidationError, match="crime for b"):
        needs_index(values, make_registry(), year=2022, weights={"crime": 1, "income": 1})
    # With weight 0 the gap does not matter.
    ni = needs_index(values, make_registry(), year=2022, weights={"crime": 0, "income": 1})
    assert ni.scores["district_code"].tolist() == ["b", "a", "c"]


def random_values(data: list[tuple[float, float]]) -> pd.DataFrame:
    codes = [f"d{i:02d}" for i in range(len(data))]
    rows = [(c, "p", 2023, p) for c, (p, _) in zip(codes, data, strict=True)]
    rows += [(c, "q", 2023, q) for c, (_, q) in zip(codes, data, strict=True)]
    return pd.DataFrame(rows, columns=["district_code", "indicator", "year", "value"])


def pq_registry(q_higher: bool = False) -> IndicatorRegistry:
    return IndicatorRegistry(
        pd.DataFrame(
            {
                "code": ["p", "q"],
                "name_pl": ["p", "q"],
                "name_en": ["p", "q"],
                "unit": ["", ""],
                "higher_is_more_need": [True, q_higher],
                "denominator": [None, None],
            }
        )
    )


pairs = st.lists(st.tuples(finite, finite), min_size=2, max_size=21)
index_methods = st.sampled_from(["zscore", "imd"])


@settings(max_examples=60, deadline=None)
@given(pairs, index_methods, st.floats(0.1, 10), st.floats(0.01, 100))
def test_ranking_unchanged_when_weights_scaled(data, method, wp, scale):
    values, reg = random_values(data), pq_registry()
    one = needs_index(values, reg, year=2023, weights={"p": wp, "q": 1.0}, method=method)
    two = needs_index(values, reg, year=2023, weights={"p": wp * scale, "q": scale}, method=method)
    assert one.scores["district_code"].tolist() == two.scores["district_code"].tolist()


@settings(max_examples=60, deadline=None)
@given(pairs, index_methods, st.floats(0.01, 1000))
def test_ranking_unchanged_when_an_indicator_is_scaled(data, method, factor):
    values, reg = random_values(data), pq_registry()
    assume(all(abs(p) > 1e-3 or p == 0 for p, _ in data))
    scaled = values.copy()
    scaled.loc[scaled.indicator == "p", "value"] *= factor
    weights = {"p": 1.0, "q": 2.0}
    one = needs_index(values, reg, year=2023, weights=weights, method=method)
    two = needs_index(scaled, reg, year=2023, weights=weights, method=method)
    assert one.scores["district_code"].tolist() == two.scores["district_code"].tolist()


@settings(max_examples=60, deadline=None)
@given(pairs, st.booleans())
def test_index_in_documented_range_and_rank_is_permutation(data, q_higher):
    values, reg = random_values(data), pq_registry(q_higher)
    n = len(data)
    z = needs_index(values, reg, year=2023, weights={"p": 1, "q": 3}).scores
    bound = math.sqrt(n - 1) + 1e-9
    assert (z["needs_index"].abs() <= bound).all()
    assert sorted(z["rank"]) == list(range(1, n + 1))
    i = needs_index(values, reg, year=2023, weights={"p": 1, "q": 3}, method="imd").scores
    assert ((i["needs_index"] > 0) & (i["needs_index"] <= 100 + 1e-9)).all()
    assert sorted(i["rank"]) == list(range(1, n + 1))


# --- change between years ----------------------------------------------------------------------


def test_change_between_years_rates_by_hand():
    """Unemployed per 1,000: a 50 -> 40, b 30 -> 30, c 10 -> 20.

    Issue 14 point 8 changed the statuses: a's fall (50 -> 40 of 1,000 residents, p = 0.34) and
    b's tie are within the chance variation of the counts (``no_clear_change``); c's doubling
    (40 -> 80 of 4,000, p < 0.001) is a clear worsening."""
    out = change_between_years(
        make_values(), make_registry(), indicator="unemployed", from_year=2022, to_year=2023
    )
    rows = out.set_index("district_code")
    assert rows["value_from"].tolist() == pytest.approx([50, 30, 10])
    assert rows["value_to"].tolist() == pytest.approx([40, 30, 20])
    assert rows["abs_change"].tolist() == pytest.approx([-10, 0, 10])
    assert rows["rel_change"].tolist() == pytest.approx([-0.2, 0.0, 1.0])
    assert rows["status"].tolist() == ["no_clear_change", "no_clear_change", "worsened"]
    assert list(out.columns) == [
        "district_code",
        "value_from",
        "value_to",
        "abs_change",
        "rel_change",
        "p_value",
        "status",
    ]


def test_change_respects_lower_is_more_need():
    """Income (lower is more need): a 3000 -> 3000, b 2500 -> 2600 (better), c 4000 -> 3900."""
    out = change_between_years(
        make_values(), make_registry(), indicator="income", from_year=2022, to_year=2023
    )
    assert out["status"].tolist() == ["unchanged", "improved", "worsened"]


def test_change_tolerance():
    out = change_between_years(
        make_values(),
        make_registry(),
        indicator="income",
        from_year=2022,
        to_year=2023,
        tolerance=100,
    )
    assert out["status"].tolist() == ["unchanged", "unchanged", "unchanged"]
    out = change_between_years(
        make_values(),
        make_registry(),
        indicator="income",
        from_year=2022,
        to_year=2023,
        tolerance=99.9,
    )
    assert out["status"].tolist() == ["unchanged", "improved", "worsened"]


def test_change_raw_values_and_missing_districts():
    values = make_values()
    values = values[~((values.year == 2023) & (values.district_code == "c"))]
    extra = pd.DataFrame(
        [("d", "unemployed", 2023, 5.0), ("e", "unemployed", 2022, 0.0)],
        columns=values.columns,
    )
    extra2 = pd.DataFrame([("e", "unemployed", 2023, 3.0)], columns=values.columns)
    values = pd.concat([values, extra, extra2], ignore_index=True)
    out = change_between_years(
        values,
        make_registry(),
        indicator="unemployed",
        from_year=2022,
        to_year=2023,
        use_rate=False,
    ).set_index("district_code")
    assert list(out.index) == ["a", "b", "c", "d", "e"]
    assert out.loc["a", "abs_change"] == -10
    assert out.loc["c", "status"] is None and math.isnan(out.loc["c", "abs_change"])
    assert out.loc["d", "status"] is None
    assert out.loc["e", "status"] == "worsened"
    assert math.isnan(out.loc["e", "rel_change"])  # from 0


def test_change_errors():
    values, reg = make_values(), make_registry()
    with pytest.raises(ValidationError, match="two different years"):
        change_between_years(values, reg, indicator="income", from_year=2022, to_year=2022)
    with pytest.raises(NotFoundError, match="years with values: 2022"):
        change_between_years(values, reg, indicator="crime", from_year=2022, to_year=2023)
    with pytest.raises(ValidationError, match="tolerance >= 0"):
        change_between_years(
            values, reg, indicator="income", from_year=2022, to_year=2023, tolerance=-1
        )
