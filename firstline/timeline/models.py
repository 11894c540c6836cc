"""The append-only event log every timeline is drawn from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from firstline.db import Base
from firstline.kit.time import utcnow
from firstline.kit.types import UTCDateTime


class Event(Base):
    """One state change: who did what to which conversation or customer, and when.

    Rows are never updated or deleted: the ORM refuses it and database triggers
    (created by the migration) refuse it for any other client too.
    """

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_conversation", "conversation_id", "id"),
        Index("ix_event_customer", "customer_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
