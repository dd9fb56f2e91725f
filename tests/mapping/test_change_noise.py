"""Change without noise (issue 14, point 8): a change within the chance variation of the counts
reads ``no_clear_change``, never improved or worsened.

The test is the conditional exact test of two Poisson rates (mapping/indicators/change.py);
each p-value here is worked out by hand from binomial probabilities (math.comb) and checked
against scipy.stats.binomtest too.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import binomtest

from mapping.analysis import AnalysisData
from mapping.demo import load_demo_frames
from mapping.indicators import IndicatorRegistry, change_between_years
from mapping.indicators.change import ALPHA, change_status, rate_change_p_value
from mapping.layers import find_layer, layer_change
from mapping.privacy import suppress

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def _binomial_two_sided(k: int, n: int, p: float) -> float:
    """By hand: the sum of the probabilities of every outcome no more likely than ``k``."""

    def log_pmf(i: int) -> float:
        log_comb = math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
        return log_comb + i * math.log(p) + (n - i) * math.log(1 - p)

    pmf = [math.exp(log_pmf(i)) for i in range(n + 1)]
    return min(1.0, sum(q for q in pmf if q <= pmf[k] * (1 + 1e-7)))


def test_equal_bases_p_value_is_twice_the_binomial_tail() -> None:
    # 10 against 20 events on 1,000 residents each: given 30 events, the later count is
    # Binomial(30, 1/2); two-sided p = 2 * P(X >= 20) = 2 * 53,009,102 / 2**30 = 0.098737.
    tail = sum(math.comb(30, k) for k in range(20, 31))
    assert tail == 53_009_102
    assert rate_change_p_value(10, 1000, 20, 1000) == pytest.approx(2 * tail / 2**30, rel=1e-12)
    assert rate_change_p_value(10, 1000, 20, 1000) == pytest.approx(0.098737, abs=1e-6)


def test_unequal_bases_by_hand_and_by_scipy() -> None:
    # 30 of 2,000 residents (15.0 per 1,000) and 12 of 1,500 (8.0 per 1,000): under equal
    # rates the later count of the 42 is Binomial(42, 1500 / 3500 = 3/7).
    by_hand = _binomial_two_sided(12, 42, 3 / 7)
    assert rate_change_p_value(30, 2000, 12, 1500) == pytest.approx(by_hand, rel=1e-9)
    assert by_hand == pytest.approx(binomtest(12, 42, 3 / 7).pvalue, rel=1e-9)
    # The rate nearly halved, yet on 42 events that is within chance (p = 0.063).
    assert 0.06 < by_hand < 0.07
    assert change_status(pd.Series([-7.0]), direction=1, p_value=pd.Series([by_hand]))[0] == (
        "no_clear_change"
    )


def test_untestable_and_estimated_counts() -> None:
    assert rate_change_p_value(0, 100, 0, 200) == 1.0  # nothing happened in either year
    assert math.isnan(rate_change_p_value(5, 0, 6, 100))  # no denominator
    assert math.isnan(rate_change_p_value(float("nan"), 100, 6, 100))
    # An areal-weighting estimate has decimals: it is rounded and tested as if counted.
    assert rate_change_p_value(10.4, 1000, 19.6, 1000) == rate_change_p_value(10, 1000, 20, 1000)


def test_status_within_chance_is_no_clear_change() -> None:
    change = pd.Series([-5.0, -5.0, 4.0, 4.0, 0.0, None])
    p = pd.Series([0.001, 0.5, 0.01, ALPHA, 1.0, 0.2])
    assert change_status(change, direction=1, p_value=p).tolist() == [
        "improved",
        "no_clear_change",
        "worsened",
        "no_clear_change",  # p = alpha is not below it
        "no_clear_change",
        None,
    ]


def _toy() -> tuple[pd.DataFrame, IndicatorRegistry]:
    registry = IndicatorRegistry(
        pd.DataFrame(
            {
                "code": ["residents", "assisted"],
                "name_pl": ["Mieszkańcy", "Pomoc"],
                "name_en": ["Residents", "Assistance"],
                "unit": ["osoby", "osoby"],
                "higher_is_more_need": [False, True],
                "denominator": [None, "residents"],
            }
        )
    )
    rows = [
        # district, residents 2022, assisted 2022, residents 2023, assisted 2023
        ("small", 500, 30, 480, 25),  # 60.0 -> 52.1 per 1,000: within chance
        ("large", 20_000, 1200, 20_000, 1000),  # 60.0 -> 50.0 per 1,000: clear
    ]
    values = []
    for code, r1, a1, r2, a2 in rows:
        values += [
            (code, "residents", 2022, r1),
            (code, "assisted", 2022, a1),
            (code, "residents", 2023, r2),
            (code, "assisted", 2023, a2),
        ]
    frame = pd.DataFrame(values, columns=["district_code", "indicator", "year", "value"])
    return frame.astype({"value": "float64"}), registry


def test_a_fall_of_the_rate_is_clear_only_on_large_counts() -> None:
    values, registry = _toy()
    out = change_between_years(
        values, registry, indicator="assisted", from_year=2022, to_year=2023
    ).set_index("district_code")
    assert out.loc["small", "p_value"] == pytest.approx(
        _binomial_two_sided(25, 55, 480 / 980), rel=1e-9
    )
    assert out.loc["large", "p_value"] == pytest.approx(
        _binomial_two_sided(1000, 2200, 0.5), rel=1e-6
    )
    assert out["status"].to_dict() == {"large": "improved", "small": "no_clear_change"}
    # The raw counts of people are tested too, with equal bases (a count per year).
    raw = change_between_years(
        values,
        registry,
        indicator="assisted",
        from_year=2022,
        to_year=2023,
        use_rate=False,
        counts=True,
    ).set_index("district_code")
    assert raw.loc["small", "p_value"] == pytest.approx(_binomial_two_sided(25, 55, 0.5))
    assert raw["status"].to_dict() == {"large": "improved", "small": "no_clear_change"}


@pytest.fixture(scope="module")
def demo() -> AnalysisData:
    frames = load_demo_frames(DEMO)
    return AnalysisData(
        districts=frames.districts,
        resources=frames.resources.assign(id=range(1, len(frames.resources) + 1)),
        categories=pd.DataFrame({"code": ["x"], "name_pl": ["x"], "name_en": ["x"]}),
        registry=IndicatorRegistry(frames.indicators),
        values=frames.indicator_values,
    )


def test_demo_konradow_is_no_clear_change_and_podgorze_ii_improved(demo: AnalysisData) -> None:
    """The issue's example: social assistance per 1,000 residents, 2010-2013."""
    layer = find_layer(demo.registry, "social_assistance_rate")
    change = layer_change(
        demo,
        layer,
        from_year=2010,
        to_year=2013,
        suppression=suppress(demo.values, demo.registry, min_count=5),
    ).set_index("district_code")
    konradow, podgorze = change.loc["konradow"], change.loc["podgorze-ii"]
    assert round(konradow["from_shown"], 1) == 62.6 and round(konradow["to_shown"], 1) == 62.2
    assert round(podgorze["from_shown"], 1) == 143.5 and round(podgorze["to_shown"], 1) == 119.9
    # 128 of 2,045 and 120 of 1,929 residents; 542 of 3,777 and 444 of 3,704.
    assert konradow["p_value"] == pytest.approx(binomtest(120, 248, 1929 / 3974).pvalue)
    assert podgorze["p_value"] == pytest.approx(binomtest(444, 986, 3704 / 7481).pvalue)
    assert konradow["p_value"] > 0.9 and podgorze["p_value"] < 0.01
    assert konradow["status"] == "no_clear_change"
    assert podgorze["status"] == "improved"
    # Before this fix every one of the 21 districts was improved or worsened; now only the
    # changes beyond chance are.
    counts = change["status"].value_counts().to_dict()
    assert counts == {"no_clear_change": 18, "improved": 2, "worsened": 1}


def test_the_needs_index_has_no_counts_to_test(demo: AnalysisData) -> None:
    layer = find_layer(demo.registry, "needs_index")
    change = layer_change(
        demo,
        layer,
        from_year=2010,
        to_year=2013,
        suppression=suppress(demo.values, demo.registry, min_count=5),
    )
    assert change["p_value"].isna().all()
    assert set(change["status"]) <= {"improved", "worsened", "unchanged"}
