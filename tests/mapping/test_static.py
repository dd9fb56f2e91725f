"""Static report maps: sizes, formats, pages and limits."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import geopandas as gpd
import pytest
from matplotlib.image import imread
from shapely import box

from mapping.errors import ValidationError
from mapping.render.choropleth import MapLegend
from mapping.render.sheet import (
    MAP_MIN_SHARE,
    SheetLabels,
    SheetRow,
    targets_sheet_figure,
    targets_sheet_pdf,
)
from mapping.render.static import PageSize, StaticMap, render_static, static_figure

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


# --------------------------------------------------------------------------- target-area sheet

SHEET_ROWS = [
    SheetRow("1", "Podgórze <i>", "1,25", "1–2", "robust", top=True),
    SheetRow("2", "Śródmieście", "0,50", "1–3", "fragile", top=True),
    SheetRow("3", "Zażółć", "-0,75", "2–3", "robust"),
]


def _sheet(**changes: object) -> bytes:
    arguments: dict = {
        "settings": ["Rok: 2013. Metoda: zscore.", "Wagi: bezrobocie 50%, zasiłki 50%"],
        "rows": SHEET_ROWS,
        "sources": [("Bezrobocie", "PUP 2013"), ("Zasiłki", "MOPS")],
        "exported": "Wyeksportowano: 1 grudnia 2026",
        "note": "Granice schematyczne, nieoficjalne",
        "labels": SheetLabels(
            heading="Obszary docelowe: uzasadnienie",
            columns=("Miejsce", "Dzielnica", "Wynik", "Przedział", "Stabilność"),
            document_title="Obszary docelowe",
        ),
    }
    arguments.update(changes)
    return targets_sheet_pdf(DISTRICTS, SPEC, **arguments)


def _pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: make test installs poppler-utils")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def test_targets_sheet_is_one_page_with_the_texts_in_reading_order() -> None:
    pdf = _sheet()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    text = _pdf_text(pdf)
    expected = [
        "Obszary docelowe: uzasadnienie",
        "Rok: 2013. Metoda: zscore.",
        "Wagi: bezrobocie 50%, zasiłki 50%",
        "Miejsce",
        "Stabilność",
        "Podgórze <i>",  # plain text in a PDF: nothing to escape
        "Śródmieście",
        "Zażółć",
        "Bezrobocie: PUP 2013",
        "Zasiłki: MOPS",
        "Wyeksportowano: 1 grudnia 2026",
        "Granice schematyczne, nieoficjalne",
    ]
    positions = [text.find(part) for part in expected]
    assert all(p >= 0 for p in positions), dict(zip(expected, positions, strict=True))
    assert positions == sorted(positions)
    assert b"Obszary docelowe" in pdf  # the document's title (metadata)


def test_targets_sheet_without_note_and_in_default_english() -> None:
    text = _pdf_text(_sheet(note=None, labels=SheetLabels()))
    assert "Granice schematyczne" not in text
    for header in ("Target areas: justification of the ranking", "Rank interval", "Stability"):
        assert header in text


def test_targets_sheet_is_the_same_for_the_same_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # the PDF's creation date
    assert _sheet() == _sheet()
    assert _sheet() != _sheet(rows=SHEET_ROWS[::-1])


def test_targets_sheet_needs_five_column_headers() -> None:
    with pytest.raises(ValidationError, match="5 column headers"):
        _sheet(labels=SheetLabels(columns=("Rank", "District")))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- print-clean layout

LONG_SPEC = StaticMap(
    {"a": "#440154", "b": "#21918c", "c": "#fde725"},
    MapLegend(
        "Wskaźnik potrzeb, 2021",
        [("#440154", "-1,07 – -0,71"), ("#21918c", "-0,71 – 0,89"), ("#fde725", "0,89 – 1,92")],
        unit="średnia ważona wyników standaryzowanych (z)",
    ),
    title="Osoby w rodzinach korzystających z pomocy społecznej na 1000 mieszkańców, 2021",
    subtitle="średnia ważona wyników standaryzowanych (z); klasy: kwantyle (równe liczebności), "
    "5; wagi: bezrobocie 25%, zasiłki 25%, dzieci 25%, niepełnosprawność 25%",
    source="ilustracyjne wartości demonstracyjne, nieoficjalne; mieszkańcy zameldowani",
    export_date="1 grudnia 2026",
    schematic_note="Granice schematyczne, nieoficjalne",
)

PRINT_SIZES = [
    PageSize(160, 200, 150),
    PageSize(50, 50, 300),
    PageSize(420, 297, 300),  # A3 landscape
    PageSize(210, 297, 72),
    PageSize(841, 1189, 50),  # A0
]


def _boxes(figure):  # noqa: ANN001, ANN202
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)  # positions as saved (the legend and the map's aspect are applied)
    texts = {t.get_gid(): t.get_window_extent(renderer) for t in figure.texts}
    legend = figure.legends[0].get_window_extent(renderer)
    axes = figure.axes[0].get_window_extent(renderer)
    return texts, legend, axes, figure.bbox


@pytest.mark.parametrize(
    "size", PRINT_SIZES, ids=lambda s: f"{s.width_mm:g}x{s.height_mm:g}@{s.dpi}"
)
def test_titles_wrap_inside_the_figure_and_overlap_nothing(size: PageSize) -> None:
    figure = static_figure(DISTRICTS, LONG_SPEC, size=size)
    texts, legend, axes, page = _boxes(figure)
    assert {"title", "subtitle", "footer", "note"} <= set(texts)
    for gid, extent in texts.items():
        assert page.x0 <= extent.x0 and extent.x1 <= page.x1, (gid, extent, page)
        assert page.y0 <= extent.y0 and extent.y1 <= page.y1, (gid, extent, page)
        assert not extent.overlaps(axes), (gid, extent, axes)
        assert not extent.overlaps(legend), (gid, extent, legend)
    assert not legend.overlaps(axes)
    assert page.x0 <= legend.x0 and legend.x1 <= page.x1
    for first, second in [("title", "subtitle"), ("subtitle", "footer"), ("footer", "note")]:
        assert not texts[first].overlaps(texts[second]), (first, second)
    # the long subtitle needed more than one line on the small pages
    if size.width_mm <= 160:
        assert "\n" in next(t.get_text() for t in figure.texts if t.get_gid() == "subtitle")


def _legend_labels(spec: StaticMap) -> list[str]:
    figure = static_figure(DISTRICTS, spec, size=PageSize(120, 120, 72))
    return [t.get_text() for t in figure.legends[0].get_texts()]


def test_legend_lists_no_data_only_when_a_district_is_grey() -> None:
    assert "no data or hidden" not in _legend_labels(LONG_SPEC)
    suppressed = StaticMap(
        {**LONG_SPEC.colours, "b": None}, LONG_SPEC.legend, title=LONG_SPEC.title
    )
    assert "no data or hidden" in _legend_labels(suppressed)
    # a district missing from the colours is grey too
    missing = StaticMap({"a": "#440154", "b": "#21918c"}, LONG_SPEC.legend, title="t")
    assert "no data or hidden" in _legend_labels(missing)
    # and the file says the same
    svg = render_static(DISTRICTS, LONG_SPEC, fmt="svg", size=PageSize(120, 120, 72)).decode()
    assert "no data or hidden" not in svg
    svg = render_static(DISTRICTS, suppressed, fmt="svg", size=PageSize(120, 120, 72)).decode()
    assert "no data or hidden" in svg


# --------------------------------------------------------------------------- the sheet's layout

LONG_NAME = "Osiedle Nowe Miasto – Podzamcze Północne i Stary Zdrój Górny (część wschodnia)"


def _sheet_figure(rows: list[SheetRow]):  # noqa: ANN202
    return targets_sheet_figure(
        DISTRICTS,
        SPEC,
        settings=["Rok: 2013. Metoda: zscore.", "Wagi: bezrobocie 50%, zasiłki 50%"],
        rows=rows,
        sources=[("Bezrobocie", "PUP 2013"), ("Zasiłki", "MOPS " * 40)],
        exported="Wyeksportowano: 1 grudnia 2026",
        note="Granice schematyczne, nieoficjalne",
    )


def _ranking_rows(count: int, name: str = "Dzielnica") -> list[SheetRow]:
    return [
        SheetRow(str(i), f"{name} {i}", "0,50", f"{i}–{i + 1}", "robust", top=i <= 5)
        for i in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("count", "share"), [(3, MAP_MIN_SHARE), (21, MAP_MIN_SHARE), (30, MAP_MIN_SHARE), (40, 0.3)]
)
def test_sheet_map_is_large_and_the_page_has_no_empty_band(count: int, share: float) -> None:
    figure = _sheet_figure(_ranking_rows(count))
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    page = figure.bbox
    (map_ax,) = [ax for ax in figure.axes if ax.get_gid() == "map"]
    drawn = map_ax.get_window_extent(renderer)  # after the map's equal aspect is applied
    assert drawn.height >= share * page.height, (drawn.height / page.height, count)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    image = imread(io.BytesIO(buffer.getvalue()), "png")[..., :3]
    ink = (image < 0.97).any(axis=(1, 2))
    rows = [i for i, inked in enumerate(ink) if inked]
    longest = run = 0
    for inked in ink[rows[0] : rows[-1] + 1]:
        run = 0 if inked else run + 1
        longest = max(longest, run)
    assert longest < 0.05 * image.shape[0], (longest / image.shape[0], count)


def test_sheet_wraps_long_names_inside_their_cells_and_the_page() -> None:
    rows = _ranking_rows(21)
    rows[3] = SheetRow("4", LONG_NAME, "1,00", "3–5", "robust", top=True)
    figure = _sheet_figure(rows)
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    page = figure.bbox
    (table_ax,) = [ax for ax in figure.axes if ax.get_gid() == "table"]
    (table,) = table_ax.tables
    for cell in table.get_celld().values():
        inside, text = cell.get_window_extent(renderer), cell.get_text()
        extent = text.get_window_extent(renderer)
        assert inside.x0 <= extent.x0 and extent.x1 <= inside.x1, text.get_text()
        assert inside.y0 <= extent.y0 and extent.y1 <= inside.y1, text.get_text()
    assert any(LONG_NAME.split()[-1] in c.get_text().get_text() for c in table.get_celld().values())
    for text in figure.texts:
        extent = text.get_window_extent(renderer)
        assert page.x0 <= extent.x0 and extent.x1 <= page.x1, text.get_gid()
        assert page.y0 <= extent.y0 and extent.y1 <= page.y1, text.get_gid()
    legend = figure.legends[0].get_window_extent(renderer)
    assert legend.x1 <= page.x1
