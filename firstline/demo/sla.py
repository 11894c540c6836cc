"""The demo's SLA policies and business-hour calendar, made through the console's own services.

A support lead opening /settings/sla in the demo sees a realistic set: live chat answered within 30 s
around the clock, tighter for urgent chats, L1 email counted in the Malta office's hours (public holidays
off), and compliance email within a day. Seeded before the conversations, so every clock the demo starts
counts under them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from firstline.agents.models import Tier
from firstline.conversations.models import Channel, Priority
from firstline.sla import calendars, settings
from firstline.sla.models import BreachAction, SlaPolicy

MALTA_OFFICE = "Malta support office"
# Malta's public holidays that fall on the same date every year (Good Friday moves, so it is left out).
MALTA_HOLIDAYS = {
    "01-01": "New Year's Day",
    "03-31": "Freedom Day",
    "05-01": "Workers' Day",
    "08-15": "Santa Marija",
    "09-21": "Independence Day",
    "12-08": "Immaculate Conception",
    "12-13": "Republic Day",
    "12-25": "Christmas Day",
}
_HOUR = 3600
_DAY = 24 * _HOUR


def seed_sla(session: Session, *, now: datetime, lead_id: int | None) -> list[SlaPolicy]:
    """The Malta office calendar (this year's and next year's holidays) and the demo's policies."""
    office = calendars.create_calendar(
        session,
        values=calendars.CalendarValues(
            name=MALTA_OFFICE,
            timezone="Europe/Malta",
            hours={weekday: [(8 * 60, 20 * 60)] for weekday in range(5)},  # Monday to Friday, 08:00-20:00
            holidays={
                f"{year}-{day}": name
                for year in (now.year, now.year + 1)
                for day, name in MALTA_HOLIDAYS.items()
            },
        ),
        actor_agent_id=lead_id,
    )
    return [
        settings.create_policy(session, values=values, actor_agent_id=lead_id)
        for values in _policies(office.id)
    ]


def _policies(office_id: int) -> list[settings.PolicyValues]:
    notify, raise_priority = BreachAction.NOTIFY_TEAM_LEAD, BreachAction.RAISE_PRIORITY
    return [
        settings.PolicyValues(
            name="Live chat",
            channel=Channel.CHAT,
            first_response_seconds=30,
            next_response_seconds=2 * 60,
            resolution_seconds=4 * _HOUR,
            breach_actions=(notify, raise_priority),
        ),
        settings.PolicyValues(
            name="Live chat, VIP urgent",
            channel=Channel.CHAT,
            priority=Priority.URGENT,
            first_response_seconds=15,
            next_response_seconds=60,
            resolution_seconds=2 * _HOUR,
            warn_percent=70,
            breach_actions=(notify, BreachAction.REQUEUE),
        ),
        settings.PolicyValues(
            name="Email, first line (office hours)",
            channel=Channel.EMAIL,
            tier=Tier.L1,
            first_response_seconds=4 * _HOUR,
            next_response_seconds=8 * _HOUR,
            resolution_seconds=3 * _DAY,
            calendar_id=office_id,
            breach_actions=(notify,),
        ),
        settings.PolicyValues(
            name="Email, compliance",
            channel=Channel.EMAIL,
            tier=Tier.COMPLIANCE,
            first_response_seconds=_DAY,
            next_response_seconds=_DAY,
            resolution_seconds=15 * _DAY,
            breach_actions=(notify,),
        ),
    ]
