"""The report of an edition as a file: read the inputs, build the content once, write it.

Until the programme's actions, target areas and surveys are recorded in palmap, the report
takes empty summaries (:mod:`mapping.report.programme`) and says so in its sections.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Literal, TypeVar, cast

from mapping.db.base import Bind
from mapping.errors import ValidationError
from mapping.pages.text import Translator
from mapping.report.build import build_report
from mapping.report.content import ReportContent
from mapping.report.docx import report_docx
from mapping.report.html import report_document
from mapping.report.inputs import load_report_inputs, report_editions
from mapping.report.pdf import report_pdf
from mapping.report.programme import ProgrammeSummary, SurveySummary

__all__ = ["MIME", "ReportFormat", "clear_cache", "report_content", "report_file", "write_report"]

ReportFormat = Literal["pdf", "docx", "html"]
MIME: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


#: Reports kept in memory (a published edition never changes, so neither does its report).
CACHE_SIZE = 16
_cache: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()
T = TypeVar("T")


def _remember(key: Hashable, compute: Callable[[], T]) -> T:
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return cast(T, _cache[key])
    value = compute()
    with _lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear_cache() -> None:
    """Forget the kept reports (the next request draws them again)."""
    with _lock:
        _cache.clear()


def report_content(
    bind: Bind,
    code: str,
    tr: Translator,
    *,
    min_count: int,
    programme: ProgrammeSummary | None = None,
    surveys: SurveySummary | None = None,
) -> ReportContent:
    """The content of the report of the published edition ``code`` in ``tr``'s language,
    built once per process and kept: the key is everything it depends on (the two editions'
    records, whose digests name their frozen data, the language, the privacy limit and the
    programme's summaries)."""
    edition, previous = report_editions(bind, code)
    programme, surveys = programme or ProgrammeSummary(), surveys or SurveySummary()

    def build() -> ReportContent:
        inputs = load_report_inputs(
            bind, edition, previous, min_count=min_count, programme=programme, surveys=surveys
        )
        return build_report(inputs, tr)

    return _remember((edition, previous, tr.lang, min_count, programme, surveys), build)


def write_report(content: ReportContent, fmt: str) -> bytes:
    """``content`` as a PDF, DOCX or standalone HTML file."""
    if fmt == "pdf":
        return report_pdf(content)
    if fmt == "docx":
        return report_docx(content)
    if fmt == "html":
        return report_document(content).encode("utf-8")
    raise ValidationError(f"format: expected pdf, docx or html, got {fmt!r}")


def report_file(
    bind: Bind,
    code: str,
    tr: Translator,
    fmt: str,
    *,
    min_count: int,
    programme: ProgrammeSummary | None = None,
    surveys: SurveySummary | None = None,
) -> bytes:
    """The report of edition ``code`` as a ``fmt`` file (kept like its content)."""
    content = report_content(
        bind, code, tr, min_count=min_count, programme=programme, surveys=surveys
    )
    return _remember((content, fmt), lambda: write_report(content, fmt))
