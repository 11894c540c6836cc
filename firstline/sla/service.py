"""SLA policies and calendars, and the clocks of each conversation: start, pause, resume, stop, fire.

A clock counts business time toward its target. While it runs, ``due_at`` is the instant of breach and
``fire_at`` the next instant the loop must act (the warning, then the breach). Paused and stopped
clocks have no ``fire_at``, so the loop's indexed scan never sees them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from firstline.conversations.models import Channel, Conversation
from firstline.db import load_by
from firstline.kit.notify import send_on_commit
from firstline.kit.statements import run
from firstline.kit.time import utcnow
from firstline.sla.calendar import Calendar, add_business_seconds, business_seconds_between, check_calendar
from firstline.sla.models import BreachAction, BusinessCalendar, ClockState, Metric, SlaClock, SlaPolicy
from firstline.timeline.service import ActorKind, EventKind, record_event

DEFAULT_WARN_RATIO = 0.8


@dataclass(frozen=True)
class EffectivePolicy:
    """The targets that apply to a conversation, with the calendar they count in."""

    policy_id: int | None
    first_response_seconds: int | None
    next_response_seconds: int | None
    resolution_seconds: int | None
    calendar: Calendar | None = None  # None: 24/7
    warn_ratio: float = DEFAULT_WARN_RATIO
    breach_actions: tuple[str, ...] = (BreachAction.NOTIFY_TEAM_LEAD,)

    def target(self, metric: str) -> int | None:
        return {
            Metric.FIRST_RESPONSE: self.first_response_seconds,
            Metric.NEXT_RESPONSE: self.next_response_seconds,
            Metric.RESOLUTION: self.resolution_seconds,
        }[Metric(metric)]


# Used when no policy row matches: live chat answered within 30 s, around the clock.
DEFAULT_POLICIES: dict[str, EffectivePolicy] = {
    Channel.CHAT: EffectivePolicy(
        None,
        first_response_seconds=30,
        next_response_seconds=60,
        resolution_seconds=4 * 3600,
        breach_actions=(BreachAction.NOTIFY_TEAM_LEAD, BreachAction.RAISE_PRIORITY),
    ),
    Channel.EMAIL: EffectivePolicy(
        None, first_response_seconds=4 * 3600, next_response_seconds=8 * 3600, resolution_seconds=72 * 3600
    ),
}


# --- policies and calendars ------------------------------------------------------------------------------


def create_calendar(
    session: Session,
    *,
    name: str,
    timezone: str,
    hours: dict[int, list[tuple[int, int]]],
    holidays: Iterable[str] = (),
) -> BusinessCalendar:
    """A named business-hour calendar; hours are minute ranges per weekday (0 = Monday)."""
    from firstline.sla import calendars  # the console's path, with validation and the audit event

    values = calendars.CalendarValues(
        name=name, timezone=timezone, hours=hours, holidays={day: "" for day in holidays}
    )
    return calendars.create_calendar(session, values=values, actor_agent_id=None)


def to_calendar(row: BusinessCalendar) -> Calendar:
    return _calendar_of(timezone=row.timezone, hours=row.hours, holidays=row.holidays)


def _calendar_of(*, timezone: str, hours: dict[str, list[list[int]]], holidays: Iterable[str]) -> Calendar:
    return check_calendar(
        timezone=timezone,
        hours={int(day): [tuple(span) for span in spans] for day, spans in hours.items()},  # type: ignore[misc]
        holidays=list(holidays),
    )


def create_policy(
    session: Session,
    *,
    name: str,
    channel: str,
    tier: str | None = None,
    priority: str | None = None,
    first_response_seconds: int | None = None,
    next_response_seconds: int | None = None,
    resolution_seconds: int | None = None,
    calendar_id: int | None = None,
    warn_ratio: float = DEFAULT_WARN_RATIO,
    breach_actions: Iterable[str] = (BreachAction.NOTIFY_TEAM_LEAD,),
) -> SlaPolicy:
    """An SLA policy for a channel, optionally only for one tier and/or priority."""
    from firstline.sla import settings  # the console's path, with validation and the audit event

    values = settings.PolicyValues(
        name=name,
        channel=channel,
        tier=tier,
        priority=priority,
        first_response_seconds=first_response_seconds,
        next_response_seconds=next_response_seconds,
        resolution_seconds=resolution_seconds,
        calendar_id=calendar_id,
        warn_percent=round(warn_ratio * 100),
        breach_actions=tuple(breach_actions),
    )
    return settings.create_policy(session, values=values, actor_agent_id=None)


def policy_for(session: Session, *, channel: str, tier: str, priority: str) -> EffectivePolicy:
    """The most specific policy for the channel, tier and priority (a rule naming more wins)."""
    session.flush()  # as the ORM's autoflush would: a policy changed in this transaction is read as changed
    found = run(session.connection(), _POLICIES_FOR, {"channel": channel, "tier": tier, "priority": priority})
    rows = [SimpleNamespace(**dict(zip(_POLICY_COLUMNS, row, strict=True))) for row in found.all()]
    if not rows:
        return DEFAULT_POLICIES.get(channel, DEFAULT_POLICIES[Channel.EMAIL])
    best = max(rows, key=lambda row: (row.priority is not None, row.tier is not None, -row.id))
    return _effective(session, best)


# Every conversation opened reads its policy: a plain statement, built once, read as rows (not objects).
_policy = SlaPolicy.__table__
_POLICY_COLUMNS = tuple(column.key for column in _policy.columns)
_POLICIES_FOR = select(_policy).where(
    _policy.c.channel == bindparam("channel"),
    or_(_policy.c.tier.is_(None), _policy.c.tier == bindparam("tier")),
    or_(_policy.c.priority.is_(None), _policy.c.priority == bindparam("priority")),
)


def _effective(session: Session, row: Any) -> EffectivePolicy:
    """The terms of a policy row (an ``SlaPolicy`` or a row read with its columns)."""
    calendar_row = session.get(BusinessCalendar, row.calendar_id) if row.calendar_id else None
    return EffectivePolicy(
        row.id,
        first_response_seconds=row.first_response_seconds,
        next_response_seconds=row.next_response_seconds,
        resolution_seconds=row.resolution_seconds,
        calendar=to_calendar(calendar_row) if calendar_row else None,
        warn_ratio=row.warn_ratio,
        breach_actions=tuple(row.breach_actions or ()),
    )


def policy_of_clock(session: Session, clock: SlaClock, conversation: Conversation) -> EffectivePolicy:
    """What a clock counts under: its policy, else the terms kept from its deleted policy, else the
    built-in default of the channel. Only the calendar, warning ratio and breach actions matter here:
    the clock holds its own target."""
    row = session.get(SlaPolicy, clock.policy_id) if clock.policy_id else None
    if row is not None:
        return _effective(session, row)
    if clock.policy_terms:
        return _from_terms(clock.policy_terms)
    return DEFAULT_POLICIES.get(conversation.channel, DEFAULT_POLICIES[Channel.EMAIL])


def policy_terms(session: Session, row: SlaPolicy) -> dict[str, Any]:
    """What the clocks of ``row`` need to keep counting once it is deleted; its calendar is copied whole."""
    calendar_row = session.get(BusinessCalendar, row.calendar_id) if row.calendar_id else None
    calendar = (
        {"timezone": calendar_row.timezone, "hours": calendar_row.hours, "holidays": calendar_row.holidays}
        if calendar_row
        else None
    )
    return {
        "policy": row.name,
        "calendar": calendar,
        "warn_ratio": row.warn_ratio,
        "breach_actions": list(row.breach_actions or ()),
    }


def _from_terms(terms: dict[str, Any]) -> EffectivePolicy:
    calendar = terms.get("calendar")
    return EffectivePolicy(
        None,
        first_response_seconds=None,
        next_response_seconds=None,
        resolution_seconds=None,
        calendar=_calendar_of(**calendar) if calendar else None,
        warn_ratio=terms.get("warn_ratio", DEFAULT_WARN_RATIO),
        breach_actions=tuple(terms.get("breach_actions", ())),
    )


# --- clocks -----------------------------------------------------------------------------------------------


def get_clock(session: Session, *, conversation_id: int, metric: str) -> SlaClock | None:
    return session.scalar(
        select(SlaClock).where(SlaClock.conversation_id == conversation_id, SlaClock.metric == metric)
    )


def start_clocks(
    session: Session, *, conversation: Conversation, metrics: Iterable[str], now: datetime
) -> int:
    """Start the clocks of a conversation that has none yet: one policy read, one INSERT; returns how many.

    Every conversation opens with them, so they are written directly rather than through the session
    (nothing holds them yet; whoever needs them later reads them).
    """
    policy = policy_for(
        session, channel=conversation.channel, tier=conversation.tier, priority=conversation.priority
    )
    rows = []
    for metric in metrics:
        target = policy.target(metric)
        if target is not None:
            # Worked out on a plain object, never added: the row is inserted below.
            clock = cast(SlaClock, SimpleNamespace(conversation_id=conversation.id, metric=metric))
            _run_from(clock, policy, target=target, now=now)
            rows.append({name: getattr(clock, name) for name in _STARTED_COLUMNS})
    if rows:
        run(session.connection(), _INSERT_CLOCK, rows)
    return len(rows)


_INSERT_CLOCK = insert(SlaClock.__table__)
_STARTED_COLUMNS = (
    "conversation_id",
    "metric",
    "policy_id",
    "target_seconds",
    "state",
    "started_at",
    "running_since",
    "elapsed_seconds",
    "warn_at",
    "due_at",
    "fire_at",
)


def start_clock(
    session: Session, *, conversation: Conversation, metric: str, now: datetime
) -> SlaClock | None:
    """Start (or restart) the conversation's ``metric`` clock under its policy; None without a target."""
    policy = policy_for(
        session, channel=conversation.channel, tier=conversation.tier, priority=conversation.priority
    )
    target = policy.target(metric)
    if target is None:
        return None
    clock = get_clock(session, conversation_id=conversation.id, metric=metric)
    if clock is None:
        clock = SlaClock(conversation_id=conversation.id, metric=metric)
        session.add(clock)
    _run_from(clock, policy, target=target, now=now)
    session.flush()
    return clock


