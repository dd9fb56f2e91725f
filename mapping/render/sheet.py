"""The printable target-area sheet: a one-page A4 PDF that justifies a ranking.

:func:`targets_sheet_figure` lays the page out as a designer would, in measured bands from top to
bottom: the heading and the ranking's settings; the ranking table across the text width (the top
districts shaded, long names wrapped in their cells); the map of the top districts drawn large in
the space that is left, its legend beside it; and a footer under a thin rule with the indicators'
sources, the export line and the schematic-boundaries note. Every text is measured by matplotlib's
renderer and wrapped to its column, so long names or sources push the bands rather than run off
the page. Every text comes in as plain, translated data, so the web page, the CLI and a notebook
print the same sheet. The text stays extractable and searchable (TrueType fonts, ``pdf.fonttype``
42).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import geopandas as gpd

from mapping.crs import METRIC_CRS, ensure_crs
from mapping.errors import ValidationError
from mapping.render.static import StaticMap, add_legend, draw_map, wrap_to_width

if TYPE_CHECKING:  # matplotlib is imported when a sheet is drawn
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

__all__ = [
    "MAP_MIN_SHARE",
    "SheetLabels",
    "SheetRow",
    "targets_sheet_figure",
    "targets_sheet_pdf",
]

#: A4 portrait in millimetres, and the resolution the layout is measured at.
_A4_MM: Final = (210.0, 297.0)
_DPI: Final = 150
#: Page margins in millimetres (left and right, top and bottom).
_MARGIN_MM: Final = (16.0, 14.0)
#: Widths of the table's columns (rank, district, score, rank interval, stability).
_COLUMN_WIDTHS: Final = (0.08, 0.42, 0.14, 0.18, 0.18)
#: The table's font size in points, and the smallest it shrinks to for a long ranking.
_TABLE_POINTS: Final = (7.5, 5.0)
#: The table may take at most this share of the page's height; the map gets what is left.
_TABLE_MAX_SHARE: Final = 0.38
#: The map is drawn at least this share of the page's height (for a ranking of up to 30 rows;
#: a longer table shrinks its font to 5 points first, then takes from the map).
MAP_MIN_SHARE: Final = 0.35
#: The legend beside the map takes at most this share of the text width (the map the rest).
_LEGEND_MAX_SHARE: Final = 0.36
_LEGEND_GAP: Final = 0.2  # inches
_GRID: Final = "#c8ced6"
_TOP_FILL: Final = "#f3e8ee"
_RULE: Final = "#9aa4ae"
_MUTED: Final = "#333"


@dataclass(frozen=True)
class SheetRow:
    """One district of the ranking table, its texts as printed; ``top`` rows are shaded."""

    rank: str
    name: str
    score: str
    interval: str
    stability: str
    top: bool = False


@dataclass(frozen=True)
class SheetLabels:
    """The sheet's fixed texts (the web app passes its translations)."""

    heading: str = "Target areas: justification of the ranking"
    columns: tuple[str, str, str, str, str] = (
        "Rank",
        "District",
        "Score",
        "Rank interval",
        "Stability",
    )
    document_title: str = "Target areas"
    sources: str = "Sources"


