"""Business-hour calendars as a team lead edits them: weekly hours typed per weekday, named holidays,
audited create, edit and delete, and a preview of the next opening and closing times.

The preview comes from the same ``open_intervals`` the SLA clocks count with, so what the lead sees is
what the clocks will do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.kit.errors import Conflict, InvalidInput, NotFound
from firstline.sla.audit import record_change
from firstline.sla.calendar import MINUTES_PER_DAY, Calendar, check_calendar, open_intervals
from firstline.sla.models import BusinessCalendar, SlaPolicy
from firstline.sla.service import to_calendar
from firstline.timeline.service import EventKind

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")
_HOLIDAY = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(.*)$")


@dataclass(frozen=True)
class CalendarValues:
    name: str
    timezone: str
    hours: dict[int, list[tuple[int, int]]]  # weekday (0 = Monday) -> minute ranges
    holidays: dict[str, str]  # ISO date -> name


@dataclass(frozen=True)
class Opening:
    """One stretch of open time, in UTC and in the calendar's time zone."""

    opens: datetime
    closes: datetime
    opens_local: datetime
    closes_local: datetime
    open_now: bool


# --- the form's text -----------------------------------------------------------------------------------------


def _minute(hour: str, minute: str) -> int:
    return int(hour) * 60 + int(minute)


def parse_hours(text: str, *, weekday: int) -> list[tuple[int, int]]:
    """'09:00-18:00' or '09:00-12:00, 13:00-18:00'; empty or 'closed' is a closed day, '24h' all day."""
    compact = text.strip().lower()
    if compact in ("", "closed"):
        return []
    if compact in ("24h", "24/7", "all day"):
        return [(0, MINUTES_PER_DAY)]
    spans = []
    for part in compact.split(","):
        found = _RANGE.match(part.strip())
        if found is None:
            raise InvalidInput(
                f"{WEEKDAYS[weekday]}: write opening hours as 09:00-18:00, several separated by commas.",
                field=f"hours_{weekday}",
            )
        start, end = _minute(*found.group(1, 2)), _minute(*found.group(3, 4))
        if int(found.group(2)) > 59 or int(found.group(4)) > 59 or not 0 <= start < end <= MINUTES_PER_DAY:
            raise InvalidInput(
                f"{WEEKDAYS[weekday]}: {part.strip()} is not a range within the day (start before end).",
                field=f"hours_{weekday}",
            )
        spans.append((start, end))
    return spans


def parse_holidays(text: str) -> dict[str, str]:
    """One holiday a line: '2026-12-25 Christmas Day' (the name is optional)."""
    holidays: dict[str, str] = {}
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        found = _HOLIDAY.match(line)
        try:
            day = date.fromisoformat(found.group(1)) if found else None
        except ValueError:
            day = None
        if found is None or day is None:
            raise InvalidInput(
                f"Holidays: {line!r} should start with a date such as 2026-12-25, then its name.",
                field="holidays",
            )
        holidays[day.isoformat()] = found.group(2).strip(" -–:")
    return dict(sorted(holidays.items()))


def calendar_values_from_form(form: Mapping[str, Any]) -> CalendarValues:
    return CalendarValues(
        name=str(form.get("name") or ""),
        timezone=str(form.get("timezone") or "").strip(),
        hours={day: parse_hours(str(form.get(f"hours_{day}") or ""), weekday=day) for day in range(7)},
        holidays=parse_holidays(str(form.get("holidays") or "")),
    )


def format_hours(spans: list[list[int]] | list[tuple[int, int]]) -> str:
    return ", ".join(
        f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}" for start, end in spans
    )


def form_text(row: BusinessCalendar) -> dict[str, str]:
    """The form fields of a stored calendar, as the lead would type them."""
    fields = {"name": row.name, "timezone": row.timezone}
    for day in range(7):
        fields[f"hours_{day}"] = format_hours(row.hours.get(str(day), []))
    names = row.holiday_names or {}
    fields["holidays"] = "\n".join(f"{day} {names.get(day, '')}".rstrip() for day in row.holidays)
    return fields


# --- create and edit -----------------------------------------------------------------------------------------


def check_calendar_values(
    session: Session, *, values: CalendarValues, calendar_id: int | None = None
) -> tuple[str, Calendar]:
    name = " ".join(values.name.split())
    if not name or len(name) > 80:
        raise InvalidInput("Give the calendar a name of at most 80 characters.", field="name")
    if not values.timezone:
        raise InvalidInput("Choose a time zone such as Europe/Lisbon.", field="timezone")
    checked = check_calendar(timezone=values.timezone, hours=values.hours, holidays=list(values.holidays))
    duplicate = select(BusinessCalendar.id).where(
        BusinessCalendar.name == name, BusinessCalendar.id != (calendar_id or 0)
    )
    if session.scalar(duplicate) is not None:
        raise Conflict(f"A calendar named {name!r} already exists.", field="name")
    return name, checked


