"""Walking distances (issue 15, "Walking distance"): the graph built from a small .osm file
written here (a street grid with a river and one bridge, :mod:`tests.network_osm`), distances
along it against straight ones, the snap distance added, the import report, and agreement of
the network scores with pysal ``access`` on an all-pairs cost table computed independently.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point, box

from mapping.access import DEFAULT_STEPS
from mapping.errors import RefusedInputError, ValidationError
from mapping.io.network import read_network
from mapping.network import WalkingNetwork
from mapping.network_distance import DETOUR_FACTOR, distance_mode
from mapping.network_tags import parse_tags
from mapping.population import demand_access
from tests.network_osm import X0, Y0, grid_osm

TOLERANCE_M = 0.05  # the .osm file holds degrees to 8 decimals: a few millimetres


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> WalkingNetwork:
    path = grid_osm(tmp_path_factory.mktemp("osm") / "grid.osm")
    built, _ = read_network(path)
    return built


def xy(*points: tuple[float, float]) -> np.ndarray:
    return np.array([[X0 + x, Y0 + y] for x, y in points])


def one_district() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["grid"]}, geometry=[box(X0 - 50, Y0 - 50, X0 + 1050, Y0 + 1050)], crs=2180
    )


def people(*points: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"district_code": ["grid"] * len(points), "population": [100.0] * len(points)},
        geometry=[Point(X0 + x, Y0 + y) for x, y in points],
        crs=2180,
    )


def resources(*points: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"category": ["room"] * len(points), "capacity": [10.0] * len(points)},
        geometry=[Point(X0 + x, Y0 + y) for x, y in points],
        crs=2180,
    )


def test_the_import_report_counts_what_was_kept_and_skipped(tmp_path: Path) -> None:
    _, report = read_network(grid_osm(tmp_path / "grid.osm"))
    assert report.reasons["kept"] == 11 + 22 + 1  # rows, the columns cut in two, the bridge
    assert report.reasons["motorway"] == 1
    assert report.reasons["foot_no"] == 1
    assert report.reasons["no_access"] == 1
    assert report.reasons["not_highway"] == 1  # the river
    assert (report.nodes, report.edges) == (121, 11 * 10 + 11 * 9 + 1)
    assert report.components == 1 and report.largest_share == 1.0
    assert report.length_km == pytest.approx(21.0, abs=0.01)
    assert not report.warnings


def test_without_the_bridge_the_banks_fall_apart_and_the_report_warns(tmp_path: Path) -> None:
    network, report = read_network(grid_osm(tmp_path / "grid.osm", bridge=False))
    assert report.components == 2
    assert report.largest_share == pytest.approx(66 / 121)
    assert any("largest connected part" in w for w in report.warnings)
    # Points are snapped to the largest part only (the south bank, 66 nodes).
    node, _ = network.snap(xy((500, 1000)))
    assert network.node_xy[node[0], 1] - Y0 == pytest.approx(500, abs=TOLERANCE_M)


def test_edges_are_split_at_shared_nodes_with_their_length_in_metres(
    network: WalkingNetwork,
) -> None:
    assert network.nodes == 121
    assert np.allclose(network.edge_m, 100.0, atol=TOLERANCE_M)
    # Every crossing on a row joins its neighbours: the rows were split at every shared node.
    degree = np.bincount(np.concatenate([network.edge_u, network.edge_v]), minlength=121)
    assert degree.max() == 4 and degree.min() == 2


def test_across_the_river_the_walk_is_longer_than_the_straight_line(
    network: WalkingNetwork,
) -> None:
    """(500, 500) to (500, 600): 100 m straight; 500 m west, the bridge, 500 m east walked."""
    walked = distance_mode("network", network).measure(xy((500, 500)), xy((500, 600)), limit=2000)
    straight = distance_mode("straight", None).measure(xy((500, 500)), xy((500, 600)), limit=2000)
    assert straight.nearest[0] == pytest.approx(100.0)
    assert walked.nearest[0] == pytest.approx(1100.0, abs=TOLERANCE_M)
    assert walked.cost.tolist() == pytest.approx([1100.0], abs=TOLERANCE_M)


def test_along_a_street_the_walk_equals_the_straight_line(network: WalkingNetwork) -> None:
    mode = distance_mode("network", network)
    walked = mode.measure(xy((300, 0), (0, 700)), xy((300, 200), (0, 1000)), limit=1500)
    assert walked.nearest.tolist() == pytest.approx([200.0, 300.0], abs=TOLERANCE_M)
    pairs = {
        (int(o), int(d)): c for o, d, c in zip(walked.origin, walked.dest, walked.cost, strict=True)
    }
    assert pairs[(0, 0)] == pytest.approx(200.0, abs=TOLERANCE_M)
    assert pairs[(1, 1)] == pytest.approx(300.0, abs=TOLERANCE_M)


def test_the_snap_distances_are_added(network: WalkingNetwork) -> None:
    """A resident 30 m south of the crossing (500, 300) and a resource 20 m east of (500, 500):
    30 + 200 + 20 = 250 m (the straight line is 200.99 m)."""
    mode = distance_mode("network", network)
    walked = mode.measure(xy((500, 270)), xy((520, 500)), limit=1500)
    assert walked.origin_snap.tolist() == pytest.approx([30.0], abs=TOLERANCE_M)
    assert walked.dest_snap.tolist() == pytest.approx([20.0], abs=TOLERANCE_M)
    assert walked.nearest[0] == pytest.approx(250.0, abs=TOLERANCE_M)
    assert walked.cost.tolist() == pytest.approx([250.0], abs=TOLERANCE_M)
    figures = mode.snap_figures(xy((500, 270), (500, 300)), xy((520, 500)))
    assert figures["demand_snap_mean_m"] == pytest.approx(15.0, abs=TOLERANCE_M)
    assert figures["demand_snap_max_m"] == pytest.approx(30.0, abs=TOLERANCE_M)
    assert figures["resources_snap_max_m"] == pytest.approx(20.0, abs=TOLERANCE_M)


def test_a_resource_on_the_other_bank_falls_out_of_a_500_m_catchment(
    network: WalkingNetwork,
) -> None:
    """Residents at (500, 500); a day room across the river at (500, 600). Straight: within
    500 m (covered, full 2SFCA weight). Along the streets: 1,100 m, outside the 500 m radius
    and in the E2SFCA step of weight 0.22 (1,000-1,500 m)."""
    args = (one_district(), resources((500, 600)), people((500, 500)))
    straight = demand_access(*args, radius_m=500, distance=distance_mode("straight", None))
    walked = demand_access(*args, radius_m=500, distance=distance_mode("network", network))
    assert straight["coverage"].tolist() == [1.0]
    assert walked["coverage"].tolist() == [0.0]
    assert walked["nearest_m"].iloc[0] == pytest.approx(1100.0, abs=TOLERANCE_M)
    assert straight["e2sfca_raw"].iloc[0] == pytest.approx(10.0 / 100.0)
    # One point and one resource: the weight cancels out of E2SFCA; a steeper catchment of
    # 500 m alone leaves the resource out along the streets.
    short = [(500.0, 1.0)]
    near = demand_access(*args, radius_m=500, steps=short, distance=distance_mode("straight", None))
    far = demand_access(
        *args, radius_m=500, steps=short, distance=distance_mode("network", network)
    )
    assert near["2sfca_raw"].iloc[0] == pytest.approx(0.1)
    assert far["2sfca_raw"].iloc[0] == 0.0


def test_the_detour_factor_multiplies_straight_distances() -> None:
    mode = distance_mode("detour", None)
    assert mode.factor == DETOUR_FACTOR == 1.3
    measured = mode.measure(xy((0, 0)), xy((0, 1000), (0, 1200)), limit=1500)
    assert measured.nearest.tolist() == pytest.approx([1300.0])
    assert measured.cost.tolist() == pytest.approx([1300.0])  # 1,560 m is beyond the limit
    assert mode.description()["detour_factor"] == 1.3


def test_the_default_is_the_network_when_one_is_loaded(network: WalkingNetwork) -> None:
    assert distance_mode(None, network).kind == "network"
    assert distance_mode(None, None).kind == "detour"
    assert distance_mode("straight", network).factor == 1.0
    with pytest.raises(ValidationError, match="palmap import network"):
        distance_mode("network", None)
    with pytest.raises(ValidationError, match="network, detour, straight"):
        distance_mode("crow", network)


def test_network_scores_agree_with_pysal_access_on_all_pairs_to_1e9(
    network: WalkingNetwork,
) -> None:
    """Residents on every 50 m of the grid's diagonal and off it, day rooms on both banks:
    the bounded searches give the same 2SFCA/E2SFCA as pysal ``access`` fed with every pair's
    walking distance from a full shortest-path matrix (fine for 121 nodes, never done in
    palmap)."""
    from access import Access, weights
    from scipy.sparse.csgraph import shortest_path

    rng = np.random.default_rng(3)
    homes = [(float(x), float(y)) for x, y in rng.uniform(0, 1000, size=(40, 2))]
    rooms = [(100.0, 100.0), (800.0, 900.0), (450.0, 620.0), (990.0, 10.0)]
    demand = people(*homes).assign(population=rng.integers(1, 50, len(homes)).astype(float))
    supply = resources(*rooms).assign(capacity=[5.0, 10.0, 3.0, 8.0])
    out = demand_access(
        one_district(), supply, demand, radius_m=500, distance=distance_mode("network", network)
    )
    node_o, snap_o = network.snap(xy(*homes))
    node_d, snap_d = network.snap(xy(*rooms))
    full = shortest_path(network.graph(), directed=False)
    cost = snap_o[:, None] + full[np.ix_(node_o, node_d)] + snap_d[None, :]
    i, j = np.meshgrid(np.arange(len(homes)), np.arange(len(rooms)), indexing="ij")
    model = Access(
        demand_df=pd.DataFrame(
            {"p": demand["population"].to_numpy()}, index=pd.Index(range(len(homes)), name="o")
        ),
        demand_index=True,
        demand_value="p",
        supply_df=pd.DataFrame({"s": [5.0, 10.0, 3.0, 8.0]}, index=pd.Index(range(4), name="d")),
        supply_index=True,
        supply_value="s",
        cost_df=pd.DataFrame({"o": i.ravel(), "d": j.ravel(), "c": cost.ravel()}),
        cost_origin="o",
        cost_dest="d",
        cost_name="c",
    )
    two = model.two_stage_fca(name="t", max_cost=1500)["t_s"].reindex(range(len(homes)))
    enhanced = model.enhanced_two_stage_fca(
        name="e", max_cost=1500, weight_fn=weights.step_fn(dict(DEFAULT_STEPS))
    )["e_s"].reindex(range(len(homes)))
    p = demand["population"].to_numpy()
    for column, reference in (("2sfca_raw", two), ("e2sfca_raw", enhanced)):
        expected = float((reference.fillna(0).to_numpy() * p).sum() / p.sum())
        assert out[column].iloc[0] == pytest.approx(expected, rel=0, abs=1e-9)
    nearest = float((cost.min(axis=1) * p).sum() / p.sum())
    assert out["nearest_m"].iloc[0] == pytest.approx(nearest, rel=0, abs=1e-9)


def test_other_tags_are_parsed_with_quotes_and_commas() -> None:
    tags = parse_tags('"name:pl"=>"Most \\"Nowy\\", stary","foot"=>"no"')
    assert tags == {"name:pl": 'Most "Nowy", stary', "foot": "no"}


def test_a_file_that_is_not_what_its_extension_says_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "city.osm.pbf"
    fake.write_bytes(b"<osm></osm>")
    with pytest.raises(RefusedInputError, match="other content"):
        read_network(fake)
    entity = tmp_path / "city.osm"
    entity.write_text('<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY x "y">]><osm/>')
    with pytest.raises(RefusedInputError, match="document type"):
        read_network(entity)
    with pytest.raises(ValidationError, match=r"\.osm or \.osm\.pbf"):
        read_network(tmp_path / "city.geojson")


def test_the_same_extract_as_osm_pbf_gives_the_same_graph(tmp_path: Path) -> None:
    """Written by pyosmium (a maintained tool; in the dev extra with the OSM resource import).
    PBF keeps coordinates to 100 nanodegrees (about 1 cm), so lengths agree to a few cm."""
    osmium = pytest.importorskip("osmium", reason="pyosmium writes the .osm.pbf file")
    xml = grid_osm(tmp_path / "grid.osm")
    pbf = tmp_path / "grid.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    for item in osmium.FileProcessor(str(xml)):
        writer.add(item)
    writer.close()
    from_xml, report_xml = read_network(xml)
    from_pbf, report_pbf = read_network(pbf)
    assert report_pbf.reasons == report_xml.reasons
    assert (from_pbf.nodes, from_pbf.edges) == (from_xml.nodes, from_xml.edges)
    assert from_pbf.edge_m.sum() == pytest.approx(from_xml.edge_m.sum(), abs=1.0)
    walked = distance_mode("network", from_pbf).measure(xy((500, 500)), xy((500, 600)), limit=2000)
    assert walked.nearest[0] == pytest.approx(1100.0, abs=0.2)


def test_a_damaged_network_is_refused_naming_the_fix() -> None:
    from mapping.network import network_from_edges

    xy = np.array([[0.0, 0.0], [100.0, 0.0]])
    assert network_from_edges(xy, [0], [1], [100.0]).edges == 1
    for u, v, m in (([0], [5], [1.0]), ([0], [1], [np.inf]), ([0], [1], [-1.0])):
        with pytest.raises(ValidationError, match="import the network again"):
            network_from_edges(xy, u, v, m)
