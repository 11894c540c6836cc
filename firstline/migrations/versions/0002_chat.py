"""live chat: sites, visitors, chat sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("enforce_identity", sa.Boolean(), nullable=False),
        sa.Column("allow_anonymous", sa.Boolean(), nullable=False),
        sa.Column("allowed_origins", sa.JSON(), nullable=False),
        sa.Column("default_language", sa.String(length=8), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_site")),
        sa.UniqueConstraint("public_key", name=op.f("uq_chat_site_public_key")),
    )
    op.create_table(
        "chat_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"], name=op.f("fk_chat_event_agent_id_agent")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_chat_event_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_event")),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_chat_event_conversation_seq"),
    )
    op.create_table(
        "chat_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("identity_method", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_chat_session_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_chat_session_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["chat_site.id"], name=op.f("fk_chat_session_site_id_chat_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_chat_session_token_hash")),
    )
    with op.batch_alter_table("chat_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chat_session_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_chat_session_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chat_session_site_id"), ["site_id"], unique=False)
    op.create_table(
        "chat_upload",
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("chat_session_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachment.id"],
            name=op.f("fk_chat_upload_attachment_id_attachment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chat_session_id"],
            ["chat_session.id"],
            name=op.f("fk_chat_upload_chat_session_id_chat_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attachment_id", name=op.f("pk_chat_upload")),
    )
    with op.batch_alter_table("chat_upload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_upload_chat_session_id"), ["chat_session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chat_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_upload_chat_session_id"))
    op.drop_table("chat_upload")
    with op.batch_alter_table("chat_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_session_site_id"))
        batch_op.drop_index(batch_op.f("ix_chat_session_customer_id"))
        batch_op.drop_index(batch_op.f("ix_chat_session_conversation_id"))
    op.drop_table("chat_session")
    op.drop_table("chat_event")
    op.drop_table("chat_site")
