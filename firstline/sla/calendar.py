"""Business time: opening hours in a time zone, minus holidays. Pure functions over aware datetimes.

Opening hours are minute ranges of the local day (``(540, 1080)`` is 09:00–18:00, ``(0, 1440)`` the
whole day) keyed by weekday, 0 being Monday. Local times become instants through ``zoneinfo``, so a day
with a daylight-saving change is 23 or 25 hours long, as it is on the floor. ``None`` as a calendar
means 24/7.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from firstline.kit.errors import InvalidInput

MINUTES_PER_DAY = 24 * 60
MAX_DAYS = 3 * 366  # how far a search for business time goes before giving up


@dataclass(frozen=True)
class Calendar:
    timezone: str = "UTC"
    hours: Mapping[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def check_calendar(
    *,
    timezone: str,
    hours: Mapping[int, list[tuple[int, int]] | tuple[tuple[int, int], ...]],
    holidays: list[str],
) -> Calendar:
    """A valid calendar from plain values, or a clear error naming the field."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"Unknown time zone {timezone!r}.", field="timezone") from exc
    checked: dict[int, tuple[tuple[int, int], ...]] = {}
    for weekday, ranges in hours.items():
        if int(weekday) not in range(7):
            raise InvalidInput("Weekdays run from 0 (Monday) to 6 (Sunday).", field="hours")
        spans = tuple(sorted((int(start), int(end)) for start, end in ranges))
        if any(not 0 <= start < end <= MINUTES_PER_DAY for start, end in spans):
            raise InvalidInput(
                "Opening hours are minute ranges within a day, start before end.", field="hours"
            )
        if any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1)):
            raise InvalidInput("Opening hours of one day must not overlap.", field="hours")
        checked[int(weekday)] = spans
    if not any(checked.values()):
        raise InvalidInput("A calendar needs opening hours on at least one day.", field="hours")
    try:
        days = frozenset(date.fromisoformat(day) for day in holidays)
    except ValueError as exc:
        raise InvalidInput("Holidays are dates such as 2026-12-25.", field="holidays") from exc
    return Calendar(timezone=timezone, hours=checked, holidays=days)


def _local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    if minute >= MINUTES_PER_DAY:
        return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return datetime.combine(day, time(minute // 60, minute % 60), zone).astimezone(UTC)


def open_intervals(calendar: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Opening intervals (UTC) that end after ``start``, in order, for at most ``MAX_DAYS`` days."""
    zone = calendar.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    for _ in range(MAX_DAYS):
        if day not in calendar.holidays:
            for begin, end in calendar.hours.get(day.weekday(), ()):
                opens, closes = _local_instant(day, begin, zone), _local_instant(day, end, zone)
                if closes > start and closes > opens:
                    yield max(opens, start), closes
        day += timedelta(days=1)


def add_business_seconds(calendar: Calendar | None, start: datetime, seconds: float) -> datetime:
    """The instant when ``seconds`` of business time have passed from ``start``."""
    if calendar is None:
        return start + timedelta(seconds=seconds)
    remaining = max(0.0, seconds)
    for opens, closes in open_intervals(calendar, start):
        available = (closes - opens).total_seconds()
        if remaining <= available:
            return opens + timedelta(seconds=remaining)
        remaining -= available
    raise InvalidInput("The calendar has no opening hours in the next three years.", field="calendar")


def business_seconds_between(calendar: Calendar | None, start: datetime, end: datetime) -> float:
    """Business time between two instants (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    if calendar is None:
        return (end - start).total_seconds()
    total = 0.0
    for opens, closes in open_intervals(calendar, start):
        if opens >= end:
            break
        total += (min(closes, end) - opens).total_seconds()
    return total
