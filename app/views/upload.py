"""The CLI import, in the browser: upload, preview, confirm or cancel (``/dane/import``).

1. An editor chooses the kind and the file (and the options of ``palmap import``). The bytes are
   kept under a random token (:class:`mapping.io.uploads.UploadStore`), never under a name from
   the request.
2. The preview is a rehearsal of the real import (:func:`mapping.io.flow.run_import` with
   ``rehearse=True``): every row checked, written in a transaction and rolled back, so the counts
   of rows that would be loaded, updated, left unchanged and skipped are the real ones. The
   row-level report is the CLI's (row, field, value, problem, fix). The columns can be chosen
   from the file's own and the file checked again.
3. "Confirm" runs the import for real in one transaction and writes it to the audit log
   (``how = upload``); "cancel" removes the file. The same limits and refusals as the CLI apply.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import auth, findings, pages
from app.db import get_engine, import_limits
from mapping.errors import MappingError
from mapping.io.uploads import UploadStore

bp = Blueprint("upload", __name__)

KINDS = (
    "resources",
    "districts",
    "indicators",
    "partnerships",
    "actions",
    "surveys",
    "population",
    "residential",
    "osm",
    "osm_districts",
)
#: OpenStreetMap extracts (.osm, .osm.pbf) with the default tag mapping: shown on the preview's
#: map as the resources or districts they become.
OSM_KINDS = {"osm": "resources", "osm_districts": "districts"}
#: The columns a person may choose, per kind (``ImportOptions`` ``<name>_field``).
FIELDS: dict[str, tuple[str, ...]] = {
    "resources": ("name", "category", "address", "district", "external_id", "lat", "lon", "x", "y"),
    "districts": ("name", "code"),
    "indicators": (),
    "partnerships": (),
    "actions": (),
    # Counts (action, district, wave, question, answer, count) or anonymous responses
    # (respondent instead of count, hashed with PALMAP_SURVEY_KEY): told by the columns.
    "surveys": (),
    # A population surface (points or grid cells with a number of people, for a year) and the
    # residential areas (polygons) of the demand model, as palmap import population/residential.
    "population": ("population", "lat", "lon", "x", "y"),
    "residential": (),
    "osm": (),
    "osm_districts": (),
}
#: The kinds whose form gives a year.
_WITH_YEAR = ("indicators", "population")
LAYOUTS = ("long", "wide_indicators", "wide_years")
#: Findings shown on the preview (the rest are counted).
SHOWN_FINDINGS = 500


def _field_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "category": _("Category"),
        "address": _("Address"),
        "district": _("District"),
        "external_id": _("Identifier"),
        "lat": _("Latitude"),
        "lon": _("Longitude"),
        "x": _("X (easting)"),
        "y": _("Y (northing)"),
        "code": _("Code"),
        "population": _("Number of people"),
    }


def _store() -> UploadStore:
    return UploadStore(f"{current_app.instance_path}/uploads")


def _options(kind: str, form: Any) -> dict[str, Any]:
    """The ImportOptions values a form gives (empty fields: palmap recognises the column)."""
    chosen: dict[str, Any] = {}
    for name in FIELDS[kind]:
        value = (form.get(f"field_{name}") or "").strip()
        if value:
            chosen[f"{name}_field"] = value
    for name in ("crs", "layer"):
        value = (form.get(name) or "").strip()
        if value:
            chosen[name] = value
    if kind == "indicators":
        layout = form.get("layout") or "long"
        if layout not in LAYOUTS:
            abort(400)
        chosen["layout"] = layout
        if (form.get("indicator") or "").strip():
            chosen["indicator"] = form.get("indicator", "").strip()
    if kind in _WITH_YEAR and (form.get("year") or "").strip():
        year = form.get("year", "").strip()
        if not year.isdigit() or not 1900 <= int(year) <= 2100:
            abort(400, _("year: expected a year such as 2013, got %(value)s", value=year))
        chosen["year"] = int(year)
    if kind == "osm_districts" and (form.get("admin_level") or "").strip():
        level = form.get("admin_level", "").strip()
        if not level.isdigit() or not 1 <= int(level) <= 12:
            abort(400, _("admin_level: expected a number from 1 to 12, got %(value)s", value=level))
        chosen["osm_admin_level"] = int(level)
    chosen["skip_invalid"] = form.get("skip_invalid") == "1"
    return chosen


def _columns(data: bytes, filename: str) -> list[str]:
    """The file's own columns, for the choices (tables only; none when it cannot be read)."""
    from mapping.io.tabular import read_table

    if not filename.endswith((".csv", ".xlsx")):
        return []
    try:
        table, _report = read_table(data, filename=filename)
    except MappingError:
        return []
    return [str(c) for c in table.columns]


