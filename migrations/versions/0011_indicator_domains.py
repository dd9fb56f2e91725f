"""Indicator domains: a short code per indicator (income, labour, ...); the indicators of one
domain count once together in the needs index (mapping.indicators.domains). Empty for existing
indicators: each is then a domain of its own, the index they had before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends (as 0003): SQLite adds a nullable column in place, so
    # the table keeps the data version triggers of 0002 (a batch copy would drop them).
    op.add_column("indicator", sa.Column("domain", sa.String(64), nullable=True))


def downgrade() -> None:
    # SQLite 3.35 and newer drop a column in place, again keeping the triggers.
    op.drop_column("indicator", "domain")
