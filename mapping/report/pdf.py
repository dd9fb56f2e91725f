"""The report as an A4 PDF drawn with matplotlib (no browser, no external program).

A small flow layout: text is wrapped to the page's width, tables are set in columns (long
cells wrapped), maps placed side by side; a block that does not fit starts a new page. The
text stays extractable (TrueType fonts, ``pdf.fonttype`` 42). The same content gives the same
bytes: the PDF's creation date is the edition's publication day.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from mapping.report.content import (
    Block,
    Facts,
    Figures,
    Paragraph,
    ReportContent,
    Table,
    numeric_columns,
)

if TYPE_CHECKING:  # matplotlib is imported when a report is drawn
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

__all__ = ["report_pdf"]

_PAGE_MM: Final = (210.0, 297.0)
_MARGIN_MM: Final = 18.0
_WIDTH_MM: Final = _PAGE_MM[0] - 2 * _MARGIN_MM
_MM_PER_PT: Final = 25.4 / 72
#: Where the text of a page ends (the footer stands below it).
_BOTTOM_MM: Final = _PAGE_MM[1] - _MARGIN_MM
#: Space between the columns of a table, and the type sizes a table may be set in (the largest
#: at which every column is as wide as its longest word).
_GAP_MM: Final = 2.0
_TABLE_SIZES: Final = (7.5, 7.0, 6.5, 6.0)
#: Rounding slack when a text is measured against the width made for it.
_SLACK_MM: Final = 0.01
_GRID: Final = "#c8ced6"
_NOTE: Final = "#3c4650"
#: The tallest a map figure is drawn (two rows of maps with their captions fit on a page).
_FIGURE_MAX_MM: Final = 100.0


@lru_cache(maxsize=8192)
def _width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """How wide ``text`` is drawn in the report's font (measured, not estimated)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    font = FontProperties(size=size_pt, weight="bold" if bold else "normal")
    width, _height, _descent = text_to_path.get_text_width_height_descent(text, font, ismath=False)
    return float(width) * _MM_PER_PT


def _cut(word: str, width_mm: float, size_pt: float, bold: bool) -> int:
    """How many leading characters of ``word`` fit ``width_mm`` (at least one)."""
    fits = 1
    while fits < len(word) and _width_mm(word[: fits + 1], size_pt, bold) <= width_mm:
        fits += 1
    return fits


def _wrap(text: str, width_mm: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width_mm``, broken between words (a word wider than
    the whole width, and only such a word, is broken inside)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _width_mm(candidate, size_pt, bold) <= width_mm + _SLACK_MM:
            line = candidate
            continue
        if line:
            lines.append(line)
        while len(word) > 1 and _width_mm(word, size_pt, bold) > width_mm + _SLACK_MM:
            cut = _cut(word, width_mm, size_pt, bold)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return [*lines, line] if line or not lines else lines


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
        if self.figure is None or self.y + height_mm > _BOTTOM_MM:
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
        right: bool = False,
    ) -> None:
        """``text`` with its top left corner (its top right one if ``right``) at the point."""
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
            ha="right" if right else "left",
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


@dataclass(frozen=True)
class _Layout:
    """How a table is set: its type size, column widths (mm) and which columns are numbers
    (set flush right, so that their digits line up)."""

    size: float
    widths: list[float]
    numeric: list[bool]


def _longest_word(text: str, size: float, bold: bool = False) -> float:
    return max((_width_mm(word, size, bold) for word in text.split()), default=0.0)


def _layout(block: Table) -> _Layout:
    """Column widths that fit the page: each column at least as wide as its longest word (the
    type made smaller until they all fit), the rest of the width shared out so that the
    columns needing little more get it whole and the others share what is left
    (:func:`_fill_level`)."""
    columns = range(len(block.columns))
    for size in _TABLE_SIZES:
        least = [
            _GAP_MM
            + max(
                _longest_word(block.columns[i], size, True),
                *(_longest_word(row[i], size) for row in block.rows),
            )
            for i in columns
        ]
        if sum(least) <= _WIDTH_MM:
            break
    most = [
        _GAP_MM
        + max(
            _width_mm(block.columns[i], size, True),
            *(_width_mm(row[i], size) for row in block.rows),
        )
        for i in columns
    ]
    if sum(least) > _WIDTH_MM:  # even the smallest type is too wide: words are broken
        widths = [_WIDTH_MM * w / sum(least) for w in least]
    elif sum(most) <= _WIDTH_MM:
        widths = [w + (_WIDTH_MM - sum(most)) * w / sum(most) for w in most]
    else:
        extra = [m - n for m, n in zip(most, least, strict=True)]
        level = _fill_level(extra, _WIDTH_MM - sum(least))
        widths = [n + min(e, level) for n, e in zip(least, extra, strict=True)]
    return _Layout(size, widths, numeric_columns(block))


