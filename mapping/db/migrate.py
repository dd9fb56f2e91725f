"""Run the Alembic migrations from code (``palmap init-db``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from mapping.db.locking import DEFAULT_WAIT, Wait, write_transaction

#: The repository's migrations folder (palmap is installed editable from its checkout).
DEFAULT_SCRIPT_LOCATION = Path(__file__).resolve().parents[2] / "migrations"


def _config(script_location: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    return cfg


def upgrade(
    engine: Engine,
    *,
    script_location: Path = DEFAULT_SCRIPT_LOCATION,
    wait: Wait = DEFAULT_WAIT,
) -> str | None:
    """Migrate the database to the newest revision and return that revision.

    Safe to run again: an up-to-date database is left unchanged (and no write lock is taken, so
    an import that runs meanwhile does not hold it up). A migration holds palmap's write lock
    (:func:`~mapping.db.locking.write_transaction`), waiting for a running import as ``wait``
    says.

    Examples
    --------
    >>> import tempfile
    >>> from mapping.db.engine import create_engine, default_sqlite_url
    >>> upgrade(create_engine(default_sqlite_url(tempfile.mkdtemp()))) == head_revision()
    True
    """
    if current_revision(engine) == head_revision(script_location=script_location):
        return current_revision(engine)
    cfg = _config(script_location)
    with write_transaction(engine, what="init-db", wait=wait) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def known_revision(revision: str, *, script_location: Path = DEFAULT_SCRIPT_LOCATION) -> bool:
    """Whether ``revision`` is one of the migrations folder's revisions."""
    try:
        return (
            ScriptDirectory.from_config(_config(script_location)).get_revision(revision) is not None
        )
    except CommandError:
        return False


def head_revision(*, script_location: Path = DEFAULT_SCRIPT_LOCATION) -> str | None:
    """The newest revision in the migrations folder."""
    return ScriptDirectory.from_config(_config(script_location)).get_current_head()
