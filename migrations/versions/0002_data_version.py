"""A data version counter that every change to the data tables raises.

The pages are cached per data version (app/cache.py). Reading one integer on each request is
cheaper than counting rows, and triggers catch every change: palmap's imports, and edits made
outside palmap (QGIS, psql, the sqlite3 shell).

On PostgreSQL the triggers run once per statement and raise the version once per transaction
(``changed_in`` holds the transaction that last raised it): an import sends one statement per
row, and updating the same row 100,000 times in one transaction made a 100,000-row import ten
times slower. SQLite has row triggers only; it updates the row in place (about 1.3 µs per row
written, measured: 0.13 s for a 100,000-row import).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables whose changes the pages show. A migration keeps its own copy of names (not
#: mapping.db.store.TABLES): it must do the same thing whatever later code says.
TABLES: tuple[str, ...] = (
    "district",
    "resource_category",
    "resource",
    "indicator",
    "indicator_value",
)
EVENTS: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


# The statements below are built from the constant names above, never from input.
def _trigger(table: str, event: str) -> str:
    return f"trg_data_version_{table}_{event.lower()}"


def upgrade() -> None:
    version = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_in", sa.BigInteger()),
        sa.CheckConstraint("id = 1", name="ck_data_version_one_row"),
    )
    op.bulk_insert(version, [{"id": 1, "version": 1}])
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(
            "CREATE OR REPLACE FUNCTION palmap_bump_data_version() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE data_version SET version = version + 1, changed_in = txid_current() "
            "WHERE id = 1 AND changed_in IS DISTINCT FROM txid_current(); RETURN NULL; END $$"
        )
    for table in TABLES:
        for event in EVENTS:
            name = _trigger(table, event)
            if postgres:
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION palmap_bump_data_version()"
                )
            else:
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "  # noqa: S608
                    "UPDATE data_version SET version = version + 1 WHERE id = 1; END"
                )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for event in EVENTS:
            name = _trigger(table, event)
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS palmap_bump_data_version()")
    op.drop_table("data_version")
