"""Shapes of the incidents API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: int = Field(ge=1, le=2**62)


class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: dict[str, str] = Field(max_length=20)


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    conversation_id: int
    customer_id: int
    linked_at: datetime
    delivery: str
    sent_at: datetime | None
    message_id: int | None
    delivered_conversation_id: int | None


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    update_texts: dict[str, str]
    update_version: int
    approved_version: int | None
    update_state: str


class IncidentDetailOut(IncidentOut):
    links: list[LinkOut]


class SendOut(BaseModel):
    sent: int
