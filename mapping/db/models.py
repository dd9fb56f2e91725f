"""The database schema: SQLAlchemy 2 typed models with GeoAlchemy2 geometry (SRID 4326).

Alembic migrations in ``migrations/`` create these tables; a test checks that the migrated schema
and these models agree. Field meanings follow Open Referral HSDS where they overlap (a resource is
an HSDS *location* offering a *service*; ``operator`` is the HSDS *organization*).
"""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SRID = 4326


class Base(DeclarativeBase):
    """Declarative base of every palmap table."""


class District(Base):
    """A district (osiedle) of the city: the unit of every map and indicator."""

    __tablename__ = "district"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable ASCII slug used in URLs and files (``bialy-kamien``).
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True, nullable=False)
    )
    source: Mapped[str | None] = mapped_column(Text)
    #: True for boundaries that are not official (every map then says so).
    schematic: Mapped[bool] = mapped_column(Boolean, default=False)


class ResourceCategory(Base):
    """A kind of resource named by the programme (day room, school gym, KIS, ...)."""

    __tablename__ = "resource_category"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_pl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    #: Other names met in source files, ``|``-separated, matched when importing.
    aliases: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str] = mapped_column(String(7))
    #: What a resource's ``capacity`` counts (places, seats, m²), if said (migration 0003).
    capacity_unit: Mapped[str | None] = mapped_column(String(64))


class Resource(Base):
    """A place where help is offered (HSDS location + service)."""

    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The identifier in the source file; re-importing the same file updates these rows.
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(ForeignKey("resource_category.code"), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    #: Set for rows known only by district (then ``geom`` is empty).
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("district.id", ondelete="SET NULL"), index=True
    )
    geom: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=SRID, spatial_index=True, nullable=True)
    )
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: HSDS organization.name: who runs it.
    operator: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(Text)
    #: Free text or OSM opening_hours syntax.
    opening_hours: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    #: True for invented rows (demo data); such rows are never official.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Optimistic-locking counter: a save from a stale copy is a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Indicator(Base):
    """A needs or population indicator measured per district and year."""

    __tablename__ = "indicator"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_pl: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str | None] = mapped_column(String(64))
    #: Direction: True when a larger value means more need.
    higher_is_more_need: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Code of the indicator a rate divides by (``residents``), if any.
    denominator: Mapped[str | None] = mapped_column(ForeignKey("indicator.code"))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    #: Domain code (mapping.indicators.domains): indicators of one domain count once together.
    domain: Mapped[str | None] = mapped_column(String(64))


class IndicatorValue(Base):
    """One value of an indicator for a district and a year."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("district_id", "indicator", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(ForeignKey("indicator.code", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)


class DataVersion(Base):
    """One row: a counter that triggers on every table above raise on each insert, update or
    delete (migration 0002), so that a reader can tell cheaply whether anything changed."""

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="ck_data_version_one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    #: PostgreSQL: the transaction that last raised the version (raised once per transaction).
    changed_in: Mapped[int | None] = mapped_column(BigInteger)


class Account(Base):
    """A person who may change data: ``editor`` or ``admin`` (:mod:`mapping.accounts`).

    Not a data table: no data-version trigger (a login does not change any page), never exported,
    never in an API. Disabled accounts are kept (the audit log names them), never deleted.
    """

    __tablename__ = "account"
    __table_args__ = (CheckConstraint("role IN ('editor', 'admin')", name="ck_account_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Lower-case login name (:func:`mapping.accounts.clean_login`).
    login: Mapped[str] = mapped_column(String(64), unique=True)
    #: Argon2id hash, with its salt and parameters.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Raised when the password, role or active flag changes: sessions made before end.
    session_epoch: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One change to one field of one record: who, when, how, the old and the new value.

    A record created has one entry with ``field`` empty and ``new_value`` the whole record as JSON;
    a record deleted, one with ``old_value`` the whole record. Never changed, never deleted by
    palmap; never in an export or an API.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: The account's login, or ``cli:<user of the machine>`` for a command.
    actor: Mapped[str] = mapped_column(String(100), index=True)
    #: ``form``, ``upload`` or ``cli``.
    how: Mapped[str] = mapped_column(String(16))
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(200))
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_audit_log_record", "table_name", "record_id"),)


class DeletedRecord(Base):
    """A record an editor deleted, kept whole (JSON) so that an admin can restore it.

    Deleting moves the row here; no page, export or analysis reads this table, so a deleted
    resource is gone everywhere at once, and restoring puts the same row (same id) back.
    """

    __tablename__ = "deleted_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(200))
    #: The whole row as JSON (geometry as WKT in EPSG:4326).
    data: Mapped[str] = mapped_column(Text)
    deleted_by: Mapped[str] = mapped_column(String(100))
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Edition(Base):
    """A yearly edition of the maps: a code, a title, and once published the data frozen whole.

    A draft has no data yet; publishing freezes the live districts, categories, resources,
    indicators and values into :class:`EditionPart` rows, and a published edition never changes.
    Not a data table (no data-version trigger): the live pages do not depend on it.
    """

    __tablename__ = "edition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Short code used in URLs (``?edition=2013``).
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: ``draft`` or ``published``.
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: SHA-256 of the frozen parts, checked whenever they are read.
    digest: Mapped[str | None] = mapped_column(String(64))


class EditionPart(Base):
    """One frozen frame of a published edition (:mod:`mapping.snapshot` bytes)."""

    __tablename__ = "edition_part"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True
    )
    #: ``districts``, ``resources``, ``categories``, ``indicators`` or ``values``.
    part: Mapped[str] = mapped_column(String(32), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Partnership(Base):
    """A local partnership of the programme (part IV.1): its members are in
    ``partnership_member``. A data table (data-version triggers, migration 0007)."""

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable code (``pal-bialy-kamien``); re-importing a file updates the partnership by it.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    #: Optimistic-locking counter (a save from a stale copy is a conflict).
    version: Mapped[int] = mapped_column(Integer, default=1)


class PartnershipMember(Base):
    """One member of a partnership: an institution, NGO, school, ... (:mod:`mapping.programme`)."""

    __tablename__ = "partnership_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    #: Order of the members as given.
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))


class Action(Base):
    """An action of the programme (types IV.1-IV.7) in one or more target districts."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable code; re-importing a file updates the action by it.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    #: ``IV.1`` ... ``IV.7`` (:data:`mapping.programme.ACTION_TYPES`).
    action_type: Mapped[str] = mapped_column(String(8), index=True)
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership.id", ondelete="SET NULL"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    planned_participants: Mapped[int | None] = mapped_column(Integer)
    actual_participants: Mapped[int | None] = mapped_column(Integer)
    reserve_list: Mapped[int | None] = mapped_column(Integer)
    #: ``planned``, ``running``, ``done`` or ``cancelled``.
    status: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    #: Optimistic-locking counter (a save from a stale copy is a conflict).
    version: Mapped[int] = mapped_column(Integer, default=1)


