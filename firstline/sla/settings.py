"""SLA policies as a team lead edits them: durations typed as text, validation, audited create, edit
and delete.

Every change records an event (``sla.policy_created`` / ``_updated`` / ``_deleted``) with who made it and
the values before and after, so "who changed the chat SLA, and when" has an answer. A policy's new targets
apply to clocks started after the change; running clocks keep the target they started with, and keep
counting as they did when their policy is deleted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from firstline.agents.models import Tier
from firstline.conversations.models import Channel, Priority
from firstline.kit.errors import Conflict, InvalidInput, NotFound
from firstline.sla.audit import record_change
from firstline.sla.models import (
    TARGET_FIELDS,
    BreachAction,
    BusinessCalendar,
    ClockState,
    SlaClock,
    SlaPolicy,
)
from firstline.sla.service import DEFAULT_POLICIES, DEFAULT_WARN_RATIO, policy_terms
from firstline.timeline.service import EventKind

TARGET_LABELS = {
    "first_response_seconds": "First response",
    "next_response_seconds": "Next response",
    "resolution_seconds": "Resolution",
}
MAX_TARGET_SECONDS = 365 * 24 * 3600
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_PART = re.compile(r"(\d+)\s*([smhd])")


# --- durations ---------------------------------------------------------------------------------------------


def parse_duration(text: str, *, field: str, label: str) -> int | None:
    """'30s', '15m', '4h', '2d', '1h 30m' or a bare number of seconds; empty text is no target."""
    compact = text.strip().lower()
    if not compact:
        return None
    if compact.lstrip("-").isdigit():
        seconds = int(compact)
    else:
        parts = _DURATION_PART.findall(compact)
        if not parts or _DURATION_PART.sub("", compact).strip():
            raise InvalidInput(
                f"{label}: {text.strip()!r} is not a duration such as 30s, 15m, 4h, 2d or 1h 30m.",
                field=field,
            )
        seconds = sum(int(number) * _UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise InvalidInput(f"{label}: a target must be a positive duration.", field=field)
    if seconds > MAX_TARGET_SECONDS:
        raise InvalidInput(f"{label}: a target is at most 365 days.", field=field)
    return seconds


# --- policies ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyValues:
    name: str
    channel: str
    tier: str | None = None
    priority: str | None = None
    first_response_seconds: int | None = None
    next_response_seconds: int | None = None
    resolution_seconds: int | None = None
    calendar_id: int | None = None  # None: around the clock
    warn_percent: int = round(DEFAULT_WARN_RATIO * 100)
    breach_actions: tuple[str, ...] = field(default=(BreachAction.NOTIFY_TEAM_LEAD,))


def policy_values_from_form(form: Mapping[str, Any]) -> PolicyValues:
    """Typed values from the console form's text; a value that does not parse names its field."""
    text = {name: str(form.get(name) or "").strip() for name in ("name", "channel", "tier", "priority")}
    warn = str(form.get("warn_percent") or "").strip()
    if not warn.isdigit():
        raise InvalidInput("Warning: give a whole percentage between 1 and 99.", field="warn_percent")
    calendar = str(form.get("calendar_id") or "").strip()
    if calendar and not calendar.isdigit():
        raise InvalidInput("Choose a calendar from the list.", field="calendar_id")
    return PolicyValues(
        name=text["name"],
        channel=text["channel"],
        tier=text["tier"] or None,
        priority=text["priority"] or None,
        **{
            name: parse_duration(str(form.get(name) or ""), field=name, label=TARGET_LABELS[name])
            for name in TARGET_FIELDS
        },
        calendar_id=int(calendar) if calendar else None,
        warn_percent=int(warn),
        breach_actions=tuple(form.get("breach_actions") or ()),
    )


