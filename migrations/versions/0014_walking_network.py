"""The walking network (``palmap import network``): one row holding the graph's nodes and edges
as arrays, from which access is measured along streets and paths. A data table: data-version
triggers like 0012's, so that the pages refresh after an import.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables this migration adds. A literal copy: a migration does the same thing whatever
#: later code says.
TABLES: tuple[str, ...] = ("walking_network",)
EVENTS: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


# The statements below are built from the constant names above, never from input.
def _trigger(table: str, event: str) -> str:
    return f"trg_data_version_{table}_{event.lower()}"


def upgrade() -> None:
    op.create_table(
        "walking_network",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("edges", sa.Integer(), nullable=False),
        sa.Column("node_xy", sa.LargeBinary(), nullable=False),
        sa.Column("edge_u", sa.LargeBinary(), nullable=False),
        sa.Column("edge_v", sa.LargeBinary(), nullable=False),
        sa.Column("edge_m", sa.LargeBinary(), nullable=False),
    )
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
