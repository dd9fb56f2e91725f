"""The printable target-area sheet: a one-page A4 PDF that justifies a ranking.

:func:`targets_sheet_pdf` lays out, top to bottom, a heading, the ranking's settings, the
ranking table (the top districts shaded), the map of the top districts
(:func:`~mapping.render.static.render_static`, compact) with the indicators' sources, the export
date and the schematic-boundaries note beside it. Every text comes in as plain, translated data,
so the web page, the CLI and a notebook print the same sheet. matplotlib draws it (no browser);
the text stays extractable and searchable (TrueType fonts, ``pdf.fonttype`` 42).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import geopandas as gpd

from mapping.errors import ValidationError
from mapping.render.static import PageSize, StaticMap, render_static

if TYPE_CHECKING:  # matplotlib is imported when a sheet is drawn
    from matplotlib.figure import Figure

__all__ = ["SheetLabels", "SheetRow", "targets_sheet_pdf"]

#: A4 portrait, in inches, at the sheet's resolution.
_A4_INCHES: Final = (210 / 25.4, 297 / 25.4)
_DPI: Final = 150
#: Widths of the table's columns (rank, district, score, rank interval, stability).
_COLUMN_WIDTHS: Final = (0.08, 0.42, 0.14, 0.18, 0.18)
_GRID: Final = "#c8ced6"
_TOP_FILL: Final = "#f3e8ee"


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
        (drawn compact: the map and its legend).
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
        The heading, the five column headers and the PDF's title.

    Returns
    -------
    bytes
        The PDF.
    """
    if len(labels.columns) != len(_COLUMN_WIDTHS):
        raise ValidationError(
            f"expected {len(_COLUMN_WIDTHS)} column headers for the sheet's table, got "
            f"{len(labels.columns)}"
        )
    import matplotlib  # imported when used (see mapping.render.static.render_static)
    from matplotlib.figure import Figure

    figure = Figure(figsize=_A4_INCHES, dpi=_DPI)
    figure.text(0.07, 0.965, labels.heading, fontsize=14, fontweight="bold", va="top")
    figure.text(0.07, 0.93, "\n".join(settings), fontsize=8.5, va="top", wrap=True)
    _draw_table(figure, rows, labels.columns)
    _draw_map(figure, districts, spec)
    footer = [f"{name}: {source}" for name, source in sources]
    footer.append(exported)
    if note:
        footer.append(note)
    figure.text(0.6, 0.42, "\n".join(footer), fontsize=6.5, va="top", wrap=True)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):  # extractable, searchable text
        figure.savefig(buffer, format="pdf", metadata={"Title": labels.document_title})
    return buffer.getvalue()


def _draw_table(figure: Figure, rows: Sequence[SheetRow], columns: Sequence[str]) -> None:
    table_ax = figure.add_axes((0.07, 0.44, 0.86, 0.42))
    table_ax.set_axis_off()
    cells = [[r.rank, r.name, r.score, r.interval, r.stability] for r in rows]
    table = table_ax.table(
        cellText=cells,
        colLabels=list(columns),
        loc="upper left",
        colWidths=list(_COLUMN_WIDTHS),
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    table.scale(1, 1.05)
    for (row, _col), cell in table.get_celld().items():
        cell.set_edgecolor(_GRID)
        if row == 0:
            cell.set_text_props(fontweight="bold")
        elif rows[row - 1].top:
            cell.set_facecolor(_TOP_FILL)


def _draw_map(figure: Figure, districts: gpd.GeoDataFrame, spec: StaticMap) -> None:
    from matplotlib.image import imread

    map_png = render_static(
        districts,
        spec,
        size=PageSize(width_mm=120, height_mm=120, dpi=_DPI),
        fmt="png",
        compact=True,
    )
    map_ax = figure.add_axes((0.07, 0.08, 0.5, 0.34))
    map_ax.imshow(imread(io.BytesIO(map_png), format="png"))
    map_ax.set_axis_off()