def _run_from(clock: SlaClock, policy: EffectivePolicy, *, target: int, now: datetime) -> None:
    clock.policy_id = policy.policy_id
    clock.policy_terms = None  # a clock started afresh counts under the policy in force now
    clock.target_seconds = target
    clock.state = ClockState.RUNNING
    clock.started_at = clock.running_since = now
    clock.elapsed_seconds = 0.0
    clock.warned_at = clock.breached_at = clock.stopped_at = None
    _schedule(clock, policy)


def _schedule(clock: SlaClock, policy: EffectivePolicy) -> None:
    """Work out warn_at, due_at and fire_at of a running clock from what it has used so far."""
    assert clock.running_since is not None
    calendar, since = policy.calendar, clock.running_since
    clock.due_at = add_business_seconds(calendar, since, clock.target_seconds - clock.elapsed_seconds)
    warn_point = clock.target_seconds * policy.warn_ratio - clock.elapsed_seconds
    clock.warn_at = add_business_seconds(calendar, since, max(0.0, warn_point))
    if clock.warned_at is None and clock.breached_at is None:
        clock.fire_at = min(clock.warn_at, clock.due_at)
    elif clock.breached_at is None:
        clock.fire_at = clock.due_at
    else:
        clock.fire_at = None


def pause_clock(session: Session, clock: SlaClock, policy: EffectivePolicy, *, now: datetime) -> None:
    """Stop counting (the conversation waits on the customer). The caller's flush writes it."""
    if clock.state != ClockState.RUNNING or clock.running_since is None:
        return
    clock.elapsed_seconds += business_seconds_between(policy.calendar, clock.running_since, now)
    clock.state = ClockState.PAUSED
    clock.running_since = clock.warn_at = clock.due_at = clock.fire_at = None


