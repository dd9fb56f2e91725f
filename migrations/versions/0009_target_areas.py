"""Target areas: the districts a partnership chose in a published edition, with the ranking
that justified them saved whole.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "target_area",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "partnership_id",
            sa.Integer(),
            sa.ForeignKey("partnership.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "edition_id",
            sa.Integer(),
            sa.ForeignKey("edition.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("districts", sa.Text(), nullable=False),
        sa.Column("ranking", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("chosen_by", sa.String(100), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("partnership_id", "edition_id"),
    )
    op.create_index("ix_target_area_partnership_id", "target_area", ["partnership_id"])


def downgrade() -> None:
    op.drop_index("ix_target_area_partnership_id", table_name="target_area")
    op.drop_table("target_area")
