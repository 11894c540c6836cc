"""Customer shapes for the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    email: EmailStr | None = None
    exchange_uid: str | None = Field(default=None, min_length=1, max_length=64)
    preferred_language: str = Field(default="en", min_length=2, max_length=8)
    vip_tier: int = Field(default=0, ge=0, le=5)
    attributes: dict[str, Any] = Field(default_factory=dict)


class CustomerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    preferred_language: str | None = Field(default=None, min_length=2, max_length=8)
    vip_tier: int | None = Field(default=None, ge=0, le=5)
    attributes: dict[str, Any] | None = None


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str | None
    exchange_uid: str | None
    preferred_language: str
    vip_tier: int
    attributes: dict[str, Any]
    created_at: datetime