def resume_clock(session: Session, clock: SlaClock, policy: EffectivePolicy, *, now: datetime) -> None:
    """Count again from ``now``, with the time already used. The caller's flush writes it."""
    if clock.state == ClockState.RUNNING:
        return
    clock.state = ClockState.RUNNING
    clock.running_since = now
    clock.stopped_at = None
    _schedule(clock, policy)


def stop_clock(session: Session, clock: SlaClock, policy: EffectivePolicy, *, now: datetime) -> None:
    """The target is reached (met, or missed if the clock had breached). The caller's flush writes it."""
    if clock.state in (ClockState.MET, ClockState.MISSED):
        return
    if clock.state == ClockState.RUNNING and clock.running_since is not None:
        clock.elapsed_seconds += business_seconds_between(policy.calendar, clock.running_since, now)
    clock.state = ClockState.MISSED if clock.breached_at else ClockState.MET
    clock.running_since = clock.fire_at = None
    clock.stopped_at = now


def clocks_of(session: Session, *, conversation_id: int) -> list[SlaClock]:
    """The conversation's clocks (every status change reads them: one plain statement, see ``db.load_by``)."""
    return load_by(session, SlaClock, "conversation_id", conversation_id)


def due_times(session: Session, *, conversation_ids: Iterable[int]) -> dict[int, datetime]:
    """The earliest breach instant of each conversation's running clocks (for the inbox countdown)."""
    ids = list(conversation_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(SlaClock.conversation_id, func.min(SlaClock.due_at))
        .where(SlaClock.conversation_id.in_(ids), SlaClock.state == ClockState.RUNNING)
        .group_by(SlaClock.conversation_id)
    )
    return {conversation_id: due for conversation_id, due in rows if due is not None}


