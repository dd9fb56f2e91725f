"""Alembic environment for palmap.

``palmap init-db`` passes an open connection in ``config.attributes["connection"]`` (so SpatiaLite
is already loaded on it); the alembic command line builds an engine from ``PALMAP_DATABASE_URL``.
"""

from __future__ import annotations

import os

from alembic import context
from geoalchemy2 import alembic_helpers

from mapping.db.engine import create_engine
from mapping.db.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=alembic_helpers.include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = os.environ.get("PALMAP_DATABASE_URL")
    if not url:
        raise SystemExit("set PALMAP_DATABASE_URL to the database to migrate")
    engine = create_engine(url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