def _write(row: BusinessCalendar, name: str, checked: Calendar, names: Mapping[str, str]) -> None:
    row.name, row.timezone = name, checked.timezone
    row.hours = {str(day): [list(span) for span in spans] for day, spans in checked.hours.items() if spans}
    row.holidays = sorted(day.isoformat() for day in checked.holidays)
    row.holiday_names = {day: names[day] for day in row.holidays if names.get(day)}


def _snapshot(row: BusinessCalendar) -> dict[str, Any]:
    return {
        "name": row.name,
        "timezone": row.timezone,
        "hours": dict(row.hours),
        "holidays": {day: (row.holiday_names or {}).get(day, "") for day in row.holidays},
    }


def create_calendar(
    session: Session, *, values: CalendarValues, actor_agent_id: int | None
) -> BusinessCalendar:
    name, checked = check_calendar_values(session, values=values)
    row = BusinessCalendar()
    _write(row, name, checked, values.holidays)
    session.add(row)
    session.flush()
    _record(session, EventKind.SLA_CALENDAR_CREATED, row, actor_agent_id, before=None)
    return row


def update_calendar(
    session: Session, *, calendar_id: int, values: CalendarValues, actor_agent_id: int | None
) -> BusinessCalendar:
    """Change a calendar; the policies using it count in the new hours from their next clock on."""
    row = get_calendar(session, calendar_id=calendar_id)
    name, checked = check_calendar_values(session, values=values, calendar_id=calendar_id)
    before = _snapshot(row)
    _write(row, name, checked, values.holidays)
    session.flush()
    _record(session, EventKind.SLA_CALENDAR_UPDATED, row, actor_agent_id, before=before)
    return row


def delete_calendar(session: Session, *, calendar_id: int, actor_agent_id: int | None) -> None:
    """Delete a calendar no policy uses; refused, naming the policies, while one does. Clocks of deleted
    policies keep their own copy of the hours, so they never depend on the row."""
    row = get_calendar(session, calendar_id=calendar_id)
    if users := policies_using(session, calendar_id=calendar_id):
        names = ", ".join(repr(name) for name in users)
        policies = "policy" if len(users) == 1 else "policies"
        raise Conflict(
            f"The calendar {row.name!r} is used by the {policies} {names}: "
            "give them another calendar (or 24/7) first, then delete it."
        )
    _record(session, EventKind.SLA_CALENDAR_DELETED, row, actor_agent_id, before=_snapshot(row), deleted=True)
    session.delete(row)
    session.flush()


def _record(
    session: Session,
    kind: EventKind,
    row: BusinessCalendar,
    actor_agent_id: int | None,
    *,
    before: dict[str, Any] | None,
    deleted: bool = False,
) -> None:
    subject = {"calendar_id": row.id, "calendar": row.name}
    after = None if deleted else _snapshot(row)
    record_change(
        session, kind=kind, actor_agent_id=actor_agent_id, subject=subject, before=before, after=after
    )


def get_calendar(session: Session, *, calendar_id: int) -> BusinessCalendar:
    row = session.get(BusinessCalendar, calendar_id)
    if row is None:
        raise NotFound(f"No calendar with id {calendar_id}.")
    return row


def list_calendars(session: Session) -> list[BusinessCalendar]:
    return list(session.scalars(select(BusinessCalendar).order_by(BusinessCalendar.name)))


def policies_using(session: Session, *, calendar_id: int) -> list[str]:
    query = select(SlaPolicy.name).where(SlaPolicy.calendar_id == calendar_id).order_by(SlaPolicy.name)
    return list(session.scalars(query))


# --- preview ------------------------------------------------------------------------------------------------


def next_openings(row: BusinessCalendar, *, now: datetime, count: int = 4) -> list[Opening]:
    """The next ``count`` stretches of open time from ``now`` (back-to-back days joined into one)."""
    calendar = to_calendar(row)
    merged: list[list[datetime]] = []
    for opens, closes in islice(open_intervals(calendar, now), 60):
        if merged and merged[-1][1] == opens:
            merged[-1][1] = closes
        elif len(merged) == count:
            break
        else:
            merged.append([opens, closes])
    zone = calendar.zone
    return [
        Opening(opens, closes, opens.astimezone(zone), closes.astimezone(zone), open_now=opens <= now)
        for opens, closes in merged
    ]
