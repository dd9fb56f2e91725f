"""Survey counts of the programme's actions: per action, district, wave, question and answer,
how many respondents gave the answer (never a respondent). A data table: the data-version
triggers of 0002 cover it, so that the pages showing surveys refresh after every import.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables this migration adds. A literal copy: a migration does the same thing whatever
#: later code says.
TABLES: tuple[str, ...] = ("survey_count",)
EVENTS: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


# The statements below are built from the constant names above, never from input.
def _trigger(table: str, event: str) -> str:
    return f"trg_data_version_{table}_{event.lower()}"


def upgrade() -> None:
    op.create_table(
        "survey_count",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "action_id",
            sa.Integer(),
            sa.ForeignKey("action.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "district_id",
            sa.Integer(),
            sa.ForeignKey("district.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("wave", sa.String(16), nullable=False),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("answer", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("action_id", "district_id", "wave", "question", "answer"),
    )
    op.create_index("ix_survey_count_action_id", "survey_count", ["action_id"])
    op.create_index("ix_survey_count_district_id", "survey_count", ["district_id"])
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
