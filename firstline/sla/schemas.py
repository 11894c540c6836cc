"""SLA policy and business-hour calendar shapes for the JSON API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field


class PolicyIn(BaseModel):
    """A policy; targets in seconds (null: no target), the warning in percent of the target."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=80)
    channel: str = Field(max_length=16)
    tier: str | None = Field(default=None, max_length=16)
    priority: str | None = Field(default=None, max_length=16)
    first_response_seconds: int | None = None
    next_response_seconds: int | None = None
    resolution_seconds: int | None = None
    calendar_id: int | None = Field(default=None, description="null: around the clock (24/7)")
    warn_percent: int = 80
    breach_actions: list[str] = Field(default_factory=lambda: ["notify_team_lead"], max_length=10)


class PolicyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    channel: str
    tier: str | None
    priority: str | None
    first_response_seconds: int | None
    next_response_seconds: int | None
    resolution_seconds: int | None
    calendar_id: int | None
    warn_ratio: float
    breach_actions: list[str]
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def warn_percent(self) -> int:
        return round(self.warn_ratio * 100)


class CalendarIn(BaseModel):
    """Opening hours as minute ranges per weekday (0 = Monday), e.g. {"0": [[540, 1080]]}; holidays by date."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=80)
    timezone: str = Field(max_length=64)
    hours: dict[int, list[tuple[int, int]]]
    holidays: dict[str, str] = Field(default_factory=dict, description="ISO date -> name")


class CalendarOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    timezone: str
    hours: dict[str, list[list[int]]]
    holidays: list[str]
    holiday_names: dict[str, str]
    created_at: datetime