# --- the loop's work: warnings and breaches ----------------------------------------------------------------


def fire_due_clocks(session: Session, *, now: datetime | None = None, limit: int = 200) -> int:
    """Warn or breach every clock whose ``fire_at`` has come; returns how many fired.

    Each clock is claimed with ``UPDATE … WHERE id = ? AND fire_at = ?`` in the same transaction as its
    events, so several loops can run and none fires a clock twice.
    """
    now = now or utcnow()
    if session.get_bind().dialect.name == "sqlite":
        # Take the write lock before reading: a WAL reader that writes later would fail on a stale snapshot.
        session.execute(update(SlaClock).where(SlaClock.id == -1).values(fire_at=None))
    due = session.execute(
        select(SlaClock.id, SlaClock.fire_at)
        .where(SlaClock.fire_at <= now)
        .order_by(SlaClock.fire_at)
        .limit(limit)
    ).all()
    fired = 0
    for clock_id, fire_at in due:
        clock = session.get(SlaClock, clock_id)
        if clock is None:
            continue
        session.refresh(clock)
        if clock.fire_at != fire_at or clock.due_at is None:
            continue
        breach = clock.breached_at is None and clock.due_at <= now
        values = (
            {"fire_at": None, "breached_at": now} if breach else {"fire_at": clock.due_at, "warned_at": now}
        )
        claimed = session.execute(
            update(SlaClock)
            .where(SlaClock.id == clock_id, SlaClock.fire_at == fire_at)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        session.refresh(clock)
        conversation = session.get(Conversation, clock.conversation_id)
        if conversation is not None:
            _announce(session, clock, conversation, breach=breach, now=now)
        fired += 1
    return fired


def _announce(
    session: Session, clock: SlaClock, conversation: Conversation, *, breach: bool, now: datetime
) -> None:
    policy = policy_of_clock(session, clock, conversation)
    actions = list(policy.breach_actions) if breach else []
    record_event(
        session,
        kind=EventKind.SLA_BREACHED if breach else EventKind.SLA_WARNING,
        actor_kind=ActorKind.SYSTEM,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={
            "metric": clock.metric,
            "target_seconds": clock.target_seconds,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
            "actions": actions,
        },
    )
    send_on_commit(
        session,
        {
            "type": "sla.breached" if breach else "sla.warning",
            "conversation_id": conversation.id,
            "metric": clock.metric,
            "assignee_id": conversation.assignee_id,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
            "audience": "team_lead" if BreachAction.NOTIFY_TEAM_LEAD in actions else "assignee",
        },
    )
    if BreachAction.RAISE_PRIORITY in actions:
        _raise_priority(session, conversation)
    if BreachAction.REQUEUE in actions and conversation.assignee_id is not None:
        from firstline.routing.service import dispatch, requeue  # routing sits above SLA

        requeue(session, conversation_id=conversation.id, reason="sla_breach", now=now)
        dispatch(session, now=now)


_HIGHER = {"low": "normal", "normal": "high", "high": "urgent"}


def _raise_priority(session: Session, conversation: Conversation) -> None:
    from firstline.conversations.service import update_attributes

    if conversation.priority in _HIGHER:
        update_attributes(
            session,
            conversation_id=conversation.id,
            actor_agent_id=None,
            priority=_HIGHER[conversation.priority],
        )


@dataclass(frozen=True)
class AtRisk:
    conversation_id: int
    metric: str
    due_at: datetime
    breached: bool


def clocks_at_risk(
    session: Session, *, now: datetime, horizon_seconds: int = 120, limit: int = 50
) -> list[AtRisk]:
    """Running clocks already breached or due within ``horizon_seconds``: the chats about to breach."""
    rows = session.execute(
        select(SlaClock.conversation_id, SlaClock.metric, SlaClock.due_at, SlaClock.breached_at)
        .where(
            SlaClock.state == ClockState.RUNNING, SlaClock.due_at <= now + timedelta(seconds=horizon_seconds)
        )
        .order_by(SlaClock.due_at)
        .limit(limit)
    )
    return [AtRisk(cid, metric, due, breached is not None) for cid, metric, due, breached in rows]
