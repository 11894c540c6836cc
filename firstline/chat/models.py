"""Chat sites, visitors' chat sessions, sequenced chat events and visitors' uploads."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firstline.db import Base
from firstline.kit.time import utcnow
from firstline.kit.types import UTCDateTime


class IdentityMethod(StrEnum):
    NONE = "none"
    HMAC = "hmac"
    JWT = "jwt"


class ChatEventKind(StrEnum):
    AGENT_JOINED = "agent_joined"
    AGENT_LEFT = "agent_left"


class ChatSite(Base):
    """One place the widget is embedded; its secret signs customer identities."""

    __tablename__ = "chat_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # A symmetric key: it must be readable to verify HMACs and JWTs, so it is stored as is.
    secret: Mapped[str] = mapped_column(String(128))
    enforce_identity: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    allowed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatSession(Base):
    """A visitor's chat: the token they hold (only its hash is stored), their customer and conversation."""

    __tablename__ = "chat_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("chat_site.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    identity_method: Mapped[str] = mapped_column(String(8), default=IdentityMethod.NONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatEvent(Base):
    """An event of a conversation that is not a message (an agent joined or left), on the same seq counter."""

    __tablename__ = "chat_event"
    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_chat_event_conversation_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatUpload(Base):
    """Which chat session uploaded an attachment: only that visitor may send it."""

    __tablename__ = "chat_upload"

    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("attachment.id", ondelete="CASCADE"), primary_key=True
    )
    chat_session_id: Mapped[int] = mapped_column(
        ForeignKey("chat_session.id", ondelete="CASCADE"), index=True
    )
