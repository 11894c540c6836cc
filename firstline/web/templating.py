"""Jinja2 set-up: filters and globals every console page uses."""

from __future__ import annotations

from datetime import datetime

from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import object_session

from firstline.agents.models import Agent
from firstline.agents.roles import Permission, has_permission
from firstline.kit.languages import LANGUAGE_NAMES, language_name
from firstline.kit.time import format_duration, utcnow
from firstline.routing.presence import shown_status


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def time_ago(value: datetime | None) -> str:
    if value is None:
        return "—"
    seconds = int((utcnow() - value).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def countdown(value: datetime | None) -> str:
    """Time left until ``value``: '25s', '4m 10s', '2h 05m'; 'overdue 1m 02s' once past."""
    if value is None:
        return "—"
    seconds = int((value - utcnow()).total_seconds())
    left = abs(seconds)
    if left >= 3600:
        text = f"{left // 3600}h {left % 3600 // 60:02d}m"
    elif left >= 60:
        text = f"{left // 60}m {left % 60:02d}s"
    else:
        text = f"{left}s"
    return f"overdue {text}" if seconds < 0 else text


def label(value: str | None) -> str:
    """'deposit_not_credited' -> 'Deposit not credited'."""
    if not value:
        return "—"
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


def presence_of(agent: object) -> str | None:
    """The logged-in agent's presence for the header's status control; None without a database session
    at hand (error pages render a detached copy of the agent after the request's session rolled back)."""
    if not isinstance(agent, Agent) or (session := object_session(agent)) is None:
        return None
    return shown_status(session, agent_id=agent.id)


def configure_templates(templates: Jinja2Templates) -> Jinja2Templates:
    env = templates.env
    env.filters["dt"] = format_datetime
    env.filters["ago"] = time_ago
    env.filters["countdown"] = countdown
    env.filters["label"] = label
    env.filters["duration"] = format_duration
    env.filters["language_name"] = language_name
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    env.globals["Permission"] = Permission
    env.globals["presence_of"] = presence_of
    env.globals["can"] = lambda agent, permission: (
        agent is not None and has_permission(agent.roles, permission)
    )
    return templates
