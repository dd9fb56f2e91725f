"""Population surfaces: per year, points (census grid cells, address or building points) with
their population, from which access is measured (``palmap import population``). A data table:
the data-version triggers of 0002 cover it, so that the pages refresh after every import.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables this migration adds. A literal copy: a migration does the same thing whatever
#: later code says.
TABLES: tuple[str, ...] = ("population_point",)
EVENTS: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


# The statements below are built from the constant names above, never from input.
def _trigger(table: str, event: str) -> str:
    return f"trg_data_version_{table}_{event.lower()}"


def upgrade() -> None:
    op.create_table(
        "population_point",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("population", sa.Float(), nullable=False),
    )
    op.create_index("ix_population_point_year", "population_point", ["year"])
    postgres = op.get_bind().dialect.name == "postgresql"
    # palmap_bump_data_version() (PostgreSQL) is the function migration 0002 created.
    for table in TABLES:
        for event in EVENTS:
            name = _trigger(table, event)
            if postgres:
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION palmap_bump_data_version()"
                )
            else:
                # One bump per statement would do; SQLite has row triggers only, and a surface of
                # many points is written with executemany, so each row bumps the counter.
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "  # noqa: S608
                    "UPDATE data_version SET version = version + 1 WHERE id = 1; END"
                )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in reversed(TABLES):
        for event in EVENTS:
            name = _trigger(table, event)
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        op.drop_table(table)
