"""The whole import flow, one function for every adapter: :func:`run_import`.

Read the file, validate every row, report what was found (:class:`~mapping.io.report.ImportReport`),
refuse the import when a row is invalid (or skip the invalid rows when the options say so), stop
after the check on a dry run, else write everything in ONE transaction and count what was loaded,
updated, left unchanged and skipped. That transaction holds the database's write lock from its
start: imports into one database run one at a time, and a second one waits (or gives up after a
while, writing nothing). The CLI (``palmap import``) calls it today and a web upload
will call it with the same :class:`~mapping.io.options.ImportOptions`; neither repeats any step.
Nothing here knows about a command line or a web form.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from mapping.db import Engine, audit, store
from mapping.db import population as population_store
from mapping.db import programme as programme_store
from mapping.db import residential as residential_store
from mapping.db import surveys as survey_store
from mapping.io.options import DEFAULT_OPTIONS, ImportOptions, OptionsError
from mapping.io.osm import OsmOptions
from mapping.io.osm_flow import prepare_osm
from mapping.io.population import read_population
from mapping.io.programme import read_actions, read_partnerships
from mapping.io.readers import (
    read_districts,
    read_indicator_definitions,
    read_indicator_values,
    read_resources,
)
from mapping.io.report import ImportReport
from mapping.io.residential import read_residential
from mapping.io.safety import DEFAULT_LIMITS, Limits
from mapping.io.surveys import read_surveys

__all__ = ["KINDS", "ImportResult", "Progress", "run_import"]

Kind = Literal[
    "districts",
    "resources",
    "indicators",
    "partnerships",
    "actions",
    "surveys",
    "population",
    "residential",
    "osm",
    "osm_districts",
]
#: What :func:`run_import` imports.
KINDS: tuple[str, ...] = (
    "districts",
    "resources",
    "indicators",
    "partnerships",
    "actions",
    "surveys",
    "population",
    "residential",
    "osm",
    "osm_districts",
)
Status = Literal["written", "dry_run", "rehearsed", "refused"]
#: Given the number of rows to write, a context that yields a callback taking rows written (or
#: None for no progress display).
Progress = Callable[[int], AbstractContextManager[Callable[[int], None] | None]]
_Writer = Callable[[Any, Callable[[int], None] | None], store.SaveResult]


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes
    ----------
    kind
        ``districts``, ``resources`` or ``indicators``.
    status
        ``written``, ``dry_run`` (checked, nothing written) or ``refused`` (invalid rows and no
        skipping: nothing written).
    report
        The findings about the file's rows.
    rows
        Valid rows, ready to write.
    loaded, updated, unchanged
        Rows inserted, changed and left as they were (0 unless written).
    deleted
        Values deleted because their cell was emptied (see ``cleared`` of :func:`run_import`).
    seconds
        Time the whole flow took.
    definitions
        The report on the indicator definitions that came along, if any.
    """

    kind: str
    status: Status
    report: ImportReport
    rows: int
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    seconds: float = 0.0
    definitions: ImportReport | None = field(default=None)
    #: The valid rows as read (districts and resources: a GeoDataFrame in EPSG:4326), for a
    #: preview's map; None for indicator values.
    frame: Any = field(default=None, repr=False, compare=False)

    @property
    def written(self) -> bool:
        """Whether anything was written."""
        return self.status == "written"

    @property
    def skipped(self) -> int:
        """Rows left out because of an error."""
        return self.report.skipped

    def refusal(self) -> str:
        """Why nothing was written, and the fix (empty unless refused)."""
        if self.status != "refused":
            return ""
        if self.definitions is not None and self.definitions.errors():
            return (
                f"{self.definitions.source}: the indicator definitions have errors; nothing was "
                "written"
            )
        errors = self.report.errors()
        rows = len(self.report.error_rows()) or 1
        return (
            f"{len(errors)} problem(s) in {rows} row(s) or the file; nothing was written. Fix "
            "them, or choose to skip invalid rows to load the valid ones"
        )

    def summary(self) -> str:
        """One line of counts.

        Examples
        --------
        >>> ImportResult("resources", "written", ImportReport(read=3), 3, loaded=2,
        ...              unchanged=1, seconds=0.04).summary()
        'read 3, loaded 2, updated 0, unchanged 1, skipped 0, repaired 0, 0.0 s'
        """
        if self.status == "dry_run":
            return f"Dry run: {self.report.summary()}; nothing written."
        return (
            f"read {self.report.read}, loaded {self.loaded}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {self.skipped}, repaired "
            f"{self.report.repaired}, {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class _Prepared:
    report: ImportReport
    rows: int
    write: _Writer
    definitions: ImportReport | None = None
    frame: Any = None
    #: Refused even when invalid rows are skipped (nothing valid would replace a whole layer).
    refuse: bool = False


def _districts(
    data: bytes, filename: str, options: ImportOptions, engine: Engine, limits: Limits
) -> _Prepared:
    districts, report = read_districts(data, filename=filename, options=options, limits=limits)

    def write(conn: Any, _progress: Callable[[int], None] | None) -> store.SaveResult:
        return store.save_districts(conn, districts, replace=options.replace)

    return _Prepared(report, len(districts), write, frame=districts)


def _resources(
    data: bytes, filename: str, options: ImportOptions, engine: Engine, limits: Limits
) -> _Prepared:
    categories = store.load_categories(engine)
    options.check("resources", categories=[str(c) for c in categories["code"]])
    resources, report = read_resources(
        data,
        filename=filename,
        districts=store.load_districts(engine),
        categories=categories,
        options=options,
        limits=limits,
    )

    def write(conn: Any, progress: Callable[[int], None] | None) -> store.SaveResult:
        if options.replace:
            store.delete_resources(conn)
        return store.save_resources(conn, resources, progress=progress)

    return _Prepared(report, len(resources), write, frame=resources)


def _indicators(
    data: bytes,
    filename: str,
    options: ImportOptions,
    engine: Engine,
    limits: Limits,
    definitions_file: tuple[bytes, str] | None,
    cleared: Sequence[tuple[str, str, int]] = (),
) -> _Prepared:
    options.check("indicators")
    indicators = store.load_indicators(engine)
    definitions, defined = None, None
    if definitions_file is not None:
        definitions, defined = read_indicator_definitions(
            definitions_file[0],
            filename=definitions_file[1],
            limits=limits,
            known=dict(zip(indicators["code"], indicators["denominator"], strict=True)),
        )
        if defined.errors():
            return _Prepared(defined, 0, _nothing, definitions=defined)
        known = indicators[~indicators["code"].isin(definitions["code"])]
        indicators = pd.concat([known, definitions], ignore_index=True)
    values, report = read_indicator_values(
        data,
        filename=filename,
        districts=store.load_districts(engine),
        indicators=indicators,
        options=options,
        limits=limits,
    )

    def write(conn: Any, _progress: Callable[[int], None] | None) -> store.SaveResult:
        if definitions is not None:
            store.save_indicators(conn, definitions)
        if options.replace:
            store.delete_indicator_values(conn, sorted(set(values["indicator"])))
        return store.save_indicator_values(conn, values) + store.delete_values(conn, list(cleared))

    return _Prepared(report, len(values), write, definitions=defined)


def _programme(
    kind: str,
    data: bytes,
    filename: str,
    options: ImportOptions,
    engine: Engine,
    limits: Limits,
    *,
    actor: str | None,
    how: str,
) -> _Prepared:
    """Partnerships or actions (:mod:`mapping.io.programme`), saved by code; each record
    created or changed is in the audit log when ``actor`` is given."""
    if options.replace:
        raise OptionsError(
            f"expected no replacing for {kind}: a file updates the {kind} it names by code and "
            "leaves the others; leave replace out",
            option="replace",
        )
    records: list[Any]
    if kind == "partnerships":
        records, report = read_partnerships(
            data, filename=filename, sheet=options.layer, limits=limits
        )
        save: Any = programme_store.save_partnerships
    else:
        records, report = read_actions(
            data,
            filename=filename,
            districts=store.load_districts(engine),
            partnerships=[p.code for p in programme_store.load_partnerships(engine)],
            sheet=options.layer,
            limits=limits,
        )
        save = programme_store.save_actions

    def write(conn: Any, _progress: Callable[[int], None] | None) -> store.SaveResult:
        return save(conn, records, actor=actor, how=how)

    return _Prepared(report, len(records), write)


def _surveys(
    data: bytes,
    filename: str,
    options: ImportOptions,
    engine: Engine,
    limits: Limits,
    *,
    actor: str | None,
    how: str,
    survey_key: bytes | None,
) -> _Prepared:
    """Survey counts (:mod:`mapping.io.surveys`): each action and wave in the file replaces
    the stored counts of that action and wave; one audit entry per action and wave."""
    if options.replace:
        raise OptionsError(
            "expected no replacing for surveys: a file replaces the counts of each action and "
            "wave it holds and leaves the others; leave replace out",
            option="replace",
        )
    counts, report = read_surveys(
        data,
        filename=filename,
        districts=store.load_districts(engine),
        actions=[a.code for a in programme_store.load_actions(engine)],
        key=survey_key,
        sheet=options.layer,
        limits=limits,
    )

    def write(conn: Any, _progress: Callable[[int], None] | None) -> store.SaveResult:
        return survey_store.save_counts(conn, counts, actor=actor, how=how)

    return _Prepared(report, len(counts), write)


def _population(data: bytes, filename: str, options: ImportOptions, limits: Limits) -> _Prepared:
    """A population surface (:mod:`mapping.io.population`): it replaces the stored surface of
    its year as a whole."""
    points, year, report = read_population(data, filename=filename, options=options, limits=limits)

    def write(conn: Any, _progress: Callable[[int], None] | None) -> store.SaveResult:
        return population_store.save_population(conn, points, year=year)

    return _Prepared(report, len(points), write, refuse=not len(points))


def _residential(data: bytes, filename: str, options: ImportOptions, limits: Limits) -> _Prepared:
    """A residential-area layer (:mod:`mapping.io.residential`): it replaces the stored layer
    as a whole."""
    areas, report = read_residential(data, filename=filename, options=options, limits=limits)

    def write(conn: Any, _progress: Callable[[int], None] | None) -> store.SaveResult:
        return residential_store.save_residential(conn, areas)

    frame = gpd.GeoDataFrame(geometry=areas, crs=areas.crs)
    return _Prepared(report, len(areas), write, frame=frame, refuse=not len(areas))


def _nothing(conn: Any, progress: Callable[[int], None] | None) -> store.SaveResult:
    return store.SaveResult()


def _no_progress(rows: int) -> AbstractContextManager[Callable[[int], None] | None]:
    return nullcontext(None)


def _prepare(
    kind: str,
    data: bytes,
    filename: str,
    options: ImportOptions,
    engine: Engine,
    limits: Limits,
    *,
    definitions: tuple[bytes, str] | None,
    cleared: Sequence[tuple[str, str, int]],
    actor: str | None,
    how: str,
    survey_key: bytes | None,
    osm: OsmOptions | None = None,
) -> _Prepared:
    """Read and check the file as ``kind``; the write that follows, ready to run."""
    if kind in ("osm", "osm_districts"):  # an OSM extract (mapping.io.osm_flow)
        ready = prepare_osm(
            kind,
            data,
            filename=filename,
            options=options,
            osm=osm or OsmOptions(),
            engine=engine,
            limits=limits,
            actor=actor,
            how=how,
        )
        return _Prepared(ready.report, ready.rows, ready.write, frame=ready.frame)
    if kind == "districts":
        options.check(kind)
        return _districts(data, filename, options, engine, limits)
    if kind == "resources":
        return _resources(data, filename, options, engine, limits)
    if kind == "indicators":
        return _indicators(data, filename, options, engine, limits, definitions, cleared)
    if kind in ("partnerships", "actions"):
        return _programme(kind, data, filename, options, engine, limits, actor=actor, how=how)
    if kind == "surveys":
        return _surveys(
            data, filename, options, engine, limits, actor=actor, how=how, survey_key=survey_key
        )
    if kind == "population":
        return _population(data, filename, options, limits)
    if kind == "residential":
        return _residential(data, filename, options, limits)
    raise ValueError(f"expected a kind in {KINDS}, got {kind!r}")


def run_import(
    kind: str,
    data: bytes,
    *,
    filename: str,
    engine: Engine,
    options: ImportOptions = DEFAULT_OPTIONS,
    limits: Limits = DEFAULT_LIMITS,
    definitions: tuple[bytes, str] | None = None,
    progress: Progress = _no_progress,
    wait: store.Wait = store.DEFAULT_WAIT,
    rehearse: bool = False,
    actor: str | None = None,
    how: str = "cli",
    display_name: str | None = None,
    cleared: Sequence[tuple[str, str, int]] = (),
    survey_key: bytes | None = None,
    osm: OsmOptions | None = None,
) -> ImportResult:
    """Import one file: read, validate, report, refuse or skip, dry run, write in one transaction.

    Parameters
    ----------
    kind
        ``districts``, ``resources``, ``indicators``, ``partnerships``, ``actions``,
        ``surveys``, ``population``, ``residential``, ``osm`` (resources from an OpenStreetMap
        extract) or ``osm_districts`` (districts from one; :mod:`mapping.io.osm_flow`).
    data, filename
        The file's bytes and the name it came with (its extension must agree with its content).
    engine
        The database (a SQLAlchemy Engine with palmap's schema).
    options
        The user's choices (:class:`~mapping.io.options.ImportOptions`).
    limits
        Size, feature and vertex limits (:class:`~mapping.io.safety.Limits`).
    definitions
        Indicators only: ``(bytes, filename)`` of a file defining new indicators, saved in the
        same transaction as the values.
    progress
        Called with the number of rows before writing; the context it returns yields a callback
        for the rows written (resources), or None.
    wait
        How long to wait while another import (or any palmap writer) holds the database, and
        whom to tell (:class:`~mapping.db.locking.Wait`). Imports into one database run one at
        a time: the write lock is taken before the stored rows are matched, so a second import
        of the same file finds the first one's rows ("unchanged"), never duplicates them.
    rehearse
        Write everything in the transaction, count what was loaded, updated and left unchanged,
        then roll it all back (status ``rehearsed``): the exact counts a real import would
        give, for a preview, with nothing kept.
    actor, how
        Who imports (an account's login, or ``cli:<machine user>``) and how (``cli`` or
        ``upload``): when given, a written import adds one entry to the audit log, in the
        same transaction: the file's name and the counts (:mod:`mapping.db.audit`).
    cleared
        Indicator values to delete in the same transaction, as ``(district_code, indicator,
        year)``: the cells a person emptied in the values table (``kind="indicators"`` only).
    display_name
        The file's name as its sender knows it, for the audit log (``filename`` by default; a
        web upload is read under a name of palmap's own).
    survey_key
        Surveys only: the secret key respondent ids of anonymous responses are hashed with
        (``PALMAP_SURVEY_KEY``); responses are refused without it, counts need none.

    Returns
    -------
    ImportResult
        ``refused`` (an invalid row or definition and no skipping: nothing written),
        ``dry_run`` (nothing written) or ``written`` with the counts.

    Raises
    ------
    mapping.io.options.OptionsError
        Options that do not go together or name an unknown category.
    mapping.errors.ValidationError, mapping.errors.CRSError
        The file as a whole cannot be read as ``kind`` (a column missing, no CRS...).
    mapping.errors.RefusedInputError
        The file is unsafe, of an unsupported format or over a limit.
    mapping.errors.DatabaseBusyError
        Another writer held the database for longer than ``wait.seconds``; nothing was written.
    """
    started = time.perf_counter()
    store.require_schema(engine)
    if cleared and kind != "indicators":
        raise ValueError(f"cleared: only indicator values can be cleared, not {kind}")
    prepared = _prepare(
        kind,
        data,
        filename,
        options,
        engine,
        limits,
        definitions=definitions,
        cleared=cleared,
        actor=actor,
        how=how,
        survey_key=survey_key,
        osm=osm,
    )

    def result(status: Status, saved: store.SaveResult | None = None) -> ImportResult:
        saved = saved or store.SaveResult()
        return ImportResult(
            kind,
            status,
            prepared.report,
            prepared.rows,
            loaded=saved.inserted,
            updated=saved.updated,
            unchanged=saved.unchanged,
            deleted=saved.deleted,
            seconds=time.perf_counter() - started,
            definitions=prepared.definitions,
            frame=prepared.frame,
        )

    defined_badly = prepared.definitions is not None and bool(prepared.definitions.errors())
    if defined_badly or prepared.refuse or (prepared.report.errors() and not options.skip_invalid):
        return result("refused")
    if options.dry_run:
        return result("dry_run")
    try:
        with (
            store.write_transaction(engine, what=f"import {kind}", wait=wait) as conn,
            progress(prepared.rows) as update,
        ):
            saved = prepared.write(conn, update)
            if rehearse:
                raise _Rehearsed(saved)  # write_transaction rolls back on any exception
            if actor is not None:
                name = display_name or filename
                _log(conn, kind, name, saved, prepared.report, actor=actor, how=how)
    except _Rehearsed as rehearsal:
        return result("rehearsed", rehearsal.saved)
    return result("written", saved)


def _log(
    conn: Any,
    kind: str,
    filename: str,
    saved: store.SaveResult,
    report: ImportReport,
    *,
    actor: str,
    how: str,
) -> None:
    counts = {
        "file": filename,
        "loaded": saved.inserted,
        "updated": saved.updated,
        "unchanged": saved.unchanged,
        "skipped": report.skipped,
    }
    if saved.deleted:
        counts["deleted"] = saved.deleted
    change = audit.Change(kind, f"{how}:{filename}", None, None, counts)
    audit.record(conn, [change, *saved.changes], actor=actor, how=how)


class _Rehearsed(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside the transaction of a rehearsal to roll it back, carrying the counts."""

    def __init__(self, saved: store.SaveResult) -> None:
        super().__init__("rehearsal")
        self.saved = saved
