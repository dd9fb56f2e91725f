"""Running one ``palmap import`` command: the core flow (:func:`mapping.io.flow.run_import`),
its report and summary printed, and the outcome mapped to an exit status (README). Every import
command (``app.cli_data``, ``app.cli_population``, ``app.cli_osm``) runs through
:func:`run_command`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import click

from app.cli_common import EXIT_INVALID, EXIT_USAGE, announce_wait, cli_actor
from app.cli_common import fail as _fail
from app.db import get_engine, import_limits, write_wait
from mapping.errors import CRSError
from mapping.io.options import ImportOptions, OptionsError
from mapping.io.report import ImportReport

#: Files with more rows than this get a progress bar while they are written.
PROGRESS_ROWS = 5_000
#: The flag of each import option whose name differs from ``--`` + the option's name.
_FLAGS = {"layout": "--wide-indicators or --wide-years", "population_field": "--column"}


def _flag(option: str) -> str:
    return _FLAGS.get(option, "--" + option.replace("_", "-"))


def _show(report: ImportReport, report_path: Path | None, max_rows: int = 50) -> None:
    for assumption in report.assumptions:
        click.echo(f"Assumed: {assumption}", err=True)
    if report.findings:
        click.echo(report.as_table(max_rows=max_rows), err=True)
    if report_path is not None:
        report.write(report_path)
        click.echo(f"Report written to {report_path}.", err=True)


def _progress(rows: int) -> AbstractContextManager[Callable[[int], None] | None]:
    if rows <= PROGRESS_ROWS:
        return nullcontext(None)
    return _bar(rows)


@contextmanager
def _bar(rows: int) -> Any:
    with click.progressbar(
        length=rows, label="Writing", file=click.get_text_stream("stderr")
    ) as bar:
        yield bar.update


def run_command(
    kind: str,
    file: Path,
    options: ImportOptions,
    report_path: Path | None,
    definitions: Path | None = None,
    survey_key: bytes | None = None,
    *,
    max_rows: int = 50,
    **flow: Any,
) -> Any:
    """Call the core flow, print its report and summary, and exit as README says; every
    ``palmap import`` command runs through here (``flow``: the flow's extra arguments, such as
    ``osm``). Returns the flow's result for a command that prints more."""
    from mapping.io.flow import run_import

    try:
        result = run_import(
            kind,
            file.read_bytes(),
            filename=file.name,
            engine=get_engine(),
            options=options,
            limits=import_limits(),
            definitions=None
            if definitions is None
            else (definitions.read_bytes(), definitions.name),
            progress=_progress,
            wait=write_wait(announce_wait),
            actor=cli_actor(),
            how="cli",
            survey_key=survey_key,
            **flow,
        )
    except OptionsError as exc:
        _fail(f"{exc} ({_flag(exc.option)})", EXIT_USAGE)
    except CRSError as exc:
        _fail(f"{exc} (--crs)", EXIT_INVALID)
    _show(
        result.report,
        report_path if result.definitions is not result.report else None,
        max_rows,
    )
    if result.status == "refused":
        hint = "" if result.definitions is result.report else " (--skip-invalid)"
        _fail(result.refusal() + hint, EXIT_INVALID)
    click.echo(result.summary())
    return result
