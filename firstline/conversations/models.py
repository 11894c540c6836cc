"""Conversations and their messages."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from firstline.attachments.models import Attachment
from firstline.db import Base
from firstline.kit.time import utcnow
from firstline.kit.types import UTCDateTime


class Channel(StrEnum):
    CHAT = "chat"
    EMAIL = "email"


class Status(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"
    NOTE = "note"


class Category(StrEnum):
    DEPOSIT_NOT_CREDITED = "deposit_not_credited"
    WRONG_NETWORK_OR_MEMO = "wrong_network_or_memo"
    WITHDRAWAL_PENDING = "withdrawal_pending"
    TWO_FA_RESET = "2fa_reset"
    ACCOUNT_FROZEN = "account_frozen"
    KYC_REJECTED = "kyc_rejected"
    P2P_APPEAL = "p2p_appeal"
    FUTURES_LIQUIDATION = "futures_liquidation"
    FEES = "fees"
    API = "api"
    OTHER = "other"


class Conversation(Base):
    __tablename__ = "conversation"
    __table_args__ = (
        Index("ix_conversation_inbox", "status", "last_message_at"),
        Index("ix_conversation_assignee_status", "assignee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=Status.OPEN)
    subject: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    category: Mapped[str] = mapped_column(String(40), default=Category.OTHER)
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NORMAL)
    tier: Mapped[str] = mapped_column(String(16), default="l1")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    preview: Mapped[str] = mapped_column(String(200), default="")
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The closed case this one continues: a customer who writes after the grace period starts a new case.
    previous_conversation_id: Mapped[int | None] = mapped_column(Integer, index=True)

    @property
    def reference(self) -> str:
        """The number customers quote: FL-000123."""
        return f"FL-{self.id:06d}"


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_message_conversation_seq"),
        UniqueConstraint("conversation_id", "client_msg_id", name="uq_message_conversation_client_msg_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    author_kind: Mapped[str] = mapped_column(String(16))
    author_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    is_automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachments: Mapped[list[Attachment]] = relationship(order_by=Attachment.id, lazy="selectin")
