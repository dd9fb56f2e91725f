"""``palmap run``: Flask's development server, after importing the map pages' modules, with a
``Server`` header that names no software version."""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import flask.cli
from flask.cli import run_command
from werkzeug.serving import WSGIRequestHandler

from app import preload_server_modules

#: The ``Server`` header of ``palmap run`` (Werkzeug's says ``Werkzeug/3.1.9 Python/3.11.2``).
SERVER_HEADER = "palmap"


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, whose ``Server`` header tells no versions to a visitor."""

    def version_string(self) -> str:
        return SERVER_HEADER


@contextmanager
def _quiet_server() -> Iterator[None]:
    """Flask's ``run`` calls ``run_simple`` with no way to choose the request handler: give it
    :class:`QuietRequestHandler` while the command runs."""
    original = flask.cli.run_simple
    flask.cli.run_simple = functools.partial(original, request_handler=QuietRequestHandler)
    try:
        yield
    finally:
        flask.cli.run_simple = original


def serve_command() -> click.Command:
    """Flask's ``run`` (same options) that first imports :data:`app.SERVER_MODULES`."""
    command = copy.copy(run_command)
    serve = run_command.callback
    assert serve is not None

    @functools.wraps(serve)
    def callback(*args: Any, **kwargs: Any) -> Any:
        preload_server_modules()
        with _quiet_server():
            return serve(*args, **kwargs)

    command.callback = callback
    return command


run = serve_command()