def _import(upload: Any, data: bytes, **how: Any) -> Any:
    """The kept upload through the import, with its options (a rehearsal or the real one)."""
    from mapping.io.flow import run_import
    from mapping.io.options import ImportOptions
    from mapping.io.osm import OsmOptions

    kept = {k: v for k, v in upload.options.items() if k not in ("original", "osm_admin_level")}
    options = ImportOptions(**kept)
    if upload.kind in OSM_KINDS:
        how["osm"] = OsmOptions(admin_level=upload.options.get("osm_admin_level"))
    return run_import(
        upload.kind,
        data,
        filename=upload.filename,
        engine=get_engine(),
        options=options,
        limits=import_limits(),
        survey_key=_survey_key() if upload.kind == "surveys" else None,
        **how,
    )


def _survey_key() -> bytes | None:
    """The key that hashes respondent ids (``PALMAP_SURVEY_KEY``), as ``palmap import surveys``
    takes it: without it a file of responses is refused with the CLI's words."""
    key = current_app.config.get("SURVEY_KEY")
    return key.encode("utf-8") if key else None


def _rehearse(upload: Any, data: bytes) -> dict[str, Any]:
    try:
        result = _import(upload, data, rehearse=True)
    except MappingError as error:
        return {"failed": findings.error_text(error)}
    found = result.report.sorted_findings()
    from mapping.pages import maps as core_maps
    from mapping.render.interactive import map_fragments

    folium_map = core_maps.upload_map(
        pages.page_data(),
        OSM_KINDS.get(upload.kind, upload.kind),
        result.frame,
        pages.map_settings(),
        name=_("New data"),
    )
    return {
        "fragments": None if folium_map is None else map_fragments(folium_map),
        "result": result,
        # problem and fix in the page's language, values filled in (app.findings)
        "findings": findings.shown_findings(found[:SHOWN_FINDINGS]),
        "more": max(0, len(found) - SHOWN_FINDINGS),
    }


def _upload_limit() -> str:
    return str(current_app.config.get("UPLOAD_LIMIT") or "30 per hour")


def _uploader() -> str:
    """Uploads are counted per account (several editors may share one office address)."""
    return f"account:{current_user.login}" if current_user.is_authenticated else "anonymous"


@pages.page_route(bp, "/dane/import", "/data/import", endpoint="index", methods=["GET", "POST"])
@auth.role_required("editor")
@auth.limiter.limit(_upload_limit, methods=["POST"], key_func=_uploader)
def index() -> BaseResponse | tuple[str, int]:
    """The upload form; on POST, the file is kept and its preview shown."""
    if request.method == "GET":
        page = render_template("upload.html", form=auth.TokenForm(), kinds=KINDS, layouts=LAYOUTS)
        return page, 200
    kind = request.form.get("kind", "")
    sent = request.files.get("file")
    if kind not in KINDS or sent is None or not sent.filename:
        flash(_("Choose what the file holds and the file itself."))
        return redirect(pages.page_url("upload.index"))
    try:
        data = sent.read()
    finally:
        sent.close()  # werkzeug keeps a large upload in a temporary file
    try:
        upload = _store().save(data, kind=kind, filename=sent.filename, owner=current_user.login)
    except MappingError as error:
        flash(findings.error_text(error))
        return redirect(pages.page_url("upload.index"))
    options = {**_options(kind, request.form), "original": sent.filename[:200]}
    _store().update(upload, options=options)
    return redirect(pages.page_url("upload.preview", token=upload.token))


