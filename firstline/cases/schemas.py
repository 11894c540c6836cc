"""Shapes of the cases API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

_ID = Field(ge=1, le=2**62)


class FieldSpecOut(BaseModel):
    name: str
    label: str
    hint: str
    required: bool


class CategoryOut(BaseModel):
    category: str
    label: str
    fields: list[FieldSpecOut]


class FieldsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, str | None] = Field(max_length=20)


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_tier: str = Field(max_length=16)
    summary: str = Field(default="", max_length=4000)
    steps_taken: str = Field(default="", max_length=4000)
    customer_impact: str = Field(default="", max_length=4000)
    fields: dict[str, str | None] = Field(default_factory=dict, max_length=20)
    evidence_attachment_ids: list[int] = Field(default_factory=list, max_length=50)


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=4000)


class EscalationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    from_tier: str
    to_tier: str
    status: str
    summary: str
    steps_taken: str
    customer_impact: str
    fields: dict[str, str]
    evidence_attachment_ids: list[int]
    created_by_id: int
    created_at: datetime
    returned_by_id: int | None
    returned_at: datetime | None
    return_reason: str


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_at: AwareDatetime
    note: str = Field(default="", max_length=500)


class FollowUpOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    agent_id: int
    note: str
    scheduled_for: datetime
    status: str
    fired_at: datetime | None
    routed_to_agent_id: int | None
    routed_to_team_id: int | None


class CaseOut(BaseModel):
    conversation_id: int
    reference: str
    category: str
    tier: str
    fields: dict[str, str]
    missing_fields: list[str]
    reopen_count: int
    escalation_count: int
    previous_conversation_id: int | None
    escalations: list[EscalationOut]
    follow_ups: list[FollowUpOut]
    neutral_replies: list[str]


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    conversation_id: int | None
    text: str
    created_at: datetime
    read_at: datetime | None


class SearchHitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    id: int
    conversation_id: int | None
    reference: str | None
    customer_id: int
    author_kind: str
    snippet: str
    created_at: datetime
    status: str | None
    category: str | None
    language: str | None
    tier: str | None


class TimelineItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    kind: str
    conversation_id: int | None
    channel: str | None
    title: str
    text: str
    actor_agent_id: int | None
    actor_kind: str


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duplicate_id: int = _ID


class MergeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    duplicate_id: int
    into_id: int
    merged_at: datetime
    moved: dict[str, Any]


class MetricsOut(BaseModel):
    since: datetime
    until: datetime
    opened: int
    escalated: int
    resolved: int
    resolved_at_l1: int
    reopened: int
    escalation_rate: float | None
    l1_resolution_rate: float | None


class ComplianceCaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int = _ID
    subject: str = Field(max_length=300)
    summary: str = Field(default="", max_length=20_000)


class ComplianceCaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    subject: str
    summary: str
    status: str
    created_by_id: int
    created_at: datetime
    closed_at: datetime | None


class ComplianceNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(max_length=20_000)
    conversation_id: int | None = Field(default=None, ge=1, le=2**62)
    compliance_case_id: int | None = Field(default=None, ge=1, le=2**62)


class ComplianceNoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    conversation_id: int | None
    compliance_case_id: int | None
    author_agent_id: int
    body: str
    created_at: datetime
