"""SLA policies, business-hour calendars and SLA clocks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firstline.db import Base
from firstline.kit.time import utcnow
from firstline.kit.types import UTCDateTime


class Metric(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # waiting on the customer
    MET = "met"
    MISSED = "missed"  # stopped after its breach


class BreachAction(StrEnum):
    NOTIFY_TEAM_LEAD = "notify_team_lead"
    RAISE_PRIORITY = "raise_priority"
    REQUEUE = "requeue"


# The SlaPolicy columns that hold a target, in seconds.
TARGET_FIELDS = ("first_response_seconds", "next_response_seconds", "resolution_seconds")


class BusinessCalendar(Base):
    """Opening hours in a time zone, minus holidays. ``hours`` maps weekday (0 = Monday) to minute ranges."""

    __tablename__ = "business_calendar"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    hours: Mapped[dict[str, list[list[int]]]] = mapped_column(JSON, default=dict)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    holiday_names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # ISO date -> name
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlaPolicy(Base):
    """Targets for a channel, optionally narrowed to a tier and a priority; the most specific one wins."""

    __tablename__ = "sla_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(16))
    first_response_seconds: Mapped[int | None] = mapped_column(Integer)
    next_response_seconds: Mapped[int | None] = mapped_column(Integer)
    resolution_seconds: Mapped[int | None] = mapped_column(Integer)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendar.id"))
    warn_ratio: Mapped[float] = mapped_column(Float, default=0.8)
    breach_actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlaClock(Base):
    """One SLA target of one conversation. ``fire_at`` is the next warning or breach: the loop's timer."""

    __tablename__ = "sla_clock"
    __table_args__ = (
        UniqueConstraint("conversation_id", "metric", name="uq_sla_clock_conversation_metric"),
        Index("ix_sla_clock_fire_at", "fire_at"),
        Index("ix_sla_clock_due_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(24))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id", ondelete="SET NULL"))
    # The terms of the policy the clock started under, copied here when that policy is deleted.
    policy_terms: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    target_seconds: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=ClockState.RUNNING)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    running_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    elapsed_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # business time before running_since
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def describe(self) -> dict[str, Any]:
        return {"metric": self.metric, "target_seconds": self.target_seconds, "clock_id": self.id}
