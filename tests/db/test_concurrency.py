"""Two processes writing to one SpatiaLite file: WAL and the busy timeout prevent "locked"."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from mapping.db import store
from mapping.db.engine import create_engine, default_sqlite_url
from mapping.db.migrate import upgrade

WRITER = textwrap.dedent(
    """
    import sys
    import geopandas as gpd
    from shapely import Point
    from mapping.db import store
    from mapping.db.engine import create_engine
    engine = create_engine(sys.argv[1])
    tag = sys.argv[2]
    for i in range(60):
        frame = gpd.GeoDataFrame(
            {"external_id": [f"{tag}-{i}"], "name": [f"{tag} {i}"], "category": ["kis"],
             "district_code": [None], "synthetic": [True]},
            geometry=[Point(16.28, 50.77)], crs=4326)
        with engine.begin() as conn:
            store.save_resources(conn, frame)
    """
)


def test_two_writer_processes_do_not_lock_each_other_out(tmp_path: Path) -> None:
    url = default_sqlite_url(tmp_path)
    engine = create_engine(url)
    upgrade(engine)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, tag], stderr=subprocess.PIPE, text=True
        )
        for tag in ("a", "b")
    ]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    assert not any("locked" in e for e in errors)
    assert store.table_counts(engine)["resource"] == 120
