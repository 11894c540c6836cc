"""Incidents and the conversations linked to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firstline.db import Base
from firstline.kit.time import utcnow
from firstline.kit.types import UTCDateTime


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class UpdateState(StrEnum):
    NONE = "none"  # no update written yet
    DRAFT = "draft"
    APPROVED = "approved"  # an agent reviewed this version; it may go


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    COVERED = "covered"  # the customer got it on another linked conversation


class Incident(Base):
    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=IncidentStatus.OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    update_texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # language -> text
    update_version: Mapped[int] = mapped_column(Integer, default=0)
    approved_version: Mapped[int | None] = mapped_column(Integer)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def update_state(self) -> UpdateState:
        if self.update_version == 0:
            return UpdateState.NONE
        return UpdateState.APPROVED if self.approved_version == self.update_version else UpdateState.DRAFT


class IncidentLink(Base):
    """A conversation behind an incident; ``delivery`` says whether the resolution update reached it."""

    __tablename__ = "incident_link"
    __table_args__ = (
        UniqueConstraint("incident_id", "conversation_id", name="uq_incident_link_incident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivery: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_version: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id", ondelete="SET NULL"))
    delivered_conversation_id: Mapped[int | None] = mapped_column(Integer)