@pages.page_route(
    bp,
    "/dane/import/<token>",
    "/data/import/<token>",
    endpoint="preview",
    methods=["GET", "POST"],
)
@auth.role_required("editor")
def preview(token: str) -> BaseResponse | tuple[str, int]:
    """The rehearsal of the import; on POST, the columns chosen again and the file re-checked."""
    store = _store()
    upload, data = store.load(token, owner=current_user.login)
    if request.method == "POST":
        original = upload.options.get("original", "")
        upload = store.update(
            upload, options={**_options(upload.kind, request.form), "original": original}
        )
    checked = _rehearse(upload, data)
    page = render_template(
        "upload_preview.html",
        form=auth.TokenForm(),
        upload=upload,
        fields=FIELDS[upload.kind],
        labels=_field_labels(),
        columns=_columns(data, upload.filename),
        layouts=LAYOUTS,
        **checked,
    )
    return page, 200 if "failed" not in checked else 422


@pages.page_route(
    bp,
    "/dane/import/<token>/zatwierdz",
    "/data/import/<token>/confirm",
    endpoint="confirm",
    methods=["POST"],
)
@auth.role_required("editor")
def confirm(token: str) -> BaseResponse:
    """Import the kept file for real, log it, remove it."""
    store = _store()
    upload, data = store.load(token, owner=current_user.login)
    original = upload.options.get("original", upload.filename)
    result = _import(upload, data, actor=current_user.login, how="upload", display_name=original)
    if result.status != "written":
        flash(_("Nothing was written: the file has rows with errors. Check it again."))
        return redirect(pages.page_url("upload.preview", token=token))
    counts = {
        "file": original,
        "loaded": result.loaded,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": result.report.skipped,
    }
    store.delete(token)
    flash(
        _(
            "Imported %(file)s: %(loaded)s new, %(updated)s updated, %(unchanged)s unchanged, "
            "%(skipped)s skipped.",
            **counts,
        )
    )
    return redirect(pages.page_url("upload.index"))


@pages.page_route(
    bp,
    "/dane/import/<token>/anuluj",
    "/data/import/<token>/cancel",
    endpoint="cancel",
    methods=["POST"],
)
@auth.role_required("editor")
def cancel(token: str) -> BaseResponse:
    """Forget the kept file; nothing was written."""
    store = _store()
    store.load(token, owner=current_user.login)  # someone else's token is not found
    store.delete(token)
    flash(_("Cancelled: nothing was written."))
    return redirect(pages.page_url("upload.index"))


@pages.page_route(
    bp,
    "/dane/szablon/<any(resources,districts,indicators,partnerships,actions,surveys):kind>"
    ".<any(xlsx,csv):fmt>",
    "/data/template/<any(resources,districts,indicators,partnerships,actions,surveys):kind>"
    ".<any(xlsx,csv):fmt>",
    endpoint="template",
)
@auth.role_required("editor")
def template(kind: str, fmt: str) -> Response:
    """``palmap template``'s file: the columns, an example row and the allowed values."""
    from mapping.db import store
    from mapping.io.export import template_frame, write_frame, write_workbook

    engine = get_engine()
    if kind in ("partnerships", "actions"):
        from mapping.db import programme
        from mapping.io.programme_export import programme_template

        known = [p.code for p in programme.load_partnerships(engine)]
        sheets = programme_template(
            kind, districts=store.load_districts(engine), partnerships=known
        )
    elif kind == "surveys":
        from mapping.db import programme
        from mapping.io.survey_export import survey_template

        sheets = survey_template(
            districts=store.load_districts(engine),
            actions=[a.code for a in programme.load_actions(engine)],
        )
    else:
        sheets = template_frame(
            kind,  # type: ignore[arg-type]
            categories=store.load_categories(engine),
            indicators=store.load_indicators(engine),
            districts=store.load_districts(engine),
        )
    buffer = io.BytesIO()
    if fmt == "xlsx":
        write_workbook(sheets, buffer)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        write_frame(next(iter(sheets.values())), buffer, format="csv", layer=kind)
        mimetype = "text/csv"
    response = Response(buffer.getvalue(), mimetype=mimetype)
    name = f"palmap-szablon-{kind}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
