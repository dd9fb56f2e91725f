"""``app``, ``client`` and ``runner`` over a temporary SpatiaLite database with the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app


def make_app(tmp_path: Path, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite'}",
        "SECRET_KEY": "test",
        "TILES": "none",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def empty_app(tmp_path: Path) -> Flask:
    """An app whose database file does not exist yet."""
    return make_app(tmp_path)


@pytest.fixture
def app(empty_app: Flask) -> Flask:
    """An app with a migrated database holding the demo data, and an empty audit log (so that
    a test counts the entries of its own changes; loading the demo is logged, see
    tests/app/test_editing.py)."""
    runner = empty_app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    _forget_the_audit_log(empty_app)
    return empty_app


def _forget_the_audit_log(app: Flask) -> None:
    from app.db import get_engine
    from mapping.db import audit

    with app.app_context(), get_engine().begin() as conn:
        conn.execute(audit.AUDIT.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


#: The password of the accounts the ``accounts`` fixture makes.
PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(app: Flask) -> Flask:
    """The demo app with an admin ``ola`` and an editor ``jan`` (password :data:`PASSWORD`)."""
    runner = app.test_cli_runner()
    for login, role in (("ola", "admin"), ("jan", "editor")):
        result = runner.invoke(
            args=["user", "add", login, "--role", role, "--password-stdin"], input=PASSWORD + "\n"
        )
        assert result.exit_code == 0, result.output
    _forget_the_audit_log(app)
    return app
