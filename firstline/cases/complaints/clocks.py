"""The complaint clocks: when each step is due, and when the timer next fires (a warning or a miss)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from firstline.cases.complaints.models import Admissibility, Complaint, Step

LEGAL_LIMIT_MONTHS = 2  # MiCA complaints handling: a decision never later than two months after receipt


def add_months(moment: datetime, months: int) -> datetime:
    """The same time of day ``months`` later, on the same day of the month or the month's last day.

    31 December + 2 months is 28 February (29 in a leap year); 30 November + 2 months is 30 January.
    """
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class ClockPolicy:
    acknowledgement: timedelta
    admissibility: timedelta
    response: timedelta  # the operator's own timeframe for a decision
    warning: timedelta  # how long before a due time the warning fires


def due_times(received_at: datetime, policy: ClockPolicy) -> dict[str, datetime]:
    """Due times of each step for a complaint received at ``received_at``; the decision never past the limit."""
    limit = add_months(received_at, LEGAL_LIMIT_MONTHS)
    return {
        "acknowledgement_due_at": received_at + policy.acknowledgement,
        "admissibility_due_at": min(received_at + policy.admissibility, limit),
        "decision_due_at": min(received_at + policy.response, limit),
        "limit_at": limit,
    }


def step_due(complaint: Complaint, step: Step) -> datetime:
    return {
        Step.ACKNOWLEDGEMENT: complaint.acknowledgement_due_at,
        Step.ADMISSIBILITY: complaint.admissibility_due_at,
        Step.DECISION: complaint.decision_due_at,
    }[step]


def step_done_at(complaint: Complaint, step: Step) -> datetime | None:
    return {
        Step.ACKNOWLEDGEMENT: complaint.acknowledged_at,
        Step.ADMISSIBILITY: complaint.admissibility_at,
        Step.DECISION: complaint.decided_at,
    }[step]


def open_steps(complaint: Complaint) -> list[Step]:
    """Steps still to take. An inadmissible complaint needs no decision: the refusal with reasons ends it."""
    steps = [step for step in Step if step_done_at(complaint, step) is None]
    if complaint.admissibility == Admissibility.INADMISSIBLE:
        steps = [step for step in steps if step is not Step.DECISION]
    return steps


def pending_alerts(complaint: Complaint, warning: timedelta) -> list[tuple[datetime, str]]:
    """(instant, 'step:warning' | 'step:missed') alerts not fired yet, earliest first."""
    alerts = []
    for step in open_steps(complaint):
        due = step_due(complaint, step)
        # A step shorter than the warning lead warns halfway through instead of at once.
        warn_at = max(due - warning, complaint.received_at + (due - complaint.received_at) / 2)
        for instant, kind in ((warn_at, "warning"), (due, "missed")):
            key = f"{step.value}:{kind}"
            if key not in complaint.alerts:
                alerts.append((instant, key))
    return sorted(alerts)


def next_fire_at(complaint: Complaint, warning: timedelta) -> datetime | None:
    alerts = pending_alerts(complaint, warning)
    return alerts[0][0] if alerts else None


def missed(complaint: Complaint, step: Step, now: datetime) -> bool:
    """Whether the step was (or, still open, is already) later than its due time."""
    if step is Step.DECISION and complaint.admissibility == Admissibility.INADMISSIBLE:
        return False
    done = step_done_at(complaint, step)
    return (done or now) > step_due(complaint, step)
