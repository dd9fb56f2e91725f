"""The report as a Word document (python-docx): the title, a Heading 1 per section, tables,
and the maps as pictures. The same content gives the same bytes: the document's dates are the
edition's publication day, and the ZIP entries carry that day too (python-docx stamps them
with the time of writing)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from mapping.report.content import (
    Block,
    Facts,
    Figures,
    Paragraph,
    ReportContent,
    Table,
    numeric_columns,
)

__all__ = ["report_docx"]

#: Characters XML 1.0 cannot hold (python-docx refuses them); a hostile title loses only them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: The width of a map figure on the page (two side by side), in millimetres.
_FIGURE_MM = 80


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _style(paragraph: Any, *, bold: bool = False, italic: bool = False) -> None:
    for run in paragraph.runs:
        run.bold, run.italic = bold or None, italic or None


def _keep_rows(document: Any) -> None:
    """The last table's rows are never split across pages and its header row is repeated on
    every page the table runs onto (python-docx has no setting for either: the rows' XML,
    reached through the public ``document.element``, is given them)."""
    from docx.oxml import OxmlElement

    table = document.element.body.xpath("./w:tbl")[-1]
    for index, row in enumerate(table.xpath("./w:tr")):
        properties = row.get_or_add_trPr()
        for tag in ("w:cantSplit", "w:tblHeader") if index == 0 else ("w:cantSplit",):
            properties.append(OxmlElement(tag))


def _table(document: Any, block: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    caption = document.add_paragraph(_text(block.caption))
    _style(caption, bold=True)
    caption.paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    numeric = numeric_columns(block)
    for cell, text in zip(table.rows[0].cells, block.columns, strict=True):
        cell.text = _text(text)
        _style(cell.paragraphs[0], bold=True)
    for row in block.rows:
        for cell, text, right in zip(table.add_row().cells, row, numeric, strict=True):
            cell.text = _text(text)
            if right:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _keep_rows(document)


def _facts(document: Any, block: Facts) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in block.rows:
        cells = table.add_row().cells
        cells[0].text = _text(label)
        _style(cells[0].paragraphs[0], bold=True)
        cells[1].text = _text(value)


def _figures(document: Any, block: Figures) -> None:
    from docx.shared import Mm

    table = document.add_table(rows=2, cols=len(block.figures))
    for index, figure in enumerate(block.figures):
        picture = table.rows[0].cells[index].paragraphs[0].add_run()
        picture.add_picture(io.BytesIO(figure.png), width=Mm(_FIGURE_MM))
        table.rows[1].cells[index].text = _text(figure.caption)


def _block(document: Any, block: Block) -> None:
    if isinstance(block, Paragraph):
        _style(document.add_paragraph(_text(block.text)), italic=block.note)
    elif isinstance(block, Facts):
        _facts(document, block)
    elif isinstance(block, Table):
        _table(document, block)
    else:
        _figures(document, block)


def _a4(document: Any) -> None:
    """A4 portrait with 20 mm margins (python-docx's template is US Letter)."""
    from docx.shared import Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)


def _fixed_zip(body: bytes, stamp: datetime) -> bytes:
    """The ZIP with every entry dated ``stamp`` (its order and contents kept)."""
    source = zipfile.ZipFile(io.BytesIO(body))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return buffer.getvalue()


def report_docx(content: ReportContent) -> bytes:
    """The report as DOCX bytes (the same for the same content)."""
    from docx import Document

    document = Document()
    stamp = datetime(content.day.year, content.day.month, content.day.day, tzinfo=UTC)
    properties = document.core_properties
    properties.title = _text(content.title)
    properties.author = _text(content.author)
    properties.last_modified_by = _text(content.author)
    properties.language = content.lang
    properties.created = stamp
    properties.modified = stamp
    properties.last_printed = stamp
    properties.revision = 1
    _a4(document)
    document.add_heading(_text(content.title), level=0)
    for section in content.sections:
        document.add_heading(_text(section.heading), level=1)
        for block in section.blocks:
            _block(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue(), stamp)
