"""Presence, queue and routing settings shapes for the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["online", "away", "offline"]


class HeartbeatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool = True


class PresenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    agent_id: int
    status: str
    reason: str
    changed_at: datetime
    last_heartbeat_at: datetime | None


class QueueStatusOut(BaseModel):
    conversation_id: int
    state: str
    language: str
    position: int | None
    expected_wait_seconds: float | None
    text: str


class OfferAnswerOut(BaseModel):
    """An agent's answer to an offer: where the chat stands now, and its summary as the console shows it."""

    queue: QueueStatusOut
    conversation: dict[str, Any]


class RoutingSettingsIn(BaseModel):
    """The stored routing settings, all of them; null keeps the environment's value."""

    model_config = ConfigDict(extra="forbid")

    mode: str | None = None
    offer_timeout_seconds: int | None = None
    secondary_language_after_seconds: int | None = None
    english_after_seconds: int | None = None


class RoutingSettingsOut(BaseModel):
    stored: RoutingSettingsIn
    in_force: dict[str, Any]
    environment: dict[str, Any]
