"""Residential areas: one polygon layer of where people live (BDOT10k residential built-up
areas, OpenStreetMap ``landuse=residential``), over which the grid demand model spreads each
district's residents (dasymetric). A data table: data-version triggers like 0012, so that the
pages refresh after every import.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables this migration adds. A literal copy: a migration does the same thing whatever
#: later code says.
TABLES: tuple[str, ...] = ("residential_area",)
EVENTS: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


# The statements below are built from the constant names above, never from input.
def _trigger(table: str, event: str) -> str:
    return f"trg_data_version_{table}_{event.lower()}"


def upgrade() -> None:
    op.create_geospatial_table(
        "residential_area",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "geom",
            Geometry("MULTIPOLYGON", srid=4326, spatial_index=False, nullable=False),
            nullable=False,
        ),
    )
    op.create_geospatial_index(
        "idx_residential_area_geom",
        "residential_area",
        ["geom"],
        unique=False,
        postgresql_using="gist",
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
        op.drop_geospatial_index("idx_residential_area_geom", table, "geom")
        op.drop_geospatial_table(table)
