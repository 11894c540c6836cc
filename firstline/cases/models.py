"""Case files, escalations, follow-ups, notifications, compliance records and customer merges."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firstline.db import Base
from firstline.kit.time import utcnow
from firstline.kit.types import UTCDateTime


class CaseFile(Base):
    """What a conversation carries as a case: its structured fields, counters and the grace-period timer."""

    __tablename__ = "case_file"
    __table_args__ = (Index("ix_case_file_close_at", "close_at"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    escalation_count: Mapped[int] = mapped_column(Integer, default=0)
    # Timer: when a resolved case closes unless the customer writes again (the grace period).
    close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EscalationStatus(StrEnum):
    OPEN = "open"  # with the receiving tier
    RETURNED = "returned"  # sent back with a reason
    SUPERSEDED = "superseded"  # escalated further


class Escalation(Base):
    """One handoff from a tier to another, with the form that made it complete."""

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    from_tier: Mapped[str] = mapped_column(String(16))
    to_tier: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=EscalationStatus.OPEN)
    summary: Mapped[str] = mapped_column(Text)
    steps_taken: Mapped[str] = mapped_column(Text)
    customer_impact: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    evidence_attachment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str] = mapped_column(Text, default="")


class NotificationKind(StrEnum):
    MENTION = "mention"
    FOLLOW_UP = "follow_up"
    COMPLAINT_CLOCK = "complaint_clock"


class Notification(Base):
    """Something an agent should look at: an @mention, a follow-up come due, a complaint deadline."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_agent", "agent_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    # A mention inside a compliance note: shown only while the recipient may read compliance records.
    compliance: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FollowUpStatus(StrEnum):
    SCHEDULED = "scheduled"
    DUE = "due"  # came back to the agent or the team
    CANCELLED = "cancelled"


class FollowUp(Base):
    """An agent's promise to look at a case again. ``due_at`` is the timer; cleared once it fired."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_due_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=FollowUpStatus.SCHEDULED)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    routed_to_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    routed_to_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComplianceCase(Base):
    """A record only compliance sees (an internal review, a report to the authorities). Not a conversation:
    nothing that lists, counts, routes or numbers conversations ever meets it."""

    __tablename__ = "compliance_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ComplianceNote(Base):
    """A note only compliance sees, on a conversation or a compliance case. Never a message: it takes no
    sequence number, touches no conversation row and writes nothing to the shared event log."""

    __tablename__ = "compliance_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    compliance_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("compliance_case.id", ondelete="CASCADE")
    )
    author_agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerMerge(Base):
    """A duplicate customer folded into another; the duplicate's row stays so its history keeps its keys."""

    __tablename__ = "customer_merge"

    duplicate_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    into_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    merged_by_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