class ActionDistrict(Base):
    """A target district of an action."""

    __tablename__ = "action_district"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    district_id: Mapped[int] = mapped_column(
        ForeignKey("district.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ActionFunding(Base):
    """One source's amount (PLN) for an action: ``eu``, ``city``, ``state`` or ``sponsor``."""

    __tablename__ = "action_funding"
    __table_args__ = (UniqueConstraint("action_id", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    amount: Mapped[float] = mapped_column(Float)


class TargetArea(Base):
    """The districts a partnership chose as its target area in a published edition, with the
    ranking that justified the choice saved whole (JSON: year, method, weights, terms, top,
    runs, seed), so that its justification sheet can be drawn again byte for byte."""

    __tablename__ = "target_area"
    __table_args__ = (UniqueConstraint("partnership_id", "edition_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    #: District codes of the edition, ``|``-separated, in the order chosen.
    districts: Mapped[str] = mapped_column(Text)
    #: The ranking's settings as JSON (:func:`mapping.target_areas.ranking_query`).
    ranking: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    chosen_by: Mapped[str] = mapped_column(String(100))
    chosen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SurveyCount(Base):
    """How many respondents of an action in a district gave one answer to one question in one
    wave (:mod:`mapping.surveys`). Counts only: no respondent is ever stored."""

    __tablename__ = "survey_count"
    __table_args__ = (UniqueConstraint("action_id", "district_id", "wave", "question", "answer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int] = mapped_column(
        ForeignKey("district.id", ondelete="CASCADE"), index=True
    )
    #: ``initial`` or ``final``.
    wave: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)


class PopulationPoint(Base):
    """One point of a year's population surface (:mod:`mapping.population`): a census grid
    cell (stored as a point inside it), an address point with its residents or a building
    point. Longitude and latitude in EPSG:4326 as numbers: the surface is read whole, never
    queried spatially in the database."""

    __tablename__ = "population_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    population: Mapped[float] = mapped_column(Float)


class ResidentialArea(Base):
    """One polygon of the residential-area layer (:mod:`mapping.population`, dasymetric demand):
    where people live, for example BDOT10k's residential built-up areas or OpenStreetMap's
    ``landuse=residential``. One layer for all years, replaced as a whole by each import."""

    __tablename__ = "residential_area"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True, nullable=False)
    )


class WalkingNetworkRow(Base):
    """The walking network access is measured along (:mod:`mapping.network`), one row: its
    nodes (easting, northing in EPSG:2180) and edges (node, node, metres) as little-endian
    arrays, read back whole in one query (the graph is never queried in the database)."""

    __tablename__ = "walking_network"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    nodes: Mapped[int] = mapped_column(Integer)
    edges: Mapped[int] = mapped_column(Integer)
    #: float64 pairs: x0, y0, x1, y1, ...
    node_xy: Mapped[bytes] = mapped_column(LargeBinary)
    #: int32 node indices.
    edge_u: Mapped[bytes] = mapped_column(LargeBinary)
    edge_v: Mapped[bytes] = mapped_column(LargeBinary)
    #: float64 lengths in metres.
    edge_m: Mapped[bytes] = mapped_column(LargeBinary)
