"""Large district sets as TopoJSON: shared borders sent once, quantised, simplified as arcs, and
drawn by the page's own canvas layer.

Drawn as one GeoJSON feature per district, a national set (Poland's 2,477 gminy) makes a map page
of 3.7 MB that takes 1.4 s to load: every border between two districts is written twice, with
full-precision coordinates, and each feature carries its own style. At or above
:data:`TOPOJSON_MIN_DISTRICTS` districts (the ``TOPOJSON_MIN_DISTRICTS`` setting of the app) the
district maps draw a :class:`TopoDistricts` layer instead:

* :func:`district_topology` builds the topology with the ``topojson`` package (each border between
  two neighbours becomes one arc that both polygons refer to), simplifies the *arcs* (so the two
  sides of a border stay the same line and no gap or overlap opens between neighbours), then
  quantises the arcs to a grid of :data:`QUANTIZATION` steps over the set's extent and
  delta-encodes them, as the TopoJSON specification describes. The result is cached by the
  geometries' bytes: the next page of the same data reuses it. The arcs and the districts' arc
  lists travel packed as text (:func:`pack_arcs`, :func:`pack_shapes`), the tooltips as one
  JSON string read at the first hover.
* in the browser, :data:`TOPO_JS` reads the packed arcs straight into typed arrays, projects
  each point once per zoom (points less than a pixel apart are left out, the same ones for both
  neighbours of a border) and draws the districts on one Leaflet canvas as a single
  ``L.Path``: each district filled on its own, each style's borders as one path, the hovered
  district on top. Hover (a tooltip and the highlight) and click (the popup) find the district
  under the pointer by its box, then by the even-odd rule on its rings. No Leaflet polygon is
  made per district: making, projecting and clipping 2,477 of them cost more than drawing them.

The 21 demo districts stay plain GeoJSON: at that size the two are equally fast (the topology
saves a few kilobytes) and the plain layer gives each district its own SVG path.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from importlib import resources
from typing import Any, Final

import geopandas as gpd
import numpy as np
import shapely
import topojson
from branca.element import Figure
from folium.map import Layer
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

from mapping.errors import ConfigurationError
from mapping.render.fastpoints import RawText

__all__ = [
    "QUANTIZATION",
    "SIMPLIFY_STEPS",
    "TOPOJSON_MIN_DISTRICTS",
    "ALPHABET",
    "TOPO_JS",
    "TopoDistricts",
    "district_topology",
    "pack_arcs",
    "pack_shapes",
    "shared_pieces",
    "styled_rows",
    "unpack_arcs",
    "unpack_shapes",
    "use_topology",
]

#: From this many districts on, the district maps send a topology rather than GeoJSON.
TOPOJSON_MIN_DISTRICTS: Final = 200
#: Grid steps over the longer side of the set's extent (2**13: about 120 m for Poland, below a
#: pixel up to zoom 9 and within the error of the generalised national boundaries; 2.4 m for
#: a city of 20 km).
QUANTIZATION: Final = 8_192
#: Tolerance of the arcs' simplification, in grid steps (about 120 m for Poland).
SIMPLIFY_STEPS: Final = 1.0
#: The 64 characters of the packed arcs (none needs escaping in HTML, JSON or a URL).
ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#: Topologies kept (one per district set and version).
_CACHE_SIZE: Final = 8

_cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
_lock = threading.Lock()

# Decodes the packed topology and draws it as the district layer (see the module's docstring).
# Every string in ``data.rows`` and ``data.pieces`` was escaped on the server; the script only
# hands them to Leaflet. For tests and benchmarks the layer exposes ``palmapCount`` (districts),
# ``palmapDrawn`` (districts drawn by the last paint), ``palmapTip(i)`` and
# ``palmapDistrictAt(layerPoint)``.
TOPO_JS: Final = resources.files("mapping.data").joinpath("topo_districts.js").read_text("utf-8")


def use_topology(count: int, minimum: int | None) -> bool:
    """Whether ``count`` districts are drawn as a topology (``minimum`` None: the default).

    Examples
    --------
    >>> use_topology(21, None), use_topology(2477, None), use_topology(21, 1)
    (False, True, True)
    """
    limit = TOPOJSON_MIN_DISTRICTS if minimum is None else int(minimum)
    return limit > 0 and count >= limit


def _key(geometries: Sequence[shapely.Geometry]) -> str:
    digest = hashlib.sha256()
    for wkb in shapely.to_wkb(np.asarray(geometries, dtype=object)):
        digest.update(len(wkb).to_bytes(4, "little"))
        digest.update(wkb)
    return digest.hexdigest()


def _quantise(arcs: list[Any], bbox: Sequence[float]) -> tuple[list[list[list[int]]], dict]:
    """Arcs in degrees -> delta-encoded integer arcs and their ``transform``."""
    west, south, east, north = (float(v) for v in bbox)
    step = max(east - west, north - south, 1e-9) / (QUANTIZATION - 1)
    result = []
    for arc in arcs:
        points = np.asarray(arc, dtype=float)[:, :2]
        grid = np.round((points - [west, south]) / step).astype(np.int64)
        # Points on the same grid step add nothing; both ends stay (neighbours meet there).
        keep = np.ones(len(grid), dtype=bool)
        keep[1:] = np.any(grid[1:] != grid[:-1], axis=1)
        keep[-1] = True
        grid = grid[keep]
        deltas = np.vstack([grid[:1], np.diff(grid, axis=0)])
        result.append(deltas.tolist())
    return result, {"scale": [step, step], "translate": [west, south]}


def _write(number: int, parts: list[str]) -> None:
    value = number * 2 if number >= 0 else -number * 2 - 1
    while value >= 32:
        parts.append(ALPHABET[32 + (value & 31)])
        value >>= 5
    parts.append(ALPHABET[value])


def _read(text: str) -> list[int | str]:
    """Numbers and marks of a packed string, in order."""
    digits = {ch: n for n, ch in enumerate(ALPHABET)}
    found: list[int | str] = []
    value = shift = 0
    for ch in text:
        if ch not in digits:
            found.append(ch)
            continue
        digit = digits[ch]
        value += (digit & 31) << shift
        if digit >= 32:
            shift += 5
            continue
        found.append(-(value + 1) // 2 if value % 2 else value // 2)
        value = shift = 0
    return found


def pack_shapes(geometries: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """The arc lists of the topology's polygons as one string (each ring closed by ``"."``,
    each polygon by ``","``, each geometry by ``";"``) and their types (``P``/``M``).

    Examples
    --------
    >>> pack_shapes([{"type": "Polygon", "arcs": [[0, -2]]}])
    ('AD.,;', 'P')
    >>> unpack_shapes('AD.,;', 'P')
    [{'type': 'Polygon', 'arcs': [[0, -2]]}]
    """
    parts: list[str] = []
    types = []
    for geometry in geometries:
        multi = geometry["type"] == "MultiPolygon"
        types.append("M" if multi else "P")
        for polygon in geometry["arcs"] if multi else [geometry["arcs"]]:
            for ring in polygon:
                for index in ring:
                    _write(int(index), parts)
                parts.append(".")
            parts.append(",")
        parts.append(";")
    return "".join(parts), "".join(types)


def unpack_shapes(text: str, types: str) -> list[dict[str, Any]]:
    """The geometries of :func:`pack_shapes` (what :data:`TOPO_JS` does in the browser)."""
    geometries: list[dict[str, Any]] = []
    polygons: list[list[list[int]]] = []
    polygon: list[list[int]] = []
    ring: list[int] = []
    for item in _read(text):
        if isinstance(item, int):
            ring.append(item)
        elif item == ".":
            polygon.append(ring)
            ring = []
        elif item == ",":
            polygons.append(polygon)
            polygon = []
        else:
            multi = types[len(geometries)] == "M"
            geometries.append(
                {"type": "MultiPolygon" if multi else "Polygon",
                 "arcs": polygons if multi else polygons[0]}
            )  # fmt: skip
            polygons = []
    return geometries


def pack_arcs(arcs: Sequence[Sequence[Sequence[int]]]) -> str:
    """Delta-encoded integer arcs as one string: each number zigzag-encoded (0, -1, 1, -2 ->
    0, 1, 2, 3) and written 5 bits per character of :data:`ALPHABET`, lowest bits first (a
    character of 32 or more says that more follow); each arc ends with ``"."``. About 4
    characters per point instead of 12 as JSON.

    Examples
    --------
    >>> pack_arcs([[[0, 0], [1, -1]], [[40, 3]]])
    'AACB.wCG.'
    >>> unpack_arcs('AACB.wCG.')
    [[[0, 0], [1, -1]], [[40, 3]]]
    """
    parts: list[str] = []
    for arc in arcs:
        for point in arc:
            for number in point:
                _write(int(number), parts)
        parts.append(".")
    return "".join(parts)


def unpack_arcs(text: str) -> list[list[list[int]]]:
    """The arcs of :func:`pack_arcs` (what :data:`TOPO_JS` does in the browser)."""
    arcs: list[list[list[int]]] = []
    arc: list[list[int]] = []
    pair: list[int] = []
    for item in _read(text):
        if isinstance(item, str):
            arcs.append(arc)
            arc = []
            continue
        pair.append(item)
        if len(pair) == 2:
            arc.append(pair)
            pair = []
    return arcs


def district_topology(geometries: Sequence[shapely.Geometry]) -> dict[str, Any]:
    """The polygons ``geometries`` (EPSG:4326, none empty) as a quantised TopoJSON topology.

    One object, ``districts``, holds one geometry per input, in order. Borders shared by
    neighbours are one arc, simplified once (Douglas-Peucker on the arcs, tolerance
    :data:`SIMPLIFY_STEPS` grid steps), then quantised and delta-encoded. Cached by the
    geometries' bytes (the last few sets).

    Examples
    --------
    >>> from shapely import box
    >>> topo = district_topology([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> [g["arcs"] for g in topo["objects"]["districts"]["geometries"]]
    [[[0, -2]], [[1, 2]]]
    """
    key = _key(geometries)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    frame = gpd.GeoDataFrame(geometry=list(geometries), crs=4326)
    west, south, east, north = frame.total_bounds
    tolerance = max(east - west, north - south, 1e-9) / (QUANTIZATION - 1) * SIMPLIFY_STEPS
    # prequantize=False: the package's own toposimplify on quantised arcs works on the deltas
    # and bends shapes; the arcs are simplified in degrees here, then quantised below.
    built = topojson.Topology(
        frame, prequantize=False, topology=True, toposimplify=tolerance
    ).to_dict()
    arcs, transform = _quantise(built["arcs"], [west, south, east, north])
    geometries_out = [
        {"type": item["type"], "arcs": item["arcs"]}
        for item in built["objects"]["data"]["geometries"]
    ]
    if len(geometries_out) != len(geometries):
        raise ConfigurationError(
            f"expected one topology geometry per district ({len(geometries)}), got "
            f"{len(geometries_out)}"
        )
    topology = {
        "type": "Topology",
        "transform": transform,
        "objects": {"districts": {"type": "GeometryCollection", "geometries": geometries_out}},
        "arcs": arcs,
    }
    with _lock:
        _cache[key] = topology
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return topology


class TopoDistricts(Layer):
    """A district layer sent as a topology and drawn by :data:`TOPO_JS`.

    ``rows`` has one ``[position, code, tooltip HTML, popup HTML or None, style index]`` per
    geometry of ``topology`` (strings already escaped; the position and the code are not sent:
    the page's table and links carry them); ``styles`` are Leaflet path options (``color``,
    ``weight``, ``opacity``, ``fillColor``, ``fillOpacity``, ``dashArray``, ``fill``,
    ``stroke``), ``highlight`` the options that change on hover.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}" + TOPO_JS + "var {{ this.get_name() }} = "
        "palmapTopoDistricts({{ this.placeholder }});\n"
        "{% endmacro %}"
    )

    def __init__(
        self,
        *,
        name: str,
        topology: dict[str, Any],
        rows: list[list[Any]],
        styles: list[dict[str, Any]],
        highlight: dict[str, Any],
        tooltip_class: str,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "TopoDistricts"
        pieces, coded = shared_pieces([row[2] for row in rows])
        # The code is left out: the page's table and links carry it; the map needs none.
        style_of = [int(row[4]) for row in rows]
        rows = [[tip, row[3]] for row, tip in zip(rows, coded, strict=True)]
        shapes, types = pack_shapes(topology["objects"]["districts"]["geometries"])
        empty = {"districts": {"type": "GeometryCollection", "geometries": []}}
        data = {
            "topology": {
                "type": "Topology",
                "transform": topology["transform"],
                "arcs": [],
                "objects": empty,
            },  # fmt: skip
            "packedArcs": pack_arcs(topology["arcs"]),
            "packedShapes": shapes,
            "shapeTypes": types,
            "alphabet": ALPHABET,
            "pieces": pieces,
            # A string: JSON.parse at the first hover costs less than a literal at load.
            "rows": json.dumps(rows, separators=(",", ":"), ensure_ascii=False),
            "styleOf": style_of,
            "styles": styles,
            "highlight": highlight,
            "tooltipClass": tooltip_class,
        }
        # UTF-8 as it is (the page is UTF-8): a Polish name is not six bytes per letter.
        self.data_json = str(htmlsafe_json_dumps(data, separators=(",", ":"), ensure_ascii=False))
        self.placeholder = f"palmap_topo_{self.get_name()}"

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Render as folium does, the data put in after templating (see FastPoints.render)."""
        super().render(**kwargs)
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"expected a map inside a Figure, got a root {type(figure).__name__}")
        script = self._template.module.script(self, kwargs)
        text = str(script).replace(self.placeholder, self.data_json, 1)
        figure.script.add_child(RawText(text), name=self.get_name())


# Runs of tags, runs of figures (a value or a rank), and the words between them (units and
# labels, which repeat).
_PIECE = re.compile(r"(?:<[^>]*>)+|[-−+]?\d[\d\s.,/%]*|[^<\d]+")


def shared_pieces(texts: Sequence[str]) -> tuple[list[str], list[list[int | str]]]:
    """Split each (already escaped) HTML text into runs of tags, of figures and of other text;
    a run that occurs more than once is sent once, in the returned table, and stands as its
    index.

    Examples
    --------
    >>> shared_pieces(["<b>A</b>", "<b>B</b>"])
    (['<b>', '</b>'], [[0, 'A', 1], [0, 'B', 1]])
    """
    split = [_PIECE.findall(text) for text in texts]
    counts = Counter(piece for pieces in split for piece in pieces)
    table: dict[str, int] = {}
    coded: list[list[int | str]] = []
    for pieces in split:
        row: list[int | str] = []
        for piece in pieces:
            if counts[piece] > 1:
                row.append(table.setdefault(piece, len(table)))
            else:
                row.append(piece)
        coded.append(row)
    return list(table), coded


def styled_rows(
    styles: Sequence[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[int]]:
    """Distinct styles and, per input, the index of its style (a page of 2,477 districts has a
    handful of distinct fills).

    Examples
    --------
    >>> styled_rows([{"a": 1}, {"a": 2}, {"a": 1}])
    ([{'a': 1}, {'a': 2}], [0, 1, 0])
    """
    distinct: dict[str, int] = {}
    unique: list[dict[str, Any]] = []
    indexes = []
    for style in styles:
        key = repr(sorted(style.items()))
        if key not in distinct:
            distinct[key] = len(unique)
            unique.append(dict(style))
        indexes.append(distinct[key])
    return unique, indexes