@dataclass
class _Page:
    """The figure being laid out and its measures in inches."""

    figure: Figure
    renderer: RendererBase
    width: float
    height: float
    left: float
    text_width: float

    def rect(self, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """Inches from the lower left corner to figure fractions."""
        return (x / self.width, y / self.height, w / self.width, h / self.height)

    def text(self, y: float, text: str, gid: str, points: float, **style: object) -> float:
        """A text wrapped to the text width with its top at ``y``; returns its bottom."""
        from matplotlib.font_manager import FontProperties

        weight = str(style.pop("weight", "normal"))
        font = FontProperties(size=points, weight=weight)
        wrapped = wrap_to_width(text, self.text_width * self.figure.dpi, font, self.renderer)
        artist = self.figure.text(
            self.left / self.width,
            y / self.height,
            wrapped,
            fontsize=points,
            weight=weight,
            va="top",
            gid=gid,
            parse_math=False,
            **style,  # type: ignore[arg-type]
        )
        return y - artist.get_window_extent(self.renderer).height / self.figure.dpi


def targets_sheet_figure(
    districts: gpd.GeoDataFrame,
    spec: StaticMap,
    *,
    settings: Sequence[str],
    rows: Sequence[SheetRow],
    sources: Sequence[tuple[str, str]],
    exported: str,
    note: str | None = None,
    labels: SheetLabels = SheetLabels(),
) -> Figure:
    """The laid-out A4 figure that :func:`targets_sheet_pdf` saves.

    Its texts carry gids (``heading``, ``settings``, ``sources``), and so do its axes
    (``table``, ``map``), to find them.
    """
    if len(labels.columns) != len(_COLUMN_WIDTHS):
        raise ValidationError(
            f"expected {len(_COLUMN_WIDTHS)} column headers for the sheet's table, got "
            f"{len(labels.columns)}"
        )
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = _A4_MM[0] / 25.4, _A4_MM[1] / 25.4
    figure = Figure(figsize=(width, height), dpi=_DPI)
    canvas = FigureCanvasAgg(figure)  # the renderer that measures the texts
    figure.patch.set_facecolor("white")
    side, top_bottom = _MARGIN_MM[0] / 25.4, _MARGIN_MM[1] / 25.4
    page = _Page(figure, canvas.get_renderer(), width, height, side, width - 2 * side)
    gap = 0.18  # inches between bands
    y = page.text(height - top_bottom, labels.heading, "heading", 14, weight="bold")
    y = page.text(y - 0.08, "\n".join(settings), "settings", 8.5, color=_MUTED) - gap
    footer_top = _draw_footer(page, sources, exported, note, labels, top_bottom)
    y = _draw_table(page, rows, labels.columns, y) - gap
    _draw_map_block(page, districts, spec, top=y, bottom=footer_top + gap)
    return figure


def targets_sheet_pdf(
    districts: gpd.GeoDataFrame,
    spec: StaticMap,
    *,
    settings: Sequence[str],
    rows: Sequence[SheetRow],
    sources: Sequence[tuple[str, str]],
    exported: str,
    note: str | None = None,
    labels: SheetLabels = SheetLabels(),
) -> bytes:
    """The target-area sheet of a ranking as a one-page A4 PDF.

    Parameters
    ----------
    districts, spec
        The map of the top districts, as for :func:`~mapping.render.static.render_static`
        (the map and its legend; the sheet prints the other texts itself).
    settings
        Lines under the heading: the year, method and sensitivity, the weights.
    rows
        The ranking table, best rank first.
    sources
        ``(indicator name, source)`` of every indicator the ranking weighs.
    exported
        The export line, such as ``"Exported: 1 December 2026"``.
    note
        A last line under the sources (the schematic-boundaries note), or None.
    labels
        The heading, the five column headers, the PDF's title and the sources' heading.

    Returns
    -------
    bytes
        The PDF.
    """
    import matplotlib  # imported when used (see mapping.render.static.render_static)

    figure = targets_sheet_figure(
        districts,
        spec,
        settings=settings,
        rows=rows,
        sources=sources,
        exported=exported,
        note=note,
        labels=labels,
    )
    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):  # extractable, searchable text
        figure.savefig(buffer, format="pdf", metadata={"Title": labels.document_title})
    return buffer.getvalue()


