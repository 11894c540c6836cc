"""What a waiting customer is told: their place among the chats in their language and the expected wait.

Positions are worked out when they are needed, from the queue's sort keys alone (no ORM objects):
when a chat joins the line, when chats leave it, and once a second from the routing tick, which
catches every other change (a chat picked up by hand, closed while waiting, handed back). Only
customers whose place changed since they were last told (``queue_entry.last_position``) get a
``queue.updated`` notification.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from firstline.kit.notify import send_on_commit
from firstline.routing import messages
from firstline.routing.floor import agent_snapshots
from firstline.routing.matcher import AgentSnapshot, WaitingChat, language_stage, queue_order
from firstline.routing.models import ConversationMetrics, QueueEntry

DEFAULT_HANDLE_SECONDS = 600.0
HANDLE_SECONDS_TTL = 30.0  # the mean handle time is an estimate; re-read it at most this often


@dataclass(frozen=True)
class QueueStatus:
    """Where a conversation stands, as the customer is told."""

    conversation_id: int
    state: str  # waiting | offered | assigned | not_queued
    language: str
    position: int | None = None
    expected_wait_seconds: float | None = None
    text: str = ""

    def payload(self) -> dict[str, Any]:
        return {"type": "queue.updated", **asdict(self)}


@dataclass(frozen=True)
class _Place:
    entry_id: int
    conversation_id: int
    state: str
    language: str
    position: int
    last_position: int | None


def places(session: Session, *, languages: Iterable[str]) -> dict[int, _Place]:
    """Each queued conversation of ``languages``: its place among the chats of its language, from 1."""
    wanted = sorted(set(languages))
    if not wanted:
        return {}
    rows = session.execute(_PLACES, {"languages": wanted}).all()
    keyed = sorted(
        rows,
        key=lambda row: queue_order(
            WaitingChat(
                conversation_id=row.conversation_id,
                language=row.language,
                tier="",
                category="",
                enqueued_at=row.enqueued_at,
                priority_rank=row.priority_rank,
                vip_tier=row.vip_tier,
                front=row.front,
            )
        ),
    )
    counters: dict[str, int] = {}
    found: dict[int, _Place] = {}
    for row in keyed:
        counters[row.language] = counters.get(row.language, 0) + 1
        found[row.conversation_id] = _Place(
            row.id,
            row.conversation_id,
            str(row.state),
            row.language,
            counters[row.language],
            row.last_position,
        )
    return found


_PLACES = select(
    QueueEntry.id,
    QueueEntry.conversation_id,
    QueueEntry.state,
    QueueEntry.language,
    QueueEntry.front,
    QueueEntry.vip_tier,
    QueueEntry.priority_rank,
    QueueEntry.enqueued_at,
    QueueEntry.last_position,
).where(QueueEntry.language.in_(bindparam("languages", expanding=True)))


class WaitEstimator:
    """Expected waits from the online agents' free slots and the recent mean handle time."""

    def __init__(
        self,
        session: Session,
        *,
        agents: list[AgentSnapshot],
        email_weight: float,
        loads: Mapping[int, float] | None = None,
    ) -> None:
        self._session = session
        self._agents = [agent for agent in agents if agent.online]
        self._loads = loads or {agent.agent_id: agent.load(email_weight) for agent in self._agents}
        self._handle_seconds: float | None = None
        self._capacity: dict[str, tuple[int, int] | None] = {}

    def seconds(self, *, position: int, language: str) -> float | None:
        """Seconds until a slot frees for the chat at ``position``; None when nobody online can take it."""
        if language not in self._capacity:
            serving = [a for a in self._agents if language_stage(a, language) is not None]
            self._capacity[language] = (
                (
                    sum(max(0, math.floor(a.max_chats - self._loads[a.agent_id])) for a in serving),
                    sum(a.max_chats for a in serving),
                )
                if serving
                else None
            )
        capacity = self._capacity[language]
        if capacity is None:
            return None
        free, slots = capacity
        if free >= position:
            return 0.0
        if self._handle_seconds is None:
            self._handle_seconds = average_handle_seconds(self._session)
        return (position - free) * self._handle_seconds / max(1, slots)

    def status(self, place: _Place) -> QueueStatus:
        wait = self.seconds(position=place.position, language=place.language)
        return QueueStatus(
            place.conversation_id,
            place.state,
            place.language,
            position=place.position,
            expected_wait_seconds=wait,
            text=messages.queue_sentence(place.language, position=place.position, expected_wait_seconds=wait),
        )


def expected_wait_seconds(
    *,
    position: int,
    language: str,
    agents: list[AgentSnapshot],
    handle_seconds: float,
    email_weight: float,
) -> float | None:
    """Seconds until a slot frees for the chat at ``position``; None when nobody online can take it."""
    serving = [a for a in agents if a.online and language_stage(a, language) is not None]
    if not serving:
        return None
    free = sum(max(0, math.floor(a.max_chats - a.load(email_weight))) for a in serving)
    if free >= position:
        return 0.0
    slots = sum(a.max_chats for a in serving)
    return (position - free) * handle_seconds / max(1, slots)


_handle_cache: dict[str, tuple[float, float]] = {}


def average_handle_seconds(session: Session) -> float:
    """Mean handle time of the last 200 resolved conversations, or a 10-minute default.

    Read at most every ``HANDLE_SECONDS_TTL`` seconds per database: it only scales an estimate, and
    the read sorts every resolved conversation's metrics.
    """
    key = str(session.get_bind().engine.url)
    cached = _handle_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < HANDLE_SECONDS_TTL:
        return cached[1]
    recent = (
        select(ConversationMetrics.handle_seconds)
        .where(ConversationMetrics.resolved_at.is_not(None), ConversationMetrics.handle_seconds > 0)
        .order_by(ConversationMetrics.resolved_at.desc())
        .limit(200)
        .subquery()
    )
    value = session.scalar(select(func.avg(recent.c.handle_seconds)))
    seconds = float(value) if value else DEFAULT_HANDLE_SECONDS
    _handle_cache[key] = (time.monotonic(), seconds)
    return seconds


def refresh_positions(
    session: Session,
    *,
    languages: Iterable[str] | None = None,
    estimator: WaitEstimator | None = None,
    email_weight: float = 0.5,
) -> dict[int, QueueStatus]:
    """Tell every waiting customer of ``languages`` (None: all) whose place in line changed.

    Returns the statuses sent, by conversation id.
    """
    if languages is None:
        languages = session.scalars(select(QueueEntry.language).distinct()).all()
    found = places(session, languages=languages)
    changed = [place for place in found.values() if place.position != place.last_position]
    if not changed:
        return {}
    if estimator is None:
        estimator = WaitEstimator(session, agents=agent_snapshots(session), email_weight=email_weight)
    table = QueueEntry.__table__
    session.connection().execute(  # one executemany; nothing else reads last_position from ORM objects
        update(table).where(table.c.id == bindparam("entry_id")).values(last_position=bindparam("position")),
        [{"entry_id": place.entry_id, "position": place.position} for place in changed],
    )
    sent: dict[int, QueueStatus] = {}
    for place in changed:
        status = estimator.status(place)
        send_on_commit(session, status.payload())
        sent[place.conversation_id] = status
    return sent
