"""SLA clocks keep the terms of a deleted policy: sla_clock.policy_terms

When a policy is deleted, the clocks started under it keep counting as they did: its calendar (copied
whole, so the calendar may be deleted later), its warning ratio and its breach actions go onto each clock.
Added with plain ALTER TABLE, so the table is never rebuilt.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sla_clock", sa.Column("policy_terms", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("sla_clock", "policy_terms")
