"""detection profile cache and observation indexes for incremental detection

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 18:33:05.280173
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detection_profiles",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("commodity_id", sa.Integer(), nullable=False),
        sa.Column("price_type", sa.String(length=10), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("columns_key", sa.String(length=64), nullable=False),
        sa.Column("data_max_id", sa.BigInteger(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commodity_id"], ["commodities.id"], name=op.f("fk_detection_profiles_commodity_id_commodities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection_profiles")),
        sa.UniqueConstraint("commodity_id", "price_type", name=op.f("uq_detection_profiles_commodity_id")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observations_current_date",
            ["obs_date", "commodity_id", "outlet_id", "price_type", "obs_time", "price_vnd", "zone"],
            unique=False,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.create_index(
            "ix_observations_current_limits",
            ["price_type", "obs_date"],
            unique=False,
            sqlite_where=sa.text("is_current AND price_type IN ('ceiling', 'committed')"),
            postgresql_where=sa.text("is_current AND price_type IN ('ceiling', 'committed')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_observations_current_limits",
            sqlite_where=sa.text("is_current AND price_type IN ('ceiling', 'committed')"),
            postgresql_where=sa.text("is_current AND price_type IN ('ceiling', 'committed')"),
        )
        batch_op.drop_index(
            "ix_observations_current_date",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.drop_table("detection_profiles")
