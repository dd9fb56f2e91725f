"""The programme's yearly report of a published edition (``/sprawozdanie/<edition>``,
``palmap report``).

The report is built once as plain content (:mod:`mapping.report.content`: sections of
paragraphs, facts, tables and map figures, every text already translated) by
:func:`mapping.report.build.build_report`, and then written by three writers from that same
content: :mod:`mapping.report.html` (the page, with print CSS), :mod:`mapping.report.pdf`
(matplotlib, A4) and :mod:`mapping.report.docx` (python-docx). So the three cannot say
different things. The parts of the programme that palmap records elsewhere (actions,
partnerships' target areas, surveys) come in as small typed summaries
(:mod:`mapping.report.programme`); empty summaries make the report say so plainly.
"""
