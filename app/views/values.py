"""Editors change a year's indicator values in a table (``/wskazniki/dane``), or paste them
from a spreadsheet.

The table and the paste both become one file in the ``wide_indicators`` layout (a district column
and a column per indicator, for the year) and go through the import itself
(:func:`mapping.io.flow.run_import`): the same checks, one transaction, an audit entry for the
save and one per changed value. A cell of the table that held a value and is sent empty deletes
that value (in the same transaction); an empty cell of pasted text leaves the stored value as it
is (a spreadsheet often holds only some columns). The table carries a fingerprint of the year's
values when it was opened; a save after someone else changed them is a 409 and writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import auth, pages
from app.db import get_engine
from app.findings import shown_findings

bp = Blueprint("values", __name__)


def _year_values(year: int) -> tuple[dict[tuple[str, str], float], str]:
    """The year's values by (district, indicator), and their fingerprint."""
    from mapping.db import store

    frame = store.load_indicator_values(get_engine(), year=year)
    values = {
        (str(r.district_code), str(r.indicator)): float(r.value)
        for r in frame.itertuples(index=False)
    }
    digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:32]
    return values, digest


def _year(raw: str | None, years: list[int]) -> int:
    if not raw:
        return years[-1] if years else 2013
    if not raw.isdigit() or not 1900 <= int(raw) <= 2100:
        abort(400, _("year: expected a year such as 2013, got %(value)s", value=raw))
    return int(raw)


def _typed_file(form: Any, districts: list[str], indicators: list[str]) -> bytes:
    """The table's typed cells as a wide_indicators CSV (empty cells stay empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["district_code", *indicators])
    for code in districts:
        writer.writerow([code, *(form.get(f"v:{code}:{i}", "").strip() for i in indicators)])
    return buffer.getvalue().encode("utf-8")


def _cleared(
    form: Any, year: int, stored: dict[tuple[str, str], float]
) -> list[tuple[str, str, int]]:
    """The stored values whose cell the table sent back empty (a cell not sent is kept)."""
    return [
        (code, indicator, year)
        for code, indicator in sorted(stored)
        if form.get(f"v:{code}:{indicator}", None) is not None
        and not form.get(f"v:{code}:{indicator}").strip()
    ]


def _pasted_file(text: str) -> bytes:
    """Cells pasted from a spreadsheet (tab-separated, with its header row) as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            writer.writerow(cell.strip() for cell in line.split("\t"))
    return buffer.getvalue().encode("utf-8")


def _page(year: int, *, status: int = 200, **extra: Any) -> tuple[str, int]:
    from mapping.pages.labels import indicator_name

    data = pages.page_data().analysis
    values, fingerprint = _year_values(year)
    indicators = list(data.registry.codes)
    tr = pages.translator()
    page = render_template(
        "values.html",
        form=auth.TokenForm(),
        year=year,
        years=data.years,
        districts=data.districts[["code", "name"]].to_dict("records"),
        indicators=indicators,
        names={code: indicator_name(data, code, tr) for code in indicators},
        values=values,
        fingerprint=fingerprint,
        **extra,
    )
    return page, status


@pages.page_route(
    bp, "/wskazniki/dane", "/indicators/data", endpoint="index", methods=["GET", "POST"]
)
@auth.role_required("editor")
def index() -> BaseResponse | tuple[str, int]:
    """A year's values as a table; on POST, the typed or pasted values imported."""
    from mapping.io.flow import run_import
    from mapping.io.options import ImportOptions

    data = pages.page_data().analysis
    year = _year(request.values.get("year"), data.years)
    if request.method == "GET":
        return _page(year)
    stored, fingerprint = _year_values(year)
    if request.form.get("fingerprint") != fingerprint:
        return _page(year, status=409, stale=True, typed=request.form)
    pasted = request.form.get("paste", "").strip()
    districts = [str(c) for c in data.districts["code"]]
    content = (
        _pasted_file(pasted)
        if pasted
        else _typed_file(request.form, districts, list(data.registry.codes))
    )
    result = run_import(
        "indicators",
        content,
        filename="tabela.csv",
        engine=get_engine(),
        options=ImportOptions(layout="wide_indicators", year=year),
        actor=current_user.login,
        how="form",
        display_name=f"{_('table')} {year}",
        cleared=[] if pasted else _cleared(request.form, year, stored),
    )
    if result.status != "written":
        findings = shown_findings(result.report.sorted_findings())
        return _page(year, status=422, findings=findings, typed=request.form)
    flash(
        _(
            "Saved the values of %(year)s: %(loaded)s new, %(updated)s changed, "
            "%(deleted)s deleted, %(unchanged)s unchanged.",
            year=year,
            loaded=result.loaded,
            updated=result.updated,
            deleted=result.deleted,
            unchanged=result.unchanged,
        )
    )
    return redirect(pages.page_url("values.index", year=year))
