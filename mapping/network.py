"""A walking network: the street and path graph access is measured along (issue 15).

``palmap import network FILE.osm|FILE.osm.pbf`` reads the ways of an OpenStreetMap extract
(:mod:`mapping.io.network`), keeps those a person can walk along (:mod:`mapping.network_tags`) and
builds an undirected graph (:func:`build_network`):

Nodes
    Every end of a kept way, and every point two kept ways share (or one way passes twice). GDAL's
    OSM driver gives each way as a line string without its OSM node ids, so shared points are
    found by their coordinates in EPSG:2180 rounded to :data:`NODE_PRECISION_M` (1 cm): two ways
    that share an OSM node have the same coordinates; ways that only cross (a bridge over a
    street) share none and stay unconnected, as they should.
Edges
    The part of a way between two consecutive nodes, with its length in metres measured in
    EPSG:2180 along every vertex. Walking ignores ``oneway``; of parallel edges between the same
    two nodes the shortest is kept.
Components
    The connected parts of the graph (:func:`scipy.sparse.csgraph.connected_components`); the
    report warns when the largest holds less than :data:`MIN_LARGEST_SHARE` of the nodes (an
    extract cut badly, or ways that should connect and do not).

The graph is stored as arrays (:mod:`mapping.db.network`) and measured by
:mod:`mapping.network_distance`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from mapping.crs import to_metric
from mapping.errors import ValidationError, msg
from mapping.network_tags import REASONS, classify_ways

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = [
    "MIN_LARGEST_SHARE",
    "NODE_PRECISION_M",
    "NetworkReport",
    "WalkingNetwork",
    "build_network",
    "network_from_edges",
]

#: Coordinates closer than this (metres, EPSG:2180) are one node.
NODE_PRECISION_M: float = 0.01
#: The import warns when the largest connected part holds a smaller share of the nodes.
MIN_LARGEST_SHARE: float = 0.9


@dataclass(frozen=True, eq=False)
class WalkingNetwork:
    """An undirected walking graph in EPSG:2180.

    Attributes
    ----------
    node_xy
        (n, 2) easting and northing of every node, metres.
    edge_u, edge_v
        The two nodes of every edge (indices into ``node_xy``).
    edge_m
        The length of every edge in metres (> 0).
    source
        Where it came from (the file name), for the ``meta``.
    """

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_m: np.ndarray
    source: str = ""
    #: Structures derived once (graph, components, snapping tree).
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def nodes(self) -> int:
        return len(self.node_xy)

    @property
    def edges(self) -> int:
        return len(self.edge_m)

    @cached_property
    def digest(self) -> str:
        """A short hash of the graph (the page cache's fingerprint)."""
        sha = hashlib.sha256()
        for array in (self.node_xy, self.edge_u, self.edge_v, self.edge_m):
            sha.update(np.ascontiguousarray(array).tobytes())
        return sha.hexdigest()[:16]

    def graph(self) -> csr_matrix:
        """The symmetric sparse adjacency matrix of edge lengths (built once)."""
        if "graph" not in self.cache:
            from scipy.sparse import coo_matrix

            n = self.nodes
            rows = np.concatenate([self.edge_u, self.edge_v])
            cols = np.concatenate([self.edge_v, self.edge_u])
            data = np.concatenate([self.edge_m, self.edge_m])
            self.cache["graph"] = coo_matrix((data, (rows, cols)), shape=(n, n)).tocsr()
        return self.cache["graph"]

    def components(self) -> np.ndarray:
        """The connected component of every node (0 = the largest)."""
        if "components" not in self.cache:
            from scipy.sparse.csgraph import connected_components

            _, labels = connected_components(self.graph(), directed=False)
            sizes = np.bincount(labels) if len(labels) else np.zeros(0, dtype=np.int64)
            order = np.argsort(-sizes, kind="stable")
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            self.cache["components"] = rank[labels] if len(labels) else labels
        return self.cache["components"]

    def snap(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest node of the largest connected part to every point ((n, 2) metres in
        EPSG:2180), and the distance to it: a point is never snapped onto a fragment that
        reaches nothing else."""
        if "snap_tree" not in self.cache:
            from scipy.spatial import cKDTree

            candidates = np.flatnonzero(self.components() == 0)
            self.cache["snap_tree"] = (cKDTree(self.node_xy[candidates]), candidates)
        tree, candidates = self.cache["snap_tree"]
        if not len(xy) or not len(candidates):
            return np.zeros(len(xy), dtype=np.int64), np.full(len(xy), np.nan)
        distance, position = tree.query(np.asarray(xy, dtype="float64").reshape(-1, 2), k=1)
        return candidates[position], np.asarray(distance, dtype="float64")

    def largest_share(self) -> float:
        """The share of the nodes in the largest connected part (0 without nodes)."""
        labels = self.components()
        return float((labels == 0).mean()) if len(labels) else 0.0


@dataclass(frozen=True)
class NetworkReport:
    """What an import of a network found: lines kept and skipped by reason, the graph's size."""

    lines: int
    reasons: dict[str, int]
    nodes: int
    edges: int
    components: int
    largest_share: float
    length_km: float
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "kept": self.reasons.get("kept", 0),
            "skipped": {k: v for k, v in self.reasons.items() if k != "kept" and v},
            "skipped_why": {k: REASONS[k] for k, v in self.reasons.items() if k != "kept" and v},
            "nodes": self.nodes,
            "edges": self.edges,
            "components": self.components,
            "largest_component_share": round(self.largest_share, 6),
            "length_km": round(self.length_km, 3),
            "warnings": list(self.warnings),
        }

    def lines_text(self) -> list[str]:
        """The report as lines of text for a terminal."""
        out = [f"Lines read: {self.lines}; kept as walkable: {self.reasons.get('kept', 0)}."]
        for key, count in self.reasons.items():
            if key != "kept" and count:
                out.append(f"Skipped {count}: {REASONS[key]}.")
        out.append(
            f"Graph: {self.nodes} nodes, {self.edges} edges, {self.length_km:.1f} km; "
            f"{self.components} connected part(s), the largest holding "
            f"{self.largest_share:.1%} of the nodes."
        )
        out.extend(f"Warning: {w}" for w in self.warnings)
        return out


def network_from_edges(
    node_xy: np.ndarray,
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    edge_m: np.ndarray,
    *,
    source: str = "",
) -> WalkingNetwork:
    """A network from its arrays, checked (what :mod:`mapping.db.network` loads, what the
    benchmark builds)."""
    xy = np.asarray(node_xy, dtype="float64").reshape(-1, 2)
    u = np.asarray(edge_u, dtype=np.int64)
    v = np.asarray(edge_v, dtype=np.int64)
    m = np.asarray(edge_m, dtype="float64")
    ok = bool(
        len(u) == len(v) == len(m) and np.isfinite(xy).all() and np.isfinite(m).all()
    ) and bool((m >= 0).all())
    if len(u) and ok:
        ok = bool(u.min() >= 0 and v.min() >= 0 and max(u.max(), v.max()) < len(xy))
    if not ok:
        raise ValidationError(
            msg(
                "expected a walking network whose edges join known nodes with finite lengths, "
                "got a damaged one; import the network again (palmap import network)"
            )
        )
    return WalkingNetwork(xy, u.astype(np.int32), v.astype(np.int32), m, source=source)


def _split(xy: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, ...]:
    """Nodes (their coordinates) and edges (node, node, metres) of line strings given as
    vertices ``xy`` with the index of their line."""
    keys = np.round(xy / NODE_PRECISION_M).astype(np.int64)
    _, vertex = np.unique(keys, axis=0, return_inverse=True)
    vertex = vertex.ravel()
    # Drop a vertex that repeats the one before it on the same line (a zero-length segment).
    repeat = np.zeros(len(vertex), dtype=bool)
    repeat[1:] = (vertex[1:] == vertex[:-1]) & (line[1:] == line[:-1])
    vertex, line, xy = vertex[~repeat], line[~repeat], xy[~repeat]
    first = np.ones(len(line), dtype=bool)
    first[1:] = line[1:] != line[:-1]
    last = np.ones(len(line), dtype=bool)
    last[:-1] = line[1:] != line[:-1]
    is_node = first | last | (np.bincount(vertex)[vertex] >= 2)
    step = np.zeros(len(line))
    step[1:] = np.where(first[1:], 0.0, np.hypot(*(xy[1:] - xy[:-1]).T))
    along = np.cumsum(step)
    at = np.flatnonzero(is_node)
    same_line = line[at[1:]] == line[at[:-1]]
    nodes, first_seen, index = np.unique(vertex[at], return_index=True, return_inverse=True)
    index = index.ravel()
    node_xy = xy[at[first_seen]]
    a, b = index[:-1][same_line], index[1:][same_line]
    length = (along[at[1:]] - along[at[:-1]])[same_line]
    del nodes
    return node_xy, a, b, length


def _shortest_edges(
    a: np.ndarray, b: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected edges without loops, the shortest of parallel ones kept."""
    keep = a != b
    a, b, length = np.minimum(a, b)[keep], np.maximum(a, b)[keep], length[keep]
    order = np.lexsort((length, b, a))
    a, b, length = a[order], b[order], length[order]
    unique = np.ones(len(a), dtype=bool)
    unique[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[unique], b[unique], length[unique]


def build_network(
    lines: gpd.GeoDataFrame, *, source: str = ""
) -> tuple[WalkingNetwork, NetworkReport]:
    """The walking graph of the ``lines`` layer of an OSM extract (GDAL's OSM driver: columns
    ``highway``, ``other_tags``, line geometries with a CRS), and its report.

    Examples
    --------
    Two footways meeting at a corner and a motorway: two edges of 100 m, three nodes.

    >>> from shapely import LineString
    >>> x, y = 360_000, 380_000
    >>> lines = gpd.GeoDataFrame({"highway": ["footway", "footway", "motorway"]},
    ...     geometry=[LineString([(x, y), (x + 100, y)]),
    ...               LineString([(x + 100, y), (x + 100, y + 100)]),
    ...               LineString([(x, y + 50), (x + 500, y + 50)])], crs=2180)
    >>> network, report = build_network(lines)
    >>> network.nodes, network.edges, network.edge_m.round(6).tolist(), report.reasons["motorway"]
    (3, 2, [100.0, 100.0], 1)
    """
    reasons = classify_ways(lines)
    counts = {key: int((reasons == key).sum()) for key in REASONS}
    kept = lines[reasons == "kept"]
    geoms = to_metric(kept, name="network lines").geometry if len(kept) else gpd.GeoSeries()
    geoms = geoms[geoms.notna() & ~geoms.is_empty]
    parts = shapely.get_parts(np.asarray(geoms.array, dtype=object)) if len(geoms) else []
    parts = [g for g in parts if g.geom_type == "LineString" and len(g.coords) >= 2]
    if parts:
        xy, line = shapely.get_coordinates(np.asarray(parts, dtype=object), return_index=True)
        node_xy, a, b, length = _split(xy[:, :2], line)
        a, b, length = _shortest_edges(a, b, length)
    else:
        node_xy, a, b, length = np.empty((0, 2)), np.empty(0), np.empty(0), np.empty(0)
    network = network_from_edges(node_xy, a, b, length, source=source)
    return network, _report(network, len(lines), counts)


def _report(network: WalkingNetwork, read: int, counts: Mapping[str, int]) -> NetworkReport:
    labels = network.components()
    share = network.largest_share()
    warnings: list[str] = []
    if network.nodes and share < MIN_LARGEST_SHARE:
        warnings.append(
            f"the largest connected part holds {share:.1%} of the nodes (less than "
            f"{MIN_LARGEST_SHARE:.0%}): places in the other parts reach only their own part; "
            "check that the extract covers the whole city and that its ways connect"
        )
    if not network.edges:
        warnings.append("no walkable way in the file: nothing to measure along")
    return NetworkReport(
        lines=read,
        reasons=dict(counts),
        nodes=network.nodes,
        edges=network.edges,
        components=int(labels.max()) + 1 if len(labels) else 0,
        largest_share=share,
        length_km=float(network.edge_m.sum()) / 1000.0,
        warnings=tuple(warnings),
    )
