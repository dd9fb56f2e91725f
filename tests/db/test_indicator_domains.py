"""The domain of an indicator (migration 0011) is stored, updated and read back, and an
indicator without one keeps None: a domain of its own."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from mapping.db import store
from mapping.indicators import IndicatorRegistry
from tests.db.test_store import indicators_frame


def test_domains_round_trip(engine: Engine) -> None:
    frame = indicators_frame()
    frame["domain"] = ["income", None]
    with engine.begin() as conn:
        store.save_indicators(conn, frame)
    loaded = store.load_indicators(engine).set_index("code")["domain"]
    assert loaded["social_assistance"] == "income" and pd.isna(loaded["residents"])
    frame["domain"] = ["assistance", None]
    with engine.begin() as conn:
        result = store.save_indicators(conn, frame)
    assert (result.updated, result.unchanged) == (1, 1)
    registry = IndicatorRegistry(store.load_indicators(engine))
    assert registry["social_assistance"].domain == "assistance"
    assert registry["residents"].domain is None
