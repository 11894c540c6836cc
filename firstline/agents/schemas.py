"""Agent, team and token shapes for the JSON API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class AgentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=200)
    roles: list[str] = Field(min_length=1)
    languages: dict[str, str] = Field(default_factory=lambda: {"en": "fluent"})
    tier: str = "l1"
    skills: list[str] = Field(default_factory=list)
    max_concurrent_chats: int = Field(default=3, ge=1, le=20)
    team_ids: list[int] = Field(default_factory=list)


class AgentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    roles: list[str] | None = None
    languages: dict[str, str] | None = None
    tier: str | None = None
    skills: list[str] | None = None
    max_concurrent_chats: int | None = Field(default=None, ge=1, le=20)
    is_active: bool | None = None


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    tier: str
    language: str | None


class AgentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    roles: list[str]
    languages: dict[str, str]
    tier: str
    skills: list[str]
    max_concurrent_chats: int
    is_active: bool
    teams: list[TeamOut]


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown once, never again.")
