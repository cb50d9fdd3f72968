"""Bình ổn programme register

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 16:07:20.640684
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("decision_no", sa.String(length=60), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_years")),
        sa.UniqueConstraint("year", name=op.f("uq_programme_years_year")),
    )
    op.create_table(
        "programme_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("loan_proposed_vnd", sa.BigInteger(), nullable=True),
        sa.Column("loan_approved_vnd", sa.BigInteger(), nullable=True),
        sa.Column("loan_disbursed_vnd", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_programme_participants_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme_years.id"],
            name=op.f("fk_programme_participants_programme_id_programme_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_participants")),
        sa.UniqueConstraint("programme_id", "enterprise_id", name="uq_programme_participants_pair"),
    )
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("commodity_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=16, scale=3, asdecimal=False), nullable=True),
        sa.Column("value_vnd", sa.BigInteger(), nullable=True),
        sa.Column("committed_price_vnd", sa.BigInteger(), nullable=True),
        sa.Column(
            "margin_below_market_pct", sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=True
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commodity_id"], ["commodities.id"], name=op.f("fk_commitments_commodity_id_commodities")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["programme_participants.id"],
            name=op.f("fk_commitments_participant_id_programme_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    op.create_table(
        "field_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("officer", sa.String(length=120), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("compliant", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f("fk_field_visits_outlet_id_outlets")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["programme_participants.id"],
            name=op.f("fk_field_visits_participant_id_programme_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_visits")),
    )
    op.create_table(
        "participant_outlets",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f("fk_participant_outlets_outlet_id_outlets")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["programme_participants.id"],
            name=op.f("fk_participant_outlets_participant_id_programme_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "outlet_id", name=op.f("pk_participant_outlets")),
    )
    op.create_table(
        "reserve_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("commodity_id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=16, scale=3, asdecimal=False), nullable=False),
        sa.Column("value_vnd", sa.BigInteger(), nullable=True),
        sa.Column("submitted_by", sa.String(length=120), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commodity_id"], ["commodities.id"], name=op.f("fk_reserve_reports_commodity_id_commodities")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["programme_participants.id"],
            name=op.f("fk_reserve_reports_participant_id_programme_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reserve_reports")),
        sa.UniqueConstraint("participant_id", "commodity_id", "report_date", name="uq_reserve_reports_key"),
    )


def downgrade() -> None:
    op.drop_table("reserve_reports")
    op.drop_table("participant_outlets")
    op.drop_table("field_visits")
    op.drop_table("commitments")
    op.drop_table("programme_participants")
    op.drop_table("programme_years")
