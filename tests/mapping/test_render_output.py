"""The rendered maps and charts stay the same, byte for byte, for the same inputs.

The pages' cache, their ETags and the tests of the pages compare rendered output, so a change
inside :mod:`mapping.render` (a split into modules, a simpler function) must not change a byte.
Each case below renders fixed frames and compares the SHA-256 of the output with the value that
the code before the split of ``mapping/render/interactive.py`` gave (recorded in the commit that
added this file, where the test ran against that code).

folium names every element with 32 random hex digits (``map_<id>``), so two renders of the same
map differ in those names only; :func:`canonical` replaces each distinct id by its order of first
appearance before hashing. Everything else (layout, data, escaping, order of scripts) counts.

When a folium or branca upgrade (or a wanted change) alters a page, run the tests with
``PALMAP_RENDER_OUTPUT_DIR=/tmp/x`` set: each canonical page is written there, to be compared with
the same run on the previous commit; then record the new hash here and say why in the commit.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point, box

from mapping.render.charts import line_chart_svg
from mapping.render.choropleth import MapLegend, district_map, merge_fragments
from mapping.render.embed import EmbedMapOptions, embed_map
from mapping.render.interactive import MapFragments, map_fragments, overview_map, standalone_html

_ID = re.compile(r"[0-9a-f]{32}")
HOSTILE = ["<img src=x onerror=alert(1)>", "${document.title=1}", "a`b</script><script>x()"]


def canonical(text: str) -> str:
    """``text`` with folium's random element ids replaced by their order of first appearance."""
    seen: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(0), f"id{len(seen):04d}")

    return _ID.sub(number, text)


def fingerprint(name: str, text: str) -> str:
    """SHA-256 of the canonical ``text``; also written to ``$PALMAP_RENDER_OUTPUT_DIR/name``."""
    page = canonical(text)
    folder = os.environ.get("PALMAP_RENDER_OUTPUT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_text(page, encoding="utf-8")
    return hashlib.sha256(page.encode("utf-8")).hexdigest()


def joined(parts: MapFragments) -> str:
    return "\n<!-- html -->\n".join((parts.header, parts.html, parts.script))


# --------------------------------------------------------------------------- fixed inputs


def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["srodmiescie", "podgorze", "piaskowa", "pusta"],
            "name": ["Śródmieście", "Podgórze <i>&</i>", "Piaskowa Góra", "Pusta"],
            "schematic": [True, False, False, False],
        },
        geometry=[
            box(16.26, 50.76, 16.28, 50.78),
            box(16.28, 50.76, 16.30, 50.78),
            box(16.26, 50.78, 16.30, 50.80),
            None,
        ],
        crs=4326,
    )


def categories() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["kis", "mops", "boisko"],
            "name_pl": ["Klub Integracji Społecznej", "MOPS <punkt>", ""],
            "name_en": ["Social integration club", "Welfare office", "School pitch"],
            "colour": ["#882255", "#CC6677", "blue"],
        }
    )


def resources(n: int) -> gpd.GeoDataFrame:
    """``n`` resources (n >= 6) in four categories (one unknown), some without a point."""
    rng = np.random.default_rng(20261201)
    lon = np.round(16.26 + rng.random(n) * 0.04, 9)
    lat = np.round(50.76 + rng.random(n) * 0.04, 9)
    geometry = [Point(x, y) for x, y in zip(lon, lat, strict=True)]
    geometry[4] = None
    geometry[5] = Point()
    names = [f"Miejsce {i}" for i in range(n)]
    names[:3] = HOSTILE
    websites: list[str | None] = [f"https://example.org/{i % 7}?a=1&b=2" for i in range(n)]
    websites[1] = "javascript:alert(1)"
    websites[2] = None
    return gpd.GeoDataFrame(
        {
            "name": names,
            "category": [("kis", "mops", "boisko", "nowa", None)[i % 5] for i in range(n)],
            "address": [HOSTILE[i % 3] if i % 11 == 0 else f"ul. Długa {i}" for i in range(n)],
            "operator": [None if i % 4 else "Gmina" for i in range(n)],
            "website": websites,
        },
        geometry=geometry,
        crs=4326,
    )


def choropleth_arguments() -> dict[str, Any]:
    return {
        "districts": districts().iloc[:3],
        "fills": {"srodmiescie": "#440154", "podgorze": "#21918C"},
        "tooltips": {"srodmiescie": [("Wartość", "12,5"), ("Rok", "2013")], "pusta": []},
        "legend": MapLegend("Wskaźnik <b>", [("#440154", "1 – 2"), ("#21918c", "2 – 3")], unit="%"),
        "highlight": ["podgorze"],
        "links": {"piaskowa": ("/dzielnice/piaskowa?a=1&b=2", "Piaskowa <Góra>")},
        "resources": resources(12),
        "categories": categories(),
        "resource_ids": list(range(100, 112)),
        "show_resources": False,
        "resource_legend": "Zasoby",
        "fit": ["srodmiescie", "podgorze"],
        "layer_name": "Dzielnice <x>",
        "tiles": "none",
    }


def choropleth(**extra: Any) -> folium.Map:
    arguments = choropleth_arguments()
    return district_map(arguments.pop("districts"), **arguments, **extra)


# --------------------------------------------------------------------------- the cases

