"""Shapes of the complaints API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(max_length=4000)
    points: list[str] = Field(default_factory=list, max_length=20)
    received_at: AwareDatetime | None = None


class AdmissibilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    admissible: bool
    reason: str = Field(max_length=4000)


class DelayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=4000)
    new_due: date | AwareDatetime


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(max_length=24)
    answers: list[str] = Field(max_length=20)
    remedies: list[str] = Field(default_factory=list, max_length=10)


class ComplaintOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    conversation_id: int
    customer_id: int
    category: str
    language: str
    status: str
    summary: str
    points: list[str]
    received_at: datetime
    acknowledgement_due_at: datetime
    acknowledged_at: datetime | None
    admissibility_due_at: datetime
    admissibility: str | None
    admissibility_reason: str
    admissibility_at: datetime | None
    decision_due_at: datetime
    limit_at: datetime
    delay_reason: str
    delayed_at: datetime | None
    decided_at: datetime | None
    outcome: str | None
    answers: list[str]
    remedies: list[str]
    alerts: list[str]


class ReportOut(BaseModel):
    total: int
    average_hours: dict[str, float | None]
    misses: dict[str, int]
    by_category: dict[str, int]
    by_outcome: dict[str, int]