def _draw_footer(
    page: _Page,
    sources: Sequence[tuple[str, str]],
    exported: str,
    note: str | None,
    labels: SheetLabels,
    bottom: float,
) -> float:
    """The sources, export line and note at the foot of the page; returns the rule's height."""
    from matplotlib.lines import Line2D

    lines = [f"{labels.sources}:"] + [f"{name}: {source}" for name, source in sources]
    lines.append(exported)
    if note:
        lines.append(note)
    # Laid out once to measure, then moved so that its last line sits on the bottom margin.
    probe = page.text(page.height, "\n".join(lines), "sources", 7, color=_MUTED)
    text_height = page.height - probe
    footer = page.figure.texts[-1]
    footer.set_y((bottom + text_height) / page.height)
    rule = bottom + text_height + 0.08
    page.figure.add_artist(
        Line2D(
            [page.left / page.width, (page.left + page.text_width) / page.width],
            [rule / page.height] * 2,
            color=_RULE,
            linewidth=0.6,
        )
    )
    return rule


def _table_cells(
    page: _Page, rows: Sequence[SheetRow], columns: Sequence[str], points: float
) -> list[list[str]]:
    """Every cell's text wrapped to its column (the header first)."""
    from matplotlib.font_manager import FontProperties

    cells = [list(columns)] + [[r.rank, r.name, r.score, r.interval, r.stability] for r in rows]
    fonts = (FontProperties(size=points, weight="bold"), FontProperties(size=points))
    widths = [share * page.text_width * page.figure.dpi * 0.9 for share in _COLUMN_WIDTHS]
    return [
        [
            wrap_to_width(text, width, fonts[min(i, 1)], page.renderer)
            for text, width in zip(row, widths, strict=True)
        ]
        for i, row in enumerate(cells)
    ]


def _draw_table(page: _Page, rows: Sequence[SheetRow], columns: Sequence[str], top: float) -> float:
    """The ranking table across the text width from ``top``; returns its bottom (inches)."""
    from matplotlib.transforms import Bbox

    largest, smallest = _TABLE_POINTS
    points = largest
    while True:
        cells = _table_cells(page, rows, columns, points)
        line = 1.2 * points / 72
        heights = [max(c.count("\n") + 1 for c in row) * line + 0.45 * points / 72 for row in cells]
        if sum(heights) <= _TABLE_MAX_SHARE * page.height or points <= smallest:
            break
        points = max(smallest, points - 0.5)
    total = sum(heights)
    ax = page.figure.add_axes(page.rect(page.left, top - total, page.text_width, total))
    ax.set_axis_off()
    ax.set_gid("table")
    table = ax.table(
        cellText=cells[1:],
        colLabels=cells[0],
        colWidths=list(_COLUMN_WIDTHS),
        cellLoc="left",
        colLoc="left",
        bbox=Bbox.from_bounds(0, 0, 1, 1),
    )
    table.auto_set_font_size(False)
    table.set_fontsize(points)
    for (row, _col), cell in table.get_celld().items():
        cell.set_height(heights[row] / total)
        cell.set_edgecolor(_GRID)
        cell.set_linewidth(0.5)
        cell.PAD = 0.04  # the texts were wrapped to 90% of the column
        if row == 0:
            cell.set_text_props(fontweight="bold")
        elif rows[row - 1].top:
            cell.set_facecolor(_TOP_FILL)
    return top - total


def _draw_map_block(
    page: _Page, districts: gpd.GeoDataFrame, spec: StaticMap, *, top: float, bottom: float
) -> None:
    """The map as large as the band between table and footer allows, its legend to the right."""
    districts = ensure_crs(districts, name="districts").to_crs(METRIC_CRS)
    legend = add_legend(
        page.figure,
        districts,
        spec,
        width_px=page.text_width * _LEGEND_MAX_SHARE * page.figure.dpi,
        scale=0.95,
    )
    legend_width = legend.get_window_extent(page.renderer).width / page.figure.dpi
    legend_left = page.left + page.text_width - legend_width
    legend.set_bbox_to_anchor((legend_left / page.width, top / page.height))
    map_width = legend_left - _LEGEND_GAP - page.left
    ax = page.figure.add_axes(page.rect(page.left, bottom, map_width, max(top - bottom, 0.5)))
    ax.set_gid("map")
    ax.set_anchor("C")
    draw_map(ax, districts, spec, scale=0.9)
