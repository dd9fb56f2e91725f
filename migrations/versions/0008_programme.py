"""The programme's partnerships (with their members) and actions (with their target districts
and funding), as data tables: the data-version triggers of 0002 cover them, so that the pages
showing them refresh after every change.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables this migration adds, in the order they can be filled. A literal copy: a migration
#: does the same thing whatever later code says.
TABLES: tuple[str, ...] = (
    "partnership",
    "partnership_member",
    "action",
    "action_district",
    "action_funding",
)
EVENTS: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


# The statements below are built from the constant names above, never from input.
def _trigger(table: str, event: str) -> str:
    return f"trg_data_version_{table}_{event.lower()}"


def _create_tables() -> None:
    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "partnership_member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "partnership_id",
            sa.Integer(),
            sa.ForeignKey("partnership.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("role", sa.String(200), nullable=True),
        sa.Column("contact", sa.String(200), nullable=True),
    )
    op.create_index(
        "ix_partnership_member_partnership_id", "partnership_member", ["partnership_id"]
    )
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("action_type", sa.String(8), nullable=False),
        sa.Column(
            "partnership_id",
            sa.Integer(),
            sa.ForeignKey("partnership.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("planned_participants", sa.Integer(), nullable=True),
        sa.Column("actual_participants", sa.Integer(), nullable=True),
        sa.Column("reserve_list", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_action_action_type", "action", ["action_type"])
    op.create_index("ix_action_partnership_id", "action", ["partnership_id"])
    op.create_table(
        "action_district",
        sa.Column(
            "action_id",
            sa.Integer(),
            sa.ForeignKey("action.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "district_id",
            sa.Integer(),
            sa.ForeignKey("district.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_action_district_district_id", "action_district", ["district_id"])
    op.create_table(
        "action_funding",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "action_id",
            sa.Integer(),
            sa.ForeignKey("action.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.UniqueConstraint("action_id", "source"),
    )


def upgrade() -> None:
    _create_tables()
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
