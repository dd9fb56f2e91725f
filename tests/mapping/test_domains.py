"""Domains (issue 14, point 5): indicators combined within a domain, the domain score ranked and
transformed as in the English Indices of Deprivation, the domains weighted; the correlation
table that flags indicators measuring the same thing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mapping.demo import load_demo_frames
from mapping.errors import ValidationError
from mapping.indicators import IndicatorRegistry, needs_index
from mapping.indicators.domains import (
    CORRELATION_WARNING,
    correlation_table,
    domain_weights,
    standardise,
)

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def registry(domains: dict[str, str | None]) -> IndicatorRegistry:
    codes = list(domains)
    return IndicatorRegistry(
        pd.DataFrame(
            {
                "code": codes,
                "name_pl": codes,
                "name_en": codes,
                "unit": [""] * len(codes),
                "higher_is_more_need": [True] * len(codes),
                "denominator": [None] * len(codes),
                "domain": list(domains.values()),
            }
        )
    )


def values(table: dict[str, list[float]]) -> pd.DataFrame:
    districts = ["d1", "d2", "d3", "d4"]
    rows = [
        (district, code, 2023, value)
        for code, column in table.items()
        for district, value in zip(districts, column, strict=True)
    ]
    return pd.DataFrame(rows, columns=["district_code", "indicator", "year", "value"])


def exp_score(rank: int, n: int = 4) -> float:
    """The IMD transform by hand: X = -23 ln(1 - R (1 - exp(-100/23))), R = rank / N."""
    return -23 * math.log(1 - rank / n * (1 - math.exp(-100 / 23)))


# a and b measure the same thing (domain x); c the opposite (domain y).
TOY = {"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 20.0, 30.0, 40.0], "c": [4.0, 3.0, 2.0, 1.0]}


def test_the_domain_transform_by_hand():
    """Domain x: a and b rank the districts 1..4, so its score ranks them 1..4 too and
    transforms to X(k/4); domain y (c alone) to X((5-k)/4). Equal domain weights: the index is
    (X(k/4) + X((5-k)/4)) / 2. Per indicator (no domains), x would count twice:
    (2 X(k/4) + X((5-k)/4)) / 3."""
    by_domain = needs_index(
        values(TOY),
        registry({"a": "x", "b": "x", "c": "y"}),
        year=2023,
        weights={"a": 1, "b": 1, "c": 1},
        method="imd",
    )
    got = by_domain.scores.set_index("district_code")["needs_index"]
    for k, district in enumerate(["d1", "d2", "d3", "d4"], start=1):
        assert got[district] == pytest.approx((exp_score(k) + exp_score(5 - k)) / 2, abs=1e-9)
    assert dict(by_domain.domain_weights) == {"x": 0.5, "y": 0.5}
    assert by_domain.domains["b"] == "x"

    per_indicator = needs_index(
        values(TOY),
        registry({"a": None, "b": None, "c": None}),
        year=2023,
        weights={"a": 1, "b": 1, "c": 1},
        method="imd",
    ).scores.set_index("district_code")["needs_index"]
    assert per_indicator["d4"] == pytest.approx((2 * 100 + exp_score(1)) / 3, abs=1e-9)
    # Counted once, the x domain no longer outweighs y: d1 and d4 are mirror images.
    assert got["d1"] == pytest.approx(got["d4"])
    assert per_indicator["d4"] > per_indicator["d1"]
    assert "domain" in by_domain.explain()


def test_zscore_domains_count_a_repeated_indicator_once():
    """z-scores: x's score is the z-score of the mean of a's and b's z-scores (the same
    z-scores), y's is c's z-score, their mean is 0 everywhere."""
    index = needs_index(
        values(TOY),
        registry({"a": "x", "b": "x", "c": "y"}),
        year=2023,
        weights={"a": 1, "b": 1, "c": 1},
    )
    np.testing.assert_allclose(index.scores["needs_index"], 0.0, atol=1e-12)


def test_single_indicator_domains_give_the_per_indicator_index():
    demo = load_demo_frames(DEMO)
    reg = IndicatorRegistry(demo.indicators)
    assert {i.code: i.domain for i in reg} == {
        "residents": None,
        "residents_0_17": None,
        "residents_18_64": None,
        "residents_65_plus": None,
        "social_assistance": "income",
        "long_term_unemployed": "labour",
        "children_assisted": "children",
        "disability_support": "disability",
    }
    weights = {"social_assistance": 2, "long_term_unemployed": 1, "disability_support": 1}
    for method in ("zscore", "imd"):
        grouped = needs_index(demo.indicator_values, reg, year=2013, weights=weights, method=method)
        alone = needs_index(
            demo.indicator_values, reg, year=2013, weights=weights, method=method,
            domains=dict.fromkeys(weights),
        )  # fmt: skip
        np.testing.assert_allclose(
            grouped.scores["needs_index"], alone.scores["needs_index"], rtol=1e-12
        )


def test_domain_weights_default_to_the_mean_and_can_be_set():
    domains = {"a": "x", "b": "x", "c": "y"}
    assert domain_weights({"a": 1, "b": 3, "c": 2}, domains) == {"x": 2.0, "y": 2.0}
    assert domain_weights({"a": 1, "b": 0, "c": 2}, domains) == {"x": 1.0, "y": 2.0}
    assert domain_weights({"a": 1, "b": 1, "c": 1}, domains, {"y": 3}) == {"x": 1.0, "y": 3.0}
    with pytest.raises(ValidationError, match="domain weights: expected domains"):
        domain_weights({"a": 1}, domains, {"z": 1})
    with pytest.raises(ValidationError, match="finite weight >= 0 for x"):
        domain_weights({"a": 1}, domains, {"x": -1})
    index = needs_index(
        values(TOY),
        registry({"a": "x", "b": "x", "c": "y"}),
        year=2023,
        weights={"a": 1, "b": 1, "c": 1},
        method="imd",
        domain_weights={"y": 3},
    )
    assert dict(index.domain_weights) == {"x": 0.25, "y": 0.75}


def test_a_domain_code_is_checked():
    with pytest.raises(ValidationError, match="domain of indicator a"):
        registry({"a": "Income!"})
    assert registry({"a": " income "})["a"].domain == "income"


def test_standardise_imd_gives_normal_scores():
    s = pd.Series([3.0, 1.0, 2.0, 2.0])
    got = standardise(s, method="imd", higher_is_more_need=False).round(4).tolist()
    # ranks (lower = more need): 1, 4, 2.5, 2.5 -> Phi^-1((r - 0.5) / 4)
    assert got == [-1.1503, 1.1503, 0.0, 0.0]


def test_correlation_table_warns_above_the_limit():
    frame = pd.DataFrame(
        {"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [5, 3, 1, 2, 4], "d": [1, 2, 3, 5, 4]}
    )
    table = correlation_table(frame)
    assert len(table) == 6
    flagged = {(r.first, r.second) for r in table.itertuples() if r.warning}
    # a-d: rho 0.9 (and r 0.9); a-b is exactly 0.8 on both, which is not above the limit.
    assert flagged == {("a", "d")}
    assert CORRELATION_WARNING == 0.8
    assert table.iloc[0][["pearson", "spearman"]].tolist() == pytest.approx([0.9, 0.9])


def test_the_demo_indicators_overlap_and_are_flagged():
    demo = load_demo_frames(DEMO)
    reg = IndicatorRegistry(demo.indicators)
    codes = ["social_assistance", "long_term_unemployed", "children_assisted", "disability_support"]
    index = needs_index(demo.indicator_values, reg, year=2013, weights=dict.fromkeys(codes, 1))
    table = correlation_table(index.inputs[codes])
    # The rates of social assistance, long-term unemployment and children assisted correlate
    # at 0.93-0.95 (Pearson): the index would count social assistance about three times.
    flagged = {frozenset((r.first, r.second)) for r in table.itertuples() if r.warning}
    assert frozenset(("social_assistance", "long_term_unemployed")) in flagged
    assert table["pearson"].max() > 0.9


def test_definitions_accept_an_optional_checked_domain_column():
    from mapping.io.indicators import indicators_from_table
    from mapping.io.report import ImportReport

    table = pd.DataFrame(
        {
            "kod": ["bezrobotni", "zasilki", "dzieci"],
            "nazwa": ["bezrobotni", "zasiłki", "dzieci"],
            "jednostka": ["osoby"] * 3,
            "higher_is_more_need": ["tak"] * 3,
            "domena": ["labour", "", "Rodzina!"],
        },
        index=pd.Index([2, 3, 4], name="line"),
    )
    report = ImportReport(unit="line")
    out = indicators_from_table(table, report)
    assert out.set_index("code")["domain"].to_dict() == {"bezrobotni": "labour", "zasilki": None}
    assert [(f.row, f.field) for f in report.errors()] == [(4, "domena")]
    without = indicators_from_table(table.drop(columns="domena"), ImportReport(unit="line"))
    assert without["domain"].isna().all()
