"""Reading a walking network from an OpenStreetMap extract (``palmap import network``).

The file is an ``.osm`` XML file (the Overpass API, JOSM) or an ``.osm.pbf`` extract. Before
GDAL's OSM driver (through pyogrio) reads its ``lines`` layer, the file is checked: its size
(``PALMAP_MAX_FILE_MB``), that its content is what its extension says (an ``<osm`` root; the
PBF ``OSMHeader`` block), and that an XML file declares no document type or entity (GDAL's
parser expands none, but such a file is no OSM export and is refused outright). The ways are
then turned into a graph by :func:`mapping.network.build_network`.
"""

from __future__ import annotations

from pathlib import Path

from mapping.errors import RefusedInputError, ValidationError, msg
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_size
from mapping.network import NetworkReport, WalkingNetwork, build_network

__all__ = ["OSM_EXTENSIONS", "read_network"]

#: The file names the command reads.
OSM_EXTENSIONS: tuple[str, ...] = (".osm", ".osm.pbf", ".pbf")
_HEAD = 4096
#: The fields of GDAL's OSM ``lines`` layer the graph needs.
_COLUMNS = ["osm_id", "highway", "other_tags"]


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".pbf"):
        return "pbf"
    if name.endswith(".osm"):
        return "xml"
    raise ValidationError(
        msg(
            "expected an OpenStreetMap extract named .osm or .osm.pbf, got {name}; export the "
            "area as .osm (Overpass API, JOSM) or cut an .osm.pbf extract",
            name=path.name,
        )
    )


def _check_content(path: Path, kind: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    if kind == "pbf":
        ok = b"OSMHeader" in head[:64]
    else:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
        if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
            raise RefusedInputError(
                msg(
                    "{name}: expected an OpenStreetMap XML file, got one that declares a "
                    "document type or entities, which palmap never reads; export the area again "
                    "as plain .osm",
                    name=path.name,
                )
            )
        ok = "<osm" in text
    if not ok:
        raise RefusedInputError(
            msg(
                "{name}: expected OpenStreetMap data as its extension says ({kind}), got other "
                "content; check that this is the exported extract",
                name=path.name,
                kind=".osm.pbf" if kind == "pbf" else ".osm",
            )
        )


def read_network(
    path: Path, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[WalkingNetwork, NetworkReport]:
    """The walking network of the OSM extract at ``path`` and what its import found."""
    import pyogrio

    path = Path(path)
    kind = _kind(path)
    check_size(path.stat().st_size, limits)
    _check_content(path, kind)
    try:
        lines = pyogrio.read_dataframe(path, layer="lines", columns=_COLUMNS)
    except Exception as exc:  # pyogrio's errors: DataSourceError, DataLayerError, ...
        raise ValidationError(
            msg(
                "{name}: expected an OpenStreetMap extract GDAL can read, got an error ({error}); "
                "export the area again",
                name=path.name,
                error=str(exc)[:300],
            )
        ) from exc
    if len(lines) > limits.max_features * 10:
        raise RefusedInputError(
            msg(
                "expected at most {limit} ways, got {count}; cut the extract to the city "
                "(or raise PALMAP_MAX_FEATURES)",
                limit=limits.max_features * 10,
                count=len(lines),
            )
        )
    return build_network(lines, source=path.name)
