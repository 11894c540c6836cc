"""SLA and routing settings edited in the console: named holidays, stored routing settings

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("business_calendar", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("holiday_names", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    op.create_table(
        "routing_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=True),
        sa.Column("offer_timeout_seconds", sa.Integer(), nullable=True),
        sa.Column("secondary_language_after_seconds", sa.Integer(), nullable=True),
        sa.Column("english_after_seconds", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_agent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_agent_id"],
            ["agent.id"],
            name=op.f("fk_routing_setting_updated_by_agent_id_agent"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_setting")),
    )


def downgrade() -> None:
    op.drop_table("routing_setting")
    with op.batch_alter_table("business_calendar", schema=None) as batch_op:
        batch_op.drop_column("holiday_names")
