"""Small OSM extracts written by the tests: XML by hand, PBF by pyosmium from that XML.

Coordinates are PUWG 1992 (EPSG:2180) easting/northing inside the test districts of conftest
(Śródmieście: easting 305,000-309,000, northing 320,000-328,000), converted to lon/lat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .conftest import lonlat


@dataclass
class Extract:
    """Nodes, ways and relations of an OSM file, in the order OSM files hold them."""

    nodes: list[tuple[int, float, float, dict[str, str]]] = field(default_factory=list)
    ways: list[tuple[int, list[int], dict[str, str]]] = field(default_factory=list)
    relations: list[tuple[int, list[tuple[str, int, str]], dict[str, str]]] = field(
        default_factory=list
    )
    _next: int = 1000

    def node(self, osm_id: int, easting: float, northing: float, **tags: str) -> int:
        lon, lat = lonlat(easting, northing)
        self.nodes.append((osm_id, lon, lat, dict(tags)))
        return osm_id

    def ring(
        self, way_id: int, corners: Sequence[tuple[float, float]], tags: Mapping[str, str]
    ) -> int:
        """A closed way through new untagged nodes at the corners (PUWG 1992)."""
        refs = []
        for easting, northing in corners:
            self._next += 1
            refs.append(self.node(self._next, easting, northing))
        self.ways.append((way_id, [*refs, refs[0]], dict(tags)))
        return way_id

    def box(
        self, way_id: int, west: float, south: float, east: float, north: float, **tags: str
    ) -> int:
        return self.ring(way_id, [(west, south), (east, south), (east, north), (west, north)], tags)

    def relation(self, rel_id: int, members: list[tuple[str, int, str]], **tags: str) -> int:
        self.relations.append((rel_id, members, dict(tags)))
        return rel_id

    def xml(self) -> bytes:
        def tags(values: Mapping[str, str]) -> str:
            return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in values.items())

        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<osm version="0.6" generator="palmap-tests">',
        ]
        for osm_id, lon, lat, values in sorted(self.nodes):
            lines.append(
                f'<node id="{osm_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">'
                f"{tags(values)}</node>"
            )
        for way_id, refs, values in sorted(self.ways):
            nds = "".join(f'<nd ref="{r}"/>' for r in refs)
            lines.append(f'<way id="{way_id}" version="1">{nds}{tags(values)}</way>')
        for rel_id, members, values in sorted(self.relations):
            parts = "".join(
                f'<member type="{t}" ref="{r}" role="{role}"/>' for t, r, role in members
            )
            lines.append(f'<relation id="{rel_id}" version="1">{parts}{tags(values)}</relation>')
        lines.append("</osm>")
        return "\n".join(lines).encode("utf-8")

    def pbf(self, tmp_path: Path) -> bytes:
        """The same extract as .osm.pbf, written by pyosmium."""
        import osmium

        xml = tmp_path / "extract.osm"
        xml.write_bytes(self.xml())
        pbf = tmp_path / "extract.osm.pbf"
        pbf.unlink(missing_ok=True)
        with osmium.SimpleWriter(str(pbf)) as writer:
            for obj in osmium.FileProcessor(str(xml)):
                writer.add(obj)
        return pbf.read_bytes()


def city_extract() -> Extract:
    """Every mapped category, unmapped tags, a node without a name, hostile names, areas."""
    e = Extract()
    e.node(
        1,
        306_000,
        321_000,
        leisure="playground",
        name="Plac zabaw Słoneczny",
        **{
            "addr:street": "Główna",
            "addr:housenumber": "5",
            "addr:city": "Wałbrzych",
            "capacity": "30",
            "opening_hours": "Mo-Su 08:00-20:00",
            "operator": "Gmina Wałbrzych",
        },
    )
    e.node(2, 306_200, 321_000, leisure="playground")  # no name
    e.node(3, 306_400, 321_000, amenity="community_centre", name="<script>alert(1)</script>")
    e.node(4, 306_600, 321_000, office="ngo", name='=HYPERLINK("http://x")', capacity="około 20")
    e.node(5, 306_800, 321_000, office="association", name="Stowarzyszenie Razem")
    e.node(
        6,
        307_000,
        321_000,
        amenity="social_facility",
        name="Punkt MOPS",
        operator="MOPS w Wałbrzychu",
    )
    e.node(7, 307_200, 321_000, amenity="social_facility", name="Dom Caritas", operator="Caritas")
    e.node(8, 307_400, 321_000, amenity="cafe", name="Kawiarnia")
    e.node(9, 307_600, 321_000, shop="bakery", name="Piekarnia")
    e.box(100, 306_000, 322_000, 306_100, 322_060, leisure="pitch", name="Boisko Orlik")
    e.box(101, 307_000, 322_000, 307_300, 322_300, amenity="school", name="SP 5")
    e.box(102, 307_100, 322_100, 307_200, 322_200, leisure="sports_hall", name="Hala SP 5")
    e.box(103, 308_000, 322_000, 308_100, 322_100, leisure="sports_centre", name="Aqua Zdrój")
    e.box(104, 306_000, 324_000, 306_300, 324_300)
    e.box(105, 306_100, 324_100, 306_200, 324_200)
    e.relation(
        200,
        [("way", 104, "outer"), ("way", 105, "inner")],
        type="multipolygon",
        leisure="stadium",
        name="Stadion Miejski",
    )
    return e


#: The resources city_extract() gives: external id -> (category, name).
EXPECTED = {
    "osm:node/1": ("plac_zabaw", "Plac zabaw Słoneczny"),
    "osm:node/2": ("plac_zabaw", "plac zabaw"),
    "osm:node/3": ("swietlica", "<script>alert(1)</script>"),
    "osm:node/4": ("ngo", '=HYPERLINK("http://x")'),
    "osm:node/5": ("ngo", "Stowarzyszenie Razem"),
    "osm:node/6": ("mops", "Punkt MOPS"),
    "osm:way/100": ("boisko", "Boisko Orlik"),
    "osm:way/102": ("sala_gimnastyczna", "Hala SP 5"),
    "osm:way/103": ("obiekt_sportowy", "Aqua Zdrój"),
    "osm:relation/200": ("obiekt_sportowy", "Stadion Miejski"),
}
