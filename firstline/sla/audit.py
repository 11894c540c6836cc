"""The audit trail of SLA and routing settings: who changed what, and when, read from the event log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.kit.time import format_duration
from firstline.sla.models import TARGET_FIELDS, BusinessCalendar
from firstline.timeline.models import Event
from firstline.timeline.service import ActorKind, EventKind, list_events_of_kinds, record_event

POLICY_KINDS = [EventKind.SLA_POLICY_CREATED, EventKind.SLA_POLICY_UPDATED, EventKind.SLA_POLICY_DELETED]
CALENDAR_KINDS = [
    EventKind.SLA_CALENDAR_CREATED,
    EventKind.SLA_CALENDAR_UPDATED,
    EventKind.SLA_CALENDAR_DELETED,
]
SLA_KINDS = POLICY_KINDS + CALENDAR_KINDS
ROUTING_KINDS = [EventKind.ROUTING_SETTINGS_UPDATED]
_FIELD_LABELS = {
    "first_response_seconds": "first response",
    "next_response_seconds": "next response",
    "resolution_seconds": "resolution",
    "warn_percent": "warning",
    "breach_actions": "breach actions",
    "calendar_id": "calendar",
    "offer_timeout_seconds": "offer timeout",
    "secondary_language_after_seconds": "overflow to a secondary language",
    "english_after_seconds": "overflow to English",
}


def record_change(
    session: Session,
    *,
    kind: EventKind,
    actor_agent_id: int | None,
    subject: dict[str, Any],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> bool:
    """Record a settings change on the event log: every value of a new row (``before`` None), every value
    a deleted row had (``after`` None), else each changed field as [before, after]. Records nothing, and
    returns False, when nothing changed."""
    if after is None:
        data: dict[str, Any] = {"deleted": before}
    elif before is None:
        data = {"values": after}
    else:
        changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
        if not changes:
            return False
        data = {"changes": changes}
    record_event(
        session,
        kind=kind,
        actor_kind=ActorKind.AGENT if actor_agent_id else ActorKind.SYSTEM,
        actor_agent_id=actor_agent_id,
        data={**subject, **data},
    )
    return True


_ROUTING_FIELDS = frozenset(
    {"mode", "offer_timeout_seconds", "secondary_language_after_seconds", "english_after_seconds"}
)


@dataclass(frozen=True)
class Change:
    at: datetime
    who: str
    subject: str
    summary: str


def _show(name: str, value: Any, calendars: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return {"calendar_id": "24/7"}.get(name, "environment default" if name in _ROUTING_FIELDS else "—")
    if name == "calendar_id":
        return calendars.get(value, f"calendar {value}")
    if name in TARGET_FIELDS:
        return format_duration(value)
    if name == "warn_percent":
        return f"{value} %"
    if name.endswith("_seconds"):
        return f"{value} s"
    if isinstance(value, list):
        return ", ".join(str(item).replace("_", " ") for item in value)
    return str(value)


def _holidays_changed(before: dict[str, str], after: dict[str, str]) -> str:
    added = [f"{day} {name}".rstrip() for day, name in after.items() if before.get(day) != name]
    removed = [day for day in before if day not in after]
    parts = ([f"added {', '.join(added)}"] if added else []) + (
        [f"removed {', '.join(removed)}"] if removed else []
    )
    return "holidays: " + "; ".join(parts)


def _summary(event: Event, calendars: dict[int, str]) -> str:
    if "values" in event.data:
        return "created"
    if "deleted" in event.data:
        return "deleted"
    lines = []
    for name, (before, after) in event.data.get("changes", {}).items():
        if name == "holidays":
            lines.append(_holidays_changed(before or {}, after or {}))
        elif name == "hours":
            lines.append("opening hours changed")
        else:
            label = _FIELD_LABELS.get(name, name)
            lines.append(f"{label}: {_show(name, before, calendars)} → {_show(name, after, calendars)}")
    return "; ".join(lines)


def describe(session: Session, events: Iterable[Event]) -> list[Change]:
    """Events as lines a lead reads: when, who, which policy or calendar, what changed."""
    rows = list(events)
    ids = {event.actor_agent_id for event in rows if event.actor_agent_id}
    query = select(Agent.id, Agent.name).where(Agent.id.in_(ids))
    names: dict[int, str] = {row.id: row.name for row in session.execute(query)} if ids else {}
    calendars = {
        row.id: row.name for row in session.execute(select(BusinessCalendar.id, BusinessCalendar.name))
    }
    return [
        Change(
            at=event.created_at,
            who=names.get(event.actor_agent_id, "system") if event.actor_agent_id else "system",
            subject=event.data.get("policy") or event.data.get("calendar") or "Routing settings",
            summary=_summary(event, calendars),
        )
        for event in rows
    ]


def list_changes(
    session: Session,
    *,
    kinds: list[EventKind],
    key: str | None = None,
    row_id: int | None = None,
    limit: int = 20,
) -> list[Change]:
    """The latest changes of ``kinds``, newest first; with ``key``/``row_id`` only those of one row."""
    if key is None:
        return describe(session, list_events_of_kinds(session, kinds=kinds, limit=limit))
    recent = list_events_of_kinds(session, kinds=kinds, limit=500)
    return describe(session, [event for event in recent if event.data.get(key) == row_id][:limit])
