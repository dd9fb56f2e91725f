"""Static report maps: sizes, formats, pages and limits."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import geopandas as gpd
import pytest
from matplotlib.image import imread
from shapely import box

from mapping.errors import ValidationError
from mapping.render.choropleth import MapLegend
from mapping.render.static import PageSize, StaticMap, render_static

DISTRICTS = gpd.GeoDataFrame(
    {"code": ["a", "b", "c"]},
    geometry=[
        box(16.20, 50.70, 16.25, 50.75),
        box(16.25, 50.70, 16.30, 50.75),
        box(16.20, 50.75, 16.30, 50.80),
    ],
    crs=4326,
)
SPEC = StaticMap(
    {"a": "#440154", "b": "#21918c", "c": None},
    MapLegend("Wskaźnik <b>", [("#440154", "0 – 5"), ("#21918c", "5 – 10")], unit="‰"),
    title="Zażółć gęślą jaźń 2021",
    source="test",
    export_date="2026-11-26",
    schematic_note="Granice schematyczne, nieoficjalne",
    highlight=["b"],
)


def test_png_has_the_requested_pixel_size() -> None:
    size = PageSize(120, 90, 100)
    image = imread(io.BytesIO(render_static(DISTRICTS, SPEC, size=size, fmt="png")), "png")
    assert (image.shape[1], image.shape[0]) == size.pixels == (472, 354)


def test_a4_at_300_dpi_is_the_default() -> None:
    assert PageSize().pixels == (2480, 3508)


def test_pdf_has_exactly_one_page_and_the_title() -> None:
    pdf = render_static(DISTRICTS, SPEC, fmt="pdf", size=PageSize(dpi=72))
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_svg_parses_and_holds_the_texts() -> None:
    svg = render_static(DISTRICTS, SPEC, fmt="svg", size=PageSize(dpi=72))
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert b"<script" not in svg
    # matplotlib writes text as paths by default; the title is in the metadata.
    assert "Zażółć" in svg.decode("utf-8")


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (dict(width_mm=5000), "width"),
        (dict(dpi=5000), "dpi"),
        (dict(width_mm=1189, height_mm=1189, dpi=600), "pixels"),
    ],
)
def test_absurd_sizes_are_refused(size: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PageSize(**size)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValidationError, match="png, svg, pdf"):
        render_static(DISTRICTS, SPEC, fmt="gif")  # type: ignore[arg-type]
