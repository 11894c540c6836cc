"""Presence and queue shapes for the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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
