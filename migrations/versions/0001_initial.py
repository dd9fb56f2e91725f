"""Initial schema: districts, resource categories (seeded), resources, indicators, values.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The categories a new database starts with, as they were when this revision was written. A
#: migration keeps its own copy (not mapping.categories.DEFAULT_CATEGORIES): it must do the same
#: thing whatever later code says.
SEED_CATEGORIES: tuple[dict[str, str], ...] = (
    {
        "code": "rada_osiedla",
        "name_pl": "siedziba wspólnoty samorządowej",
        "name_en": "seat of a district council",
        "aliases": "rada osiedla|wspólnota samorządowa",
        "colour": "#332288",
    },
    {
        "code": "mops",
        "name_pl": "MOPS",
        "name_en": "social welfare centre office",
        "aliases": "siedziba MOPS|punkt MOPS|ośrodek pomocy społecznej",
        "colour": "#CC6677",
    },
    {
        "code": "swietlica",
        "name_pl": "świetlica środowiskowa",
        "name_en": "community day room for children",
        "aliases": "świetlica opiekuńczo-wychowawcza|świetlica",
        "colour": "#DDCC77",
    },
    {
        "code": "sala_gimnastyczna",
        "name_pl": "sala gimnastyczna",
        "name_en": "school gym",
        "aliases": "hala sportowa szkoły",
        "colour": "#117733",
    },
    {
        "code": "boisko",
        "name_pl": "boisko szkolne",
        "name_en": "school pitch",
        "aliases": "boisko",
        "colour": "#44AA99",
    },
    {
        "code": "kis",
        "name_pl": "Klub Integracji Społecznej",
        "name_en": "social integration club",
        "aliases": "KIS",
        "colour": "#882255",
    },
    {
        "code": "obiekt_sportowy",
        "name_pl": "obiekt sportowy",
        "name_en": "sports or recreation facility",
        "aliases": "obiekt rekreacyjny|obiekt sportowo-rekreacyjny",
        "colour": "#999933",
    },
    {
        "code": "pracownia_komputerowa",
        "name_pl": "pracownia komputerowa",
        "name_en": "computer lab",
        "aliases": "",
        "colour": "#88CCEE",
    },
    {
        "code": "plac_zabaw",
        "name_pl": "plac zabaw",
        "name_en": "playground",
        "aliases": "",
        "colour": "#AA4499",
    },
    {
        "code": "lokal_komunalny",
        "name_pl": "lokal komunalny",
        "name_en": "municipal premises",
        "aliases": "zasób komunalny",
        "colour": "#EE8866",
    },
    {
        "code": "ngo",
        "name_pl": "organizacja pozarządowa",
        "name_en": "non-governmental organisation",
        "aliases": "NGO|stowarzyszenie|fundacja",
        "colour": "#77AADD",
    },
)


def upgrade() -> None:
    op.create_geospatial_table(
        "district",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "geom",
            Geometry("MULTIPOLYGON", srid=4326, spatial_index=False, nullable=False),
            nullable=False,
        ),
        sa.Column("source", sa.Text()),
        sa.Column("schematic", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_geospatial_index(
        "idx_district_geom", "district", ["geom"], unique=False, postgresql_using="gist"
    )
    category = op.create_table(
        "resource_category",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name_pl", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("aliases", sa.Text()),
        sa.Column("colour", sa.String(7), nullable=False),
    )
    op.bulk_insert(category, [dict(row) for row in SEED_CATEGORIES])
    op.create_geospatial_table(
        "resource",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("external_id", sa.String(200), unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column(
            "category",
            sa.String(64),
            sa.ForeignKey("resource_category.code", name="fk_resource_category"),
            nullable=False,
        ),
        sa.Column("address", sa.Text()),
        sa.Column(
            "district_id",
            sa.Integer(),
            sa.ForeignKey("district.id", ondelete="SET NULL", name="fk_resource_district"),
        ),
        sa.Column(
            "geom", Geometry("POINT", srid=4326, spatial_index=False, nullable=True), nullable=True
        ),
        sa.Column("capacity", sa.Integer()),
        sa.Column("operator", sa.Text()),
        sa.Column("phone", sa.String(100)),
        sa.Column("website", sa.Text()),
        sa.Column("opening_hours", sa.Text()),
        sa.Column("description", sa.Text()),
        sa.Column("source", sa.Text()),
        sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_geospatial_index(
        "idx_resource_geom", "resource", ["geom"], unique=False, postgresql_using="gist"
    )
    op.create_index("ix_resource_category", "resource", ["category"])
    op.create_index("ix_resource_district_id", "resource", ["district_id"])
    op.create_table(
        "indicator",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name_pl", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False),
        sa.Column("unit", sa.String(64)),
        sa.Column("higher_is_more_need", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column(
            "denominator",
            sa.String(64),
            sa.ForeignKey("indicator.code", name="fk_indicator_denominator"),
        ),
        sa.Column("description", sa.Text()),
        sa.Column("source", sa.Text()),
    )
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "district_id",
            sa.Integer(),
            sa.ForeignKey("district.id", ondelete="CASCADE", name="fk_value_district"),
            nullable=False,
        ),
        sa.Column(
            "indicator",
            sa.String(64),
            sa.ForeignKey("indicator.code", ondelete="CASCADE", name="fk_value_indicator"),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.UniqueConstraint("district_id", "indicator", "year", name="uq_value_district_ind_year"),
    )


def downgrade() -> None:
    op.drop_table("indicator_value")
    op.drop_table("indicator")
    op.drop_geospatial_index("idx_resource_geom", "resource", "geom")
    op.drop_geospatial_table("resource")
    op.drop_table("resource_category")
    op.drop_geospatial_index("idx_district_geom", "district", "geom")
    op.drop_geospatial_table("district")
