"""The complaints register."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firstline.db import Base
from firstline.kit.time import utcnow
from firstline.kit.types import UTCDateTime


class Step(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    ADMISSIBILITY = "admissibility"
    DECISION = "decision"


class Admissibility(StrEnum):
    ADMISSIBLE = "admissible"
    INADMISSIBLE = "inadmissible"


class Outcome(StrEnum):
    UPHELD = "upheld"
    PARTIALLY_UPHELD = "partially_upheld"
    REJECTED = "rejected"


class Complaint(Base):
    """One complaint, registered on the conversation it came in. Each step has a due time; ``fire_at`` is
    the next warning or miss of any step: the timer column one loop scans."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_fire_at", "fire_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(Text)
    points: Mapped[list[str]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # acknowledgement
    acknowledgement_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # admissibility
    admissibility_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    admissibility: Mapped[str | None] = mapped_column(String(16))
    admissibility_reason: Mapped[str] = mapped_column(Text, default="")
    admissibility_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # decision: due within the operator's timeframe, never after ``limit_at`` (two months after receipt)
    decision_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    limit_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delay_reason: Mapped[str] = mapped_column(Text, default="")
    delayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    outcome: Mapped[str | None] = mapped_column(String(24))
    answers: Mapped[list[str]] = mapped_column(JSON, default=list)
    remedies: Mapped[list[str]] = mapped_column(JSON, default=list)
    # timer
    fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerts: Mapped[list[str]] = mapped_column(JSON, default=list)  # "decision:warning", "decision:missed", …

    @property
    def reference(self) -> str:
        return f"CMP-{self.id:06d}"

    @property
    def status(self) -> str:
        if self.decided_at is not None:
            return "decided"
        if self.admissibility == Admissibility.INADMISSIBLE:
            return "inadmissible"
        if self.acknowledged_at is not None:
            return "acknowledged"
        return "received"
