"""Distances from demand points to resources: along the walking network, or straight.

Access (:func:`mapping.population.demand_access`) needs two things from a distance: the distance
of every demand point to its nearest resource (``nearest_m``, ``coverage``), and every demand
point x resource pair within the catchment (2SFCA, E2SFCA). :class:`Distances` holds both, as a
sparse table of pairs, whatever the kind of distance, so that one scoring code
(:func:`mapping.access.point_scores`) serves all of them.

Kinds (:data:`DISTANCES`, chosen by :func:`distance_mode`)
    ``network``
        Along the walking network (:mod:`mapping.network`): each demand point and each resource
        is snapped to the nearest node of the network's largest connected part
        (:class:`scipy.spatial.cKDTree`), and a pair's distance is the demand point's snap
        distance + the shortest path between the two nodes + the resource's snap distance. The
        pairs come from one bounded shortest-path search per resource node
        (:func:`scipy.sparse.csgraph.dijkstra` with ``limit`` = the largest catchment radius,
        ``indices`` = the resources' nodes, a few at a time), never from a full distance matrix;
        the nearest resource of every point from one more search from a virtual node joined to
        every resource node by its snap distance.
    ``detour``
        The straight-line distance times :data:`DETOUR_FACTOR` (1.3), the default where no
        network is loaded: walking routes are longer than the straight line. On a perfect street
        grid the mean ratio of the walked (Manhattan) to the straight distance over all
        directions is 4/pi = 1.27; studies of network circuity report ratios of about 1.2 to 1.4
        for urban trips (for example Giacomin and Levinson 2015, "Road network circuity in
        metropolitan areas", Environment and Planning B 42(6)).
    ``straight``
        The straight-line distance in EPSG:2180 (what palmap measured before networks).

The default (:func:`distance_mode` with ``None``) is ``network`` when a network is loaded, else
``detour``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mapping.errors import ValidationError, msg

if TYPE_CHECKING:
    from mapping.network import WalkingNetwork

__all__ = [
    "DETOUR_FACTOR",
    "DISTANCES",
    "DistanceMode",
    "Distances",
    "distance_mode",
]

#: Walking distance over straight-line distance assumed where no network is loaded.
DETOUR_FACTOR: float = 1.3
#: The kinds of distance a user may ask for.
DISTANCES: tuple[str, ...] = ("network", "detour", "straight")
#: Side of the squares resources are searched in blocks by, in catchment radii: a block's
#: search covers its square and the eight around it, every node within the radius.
_CELL_LIMITS = 2.0


@dataclass(frozen=True)
class Distances:
    """Distances from ``n_origins`` demand points to ``n_destinations`` resources.

    ``origin``, ``dest`` and ``cost`` list every pair within ``limit`` metres (the sparse
    demand x resource table); ``nearest`` is each origin's distance to its nearest destination
    (``inf`` when none is reachable, NaN when there are no destinations); ``origin_snap`` and
    ``dest_snap`` the snap distances (zeros for straight distances).
    """

    origin: np.ndarray
    dest: np.ndarray
    cost: np.ndarray
    nearest: np.ndarray
    limit: float
    n_origins: int
    n_destinations: int
    origin_snap: np.ndarray
    dest_snap: np.ndarray


@dataclass(frozen=True)
class DistanceMode:
    """How distances are measured: ``kind`` (a key of :data:`DISTANCES`), the ``network`` for
    ``network``, the ``factor`` multiplying straight distances (1.0 or :data:`DETOUR_FACTOR`)."""

    kind: str
    network: WalkingNetwork | None = None
    factor: float = 1.0

    def measure(self, origins: np.ndarray, destinations: np.ndarray, *, limit: float) -> Distances:
        """The distances from ``origins`` to ``destinations`` ((n, 2) metres in EPSG:2180):
        pairs within ``limit`` metres, and every origin's nearest destination."""
        origins = np.asarray(origins, dtype="float64").reshape(-1, 2)
        destinations = np.asarray(destinations, dtype="float64").reshape(-1, 2)
        if self.kind == "network" and self.network is not None:
            return _network_distances(self.network, origins, destinations, limit)
        return _straight_distances(origins, destinations, limit, self.factor)

    def description(self) -> dict[str, Any]:
        """The distance used, for the ``meta`` and the pages."""
        if self.kind == "network" and self.network is not None:
            return {
                "distance": "network",
                "text": "walking distance along the street and path network, each demand point "
                "and resource snapped to its nearest node (snap distances added)",
                "network": {
                    "source": self.network.source,
                    "nodes": self.network.nodes,
                    "edges": self.network.edges,
                },
            }
        if self.kind == "detour":
            return {
                "distance": "detour",
                "detour_factor": self.factor,
                "text": f"straight-line distance x {self.factor:g} (detour factor: no walking "
                "network loaded)",
            }
        return {"distance": "straight", "detour_factor": 1.0, "text": "straight-line distance"}

    def snap_figures(self, origins: np.ndarray, destinations: np.ndarray) -> dict[str, Any]:
        """Mean and largest snap distance (metres) of demand points and resources; empty for
        straight distances."""
        if self.kind != "network" or self.network is None:
            return {}
        out: dict[str, Any] = {}
        for name, xy in (("demand", origins), ("resources", destinations)):
            _, snap = self.network.snap(np.asarray(xy, dtype="float64").reshape(-1, 2))
            out[f"{name}_snap_mean_m"] = float(snap.mean()) if len(snap) else None
            out[f"{name}_snap_max_m"] = float(snap.max()) if len(snap) else None
        return out


