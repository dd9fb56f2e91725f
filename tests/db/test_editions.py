"""Editions on both backends: publishing freezes the data whole and exactly; a published edition
never changes; a tampered one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pandas.testing import assert_frame_equal
from sqlalchemy.engine import Engine

from mapping.analysis import AnalysisData
from mapping.db import audit, editions, store
from mapping.demo import load_demo
from mapping.errors import DatabaseDamagedError, NotFoundError, ValidationError

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
FRAMES = ("districts", "resources", "categories", "values")


@pytest.fixture
def demo(engine: Engine) -> Engine:
    load_demo(engine, DEMO)
    return engine


def _publish(engine: Engine, code: str, **options: object) -> editions.EditionRecord:
    with store.write_transaction(engine, what="publish") as conn:
        return editions.publish(conn, code, f"Mapy {code}", actor="ola", how="cli", **options)


def test_an_edition_keeps_the_data_as_published_after_later_changes(demo: Engine) -> None:
    before = AnalysisData.from_store(demo)
    published = _publish(demo, "2013")
    assert published.published and published.published_by == "ola" and published.digest
    with demo.begin() as conn:
        conn.execute(sa.text("UPDATE resource SET name = 'Nowa nazwa' WHERE id = 1"))
        conn.execute(sa.text("UPDATE indicator_value SET value = value + 1"))
        conn.execute(sa.text("DELETE FROM resource WHERE id = 2"))
    live, frozen = AnalysisData.from_store(demo), AnalysisData.from_edition(demo, "2013")
    for name in FRAMES:
        assert_frame_equal(getattr(frozen, name), getattr(before, name), check_exact=True)
    assert list(frozen.registry.codes) == list(before.registry.codes)
    assert live.resources.loc[live.resources["id"] == 1, "name"].item() == "Nowa nazwa"
    assert not live.values["value"].equals(frozen.values["value"])


def test_a_published_edition_never_changes_and_a_draft_waits(demo: Engine) -> None:
    _publish(demo, "2012")
    with pytest.raises(ValidationError, match="new edition, such as 2012-2"):
        _publish(demo, "2012")
    draft = _publish(demo, "2013", draft=True)
    assert draft.status == "draft" and draft.digest is None
    with pytest.raises(NotFoundError, match="draft"):
        AnalysisData.from_edition(demo, "2013")
    assert _publish(demo, "2013").published
    assert [e.code for e in editions.list_editions(demo)] == ["2012", "2013"]
    entries, _total = audit.list_entries(demo, audit.AuditFilter(table="edition"))
    assert set(entries["record_id"]) == {"2012", "2013"} and set(entries["actor"]) == {"ola"}
    assert (entries["new_value"] == "published").sum() == 2


def test_unknown_codes_and_bad_codes_are_named(demo: Engine) -> None:
    _publish(demo, "2010")
    with pytest.raises(NotFoundError, match=r"published editions \(2010\), got '1999'"):
        AnalysisData.from_edition(demo, "1999")
    with pytest.raises(ValidationError, match="code: expected"):
        _publish(demo, "../2013")


def test_a_tampered_edition_is_refused(demo: Engine) -> None:
    _publish(demo, "2013")
    with demo.begin() as conn:
        content = conn.execute(
            sa.text("SELECT content FROM edition_part WHERE part = 'values'")
        ).scalar_one()
        other = editions.snapshot.dumps(AnalysisData.from_store(conn).values.head(3))
        assert bytes(content) != other
        conn.execute(
            sa.text("UPDATE edition_part SET content = :c WHERE part = 'values'"), {"c": other}
        )
    with pytest.raises(DatabaseDamagedError, match="restore the database"):
        AnalysisData.from_edition(demo, "2013")