def check_policy(session: Session, *, values: PolicyValues, policy_id: int | None = None) -> PolicyValues:
    """Valid values, or the first problem as an error naming its field."""
    name = " ".join(values.name.split())
    if not name or len(name) > 80:
        raise InvalidInput("Give the policy a name of at most 80 characters.", field="name")
    if values.channel not in Channel._value2member_map_:
        raise InvalidInput(f"Unknown channel {values.channel!r}.", field="channel")
    if values.tier is not None and values.tier not in Tier._value2member_map_:
        raise InvalidInput(f"Unknown tier {values.tier!r}.", field="tier")
    if values.priority is not None and values.priority not in Priority._value2member_map_:
        raise InvalidInput(f"Unknown priority {values.priority!r}.", field="priority")
    for target in TARGET_FIELDS:
        seconds = getattr(values, target)
        if seconds is not None and not 0 < seconds <= MAX_TARGET_SECONDS:
            raise InvalidInput(
                f"{TARGET_LABELS[target]}: a target must be a positive duration.", field=target
            )
    if not any(getattr(values, target) for target in TARGET_FIELDS):
        raise InvalidInput("Set at least one target.", field="first_response_seconds")
    if not 1 <= values.warn_percent <= 99:
        raise InvalidInput("Warning: give a whole percentage between 1 and 99.", field="warn_percent")
    actions = tuple(sorted(set(values.breach_actions)))
    if unknown := [action for action in actions if action not in BreachAction._value2member_map_]:
        raise InvalidInput(f"Unknown breach action {unknown[0]!r}.", field="breach_actions")
    if values.calendar_id is not None and session.get(BusinessCalendar, values.calendar_id) is None:
        raise InvalidInput(f"No calendar with id {values.calendar_id}.", field="calendar_id")
    _check_unique(session, values, name=name, policy_id=policy_id)
    return PolicyValues(**{**asdict(values), "name": name, "breach_actions": actions})


def _check_unique(session: Session, values: PolicyValues, *, name: str, policy_id: int | None) -> None:
    others = select(SlaPolicy).where(SlaPolicy.id != (policy_id or 0))
    if session.scalar(others.where(SlaPolicy.name == name)) is not None:
        raise Conflict(f"A policy named {name!r} already exists.", field="name")
    same_scope = session.scalar(
        others.where(
            SlaPolicy.channel == values.channel,
            SlaPolicy.tier.is_(None) if values.tier is None else SlaPolicy.tier == values.tier,
            SlaPolicy.priority.is_(None)
            if values.priority is None
            else SlaPolicy.priority == values.priority,
        )
    )
    if same_scope is not None:
        raise Conflict(
            f"The policy {same_scope.name!r} already covers this channel, tier and priority; edit it instead.",
            field="channel",
        )


def _snapshot(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "channel": policy.channel,
        "tier": policy.tier,
        "priority": policy.priority,
        **{target: getattr(policy, target) for target in TARGET_FIELDS},
        "calendar_id": policy.calendar_id,
        "warn_percent": round(policy.warn_ratio * 100),
        "breach_actions": list(policy.breach_actions or ()),
    }


def _write(policy: SlaPolicy, values: PolicyValues) -> None:
    policy.name, policy.channel = values.name, values.channel
    policy.tier, policy.priority = values.tier, values.priority
    for target in TARGET_FIELDS:
        setattr(policy, target, getattr(values, target))
    policy.calendar_id = values.calendar_id
    policy.warn_ratio = values.warn_percent / 100
    policy.breach_actions = list(values.breach_actions)


def create_policy(session: Session, *, values: PolicyValues, actor_agent_id: int | None) -> SlaPolicy:
    """A new policy; new conversations it matches get its targets from now on."""
    checked = check_policy(session, values=values)
    policy = SlaPolicy()
    _write(policy, checked)
    session.add(policy)
    session.flush()
    _record(session, EventKind.SLA_POLICY_CREATED, policy, actor_agent_id, before=None)
    return policy


def update_policy(
    session: Session, *, policy_id: int, values: PolicyValues, actor_agent_id: int | None
) -> SlaPolicy:
    """Change a policy; records each changed field as [before, after]."""
    policy = get_policy(session, policy_id=policy_id)
    checked = check_policy(session, values=values, policy_id=policy_id)
    before = _snapshot(policy)
    _write(policy, checked)
    session.flush()
    _record(session, EventKind.SLA_POLICY_UPDATED, policy, actor_agent_id, before=before)
    return policy