def _fill_level(extra: list[float], spare: float) -> float:
    """The level L at which giving each column min(its extra need, L) uses up ``spare``: the
    columns that need little more get all of it (a short name is never wrapped to feed a long
    text), the columns that need much share the rest equally.

    >>> _fill_level([1.0, 2.0, 30.0, 40.0], 23.0)
    10.0
    """
    needs = sorted(extra)
    for count, need in enumerate(needs):
        rest = len(needs) - count
        if need * rest >= spare:
            return spare / rest
        spare -= need
    return needs[-1] if needs else 0.0


def _cells(cells: tuple[str, ...], layout: _Layout, bold: bool) -> list[list[str]]:
    return [
        _wrap(cell, width - _GAP_MM, layout.size, bold=bold)
        for cell, width in zip(cells, layout.widths, strict=True)
    ]


def _row_height(wrapped: list[list[str]], size: float) -> float:
    return max(len(lines) for lines in wrapped) * _line_mm(size) + 1


def _row(pages: _Pages, wrapped: list[list[str]], layout: _Layout, bold: bool = False) -> None:
    """One row from the cursor down (the caller has made room for it)."""
    size = layout.size
    x = _MARGIN_MM
    for lines, width, numeric in zip(wrapped, layout.widths, layout.numeric, strict=True):
        for index, line in enumerate(lines):
            y = pages.y + index * _line_mm(size)
            if numeric:
                pages.text(x + width - _GAP_MM, y, line, size=size, bold=bold, right=True)
            else:
                pages.text(x, y, line, size=size, bold=bold)
        x += width
    pages.y += _row_height(wrapped, size)
    pages.rule(_MARGIN_MM, _MARGIN_MM + sum(layout.widths))
    pages.y += 0.8


def _table(pages: _Pages, block: Table) -> None:
    """The caption, the header and the rows; a row that does not fit starts a new page, where
    the header is set again (a reader of page two still knows what the columns are)."""
    layout = _layout(block)
    header = _cells(block.columns, layout, bold=True)
    header_mm = _row_height(header, layout.size) + 0.8
    caption = _wrap(block.caption, _WIDTH_MM, 9, bold=True)
    first = _cells(block.rows[0], layout, False) if block.rows else header
    pages.room(len(caption) * _line_mm(9) + header_mm + _row_height(first, layout.size))
    pages.lines(caption, size=9, bold=True)
    _row(pages, header, layout, bold=True)
    for row in block.rows:
        wrapped = _cells(row, layout, False)
        if pages.y + _row_height(wrapped, layout.size) > _BOTTOM_MM:
            pages.new_page()
            _row(pages, header, layout, bold=True)
        _row(pages, wrapped, layout)
    pages.y += 3


def _facts(pages: _Pages, block: Facts) -> None:
    label_mm = 60.0
    size = 9.0
    for label, value in block.rows:
        labels = _wrap(label, label_mm - 2 * _GAP_MM, size, bold=True)
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
        pages.lines(_wrap(content.title, _WIDTH_MM, 18, bold=True), size=18, bold=True)
        pages.y += 4
        for section in content.sections:
            if section.key != "title":
                pages.room(_line_mm(14) + 20)  # a heading is never the last line of a page
            pages.lines(_wrap(section.heading, _WIDTH_MM, 14, bold=True), size=14, bold=True)
            pages.y += 2
            for block in section.blocks:
                _block(pages, block)
            pages.y += 4
            if section.key == "title":
                pages.new_page()
        pages.finish()
    return buffer.getvalue()
