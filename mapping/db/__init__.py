"""The database layer: the only package of palmap that speaks SQL.

:mod:`mapping.db.store` gathers the public reads and writes; ``Engine`` and ``Connection`` are
re-exported here so that code outside this package can name them without importing SQLAlchemy.
"""

from sqlalchemy.engine import Connection, Engine

__all__ = ["Connection", "Engine"]
