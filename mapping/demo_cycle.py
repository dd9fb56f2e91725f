"""The demo's programme cycle: editions 2010-2013 and the partnerships' target areas in them.

Invented, like the rest of the demo (data/demo/README.md): each demo edition freezes the demo
data with the indicator values up to its own year (the boundaries, categories and resources as
they are now, since the demo has no history of them), and each demo partnership chooses, in the
2012 and 2013 editions, the districts its demo actions work in, with the default ranking of that
year saved whole. ``palmap load-demo --with-editions`` (and ``make run``) loads it.
"""

from __future__ import annotations

from mapping.analysis import AnalysisData
from mapping.db import Engine, editions, store, target_areas
from mapping.db import programme as programme_store
from mapping.indicators.registry import IndicatorRegistry
from mapping.target_areas import TargetAreaRecord, ranking_json

__all__ = ["DEMO_EDITIONS", "publish_demo_cycle"]

#: The demo editions: the programme's years.
DEMO_EDITIONS: tuple[int, ...] = (2010, 2011, 2012, 2013)
#: The editions in which the demo partnerships choose their target areas.
CHOICE_EDITIONS: tuple[int, ...] = (2012, 2013)


def _frames(data: AnalysisData, indicators: object, year: int) -> dict[str, object]:
    return {
        "districts": data.districts,
        "categories": data.categories,
        "resources": data.resources,
        "indicators": indicators,
        "values": data.values[data.values["year"] <= year].reset_index(drop=True),
    }


def publish_demo_cycle(engine: Engine, *, actor: str) -> list[str]:
    """Publish the demo editions and target areas once (nothing when any edition exists);
    return the codes published."""
    from mapping.pages.query import parse_target_query
    from mapping.pages.targets import RUNS, target_args
    from mapping.pages.text import Translator

    if editions.list_editions(engine):
        return []
    live = AnalysisData.from_store(engine)
    indicators = store.load_indicators(engine)
    years = [y for y in DEMO_EDITIONS if y in live.years]
    actions = programme_store.load_actions(engine)
    with store.write_transaction(engine, what="load-demo editions") as conn:
        for year in years:
            frames = _frames(live, indicators, year)
            editions.publish(
                conn,
                str(year),
                f"Mapy zasobów i potrzeb {year} (demo)",
                actor=actor,
                how="cli",
                frames=frames,
            )
            if year not in CHOICE_EDITIONS:
                continue
            data = AnalysisData(
                districts=live.districts,
                resources=live.resources,
                categories=live.categories,
                registry=IndicatorRegistry(indicators),
                values=frames["values"],
            )
            query = parse_target_query({"year": str(year)}, data, Translator.plain("pl"))
            ranking = ranking_json(target_args(data, query), runs=RUNS)
            for partnership in programme_store.load_partnerships(conn):
                chosen = [
                    d
                    for a in actions
                    if a.partnership == partnership.code and a.start_date.year <= year
                    for d in a.districts
                ]
                if not chosen:
                    continue
                record = TargetAreaRecord(
                    partnership.code,
                    str(year),
                    tuple(dict.fromkeys(chosen)),
                    note="Wybór przykładowy (demo): osiedla działań partnerstwa.",
                )
                target_areas.save_target_area(conn, record, ranking, actor=actor, how="cli")
    return [str(y) for y in years]