#: Case -> SHA-256 of its canonical output from the code before the split; recorded again when
#: the first view moved from the map's last element to right after the map (the same lines in
#: another order: each layer is projected once, at the fitted view).
EXPECTED = {
    "overview_small": "028c82c51da3dc33331c1bb4cbc90ad761ed463f2051fc5b06f36af9e7cbce50",
    "overview_fast": "a2ab639f5f1b95fa09cc95bbbbee9042d40d9851e62fb8a45a92cebda38b4837",
    "overview_empty": "b8184cbd811173b09708c7410e81c6ac00414b33ac92f718271b35d28e7ad01d",
    "district_map": "d3a030f3ef1ce50f0c904e6b718effa1d53f3dcc14cf180a33aa5fef2c64e8c2",
    "district_map_fast": "4263b1cf01214144d10aaf5525d58144eb2c0103886a7db93f31979123efbc63",
    "merged": "5be77806284403ddb871d5905492c78be05d2c0efab8eb9b559f8000529f0f35",
    "charts": "eb4a420d3f21341b67d7fd2613b12a23bceb77bbf1119d4810ea0c8852a26df4",
    "embed_centre_zoom": "9a15303280b27b2a6ac41d4909661eaec66a9eea7e0af01a6f18275abf7532fd",
    "embed_zoom": "6ffe67c1b6c0937eeef13940bc196a74f1a55a0b4b2ebc6e371ff215f2f22ac2",
    "embed_centre": "cf97fda63e4204b8f53b146843474c9efb99e3ab2d4107aca4d1637c7ba1ccf9",
}

#: Embed case -> (centre, zoom) of the view.
EMBED_VIEWS = {
    "embed_centre_zoom": ((50.77, 16.28), 14.5),
    "embed_zoom": (None, 13.0),
    "embed_centre": ((50.775, 16.27), None),
}


def embed_map_of(centre: tuple[float, float] | None, zoom: float | None) -> object:
    """The embed's map; its hashes were recorded from the code it replaced, where
    app/views/embed.py built :func:`choropleth` and then took its ``FitBounds`` child off
    (``_View.replace_fit``) to add the fixed view."""
    return choropleth(view=EmbedMapOptions(centre=centre, zoom=zoom, tiles="none").view)


def embed_case(centre: tuple[float, float] | None, zoom: float | None) -> object:
    """The same map through :func:`embed_map`, the call that replaces the view's code."""
    options = EmbedMapOptions(centre=centre, zoom=zoom, tiles="none")
    arguments = choropleth_arguments()
    return embed_map(arguments.pop("districts"), options, **arguments)


def render_case(name: str) -> str:
    if name == "overview_small":
        m = overview_map(districts(), resources(12), categories(), lang="pl", tiles="osm")
        return standalone_html(m)
    if name == "overview_fast":
        m = overview_map(
            districts(),
            resources(2_600),
            categories(),
            lang="en",
            tiles="/tiles/{z}/{x}/{y}.png",
            tiles_attribution="<b>Tiles</b> & co",
            asset_prefix="/assets/",
            labels={"districts": "Osiedla <u>", "website": "WWW"},
        )
        return joined(map_fragments(m))
    if name == "overview_empty":
        empty = resources(6).iloc[:0]
        return standalone_html(overview_map(districts().iloc[:0], empty, categories()))
    if name == "district_map":
        return joined(map_fragments(choropleth()))
    if name == "district_map_fast":
        m = district_map(
            districts(),
            fills={"piaskowa": "#fde725"},
            resources=resources(2_400),
            categories=categories(),
            resource_legend="Resources",
            lang="en",
            tiles="osm",
        )
        return joined(map_fragments(m))
    if name == "merged":
        first = map_fragments(choropleth())
        second = map_fragments(district_map(districts(), fills={}, tiles="none"))
        return joined(merge_fragments([first, second]))
    if name == "charts":
        return "\n".join(
            [
                line_chart_svg([(2010, 1.5), (2011, None), (2012, 3.0), (2013, 2.25)], label="<b>"),
                line_chart_svg(
                    [(2013, 4.0)], label="one", fmt=lambda v: f"{v:.1f}".replace(".", ",")
                ),
                line_chart_svg([(2010, 2.0), (2011, 2.0)], label="flat", colour="#aa0000"),
                line_chart_svg([(2010, None), (2011, float("nan"))], label="none", missing="–"),
                line_chart_svg([], label="empty", width=300, height=90),
                line_chart_svg(
                    [(year, float(year % 5) if year % 7 else None) for year in range(1995, 2026)],
                    label="long",
                ),
            ]
        )
    if name in EMBED_VIEWS:
        return joined(map_fragments(embed_map_of(*EMBED_VIEWS[name])))
    if name.startswith("via_embed_map:"):
        return joined(map_fragments(embed_case(*EMBED_VIEWS[name.split(":")[1]])))
    raise AssertionError(name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_output_is_unchanged(name: str) -> None:
    assert fingerprint(f"{name}.html", render_case(name)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EMBED_VIEWS))
def test_embed_map_gives_the_recorded_embed(name: str) -> None:
    assert fingerprint(f"{name}.html", render_case(f"via_embed_map:{name}")) == EXPECTED[name]


def test_canonical_ids_hide_only_the_random_names() -> None:
    first, second = render_case("overview_small"), render_case("overview_small")
    # folium's ids are random; palmap's renders derive them from the map (render/fragments.py),
    # so the same map gives the same bytes (a published edition's pages never change).
    assert first == second
    assert canonical(first) == canonical(second)
    assert canonical("map_" + "a" * 32 + " x " + "b" * 32 + " map_" + "a" * 32) == (
        "map_id0000 x id0001 map_id0000"
    )
