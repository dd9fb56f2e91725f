"""The report as an A4 PDF drawn with matplotlib (no browser, no external program).

A small flow layout: text is wrapped to the page's width, tables are set in columns (long
cells wrapped), maps placed side by side; a block that does not fit starts a new page. The
text stays extractable (TrueType fonts, ``pdf.fonttype`` 42). The same content gives the same
bytes: the PDF's creation date is the edition's publication day.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from mapping.report.content import Block, Facts, Figures, Paragraph, ReportContent, Table

if TYPE_CHECKING:  # matplotlib is imported when a report is drawn
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

__all__ = ["report_pdf"]

_PAGE_MM: Final = (210.0, 297.0)
_MARGIN_MM: Final = 18.0
_WIDTH_MM: Final = _PAGE_MM[0] - 2 * _MARGIN_MM
_MM_PER_PT: Final = 25.4 / 72
#: Average width of a character of DejaVu Sans as a share of its size (for wrapping).
_CHAR_EM: Final = 0.56
_GRID: Final = "#c8ced6"
_NOTE: Final = "#3c4650"
#: The tallest a map figure is drawn (two rows of maps with their captions fit on a page).
_FIGURE_MAX_MM: Final = 100.0


def _chars(width_mm: float, size_pt: float) -> int:
    return max(4, int(width_mm / (size_pt * _MM_PER_PT * _CHAR_EM)))


def _wrap(text: str, width_mm: float, size_pt: float) -> list[str]:
    return textwrap.wrap(text, _chars(width_mm, size_pt), break_long_words=True) or [""]


def _line_mm(size_pt: float) -> float:
    return size_pt * _MM_PER_PT * 1.35


@dataclass
class _Pages:
    """The pages drawn so far, the current one and the cursor (mm from the top)."""

    pdf: PdfPages
    footer: str
    figure: Figure | None = None
    y: float = _MARGIN_MM
    number: int = 0
    done: list[Figure] = field(default_factory=list)

    def new_page(self) -> Figure:
        from matplotlib.figure import Figure

        self.finish()
        self.number += 1
        self.figure = Figure(figsize=(_PAGE_MM[0] / 25.4, _PAGE_MM[1] / 25.4))
        self.y = _MARGIN_MM
        self.text(
            _MARGIN_MM,
            _PAGE_MM[1] - _MARGIN_MM / 2,
            f"{self.footer} · {self.number}",
            size=7,
            colour=_NOTE,
        )
        return self.figure

    def finish(self) -> None:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
            self.figure = None

    def room(self, height_mm: float) -> None:
        """Start a new page unless ``height_mm`` fits under the cursor."""
        if self.figure is None or self.y + height_mm > _PAGE_MM[1] - _MARGIN_MM:
            self.new_page()

    def text(
        self,
        x_mm: float,
        y_mm: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        italic: bool = False,
        colour: str = "#000000",
    ) -> None:
        assert self.figure is not None
        self.figure.text(
            x_mm / _PAGE_MM[0],
            1 - y_mm / _PAGE_MM[1],
            text,
            fontsize=size,
            fontweight="bold" if bold else "normal",
            fontstyle="italic" if italic else "normal",
            color=colour,
            va="top",
        )

    def lines(
        self,
        lines: list[str],
        *,
        size: float,
        bold: bool = False,
        italic: bool = False,
        colour: str = "#000000",
    ) -> None:
        """Wrapped lines from the cursor down (a new page when the next one does not fit)."""
        step = _line_mm(size)
        for line in lines:
            self.room(step)
            self.text(_MARGIN_MM, self.y, line, size=size, bold=bold, italic=italic, colour=colour)
            self.y += step

    def rule(self, x0_mm: float, x1_mm: float) -> None:
        assert self.figure is not None
        y = 1 - self.y / _PAGE_MM[1]
        self.figure.add_artist(_line(x0_mm / _PAGE_MM[0], x1_mm / _PAGE_MM[0], y))


def _line(x0: float, x1: float, y: float) -> Line2D:
    from matplotlib.lines import Line2D

    return Line2D([x0, x1], [y, y], color=_GRID, linewidth=0.6)


def _paragraph(pages: _Pages, block: Paragraph) -> None:
    size = 8.5 if block.note else 9.5
    pages.lines(
        _wrap(block.text, _WIDTH_MM, size),
        size=size,
        italic=block.note,
        colour=_NOTE if block.note else "#000000",
    )
    pages.y += 2


def _row(
    pages: _Pages, cells: tuple[str, ...], widths: list[float], size: float, bold: bool = False
) -> None:
    wrapped = [_wrap(cell, w - 2, size) for cell, w in zip(cells, widths, strict=True)]
    height = max(len(w) for w in wrapped) * _line_mm(size) + 1
    pages.room(height)
    x = _MARGIN_MM
    for lines, width in zip(wrapped, widths, strict=True):
        for index, line in enumerate(lines):
            pages.text(x, pages.y + index * _line_mm(size), line, size=size, bold=bold)
        x += width
    pages.y += height
    pages.rule(_MARGIN_MM, _MARGIN_MM + sum(widths))
    pages.y += 0.8


def _widths(columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> list[float]:
    longest = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    weights = [min(max(n, 4), 40) for n in longest]
    total = sum(weights)
    return [_WIDTH_MM * w / total for w in weights]


def _table(pages: _Pages, block: Table) -> None:
    pages.room(_line_mm(9) * 3)
    pages.lines(_wrap(block.caption, _WIDTH_MM, 9), size=9, bold=True)
    widths = _widths(block.columns, block.rows)
    _row(pages, block.columns, widths, 7.5, bold=True)
    for row in block.rows:
        _row(pages, row, widths, 7.5)
    pages.y += 3


def _facts(pages: _Pages, block: Facts) -> None:
    label_mm = 60.0
    size = 9.0
    for label, value in block.rows:
        labels = _wrap(label, label_mm - 10, size)  # bold letters are wider
        values = _wrap(value, _WIDTH_MM - label_mm, size)
        height = max(len(labels), len(values)) * _line_mm(size)
        pages.room(height)
        for index, line in enumerate(labels):
            pages.text(_MARGIN_MM, pages.y + index * _line_mm(size), line, size=size, bold=True)
        for index, line in enumerate(values):
            pages.text(_MARGIN_MM + label_mm, pages.y + index * _line_mm(size), line, size=size)
        pages.y += height + 0.8
    pages.y += 3


def _figures(pages: _Pages, block: Figures) -> None:
    from matplotlib.image import imread

    gap = 6.0
    images = [imread(io.BytesIO(f.png), format="png") for f in block.figures]
    # Half the width, but never taller than _FIGURE_MAX_MM (two rows of maps fit on a page).
    width = min(
        (_WIDTH_MM - gap) / 2,
        *(_FIGURE_MAX_MM * img.shape[1] / img.shape[0] for img in images),
    )
    height = max(width * img.shape[0] / img.shape[1] for img in images)
    captions = [_wrap(f.caption, width, 7.5) for f in block.figures]
    caption_mm = max(len(c) for c in captions) * _line_mm(7.5)
    pages.room(height + caption_mm + 2)
    assert pages.figure is not None
    for index, (image, caption) in enumerate(zip(images, captions, strict=True)):
        x = _MARGIN_MM + index * (_WIDTH_MM + gap) / 2
        h = width * image.shape[0] / image.shape[1]
        axes = pages.figure.add_axes(
            (
                x / _PAGE_MM[0],
                1 - (pages.y + h) / _PAGE_MM[1],
                width / _PAGE_MM[0],
                h / _PAGE_MM[1],
            )
        )
        axes.imshow(image, interpolation="none")
        axes.set_axis_off()
        for line_no, line in enumerate(caption):
            pages.text(x, pages.y + height + 1 + line_no * _line_mm(7.5), line, size=7.5)
    pages.y += height + caption_mm + 5


def _block(pages: _Pages, block: Block) -> None:
    if isinstance(block, Paragraph):
        _paragraph(pages, block)
    elif isinstance(block, Facts):
        _facts(pages, block)
    elif isinstance(block, Table):
        _table(pages, block)
    else:
        _figures(pages, block)


def report_pdf(content: ReportContent) -> bytes:
    """The report as an A4 PDF (the same bytes for the same content)."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    stamp = datetime(content.day.year, content.day.month, content.day.day, tzinfo=UTC)
    metadata = {
        "Title": content.title,
        "Author": content.author,
        "Creator": "palmap",
        "CreationDate": stamp,
        "ModDate": stamp,
    }
    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buffer, metadata=metadata) as pdf:
        pages = _Pages(pdf, footer=content.title)
        pages.new_page()
        pages.lines(_wrap(content.title, _WIDTH_MM, 18), size=18, bold=True)
        pages.y += 4
        for section in content.sections:
            if section.key != "title":
                pages.room(_line_mm(14) + 20)  # a heading is never the last line of a page
            pages.lines(_wrap(section.heading, _WIDTH_MM, 14), size=14, bold=True)
            pages.y += 2
            for block in section.blocks:
                _block(pages, block)
            pages.y += 4
            if section.key == "title":
                pages.new_page()
        pages.finish()
    return buffer.getvalue()
