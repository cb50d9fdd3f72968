"""observation indexes for batches, outlet history and versions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 17:31:41.719978
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index("ix_observations_batch_id", ["batch_id"], unique=False)
        batch_op.create_index("ix_observations_outlet_date", ["outlet_id", "obs_date"], unique=False)
        batch_op.create_index("ix_observations_superseded_by_id", ["superseded_by_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index("ix_observations_superseded_by_id")
        batch_op.drop_index("ix_observations_outlet_date")
        batch_op.drop_index("ix_observations_batch_id")
