"""Resource categories say what a resource's capacity counts (places, seats, m²).

``palmap categories add|rename`` sets it; existing categories keep it empty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: SQLite adds a nullable column in place, so the table
    # keeps the data version triggers of 0002 (a batch copy of the table would drop them).
    op.add_column("resource_category", sa.Column("capacity_unit", sa.String(64), nullable=True))


def downgrade() -> None:
    # SQLite 3.35 and newer drop a column in place, again keeping the triggers.
    op.drop_column("resource_category", "capacity_unit")
