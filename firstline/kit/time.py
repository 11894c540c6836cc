"""Aware UTC time, the only kind Firstline uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

# Set only while history is replayed through the services (the demo seed): what they stamp "now" then
# happened at that moment, so messages, events, timers and deadlines tell one consistent story.
_replayed_now: ContextVar[datetime | None] = ContextVar("firstline_replayed_now", default=None)


def utcnow() -> datetime:
    return _replayed_now.get() or datetime.now(UTC)


@contextmanager
def replaying_at(moment: datetime) -> Iterator[None]:
    """Within the block ``utcnow()`` is ``moment`` (aware, in the past): for importing history only."""
    if moment.tzinfo is None:
        raise ValueError("replaying_at needs an aware datetime")
    token = _replayed_now.set(moment)
    try:
        yield
    finally:
        _replayed_now.reset(token)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime read back from SQLite as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_duration(seconds: float | None) -> str:
    """4500 -> '1h 15m', 30 -> '30s'; empty for no duration."""
    if not seconds:
        return ""
    left, parts = int(seconds), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts)
