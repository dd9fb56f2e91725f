"""What every ``palmap`` command module shares: the exit statuses and the error handling.

The command modules (``app.cli_*``) import this module and never :mod:`app.cli`, which lists
them; so there is no import circle, and this module stays cheap to import (click and
:mod:`mapping.errors` only).

Exit statuses: 0 success, 1 unexpected or configuration error (a damaged database too), 2 usage
error, 3 validation failed (nothing written), 4 input refused as unsafe, unsupported or over a
limit (nothing written), 5 the database stayed busy with another writer for longer than
``PALMAP_IMPORT_WAIT`` (nothing written).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from mapping.errors import ConfigurationError, DatabaseBusyError, MappingError, RefusedInputError

if TYPE_CHECKING:
    import pandas as pd

    from mapping.db.locking import Holder

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INVALID = 3
EXIT_REFUSED = 4
EXIT_BUSY = 5

#: The ``--format`` choices of commands that print a table (:func:`emit`).
FORMATS = ("table", "csv", "json")

#: A command callback (a click command's decorated function).
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, status: int) -> NoReturn:
    """Print ``Error: message`` in red on stderr and exit with ``status``."""
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(status)


def exit_status(error: MappingError) -> int:
    """The documented exit status of one of palmap's errors."""
    if isinstance(error, RefusedInputError):
        return EXIT_REFUSED
    if isinstance(error, DatabaseBusyError):
        return EXIT_BUSY
    if isinstance(error, ConfigurationError):
        return EXIT_ERROR
    return EXIT_INVALID


def _database_error(error: Exception) -> MappingError | None:
    """palmap's error for a database driver's error (locked, conflict, damaged), or None."""
    if not type(error).__module__.startswith("sqlalchemy"):
        return None
    from mapping.db.health import database_error

    return database_error(error)


def handle_errors(func: F) -> F:
    """Turn palmap's errors, and the database's "locked", "conflict" and "damaged" errors, into a
    one-line message and the documented exit status (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MappingError as exc:
            message = str(exc)
            if isinstance(exc, DatabaseBusyError):
                message += " (PALMAP_IMPORT_WAIT sets the wait)"
            fail(message, exit_status(exc))
        except Exception as exc:
            translated = _database_error(exc)
            if translated is None:
                raise
            fail(str(translated), exit_status(translated))

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature of F


def announce_wait(holder: Holder, seconds: float) -> None:
    """Say on stderr that a write waits for another writer, and for how long at most."""
    who = "another program is writing to it"
    if holder.known:
        who = f"another palmap {holder.what or 'writer'} is running"
    if holder.since is not None:
        who += f" since {holder.since.astimezone():%H:%M:%S}"
    if holder.pid is not None:
        who += f" (pid {holder.pid})"
    click.echo(
        f"The database is busy: {who}; waiting up to {seconds:g} s for it to finish "
        "(PALMAP_IMPORT_WAIT)...",
        err=True,
    )


def emit(frame: pd.DataFrame, fmt: str, output: Path | None) -> None:
    """Write a result frame as a table, CSV or a JSON list of objects, to a file or stdout."""
    import pandas as pd

    frame = frame.reset_index(drop=True)
    if fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        text = frame.to_csv(index=False)
    else:
        shown = frame.copy()
        for column in shown.columns:
            if pd.api.types.is_float_dtype(shown[column]):
                shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:,.3f}")
        text = shown.to_string(index=False, na_rep="") + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(frame)} rows written to {output}.", err=True)


def cli_actor() -> str:
    """Who runs a command, as the audit log names them: ``cli:<user of the machine>``."""
    import getpass
    import os

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        user = f"uid{os.getuid()}"
    return f"cli:{user}"
