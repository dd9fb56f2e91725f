"""The report as HTML: the article the page shows (inside palmap's layout) and a standalone
document (``palmap report -o FILE.html``), both with the print CSS. Every text is escaped
(:func:`mapping.render.escape.escape_text`); maps are PNG ``data:`` images with their text
alternative."""

from __future__ import annotations

import base64

from mapping.render.escape import escape_text
from mapping.report.content import Block, Facts, Figures, Paragraph, ReportContent, Table

__all__ = ["REPORT_CSS", "report_article", "report_document"]

#: The report's styles: on screen inside the page, and on paper (A4, no navigation, sections
#: kept whole where they fit, maps never split).
REPORT_CSS = """
.report { max-width: 60rem; padding: 0 1rem; }
.report-files { padding: 0 1rem; }
.report img { max-width: 100%; height: auto; }
.report figure { margin: 0 0 1rem; }
.report h2 { margin-top: 2rem; border-bottom: 1px solid #c8ced6; }
.report .report-facts {
  display: grid; grid-template-columns: fit-content(40%) 1fr; gap: .2rem 1rem;
}
.report .report-facts dt, .report .report-facts dd { min-width: 0; overflow-wrap: anywhere; }
.report .report-facts dt { font-weight: bold; }
.report .report-facts dd { margin: 0; }
.report .report-note { font-style: italic; color: #3c4650; }
.report .report-figures { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.report figure { margin: 0; flex: 1 1 18rem; max-width: 28rem; }
.report figure img { width: 100%; height: auto; border: 1px solid #c8ced6; }
.report figcaption { font-size: .9rem; }
.report table { border-collapse: collapse; margin: .5rem 0 1rem; }
.report caption { text-align: left; font-weight: bold; padding: .3rem 0; }
.report th, .report td { border: 1px solid #c8ced6; padding: .2rem .5rem; text-align: left; }
@media print {
  @page { size: A4 portrait; margin: 18mm; }
  .site-header, .skip-link, .edition-notice, .no-print { display: none !important; }
  body { font-size: 10pt; color: #000; }
  .table-scroll { overflow: visible; }
  .report { max-width: none; }
  .report section { break-inside: auto; }
  .report h2 { break-after: avoid; }
  .report figure, .report tr { break-inside: avoid; }
  .report .report-title-page { break-after: page; }
}
"""


def _facts(block: Facts) -> str:
    items = "".join(
        f"<dt>{escape_text(label)}</dt><dd>{escape_text(value)}</dd>" for label, value in block.rows
    )
    return f'<dl class="report-facts">{items}</dl>'


def _table(block: Table) -> str:
    head = "".join(f'<th scope="col">{escape_text(c)}</th>' for c in block.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape_text(cell)}</td>" for cell in row) + "</tr>"
        for row in block.rows
    )
    caption = escape_text(block.caption)
    # A wide table scrolls in its own box on a phone (focusable, named: keyboard users can too).
    return (
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{caption}">'
        f"<table><caption>{caption}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _figures(block: Figures) -> str:
    parts = []
    for figure in block.figures:
        data = base64.b64encode(figure.png).decode("ascii")
        parts.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{escape_text(figure.alt)}">'
            f"<figcaption>{escape_text(figure.caption)}</figcaption></figure>"
        )
    return f'<div class="report-figures">{"".join(parts)}</div>'


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        css = ' class="report-note"' if block.note else ""
        return f"<p{css}>{escape_text(block.text)}</p>"
    if isinstance(block, Facts):
        return _facts(block)
    if isinstance(block, Table):
        return _table(block)
    return _figures(block)


def report_article(content: ReportContent, *, actions: str = "") -> str:
    """The report as an ``<article>``: the title as ``<h1>``, each section an ``<h2>``.
    ``actions`` is HTML put under the title (the page's download links; trusted markup)."""
    sections = []
    for section in content.sections:
        css = "report-section report-title-page" if section.key == "title" else "report-section"
        blocks = "".join(_block(b) for b in section.blocks)
        sections.append(
            f'<section class="{css}" id="report-{section.key}">'
            f"<h2>{escape_text(section.heading)}</h2>{blocks}</section>"
        )
    return (
        f'<article class="report"><h1>{escape_text(content.title)}</h1>'
        f"{actions}{''.join(sections)}</article>"
    )


def report_document(content: ReportContent) -> str:
    """The report as a standalone HTML document (its styles inline, no external file)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape_text(content.lang)}"><head><meta charset="utf-8">'
        f"<title>{escape_text(content.title)}</title>"
        f'<meta name="author" content="{escape_text(content.author)}">'
        f"<style>{REPORT_CSS}</style></head>"
        f"<body><main>{report_article(content)}</main></body></html>\n"
    )
