"""Rates on the right denominators and small numbers (issue 14, points 3 and 4).

Hand-checkable toys for the empirical Bayes estimate, agreement with pysal ``esda`` on the demo
to 1e-9, the demo's age-group denominators, the small-denominator flag, and the needs index
that uses the smoothed rates by default and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes

from mapping.demo import DemoData, load_demo_frames
from mapping.errors import ValidationError
from mapping.indicators import (
    SMALL_DENOMINATOR,
    IndicatorRegistry,
    eb_smooth,
    needs_index,
    rate_table,
    rates,
    rates_description,
    values_for_year,
)

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
NEEDS = ("social_assistance", "long_term_unemployed", "children_assisted", "disability_support")
YEARS = (2010, 2011, 2012, 2013, 2021)


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return load_demo_frames(DEMO)


@pytest.fixture(scope="module")
def registry(demo: DemoData) -> IndicatorRegistry:
    return IndicatorRegistry(demo.indicators)


def _toy_registry() -> IndicatorRegistry:
    return IndicatorRegistry(
        pd.DataFrame(
            {
                "code": ["pop", "cases", "index"],
                "name_pl": ["p", "c", "i"],
                "name_en": ["p", "c", "i"],
                "unit": ["persons", "persons", "points"],
                "higher_is_more_need": [False, True, True],
                "denominator": [None, "pop", None],
            }
        )
    )


def _toy_values(pop: dict[str, int], cases: dict[str, int]) -> pd.DataFrame:
    rows = [(d, "pop", 2023, float(v)) for d, v in pop.items()]
    rows += [(d, "cases", 2023, float(v)) for d, v in cases.items()]
    rows += [(d, "index", 2023, float(i)) for i, d in enumerate(pop)]
    return pd.DataFrame(rows, columns=["district_code", "indicator", "year", "value"])


# --- empirical Bayes by hand ----------------------------------------------------------------


def test_eb_shrinks_a_small_district_more_towards_the_mean_by_hand() -> None:
    """Populations 100, 400, 500; cases 20, 40, 40: rates 0.2, 0.1, 0.08.

    mean m = 100 / 1000 = 0.1
    s2 = (100 * 0.1^2 + 400 * 0 + 500 * 0.02^2) / 1000 - m / mean(b)
       = 1.2 / 1000 - 0.1 / 333.33 = 0.0012 - 0.0003 = 0.0009
    w_a = 0.0009 / (0.0009 + 0.1 / 100) = 0.473684 -> 0.473684 * 0.2 + 0.526316 * 0.1 = 0.147368
    w_b = 0.0009 / (0.0009 + 0.1 / 400) = 0.782609 -> 0.1 (already the mean)
    w_c = 0.0009 / (0.0009 + 0.1 / 500) = 0.818182 -> 0.818182 * 0.08 + 0.181818 * 0.1 = 0.083636
    The small district a (100 people) keeps 47% of its distance to the mean, c (500) 82%.
    """
    values = _toy_values({"a": 100, "b": 400, "c": 500}, {"a": 20, "b": 40, "c": 40})
    table = rate_table(values, _toy_registry(), indicator="cases", year=2023, small_below=450)
    assert table["rate"].to_dict() == pytest.approx({"a": 200.0, "b": 100.0, "c": 80.0})
    assert table["smoothed_rate"].to_dict() == pytest.approx(
        {"a": 147.368421, "b": 100.0, "c": 83.636364}, abs=1e-6
    )
    assert table["small_denominator"].to_dict() == {"a": True, "b": True, "c": False}
    smoothed = rates(values, _toy_registry(), indicator="cases", year=2023, smoothing="eb")
    assert smoothed.to_dict() == pytest.approx(table["smoothed_rate"].to_dict())


def test_eb_gives_the_mean_when_rates_vary_no_more_than_chance() -> None:
    """Rates 10, 11, 9 per 1,000 of 1,000 each: s2 = 2e-6 / 3 - 0.01 / 1000 < 0, all -> 10."""
    values = _toy_values({"a": 1000, "b": 1000, "c": 1000}, {"a": 10, "b": 11, "c": 9})
    smoothed = rates(values, _toy_registry(), indicator="cases", year=2023, smoothing="eb")
    assert smoothed.to_dict() == pytest.approx({"a": 10.0, "b": 10.0, "c": 10.0})


def test_eb_leaves_out_a_district_without_a_denominator() -> None:
    values = _toy_values({"a": 100, "b": 400, "c": 0}, {"a": 20, "b": 40, "c": 3})
    smoothed = eb_smooth(
        values_for_year(values, indicator="cases", year=2023),
        values_for_year(values, indicator="pop", year=2023).where(lambda s: s > 0),
    )
    assert np.isnan(smoothed["c"])
    # The two others alone: m = 60 / 500 = 0.12,
    # s2 = (100 * 0.08^2 + 400 * 0.02^2) / 500 - 0.12 / 250 = 0.0016 - 0.00048 = 0.00112;
    # w_a = 0.00112 / (0.00112 + 0.0012) = 0.482759 -> 0.158621,
    # w_b = 0.00112 / (0.00112 + 0.0003) = 0.788732 -> 0.104225.
    assert smoothed[["a", "b"]].tolist() == pytest.approx([0.158621, 0.104225], abs=1e-6)


def test_an_indicator_without_denominator_is_not_smoothed_or_flagged() -> None:
    values = _toy_values({"a": 100, "b": 400, "c": 500}, {"a": 20, "b": 40, "c": 40})
    table = rate_table(values, _toy_registry(), indicator="index", year=2023)
    assert (table["rate"] == table["smoothed_rate"]).all()
    assert not table["small_denominator"].any()


def test_bad_options_name_the_fix() -> None:
    values = _toy_values({"a": 100}, {"a": 20})
    with pytest.raises(ValidationError, match="smoothing 'none' or 'eb'"):
        rates(values, _toy_registry(), indicator="cases", year=2023, smoothing="bayes")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="threshold >= 0"):
        rate_table(values, _toy_registry(), indicator="cases", year=2023, small_below=-1)


# --- the demo ---------------------------------------------------------------------------------


def test_demo_rates_use_the_age_group_denominators_by_hand(
    demo: DemoData, registry: IndicatorRegistry
) -> None:
    """Lubiechów 2013: 7 children in assisted families of 79 aged 0-17 (513 residents)."""
    v = demo.indicator_values.set_index(["district_code", "indicator", "year"])["value"]
    assert v["lubiechow", "children_assisted", 2013] == 7
    assert v["lubiechow", "residents_0_17", 2013] == 79
    assert v["lubiechow", "residents", 2013] == 513
    children = rates(demo.indicator_values, registry, indicator="children_assisted", year=2013)
    assert children["lubiechow"] == pytest.approx(7 / 79 * 1000)  # 88.6, was 7 / 513 = 13.6
    unemployed = rates(demo.indicator_values, registry, indicator="long_term_unemployed", year=2013)
    working_age = v["lubiechow", "residents_18_64", 2013]
    assert unemployed["lubiechow"] == pytest.approx(
        v["lubiechow", "long_term_unemployed", 2013] / working_age * 1000
    )
    social = rates(demo.indicator_values, registry, indicator="social_assistance", year=2013)
    assert social["lubiechow"] == pytest.approx(v["lubiechow", "social_assistance", 2013] / 0.513)


@pytest.mark.parametrize("code", NEEDS)
def test_demo_smoothed_rates_agree_with_esda_to_1e9(
    demo: DemoData, registry: IndicatorRegistry, code: str
) -> None:
    denominator = registry[code].denominator
    assert denominator is not None
    for year in YEARS:
        events = values_for_year(demo.indicator_values, indicator=code, year=year)
        population = values_for_year(demo.indicator_values, indicator=denominator, year=year)
        expected = Empirical_Bayes(events.to_numpy(), population.to_numpy()).r.ravel() * 1000
        ours = rates(demo.indicator_values, registry, indicator=code, year=year, smoothing="eb")
        np.testing.assert_allclose(ours.to_numpy(), expected, rtol=0, atol=1e-9)


def test_lubiechow_and_ksiaz_are_flagged_as_small_in_the_demo(
    demo: DemoData, registry: IndicatorRegistry
) -> None:
    assert SMALL_DENOMINATOR == 1000
    table = rate_table(demo.indicator_values, registry, indicator="social_assistance", year=2013)
    assert table.loc["lubiechow", "denominator"] == 513
    assert table.loc["ksiaz", "denominator"] == 636
    flagged = set(table.index[table["small_denominator"]])
    assert {"lubiechow", "ksiaz"} <= flagged
    assert flagged == set(table.index[table["denominator"] < 1000])
    assert not table.loc["podzamcze", "small_denominator"]
    # Their smoothed rates lie between the raw rate and the city's mean.
    mean = table["value"].sum() / table["denominator"].sum() * 1000
    for code in ("lubiechow", "ksiaz"):
        raw, smoothed = table.loc[code, "rate"], table.loc[code, "smoothed_rate"]
        assert min(raw, mean) < smoothed < max(raw, mean)
    # The threshold is an option: 0 flags none.
    none = rate_table(
        demo.indicator_values, registry, indicator="social_assistance", year=2013, small_below=0
    )
    assert not none["small_denominator"].any()


def test_needs_index_uses_smoothed_rates_by_default_and_says_so(
    demo: DemoData, registry: IndicatorRegistry
) -> None:
    weights = dict.fromkeys(NEEDS, 1.0)
    default = needs_index(demo.indicator_values, registry, year=2013, weights=weights)
    smoothed = needs_index(
        demo.indicator_values, registry, year=2013, weights=weights, smoothing="eb"
    )
    raw = needs_index(demo.indicator_values, registry, year=2013, weights=weights, smoothing="none")
    assert default.smoothing == "eb" and raw.smoothing == "none"
    pd.testing.assert_frame_equal(default.scores, smoothed.scores)
    assert "empirical Bayes" in default.explain()
    assert "raw (not smoothed)" in raw.explain()
    assert json.loads(json.dumps(default.to_dict()))["smoothing"] == "eb"
    ranks = {
        name: frame.scores.set_index("district_code")["rank"]
        for name, frame in (("eb", default), ("raw", raw))
    }
    # Książ (636 residents) ranks 14th on raw rates, 12th once its rates are pulled to the mean.
    assert (ranks["raw"]["ksiaz"], ranks["eb"]["ksiaz"]) == (14, 12)
    # The large Podzamcze barely moves its rates but is overtaken: 12th raw, 15th smoothed.
    assert (ranks["raw"]["podzamcze"], ranks["eb"]["podzamcze"]) == (12, 15)
    # The top of the ranking is the same either way.
    top = [list(f.scores["district_code"][:8]) for f in (default, raw)]
    assert top[0] == top[1]


def test_rates_description_names_denominators_and_smoothing(registry: IndicatorRegistry) -> None:
    described = rates_description(registry, NEEDS)
    assert described["denominators"] == {
        "social_assistance": "residents",
        "long_term_unemployed": "residents_18_64",
        "children_assisted": "residents_0_17",
        "disability_support": "residents",
    }
    assert described["smoothing"] == "eb"
    assert "esda" in described["smoothing_method"]
    assert described["small_denominator_below"] == 1000
    assert described["inputs"] == "rates" and described["per"] == 1000
    json.dumps(described)  # it can travel in an output's metadata
    raw = rates_description(registry, NEEDS, smoothing="none", small_below=500)
    assert raw["smoothing"] == "none" and raw["small_denominator_below"] == 500
    values = rates_description(registry, NEEDS, use_rates=False)
    assert values["inputs"] == "values" and values["smoothing"] == "none"
    assert set(values["denominators"].values()) == {None}


# --- any indicator may be a denominator; no cycles ------------------------------------------


def _registry(denominators: dict[str, str | None]) -> IndicatorRegistry:
    codes = list(denominators)
    return IndicatorRegistry(
        pd.DataFrame(
            {
                "code": codes,
                "name_pl": codes,
                "name_en": codes,
                "unit": ["osoby"] * len(codes),
                "higher_is_more_need": [True] * len(codes),
                "denominator": list(denominators.values()),
            }
        )
    )


def test_any_indicator_may_be_a_denominator() -> None:
    reg = _registry({"residents": None, "kids": "residents", "kids_assisted": "kids"})
    assert reg["kids_assisted"].denominator == "kids"


def test_a_cycle_of_denominators_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match="got the cycle a -> b -> a"):
        _registry({"a": "b", "b": "a", "residents": None})
    with pytest.raises(ValidationError, match="got the cycle a -> b -> c -> a"):
        _registry({"a": "b", "b": "c", "c": "a"})
