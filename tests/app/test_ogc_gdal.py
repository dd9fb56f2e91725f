"""GDAL's OAPIF driver (what QGIS uses), through pyogrio, reads palmap's /ogc like a real client.

The server runs in a subprocess on a free port: pyogrio holds the GIL while GDAL waits for an
answer, so a server thread in this process could never answer it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from pyproj import Transformer

from tests.app.conftest import make_app

REPO = Path(__file__).resolve().parents[2]
SERVE = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.app.conftest import make_app
from werkzeug.serving import run_simple
run_simple("127.0.0.1", {port}, make_app(Path({path!r})), threaded=True)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("oapif")
    app = make_app(path)
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo", "--with-editions"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    port = _free_port()
    code = SERVE.format(repo=str(REPO), port=port, path=str(path))
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/ogc"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=5)  # noqa: S310  # our own local server
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _collections(url: str) -> dict[str, int]:
    """Every collection id and its number of features, asked over HTTP."""
    import json

    with urllib.request.urlopen(f"{url}/collections?f=json") as answer:  # noqa: S310
        ids = [c["id"] for c in json.load(answer)["collections"]]
    counts = {}
    for cid in ids:
        with urllib.request.urlopen(f"{url}/collections/{cid}/items?limit=1") as answer:  # noqa: S310
            counts[cid] = json.load(answer)["numberMatched"]
    return counts


def test_gdal_lists_and_reads_every_collection_with_its_count_and_crs(server: str) -> None:
    counts = _collections(server)
    source = f"OAPIF:{server}"
    listed = {str(name) for name, _kind in pyogrio.list_layers(source)}
    assert listed == set(counts)
    for cid, count in counts.items():
        frame = pyogrio.read_dataframe(source, layer=cid)
        assert len(frame) == count, cid
        assert frame.crs.to_string() == "OGC:CRS84", cid  # longitude, latitude: the storageCrs
    districts = pyogrio.read_dataframe(source, layer="districts")
    assert len(districts) == 21 and {"code", "name"} <= set(districts.columns)


def test_gdal_pages_through_more_features_than_a_page(server: str) -> None:
    source = f"OAPIF:{server}"
    frame = pyogrio.read_dataframe(source, layer="resources", PAGE_SIZE=7)
    assert len(frame) == _collections_count(server, "resources") > 7
    assert frame["id"].is_unique


def _collections_count(url: str, cid: str) -> int:
    import json

    with urllib.request.urlopen(f"{url}/collections/{cid}/items?limit=1") as answer:  # noqa: S310
        return json.load(answer)["numberMatched"]


def test_gdal_reads_epsg_2180_and_3857_matching_pyproj(server: str) -> None:
    source = f"OAPIF:{server}"
    plain = pyogrio.read_dataframe(source, layer="resources").dropna(subset=["geometry"])
    plain = plain[~plain.geometry.is_empty].sort_values("id")
    lon, lat = plain.geometry.x.to_numpy(), plain.geometry.y.to_numpy()
    for code in (2180, 3857):
        frame = pyogrio.read_dataframe(source, layer="resources", CRS=f"EPSG:{code}")
        assert frame.crs.to_epsg() == code
        frame = frame.dropna(subset=["geometry"]).sort_values("id")
        # GDAL hands the coordinates over in the traditional GIS order (easting, northing).
        x, y = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}", always_xy=True).transform(lon, lat)
        assert np.allclose(frame.geometry.x.to_numpy(), x, atol=0.02), code
        assert np.allclose(frame.geometry.y.to_numpy(), y, atol=0.02), code


def test_gdal_bbox_asks_the_server_for_the_box(server: str) -> None:
    source = f"OAPIF:{server}"
    box = (16.25, 50.75, 16.3, 50.8)
    frame = pyogrio.read_dataframe(source, layer="resources", bbox=box)
    everything = pyogrio.read_dataframe(source, layer="resources").dropna(subset=["geometry"])
    inside = everything.cx[box[0] : box[2], box[1] : box[3]]
    assert set(frame["id"]) == set(inside["id"]) and 0 < len(frame) < len(everything)
