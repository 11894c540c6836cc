"""Jinja2 set-up: filters and globals every console page uses."""

from __future__ import annotations

from datetime import datetime

from fastapi.templating import Jinja2Templates

from firstline.agents.roles import Permission, has_permission
from firstline.kit.languages import LANGUAGE_NAMES, language_name
from firstline.kit.time import utcnow


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


def label(value: str | None) -> str:
    """'deposit_not_credited' -> 'Deposit not credited'."""
    if not value:
        return "—"
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


def configure_templates(templates: Jinja2Templates) -> Jinja2Templates:
    env = templates.env
    env.filters["dt"] = format_datetime
    env.filters["ago"] = time_ago
    env.filters["label"] = label
    env.filters["language_name"] = language_name
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    env.globals["Permission"] = Permission
    env.globals["can"] = lambda agent, permission: (
        agent is not None and has_permission(agent.roles, permission)
    )
    return templates
