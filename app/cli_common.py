"""What every ``palmap`` command module shares: the exit statuses and the error handling.

The command modules (``app.cli_*``) import this module and never :mod:`app.cli`, which lists
them; so there is no import circle, and this module stays cheap to import (click and
:mod:`mapping.errors` only).

Exit statuses: 0 success, 1 unexpected or configuration error, 2 usage error, 3 validation
failed (nothing written), 4 input refused as unsafe, unsupported or over a limit (nothing written).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from mapping.errors import ConfigurationError, MappingError, RefusedInputError

if TYPE_CHECKING:
    import pandas as pd

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INVALID = 3
EXIT_REFUSED = 4

#: The ``--format`` choices of commands that print a table (:func:`emit`).
FORMATS = ("table", "csv", "json")

#: A command callback (a click command's decorated function).
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, status: int) -> NoReturn:
    """Print ``Error: message`` in red on stderr and exit with ``status``."""
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(status)


def handle_errors(func: F) -> F:
    """Turn palmap's errors into a one-line message and the documented exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RefusedInputError as exc:
            fail(str(exc), EXIT_REFUSED)
        except ConfigurationError as exc:
            fail(str(exc), EXIT_ERROR)
        except MappingError as exc:
            fail(str(exc), EXIT_INVALID)

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature of F


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
