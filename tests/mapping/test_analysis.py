"""mapping.analysis on the demo frames (no database): messages fit a CLI and a web form alike."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mapping.analysis import AnalysisData, rank_table
from mapping.demo import load_demo_frames
from mapping.errors import ValidationError
from mapping.indicators import IndicatorRegistry

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def data() -> AnalysisData:
    demo = load_demo_frames(DEMO)
    categories = pd.DataFrame(
        {"code": sorted(set(demo.resources["category"])), "name_pl": "x", "name_en": "x"}
    )
    return AnalysisData(
        districts=demo.districts,
        resources=demo.resources.assign(id=range(1, len(demo.resources) + 1)),
        categories=categories,
        registry=IndicatorRegistry(demo.indicators),
        values=demo.indicator_values,
    )


def test_ranking_without_weights_names_the_field_not_a_cli_flag(data: AnalysisData) -> None:
    with pytest.raises(ValidationError) as info:
        rank_table(data, year=2013, weights={})
    message = str(info.value)
    assert message.startswith("expected weights such as social_assistance=2,")
    assert "--" not in message
    assert "needs indicators: social_assistance, long_term_unemployed, children_assisted" in message
