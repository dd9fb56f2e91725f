"""Resources of a map view as server-computed clusters (issue 16, a million resources)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely import points

from mapping.clusters import (
    SINGLE_MAX,
    build_index,
    parse_view,
    view_clusters,
)
from mapping.errors import ValidationError


def random_resources(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(14.1, 24.1, n)
    lat = rng.uniform(49.0, 54.8, n)
    return gpd.GeoDataFrame(
        {
            "id": np.arange(1, n + 1),
            "name": [f"Zasób {i}" for i in range(n)],
            "category": ["ngo", "kis"] * (n // 2) + ["ngo"] * (n % 2),
            "address": ["ul. Tajna 1"] * n,
            "operator": ["Operator"] * n,
        },
        geometry=points(np.column_stack([lon, lat])),
        crs=4326,
    )


@pytest.fixture(scope="module")
def index():
    return build_index(random_resources(200_000))


@pytest.mark.parametrize(
    ("bbox", "zoom"),
    [
        ("14,49,25,55", 5),
        ("14,49,25,55", 9),
        ("18.5,51.0,20.5,52.5", 8),
        ("16.9,52.3,17.1,52.5", 12),
    ],
)
def test_cluster_counts_add_up_to_the_resources_in_the_box(index, bbox, zoom):
    frame = random_resources(200_000)
    west, south, east, north = map(float, bbox.split(","))
    x, y = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    expected = int(((x >= west) & (x <= east) & (y >= south) & (y <= north)).sum())
    answer = view_clusters(index, parse_view({"bbox": bbox, "zoom": str(zoom)}))
    assert answer["total"] == expected
    if "clusters" in answer:
        assert sum(c[2] for c in answer["clusters"]) == expected
        # Each cluster sits inside the box it was computed for.
        assert all(south <= c[0] <= north and west <= c[1] <= east for c in answer["clusters"])
    else:
        assert len(answer["points"]) == expected


def test_fewer_clusters_when_zoomed_out(index):
    wide = view_clusters(index, parse_view({"bbox": "14,49,25,55", "zoom": "5"}))
    close = view_clusters(index, parse_view({"bbox": "14,49,25,55", "zoom": "9"}))
    assert len(wide["clusters"]) < len(close["clusters"])
    assert len(wide["clusters"]) < 200


def test_few_resources_come_one_by_one_with_public_fields_only():
    frame = random_resources(SINGLE_MAX)
    answer = view_clusters(build_index(frame), parse_view({"bbox": "14,49,25,55", "zoom": "6"}))
    assert "clusters" not in answer
    assert len(answer["points"]) == SINGLE_MAX
    lat, lon, rid, name, category = answer["points"][0]
    assert isinstance(rid, int) and name.startswith("Zasób") and category in {"ngo", "kis"}
    text = repr(answer)
    assert "Tajna" not in text and "Operator" not in text


def test_resources_without_a_point_are_left_out():
    frame = random_resources(10)
    frame.loc[3, "geometry"] = None
    assert len(build_index(frame)) == 9


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"zoom": "5"}, "bbox"),
        ({"bbox": "1,2,3", "zoom": "5"}, "bbox"),
        ({"bbox": "a,2,3,4", "zoom": "5"}, "bbox"),
        ({"bbox": "nan,2,3,4", "zoom": "5"}, "bbox"),
        ({"bbox": "20,50,10,51", "zoom": "5"}, "bbox"),
        ({"bbox": "10,50,20,95", "zoom": "5"}, "bbox"),
        ({"bbox": "10,50,20,51"}, "zoom"),
        ({"bbox": "10,50,20,51", "zoom": "-1"}, "zoom"),
        ({"bbox": "10,50,20,51", "zoom": "23"}, "zoom"),
        ({"bbox": "10,50,20,51", "zoom": "5.5"}, "zoom"),
    ],
)
def test_malformed_views_are_refused_naming_the_field(args, field):
    with pytest.raises(ValidationError, match=f"^{field}: expected"):
        parse_view(args)
