"""``palmap run``: Flask's development server, after importing the map pages' modules."""

from __future__ import annotations

import copy
import functools
from typing import Any

import click
from flask.cli import run_command

from app import preload_server_modules


def serve_command() -> click.Command:
    """Flask's ``run`` (same options) that first imports :data:`app.SERVER_MODULES`."""
    command = copy.copy(run_command)
    serve = run_command.callback
    assert serve is not None

    @functools.wraps(serve)
    def callback(*args: Any, **kwargs: Any) -> Any:
        preload_server_modules()
        return serve(*args, **kwargs)

    command.callback = callback
    return command


run = serve_command()
