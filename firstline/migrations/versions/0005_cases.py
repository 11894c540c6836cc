"""cases: structured fields, escalations, complaints register, follow-ups, incidents, search

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from firstline.cases.search import ddl

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _fk(column: str, target: str, table: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    target_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{target_table}"), ondelete=ondelete
    )


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of the conversation table): the column is nullable and carries no
    # constraint, which every SQLite version accepts in place.
    op.add_column("conversation", sa.Column("previous_conversation_id", sa.Integer(), nullable=True))
    op.create_index(
        "ix_conversation_previous_conversation_id", "conversation", ["previous_conversation_id"], unique=False
    )
    op.create_table(
        "case_file",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("escalation_count", sa.Integer(), nullable=False),
        _ts("close_at", True),
        _ts("updated_at"),
        _fk("conversation_id", "conversation.id", "case_file", "CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_case_file")),
    )
    op.create_index("ix_case_file_close_at", "case_file", ["close_at"], unique=False)
    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("from_tier", sa.String(length=16), nullable=False),
        sa.Column("to_tier", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("steps_taken", sa.Text(), nullable=False),
        sa.Column("customer_impact", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("evidence_attachment_ids", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.Column("returned_by_id", sa.Integer(), nullable=True),
        _ts("returned_at", True),
        sa.Column("return_reason", sa.Text(), nullable=False),
        _fk("conversation_id", "conversation.id", "escalation", "CASCADE"),
        _fk("created_by_id", "agent.id", "escalation"),
        _fk("returned_by_id", "agent.id", "escalation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation")),
    )
    op.create_index("ix_escalation_conversation", "escalation", ["conversation_id", "id"], unique=False)
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("compliance", sa.Boolean(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        _ts("created_at"),
        _ts("read_at", True),
        _fk("agent_id", "agent.id", "notification", "CASCADE"),
        _fk("conversation_id", "conversation.id", "notification", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index("ix_notification_agent", "notification", ["agent_id", "read_at", "id"], unique=False)
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        _ts("scheduled_for"),
        _ts("due_at", True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _ts("fired_at", True),
        sa.Column("routed_to_agent_id", sa.Integer(), nullable=True),
        sa.Column("routed_to_team_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        _fk("conversation_id", "conversation.id", "follow_up", "CASCADE"),
        _fk("agent_id", "agent.id", "follow_up"),
        _fk("routed_to_agent_id", "agent.id", "follow_up"),
        _fk("routed_to_team_id", "team.id", "follow_up"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    op.create_index("ix_follow_up_due_at", "follow_up", ["due_at"], unique=False)
    op.create_index("ix_follow_up_conversation_id", "follow_up", ["conversation_id"], unique=False)
    op.create_table(
        "compliance_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("closed_at", True),
        _fk("customer_id", "customer.id", "compliance_case"),
        _fk("created_by_id", "agent.id", "compliance_case"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_case")),
    )
    op.create_index("ix_compliance_case_customer_id", "compliance_case", ["customer_id"], unique=False)
    op.create_table(
        "compliance_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("compliance_case_id", sa.Integer(), nullable=True),
        sa.Column("author_agent_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _ts("created_at"),
        _fk("customer_id", "customer.id", "compliance_note"),
        _fk("conversation_id", "conversation.id", "compliance_note", "CASCADE"),
        _fk("compliance_case_id", "compliance_case.id", "compliance_note", "CASCADE"),
        _fk("author_agent_id", "agent.id", "compliance_note"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_note")),
    )
    op.create_index("ix_compliance_note_customer_id", "compliance_note", ["customer_id"], unique=False)
    op.create_table(
        "customer_merge",
        sa.Column("duplicate_id", sa.Integer(), nullable=False),
        sa.Column("into_id", sa.Integer(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=False),
        _ts("merged_at"),
        sa.Column("moved", sa.JSON(), nullable=False),
        _fk("duplicate_id", "customer.id", "customer_merge"),
        _fk("into_id", "customer.id", "customer_merge"),
        _fk("merged_by_id", "agent.id", "customer_merge"),
        sa.PrimaryKeyConstraint("duplicate_id", name=op.f("pk_customer_merge")),
    )
    op.create_index("ix_customer_merge_into_id", "customer_merge", ["into_id"], unique=False)
    _complaints_and_incidents()
    if op.get_bind().dialect.name == "postgresql":
        for statement in ddl.postgres_unfolded_indexes():
            op.execute(statement)
    else:
        for statement in ddl.sqlite_upgrade():
            op.execute(statement)


def _complaints_and_incidents() -> None:
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        _ts("received_at"),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        _ts("acknowledgement_due_at"),
        _ts("acknowledged_at", True),
        _ts("admissibility_due_at"),
        sa.Column("admissibility", sa.String(length=16), nullable=True),
        sa.Column("admissibility_reason", sa.Text(), nullable=False),
        _ts("admissibility_at", True),
        _ts("decision_due_at"),
        _ts("limit_at"),
        sa.Column("delay_reason", sa.Text(), nullable=False),
        _ts("delayed_at", True),
        _ts("decided_at", True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("remedies", sa.JSON(), nullable=False),
        _ts("fire_at", True),
        sa.Column("alerts", sa.JSON(), nullable=False),
        _fk("conversation_id", "conversation.id", "complaint", "CASCADE"),
        _fk("customer_id", "customer.id", "complaint"),
        _fk("registered_by_id", "agent.id", "complaint"),
        _fk("decided_by_id", "agent.id", "complaint"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_complaint_conversation_id")),
    )
    op.create_index("ix_complaint_fire_at", "complaint", ["fire_at"], unique=False)
    op.create_index("ix_complaint_customer_id", "complaint", ["customer_id"], unique=False)
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("resolved_at", True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("update_texts", sa.JSON(), nullable=False),
        sa.Column("update_version", sa.Integer(), nullable=False),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        _ts("approved_at", True),
        _fk("created_by_id", "agent.id", "incident"),
        _fk("resolved_by_id", "agent.id", "incident"),
        _fk("approved_by_id", "agent.id", "incident"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    op.create_table(
        "incident_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=False),
        _ts("linked_at"),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        _ts("sent_at", True),
        sa.Column("sent_version", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("delivered_conversation_id", sa.Integer(), nullable=True),
        _fk("incident_id", "incident.id", "incident_link", "CASCADE"),
        _fk("conversation_id", "conversation.id", "incident_link", "CASCADE"),
        _fk("customer_id", "customer.id", "incident_link"),
        _fk("linked_by_id", "agent.id", "incident_link"),
        _fk("message_id", "message.id", "incident_link", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_link")),
        sa.UniqueConstraint("incident_id", "conversation_id", name="uq_incident_link_incident_id"),
    )
    op.create_index("ix_incident_link_conversation_id", "incident_link", ["conversation_id"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in ddl.postgres_downgrade():
            op.execute(statement)
    else:
        for statement in ddl.sqlite_downgrade():
            op.execute(statement)
    for table in (
        "incident_link",
        "incident",
        "complaint",
        "customer_merge",
        "compliance_note",
        "compliance_case",
        "follow_up",
        "notification",
        "escalation",
        "case_file",
    ):
        op.drop_table(table)
    op.drop_index("ix_conversation_previous_conversation_id", table_name="conversation")
    # In place on SQLite too (3.35+): a batch copy of the conversation table would cascade into its children.
    op.execute("ALTER TABLE conversation DROP COLUMN previous_conversation_id")
