"""The inputs of an edition's report read from the database: the edition, its frozen data, and
the previous published edition (the one before it in code order, as on ``/edycje``)."""

from __future__ import annotations

from mapping.analysis import AnalysisData
from mapping.db.base import Bind
from mapping.editions import EditionRecord, clean_code
from mapping.errors import NotFoundError, ValidationError
from mapping.pages.data import PageData
from mapping.report.build import ReportInputs
from mapping.report.programme import ProgrammeSummary, SurveySummary

__all__ = ["load_report_inputs", "previous_edition", "report_editions"]


def previous_edition(published: list[EditionRecord], code: str) -> EditionRecord | None:
    """The published edition just before ``code`` (codes in order), or None for the first."""
    codes = [e.code for e in published]
    index = codes.index(code) if code in codes else 0
    return published[index - 1] if index > 0 else None


def _page_data(bind: Bind, code: str, min_count: int) -> tuple[EditionRecord, PageData]:
    from mapping.db import editions

    edition, parts = editions.load_parts(bind, code)
    analysis = AnalysisData.from_parts(parts)
    data = PageData.from_analysis(analysis, min_count=min_count)
    published = None if edition.published_at is None else edition.published_at.date()
    return edition, PageData(
        analysis, data.suppression, min_count, edition=edition.code, published=published
    )


def report_editions(bind: Bind, code: str) -> tuple[EditionRecord, EditionRecord | None]:
    """The published edition ``code`` and the one before it (NotFoundError for an unknown
    code or a draft, naming the published editions)."""
    from mapping.db import editions

    try:
        code = clean_code(code)
    except ValidationError:
        shown = code if len(code) <= 40 else code[:40] + "…"
        raise NotFoundError(f"edition: no edition {shown!r}") from None
    published = editions.list_editions(bind, published_only=True)
    found = [e for e in published if e.code == code]
    if not found:
        known = ", ".join(e.code for e in published) or "none yet"
        raise NotFoundError(
            f"edition: expected one of the published editions ({known}), got {code!r}"
        )
    return found[0], previous_edition(published, code)


def load_report_inputs(
    bind: Bind,
    edition: EditionRecord,
    previous: EditionRecord | None,
    *,
    min_count: int,
    programme: ProgrammeSummary | None = None,
    surveys: SurveySummary | None = None,
) -> ReportInputs:
    """The report's inputs: the frozen data of ``edition`` and of ``previous`` (if any)."""
    _record, data = _page_data(bind, edition.code, min_count)
    before = None if previous is None else _page_data(bind, previous.code, min_count)[1]
    return ReportInputs(
        edition=edition,
        data=data,
        previous=previous,
        previous_data=before,
        programme=programme or ProgrammeSummary(),
        surveys=surveys or SurveySummary(),
    )
