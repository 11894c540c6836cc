"""The settings pages' share of the role matrix (tests/web/test_role_matrix.py): an SLA policy and a
calendar for the edit routes to point at, and a valid body for each state-changing route.

Bodies succeed whatever order the matrix calls them in: the new policy covers a scope of its own, and
the edits keep each row's name and scope, and the API and the console each create rows of their own.
The deleting routes each get a fresh row of their own (``SLA_FRESH_TARGETS``), so the other routes still
find theirs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from firstline.sla import calendars, settings

POLICY_NAME = "Matrix email, high priority"
CALENDAR_NAME = "Matrix office hours"


def sla_targets(db: Session) -> dict[str, int]:
    policy = settings.create_policy(
        db,
        values=settings.PolicyValues(
            name=POLICY_NAME, channel="email", priority="high", first_response_seconds=3600
        ),
        actor_agent_id=None,
    )
    calendar = calendars.create_calendar(
        db,
        values=calendars.CalendarValues(
            name=CALENDAR_NAME, timezone="Europe/Rome", hours={0: [(540, 1080)]}, holidays={}
        ),
        actor_agent_id=None,
    )
    return {"policy_id": policy.id, "calendar_id": calendar.id}


def _policy(name: str, channel: str, priority: str, first_response: str) -> dict[str, Any]:
    return {
        "name": name,
        "channel": channel,
        "tier": "",
        "priority": priority,
        "first_response_seconds": first_response,
        "next_response_seconds": "",
        "resolution_seconds": "3d",
        "calendar_id": "",
        "warn_percent": "80",
        "breach_actions": ["notify_team_lead"],
    }


def _calendar(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "timezone": "Europe/Rome",
        "hours_0": "09:00-18:00",
        "holidays": "2026-12-08 Immacolata",
    }


def _policy_json(name: str, priority: str) -> dict[str, Any]:
    return {"name": name, "channel": "email", "priority": priority, "first_response_seconds": 1800}


def _calendar_json(name: str) -> dict[str, Any]:
    return {"name": name, "timezone": "Europe/Rome", "hours": {"0": [[540, 1080]]}, "holidays": {}}


B = Callable[[Any], dict[str, Any]]
SLA_SAMPLE_BODIES: dict[tuple[str, str], B] = {
    ("POST", "/api/v1/sla/policies"): lambda _: _policy_json("Matrix API urgent email", "urgent"),
    ("PUT", "/api/v1/sla/policies/{policy_id}"): lambda _: _policy_json(POLICY_NAME, "high"),
    ("POST", "/api/v1/sla/calendars"): lambda _: _calendar_json("Matrix API calendar"),
    ("PUT", "/api/v1/sla/calendars/{calendar_id}"): lambda _: _calendar_json(CALENDAR_NAME),
    ("PUT", "/api/v1/routing/settings"): lambda _: {"mode": "auto", "english_after_seconds": 90},
    ("POST", "/settings/sla/policies"): lambda _: _policy("Matrix urgent chats", "chat", "urgent", "20s"),
    ("POST", "/settings/sla/policies/{policy_id}"): lambda _: _policy(POLICY_NAME, "email", "high", "45m"),
    ("POST", "/settings/sla/calendars"): lambda _: _calendar("Matrix weekend desk"),
    ("POST", "/settings/sla/calendars/{calendar_id}"): lambda _: _calendar(CALENDAR_NAME),
    ("POST", "/settings/routing"): lambda _: {"mode": "offer", "offer_timeout_seconds": "30"},
    ("DELETE", "/api/v1/sla/policies/{policy_id}"): lambda _: {},
    ("DELETE", "/api/v1/sla/calendars/{calendar_id}"): lambda _: {},
    ("POST", "/settings/sla/policies/{policy_id}/delete"): lambda _: {},
    ("POST", "/settings/sla/calendars/{calendar_id}/delete"): lambda _: {},
}


def _disposable_policy(channel: str) -> Callable[[Session], dict[str, int]]:
    def make(db: Session) -> dict[str, int]:
        values = settings.PolicyValues(
            name=f"Matrix disposable {uuid.uuid4().hex[:8]}",
            channel=channel,
            tier="technical",
            priority="low",
            resolution_seconds=86400,
        )
        return {"policy_id": settings.create_policy(db, values=values, actor_agent_id=None).id}

    return make


def _disposable_calendar(db: Session) -> dict[str, int]:
    values = calendars.CalendarValues(
        name=f"Matrix disposable {uuid.uuid4().hex[:8]}", timezone="UTC", hours={0: [(0, 60)]}, holidays={}
    )
    return {"calendar_id": calendars.create_calendar(db, values=values, actor_agent_id=None).id}


# A route that deletes the row it points at gets a fresh one (made just before the call); each route's
# policy covers a scope of its own, so a row a refused role left behind never conflicts with the next.
SLA_FRESH_TARGETS: dict[tuple[str, str], Callable[[Session], dict[str, int]]] = {
    ("DELETE", "/api/v1/sla/policies/{policy_id}"): _disposable_policy("email"),
    ("POST", "/settings/sla/policies/{policy_id}/delete"): _disposable_policy("chat"),
    ("DELETE", "/api/v1/sla/calendars/{calendar_id}"): _disposable_calendar,
    ("POST", "/settings/sla/calendars/{calendar_id}/delete"): _disposable_calendar,
}