def delete_policy(session: Session, *, policy_id: int, actor_agent_id: int | None) -> None:
    """Delete a policy. Its clocks keep their targets and schedules: each keeps a copy of the policy's
    calendar, warning and breach actions. New conversations get the next most specific policy."""
    policy = get_policy(session, policy_id=policy_id)
    session.execute(
        update(SlaClock)
        .where(SlaClock.policy_id == policy.id)
        .values(policy_id=None, policy_terms=policy_terms(session, policy))
        .execution_options(synchronize_session="fetch")
    )
    before = _snapshot(policy)
    _record(session, EventKind.SLA_POLICY_DELETED, policy, actor_agent_id, before=before, deleted=True)
    session.delete(policy)
    session.flush()


def clocks_counting_under(session: Session, *, policy_id: int) -> int:
    """How many clocks started under the policy are still running or paused."""
    query = select(func.count()).where(
        SlaClock.policy_id == policy_id, SlaClock.state.in_((ClockState.RUNNING, ClockState.PAUSED))
    )
    return session.scalar(query) or 0


def successor(session: Session, *, policy_id: int) -> SlaPolicy | None:
    """The policy that takes over the conversations ``policy_id`` covers once it is deleted (None: the
    built-in default): the most specific of those covering all of its channel, tier and priority."""
    policy = get_policy(session, policy_id=policy_id)
    broader = session.scalars(
        select(SlaPolicy).where(
            SlaPolicy.id != policy.id,
            SlaPolicy.channel == policy.channel,
            _covers(SlaPolicy.tier, policy.tier),
            _covers(SlaPolicy.priority, policy.priority),
        )
    ).all()
    return max(
        broader, key=lambda row: (row.priority is not None, row.tier is not None, -row.id), default=None
    )


def _covers(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else or_(column.is_(None), column == value)


def _record(
    session: Session,
    kind: EventKind,
    policy: SlaPolicy,
    actor_agent_id: int | None,
    *,
    before: dict[str, Any] | None,
    deleted: bool = False,
) -> None:
    subject = {"policy_id": policy.id, "policy": policy.name}
    after = None if deleted else _snapshot(policy)
    record_change(
        session, kind=kind, actor_agent_id=actor_agent_id, subject=subject, before=before, after=after
    )


def get_policy(session: Session, *, policy_id: int) -> SlaPolicy:
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound(f"No SLA policy with id {policy_id}.")
    return policy


def values_of(policy: SlaPolicy) -> PolicyValues:
    snapshot = _snapshot(policy)
    return PolicyValues(**{**snapshot, "breach_actions": tuple(snapshot["breach_actions"])})


def default_values(channel: str) -> PolicyValues:
    """The built-in targets of ``channel``, as a starting point for a policy of one's own."""
    built_in = DEFAULT_POLICIES.get(channel, DEFAULT_POLICIES[Channel.EMAIL])
    return PolicyValues(
        name=f"{channel.capitalize()} default",
        channel=channel,
        **{target: getattr(built_in, target) for target in TARGET_FIELDS},
        warn_percent=round(built_in.warn_ratio * 100),
        breach_actions=tuple(built_in.breach_actions),
    )


def list_policies(session: Session) -> list[SlaPolicy]:
    """Policies by channel, then the broad ones before the narrow ones."""
    rows = session.scalars(select(SlaPolicy)).all()
    return sorted(rows, key=lambda row: (row.channel, row.tier or "", row.priority or "", row.name))


def channels_on_defaults(policies: Iterable[SlaPolicy]) -> list[str]:
    """Channels with no policy of their own for every tier and priority: the built-in targets apply."""
    covered = {row.channel for row in policies if row.tier is None and row.priority is None}
    return [channel.value for channel in Channel if channel.value not in covered]
