"""Conversation and message shapes for the JSON API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from firstline.conversations.models import AuthorKind


class ConversationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int = Field(ge=1, le=2**62)
    channel: str = "chat"
    subject: str = Field(default="", max_length=300)
    language: str | None = Field(default=None, min_length=2, max_length=8)
    category: str = "other"
    priority: str = "normal"
    team_id: int | None = Field(default=None, ge=1, le=2**62)


class ConversationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str | None = None
    assignee_id: int | None = Field(default=None, ge=1, le=2**62)
    tier: str | None = None
    priority: str | None = None
    category: str | None = None
    team_id: int | None = Field(default=None, ge=1, le=2**62)
    tags: list[str] | None = None


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    customer_id: int
    channel: str
    status: str
    subject: str
    language: str
    category: str
    priority: str
    tier: str
    team_id: int | None
    assignee_id: int | None
    tags: list[str]
    preview: str
    last_seq: int
    created_at: datetime
    last_message_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000)
    kind: AuthorKind = Field(
        default=AuthorKind.AGENT, description="'agent' for a reply, 'note' for an internal note"
    )
    client_msg_id: str | None = Field(default=None, min_length=1, max_length=64)


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    seq: int
    author_kind: str
    author_agent_id: int | None
    body: str
    client_msg_id: str | None
    is_automatic: bool
    created_at: datetime
    attachments: list[AttachmentOut]


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    actor_kind: str
    actor_agent_id: int | None
    conversation_id: int | None
    customer_id: int | None
    data: dict[str, object]
    created_at: datetime
