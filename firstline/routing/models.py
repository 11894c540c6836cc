"""Presence, the persisted queue and per-conversation routing metrics."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from firstline.db import Base
from firstline.kit.time import utcnow
from firstline.kit.types import UTCDateTime


class Presence(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class PresenceReason(StrEnum):
    MANUAL = "manual"
    IDLE = "idle"
    HEARTBEAT_LOST = "heartbeat_lost"
    SHIFT_END = "shift_end"


class QueueState(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"


class AgentPresence(Base):
    """Whether an agent takes new chats now. Agents without a row are offline."""

    __tablename__ = "agent_presence"
    __table_args__ = (Index("ix_agent_presence_status", "status"),)

    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=Presence.OFFLINE)
    reason: Mapped[str] = mapped_column(String(24), default=PresenceReason.MANUAL)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Since when the agent has had no new chat: ties between equally loaded agents go to the longest idle.
    idle_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QueueEntry(Base):
    """A chat waiting for an agent (or offered to one). The row goes when the chat is assigned."""

    __tablename__ = "queue_entry"
    __table_args__ = (
        Index("ix_queue_entry_order", "front", "priority_rank", "enqueued_at"),
        Index("ix_queue_entry_offer_expires_at", "offer_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True
    )
    language: Mapped[str] = mapped_column(String(8))
    language_source: Mapped[str] = mapped_column(String(16), default="customer")
    tier: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(40))
    priority_rank: Mapped[int] = mapped_column(Integer, default=1)
    vip_tier: Mapped[int] = mapped_column(Integer, default=0)
    front: Mapped[bool] = mapped_column(Boolean, default=False)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default=QueueState.WAITING)
    offered_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_agent_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    overflow_stage: Mapped[int] = mapped_column(Integer, default=0)
    last_position: Mapped[int | None] = mapped_column(Integer)


class ConversationMetrics(Base):
    """Wait, first response and handle time and transfers of one conversation, kept as it happens."""

    __tablename__ = "conversation_metrics"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wait_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handle_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    requeues: Mapped[int] = mapped_column(Integer, default=0)
    last_assignee_id: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoutingFloorChange(Base):
    """One agent whose routing state (profile, presence, load) changed: the dispatcher's change log.

    On SQLite, triggers of migration 0010 append a row for every such change and the dispatcher re-reads
    only the agents logged since its last read (``firstline.routing.floor``); old rows are pruned by the
    routing tick. PostgreSQL keeps the table empty.
    """

    __tablename__ = "routing_floor_change"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer)


class RoutingSetting(Base):
    """Routing settings a team lead saved in the console; a None column keeps the environment's value.

    There is one row, id 1 (``firstline.routing.settings``).
    """

    __tablename__ = "routing_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[str | None] = mapped_column(String(16))
    offer_timeout_seconds: Mapped[int | None] = mapped_column(Integer)
    secondary_language_after_seconds: Mapped[int | None] = mapped_column(Integer)
    english_after_seconds: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
