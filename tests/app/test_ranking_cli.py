"""``palmap analyse correlations`` and the new options of ``palmap rank`` (issue 14, points 5
and 6): the correlation warning, the top-N share and explicit domain weights."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from flask.testing import FlaskCliRunner


def test_correlations_warn_of_indicators_that_measure_the_same(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["analyse", "correlations", "--year", "2013", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), comment="#")
    assert list(table.columns) == [
        "first",
        "second",
        "same_domain",
        "pearson",
        "spearman",
        "warning",
    ]
    assert len(table) == 6  # four needs indicators, six pairs
    assert table["warning"].any() and not table["same_domain"].any()
    assert "Warning: these indicators correlate above 0.8" in result.stderr


def test_rank_reports_the_top_share_and_takes_domain_weights(runner: FlaskCliRunner) -> None:
    args = ["rank", "--year", "2013", "--weights", "social_assistance=1,long_term_unemployed=1"]
    result = runner.invoke(args=[*args, "--runs", "300", "--top", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert sum(r["top_share"] for r in rows) == pytest.approx(3.0)
    heavy = runner.invoke(
        args=[*args, "--runs", "30", "--domain-weights", "labour=9", "--format", "json"]
    )
    assert heavy.exit_code == 0, heavy.output
    # Domain weights 9 (labour) and 1 (income, the mean weight of its indicator): 0.9 and 0.1.
    for row in json.loads(heavy.stdout)["rows"]:
        expected = 0.9 * row["long_term_unemployed"] + 0.1 * row["social_assistance"]
        assert row["score"] == pytest.approx(expected)
    unknown = runner.invoke(args=[*args, "--runs", "30", "--domain-weights", "nowhere=1"])
    assert unknown.exit_code != 0 and "domain weights" in unknown.output
