"""email channel: mailboxes, inbound mail, the outbox and bounces

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("imap_host", sa.String(length=255), nullable=False),
        sa.Column("imap_port", sa.Integer(), nullable=False),
        sa.Column("imap_ssl", sa.Boolean(), nullable=False),
        sa.Column("imap_username", sa.String(length=320), nullable=False),
        sa.Column("imap_password", sa.String(length=500), nullable=False),
        sa.Column("imap_folder", sa.String(length=200), nullable=False),
        sa.Column("processed_folder", sa.String(length=200), nullable=False),
        sa.Column("auto_ack", sa.Boolean(), nullable=False),
        sa.Column("signatures", sa.JSON(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_poll_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox")),
        sa.UniqueConstraint("address", name=op.f("uq_mailbox_address")),
    )
    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=True),
        sa.Column("raw_sha256", sa.String(length=64), nullable=True),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("subject_key", sa.String(length=200), nullable=False),
        sa.Column("in_reply_to", sa.String(length=255), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("is_automated", sa.Boolean(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("quoted_text", sa.Text(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("posted_message_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_inbound_mail_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_inbound_mail_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailbox.id"],
            name=op.f("fk_inbound_mail_mailbox_id_mailbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["posted_message_id"],
            ["message.id"],
            name=op.f("fk_inbound_mail_posted_message_id_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint("message_id", name=op.f("uq_inbound_mail_message_id")),
    )
    op.create_index(
        op.f("ix_inbound_mail_conversation_id"), "inbound_mail", ["conversation_id"], unique=False
    )
    op.create_index(
        "ix_inbound_mail_customer_subject", "inbound_mail", ["customer_id", "subject_key"], unique=False
    )
    op.create_index(
        op.f("ix_inbound_mail_posted_message_id"), "inbound_mail", ["posted_message_id"], unique=False
    )
    op.create_index(
        "ix_inbound_mail_sender_received", "inbound_mail", ["sender", "received_at"], unique=False
    )
    op.create_index("ix_inbound_mail_status", "inbound_mail", ["status", "id"], unique=False)
    op.create_table(
        "outbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("posted_message_id", sa.Integer(), nullable=True),
        sa.Column("mailbox_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("from_name", sa.String(length=200), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("reply_to", sa.String(length=320), nullable=False),
        sa.Column("reply_token", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("in_reply_to", sa.String(length=255), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("extra_headers", sa.JSON(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_outbound_mail_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailbox.id"],
            name=op.f("fk_outbound_mail_mailbox_id_mailbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["posted_message_id"],
            ["message.id"],
            name=op.f("fk_outbound_mail_posted_message_id_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_mail")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbound_mail_message_id")),
        sa.UniqueConstraint("posted_message_id", name=op.f("uq_outbound_mail_posted_message_id")),
    )
    op.create_index(
        op.f("ix_outbound_mail_conversation_id"), "outbound_mail", ["conversation_id"], unique=False
    )
    op.create_index("ix_outbound_mail_due", "outbound_mail", ["state", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_outbound_mail_reply_token"), "outbound_mail", ["reply_token"], unique=False)
    op.create_table(
        "email_bounce",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("diagnostic", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["inbound_mail.id"],
            name=op.f("fk_email_bounce_inbound_id_inbound_mail"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbound_id"],
            ["outbound_mail.id"],
            name=op.f("fk_email_bounce_outbound_id_outbound_mail"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_bounce")),
    )
    op.create_index(op.f("ix_email_bounce_inbound_id"), "email_bounce", ["inbound_id"], unique=False)
    op.create_index(op.f("ix_email_bounce_outbound_id"), "email_bounce", ["outbound_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_email_bounce_outbound_id"), table_name="email_bounce")
    op.drop_index(op.f("ix_email_bounce_inbound_id"), table_name="email_bounce")
    op.drop_table("email_bounce")
    op.drop_index(op.f("ix_outbound_mail_reply_token"), table_name="outbound_mail")
    op.drop_index("ix_outbound_mail_due", table_name="outbound_mail")
    op.drop_index(op.f("ix_outbound_mail_conversation_id"), table_name="outbound_mail")
    op.drop_table("outbound_mail")
    op.drop_index("ix_inbound_mail_status", table_name="inbound_mail")
    op.drop_index("ix_inbound_mail_sender_received", table_name="inbound_mail")
    op.drop_index(op.f("ix_inbound_mail_posted_message_id"), table_name="inbound_mail")
    op.drop_index("ix_inbound_mail_customer_subject", table_name="inbound_mail")
    op.drop_index(op.f("ix_inbound_mail_conversation_id"), table_name="inbound_mail")
    op.drop_table("inbound_mail")
    op.drop_table("mailbox")
