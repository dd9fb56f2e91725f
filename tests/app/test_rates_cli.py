"""`palmap analyse needs` uses empirical Bayes rates by default, raw ones with --raw-rates
(issue 14, point 4), on the demo data."""

from __future__ import annotations

import io

import pandas as pd
from flask.testing import FlaskCliRunner


def _needs(runner: FlaskCliRunner, *extra: str) -> tuple[pd.DataFrame, str]:
    result = runner.invoke(args=["analyse", "needs", "--year", "2013", "--format", "csv", *extra])
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout), comment="#"), result.output


def test_needs_uses_smoothed_rates_unless_raw_rates_is_asked(runner: FlaskCliRunner) -> None:
    smoothed, _ = _needs(runner)
    raw, _ = _needs(runner, "--raw-rates")
    rank = {
        name: table.set_index("district_code")["rank"]
        for name, table in (("eb", smoothed), ("raw", raw))
    }
    # Książ (636 residents): 14th on raw rates, 12th on rates pulled towards the mean.
    assert (rank["raw"]["ksiaz"], rank["eb"]["ksiaz"]) == (14, 12)
    table = runner.invoke(args=["analyse", "needs", "--year", "2013"])
    assert "empirical Bayes" in table.output
    raw_table = runner.invoke(args=["analyse", "needs", "--year", "2013", "--raw-rates"])
    assert "raw (not smoothed)" in raw_table.output