def distance_mode(choice: str | None, network: WalkingNetwork | None) -> DistanceMode:
    """The distance for a user's ``choice`` (``network``, ``detour``, ``straight``; None for
    the default: the network when one is loaded, else the detour factor).

    Examples
    --------
    >>> distance_mode(None, None).kind, distance_mode("straight", None).factor
    ('detour', 1.0)
    >>> distance_mode("network", None)
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: expected a walking network for distance=network, got none \
loaded; import one with palmap import network FILE.osm.pbf, or choose distance=detour or straight
    """
    if choice is None or choice == "":
        choice = "network" if network is not None and network.edges else "detour"
    if choice not in DISTANCES:
        raise ValidationError(
            msg(
                "expected distance to be one of {allowed}, got {value!r}; choose one of them",
                allowed=", ".join(DISTANCES),
                value=choice,
            )
        )
    if choice == "network":
        if network is None or not network.edges:
            raise ValidationError(
                msg(
                    "expected a walking network for distance=network, got none loaded; import "
                    "one with palmap import network FILE.osm.pbf, or choose distance=detour or "
                    "straight"
                )
            )
        return DistanceMode("network", network)
    return DistanceMode(choice, None, DETOUR_FACTOR if choice == "detour" else 1.0)


def _straight_distances(
    origins: np.ndarray, destinations: np.ndarray, limit: float, factor: float
) -> Distances:
    from scipy.spatial import cKDTree  # imported when used: 0.4 s at start-up otherwise

    zeros_o, zeros_d = np.zeros(len(origins)), np.zeros(len(destinations))
    if not len(origins) or not len(destinations):
        nearest = np.full(len(origins), np.nan)
        empty = np.empty(0, dtype=np.int64)
        return Distances(
            empty, empty, np.empty(0), nearest, limit, len(origins), len(destinations),
            zeros_o, zeros_d,
        )  # fmt: skip
    tree_d = cKDTree(destinations)
    nearest, _ = tree_d.query(origins, k=1)
    pairs = cKDTree(origins).sparse_distance_matrix(tree_d, limit / factor, output_type="ndarray")
    return Distances(
        pairs["i"].astype(np.int64),
        pairs["j"].astype(np.int64),
        pairs["v"] * factor,
        np.asarray(nearest, dtype="float64") * factor,
        limit,
        len(origins),
        len(destinations),
        zeros_o,
        zeros_d,
    )


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unique ``keys``, and for each: where its members start in ``order``, how many, and
    ``order`` (the members sorted by key)."""
    order = np.argsort(keys, kind="stable")
    unique, start, count = np.unique(keys[order], return_index=True, return_counts=True)
    return unique, start, count, order


def _expand(group: np.ndarray, start: np.ndarray, count: np.ndarray, order: np.ndarray) -> tuple:
    """For pairs naming a group each, one row per member: (pair index, member)."""
    repeats = count[group]
    pair = np.repeat(np.arange(len(group)), repeats)
    offset = np.arange(len(pair)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    return pair, order[start[group][pair] + offset]


def _network_distances(
    network: WalkingNetwork, origins: np.ndarray, destinations: np.ndarray, limit: float
) -> Distances:
    origin_node, origin_snap = network.snap(origins)
    dest_node, dest_snap = network.snap(destinations)
    empty = np.empty(0, dtype=np.int64)
    if not len(origins) or not len(destinations):
        nearest = np.full(len(origins), np.nan)
        return Distances(
            empty, empty, np.empty(0), nearest, limit, len(origins), len(destinations),
            origin_snap, dest_snap,
        )  # fmt: skip
    graph = network.graph()
    nearest = origin_snap + _nearest_along(graph, dest_node, dest_snap)[origin_node]
    o_nodes, o_start, o_count, o_order = _groups(origin_node)
    d_nodes, d_start, d_count, d_order = _groups(dest_node)
    # Where each graph node stands among the demand points' nodes (-1: no demand point there).
    slot = np.full(network.nodes, -1, dtype=np.int64)
    slot[o_nodes] = np.arange(len(o_nodes))
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    cells = _CellIndex(network.node_xy, limit * _CELL_LIMITS)
    for block in _blocks(network.node_xy[d_nodes], limit * _CELL_LIMITS):
        near = cells.around(network.node_xy[d_nodes[block[0]]])
        src, node, along = _bounded_search(graph, near, d_nodes[block], limit)
        keep = slot[node] >= 0
        src, col, along = block[src[keep]], slot[node[keep]], along[keep]
        # One row per demand point at the node, then one per resource at the source node.
        pair, member_o = _expand(col, o_start, o_count, o_order)
        src, along = src[pair], along[pair]
        pair, member_d = _expand(src, d_start, d_count, d_order)
        member_o, along = member_o[pair], along[pair]
        cost = origin_snap[member_o] + along + dest_snap[member_d]
        within = cost <= limit
        found.append((member_o[within], member_d[within], cost[within]))
    return Distances(
        np.concatenate([f[0] for f in found]),
        np.concatenate([f[1] for f in found]),
        np.concatenate([f[2] for f in found]),
        nearest,
        limit,
        len(origins),
        len(destinations),
        origin_snap,
        dest_snap,
    )


class _CellIndex:
    """The nodes in squares of ``cell`` metres: those of a square and its eight neighbours."""

    def __init__(self, xy: np.ndarray, cell: float) -> None:
        self.cell = max(cell, 1.0)
        keys = np.floor(xy / self.cell).astype(np.int64)
        self.order = np.lexsort((keys[:, 1], keys[:, 0]))
        sorted_keys = keys[self.order]
        starts = np.flatnonzero(np.r_[True, (np.diff(sorted_keys, axis=0) != 0).any(axis=1)])
        ends = np.r_[starts[1:], len(self.order)]
        self.spans = {
            (int(k[0]), int(k[1])): (int(a), int(b))
            for k, a, b in zip(sorted_keys[starts], starts, ends, strict=True)
        }

    def around(self, point: np.ndarray) -> np.ndarray:
        """The nodes (sorted) of the square holding ``point`` and of its neighbours."""
        cx, cy = (int(v) for v in np.floor(point / self.cell))
        parts = [
            self.order[slice(*self.spans[(x, y)])]
            for x in (cx - 1, cx, cx + 1)
            for y in (cy - 1, cy, cy + 1)
            if (x, y) in self.spans
        ]
        return np.sort(np.concatenate(parts))


def _blocks(xy: np.ndarray, cell: float) -> list[np.ndarray]:
    """The resource nodes in spatial blocks: those in one square of ``cell`` metres together
    (at most 512 at a time), so that each block's search needs only the nodes of that square
    and its neighbours."""
    cells = np.floor(xy / max(cell, 1.0)).astype(np.int64)
    _, cell_of = np.unique(cells, axis=0, return_inverse=True)
    cell_of = cell_of.ravel()
    order = np.argsort(cell_of, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(cell_of[order]) != 0])
    blocks = []
    for members in np.split(order, starts[1:]):
        blocks.extend(np.array_split(members, max(1, -(-len(members) // 512))))
    return blocks


def _bounded_search(
    graph: Any, near: np.ndarray, sources: np.ndarray, limit: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shortest paths of at most ``limit`` metres from each of ``sources``: (source position,
    node, metres) of every node reached. A path of at most ``limit`` metres never leaves the
    circle of that radius around its source (an edge is at least as long as the straight line
    between its nodes), so the search runs on the nodes ``near`` the sources alone (every node
    within ``limit`` of them): exact, and a small dense result instead of one row of every node
    per source."""
    from scipy.sparse.csgraph import dijkstra

    local = np.searchsorted(near, sources)
    sub = graph[near][:, near]
    rows = dijkstra(sub, directed=True, indices=local, limit=limit)
    src, col = np.nonzero(np.isfinite(rows))
    return src, near[col], rows[src, col]


def _nearest_along(graph: Any, dest_node: np.ndarray, dest_snap: np.ndarray) -> np.ndarray:
    """Every node's distance to its nearest resource (its snap distance included): one search
    from a virtual node joined to each resource node by that resource's snap distance."""
    from scipy.sparse import coo_matrix, csr_matrix
    from scipy.sparse.csgraph import dijkstra

    n = graph.shape[0]
    # A node's own entry: the smallest snap of the resources snapped to it. A tiny constant keeps
    # a zero snap an edge (a zero in a sparse graph is no edge); it is taken off again below.
    tiny = 1e-6
    best = np.full(n, np.inf)
    np.minimum.at(best, dest_node, dest_snap)
    nodes = np.flatnonzero(np.isfinite(best))
    coo = graph.tocoo()
    rows = np.concatenate([coo.row, np.full(len(nodes), n)])
    cols = np.concatenate([coo.col, nodes])
    data = np.concatenate([coo.data, best[nodes] + tiny])
    extended = csr_matrix(coo_matrix((data, (rows, cols)), shape=(n + 1, n + 1)))
    reach = dijkstra(extended, directed=True, indices=n)
    return np.asarray(reach[:n], dtype="float64") - tiny
