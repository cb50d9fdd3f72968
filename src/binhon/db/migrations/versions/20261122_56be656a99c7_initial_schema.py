"""initial schema

Revision ID: 56be656a99c7
Revises:
Create Date: 2026-11-22 15:47:24.115867
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "56be656a99c7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint("level IN ('province', 'district', 'commune')", name=op.f("ck_areas_level")),
        sa.ForeignKeyConstraint(["parent_id"], ["areas.id"], name=op.f("fk_areas_parent_id_areas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("code", "level", "valid_from", name="uq_areas_code_level_valid_from"),
    )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_areas_code"), ["code"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "commodities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("unit_quantity", sa.Numeric(precision=14, scale=3, asdecimal=False), nullable=False),
        sa.Column("group", sa.String(length=80), nullable=False),
        sa.Column("spec", sa.Text(), nullable=True),
        sa.Column("is_stabilised", sa.Boolean(), nullable=False),
        sa.Column("report_code", sa.String(length=40), nullable=True),
        sa.Column("min_vnd", sa.BigInteger(), nullable=True),
        sa.Column("max_vnd", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("dimension IN ('mass', 'volume', 'count')", name=op.f("ck_commodities_dimension")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commodities")),
        sa.UniqueConstraint("code", name=op.f("uq_commodities_code")),
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tax_code", sa.String(length=20), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
        sa.UniqueConstraint("code", name=op.f("uq_enterprises_code")),
    )
    op.create_table(
        "ingest_batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("rows_revised", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_batches")),
    )
    op.create_table(
        "area_crosswalk",
        sa.Column("old_area_id", sa.Integer(), nullable=False),
        sa.Column("new_area_id", sa.Integer(), nullable=False),
        sa.Column("merge_type", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["new_area_id"], ["areas.id"], name=op.f("fk_area_crosswalk_new_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["old_area_id"], ["areas.id"], name=op.f("fk_area_crosswalk_old_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("old_area_id", "new_area_id", name=op.f("pk_area_crosswalk")),
    )
    op.create_table(
        "outlets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("outlet_type", sa.String(length=16), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("commune_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("zone", sa.SmallInteger(), nullable=True),
        sa.Column("market_grade", sa.String(length=3), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("chain", sa.String(length=40), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("licence_no", sa.String(length=60), nullable=True),
        sa.Column("licence_status", sa.String(length=12), nullable=True),
        sa.Column("active_from", sa.Date(), nullable=True),
        sa.Column("active_to", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "licence_status IS NULL OR licence_status IN ('active', 'suspended', 'revoked')",
            name=op.f("ck_outlets_licence_status"),
        ),
        sa.CheckConstraint(
            "market_grade IS NULL OR market_grade IN ('I', 'II', 'III')", name=op.f("ck_outlets_grade")
        ),
        sa.CheckConstraint(
            "outlet_type IN ('market', 'supermarket', 'convenience', 'petrol', 'enterprise', 'official')",
            name=op.f("ck_outlets_outlet_type"),
        ),
        sa.CheckConstraint("zone IS NULL OR zone IN (1, 2)", name=op.f("ck_outlets_zone")),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_outlets_area_id_areas")),
        sa.ForeignKeyConstraint(["commune_id"], ["areas.id"], name=op.f("fk_outlets_commune_id_areas")),
        sa.ForeignKeyConstraint(["district_id"], ["areas.id"], name=op.f("fk_outlets_district_id_areas")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_outlets_enterprise_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlets")),
        sa.UniqueConstraint("code", name=op.f("uq_outlets_code")),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("obs_date", sa.Date(), nullable=False),
        sa.Column("obs_time", sa.String(length=5), server_default="", nullable=False),
        sa.Column("commodity_id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("price_vnd", sa.BigInteger(), nullable=False),
        sa.Column("price_type", sa.String(length=10), nullable=False),
        sa.Column("zone", sa.SmallInteger(), nullable=True),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("is_estimate", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("orig_price_vnd", sa.BigInteger(), nullable=True),
        sa.Column("orig_unit", sa.String(length=60), nullable=True),
        sa.Column("name_raw", sa.Text(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("submitted_by", sa.String(length=120), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_current", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("superseded_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.CheckConstraint(
            "price_type IN ('retail', 'wholesale', 'ceiling', 'committed')",
            name=op.f("ck_observations_price_type"),
        ),
        sa.CheckConstraint("price_vnd > 0", name=op.f("ck_observations_price_positive")),
        sa.CheckConstraint("zone IS NULL OR zone IN (1, 2)", name=op.f("ck_observations_zone")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_observations_batch_id_ingest_batches")
        ),
        sa.ForeignKeyConstraint(
            ["commodity_id"], ["commodities.id"], name=op.f("fk_observations_commodity_id_commodities")
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f("fk_observations_outlet_id_outlets")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["observations.id"],
            name=op.f("fk_observations_superseded_by_id_observations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(
            "uq_observations_current_key",
            ["commodity_id", "outlet_id", "obs_date", "price_type", "obs_time"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "outlet_suspensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f("fk_outlet_suspensions_outlet_id_outlets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlet_suspensions")),
    )
    with op.batch_alter_table("outlet_suspensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outlet_suspensions_outlet_id"), ["outlet_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outlet_suspensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outlet_suspensions_outlet_id"))

    op.drop_table("outlet_suspensions")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_observations_current_key",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.drop_table("observations")
    op.drop_table("outlets")
    op.drop_table("area_crosswalk")
    op.drop_table("ingest_batches")
    op.drop_table("enterprises")
    op.drop_table("commodities")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")

    op.drop_table("audit_log")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_areas_code"))

    op.drop_table("areas")
