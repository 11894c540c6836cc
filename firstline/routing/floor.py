"""The agents on the floor as the matcher sees them: profile, presence and current load."""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    literal_column,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.conversations.models import Channel, Conversation, Status
from firstline.kit.time import as_utc
from firstline.routing.matcher import AgentSnapshot, Floor
from firstline.routing.models import AgentPresence, Presence, QueueEntry, QueueState, RoutingFloorChange

OPEN_STATUSES = (Status.OPEN.value, Status.PENDING.value)


def agent_snapshots(session: Session, *, online_only: bool = True) -> list[AgentSnapshot]:
    """Active agents with presence, and their current load of chats, offers and emails.

    Inside a dispatcher's lock the loads are exact. On SQLite the online floor is kept between calls and
    only the agents changed since are read again (see ``_Watch``); otherwise one statement whatever the
    queue's length: profiles with presence, joined to the open conversations counted per assignee and to
    the pending offers counted per agent.
    """
    session.flush()  # as the ORM's autoflush would: changes of this transaction count
    connection = session.connection()
    if online_only and connection.dialect.name == "sqlite":
        return [agent for agent in _current(connection).agents.values() if agent.online]
    return _read_all(connection, online_only)


def online_floor(session: Session, *, email_weight: float) -> Floor:
    """The online agents indexed for ``AgentPool``, with their loads at ``email_weight``."""
    session.flush()  # as in agent_snapshots
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return _current(connection).floor(email_weight)
    return Floor(_read_all(connection, True), email_weight=email_weight)


def prune_floor_changes(session: Session, *, keep: int = 10_000) -> int:
    """Delete all but the newest ``keep`` rows of the change log; returns how many went.

    A reader that had not yet seen a pruned row finds the gap and reads the whole floor again.
    """
    return session.connection().execute(_PRUNE, {"keep": keep}).rowcount


def _read_all(connection: Connection, online_only: bool) -> list[AgentSnapshot]:
    rows = connection.execute(_snapshot_query(online_only)).all()
    return _snapshots(rows)


def _snapshots(rows: Iterable[Any]) -> list[AgentSnapshot]:
    if len(_SNAPSHOTS) > _SNAPSHOTS_KEPT:
        _SNAPSHOTS.clear()
    snapshots = _SNAPSHOTS
    return [snapshots.get(raw) or _snapshot(raw) for raw in map(tuple, rows)]


# Between two dispatches most agents' rows come back unchanged (one agent's load moves per assignment):
# their snapshots are reused, keyed by the raw row as a plain tuple, instead of being parsed again.
_SNAPSHOTS: dict[tuple[Any, ...], AgentSnapshot] = {}
_SNAPSHOTS_KEPT = 20_000


# --- the floor kept between reads (SQLite) ------------------------------------------------------------------
# Triggers (migration 0010) log the id of every agent whose profile, presence, idle time, open conversations
# or pending offers change. A reader remembers the newest log row it applied and, on the next read, applies
# the rows after it by reading those agents again. SQLite commits one writer at a time, in id order, so a
# reader never sees a later row without the earlier ones.

MAX_CHANGES = 50  # more log rows since the last read: reading everyone is about as cheap
_WATCHED_TABLES = ("agent", "agent_presence", "conversation", "queue_entry")
_TRIGGERS = tuple(
    f"routing_floor_{table}_{event}" for table in _WATCHED_TABLES for event in ("insert", "update", "delete")
)


@dataclass(frozen=True)
class _State:
    """The floor as of log row ``last_change`` (written for agent ``anchor_agent``)."""

    last_change: int
    anchor_agent: int
    agents: dict[int, AgentSnapshot]  # every active agent with presence, online or not
    floors: dict[float, Floor] = field(default_factory=dict)  # by email weight, built when asked for

    def floor(self, email_weight: float) -> Floor:
        found = self.floors.get(email_weight)
        if found is None:
            found = self.floors[email_weight] = Floor(self.agents.values(), email_weight=email_weight)
        return found

    def patched(
        self, last_change: int, anchor_agent: int, changed: dict[int, AgentSnapshot | None]
    ) -> _State:
        agents = dict(self.agents)
        for agent_id, snapshot in changed.items():
            if snapshot is None:
                agents.pop(agent_id, None)
            else:
                agents[agent_id] = snapshot
        floors = {weight: floor.patched(changed) for weight, floor in self.floors.items()}
        return _State(last_change, anchor_agent, agents, floors)


class _Watch:
    """One engine's kept floor (engines made by ``firstline.db.make_engine``).

    A transaction sees its own uncommitted changes, so the floor it keeps may hold some: the watch
    remembers the connection that last kept it (``reader``) until that connection commits. If that
    connection's transaction, or a savepoint in it, rolls back instead, the floor is dropped (the log ids it
    saw will be written again by others). Rollbacks on other connections leave it alone: what they undo
    was never visible to the reader (a read-only request closing its session rolls back, and must not
    cost the next dispatch a full read). ``generation`` counts the drops: a reader that started from a
    floor dropped while it read starts again from the database, and does not keep what it read.
    """

    def __init__(self) -> None:
        self.state: _State | None = None
        self.generation = 0
        self.reader: object | None = None  # the DB-API connection whose open transaction kept ``state``
        self._lock = threading.Lock()

    def forget(self, *_event_args: Any) -> None:
        with self._lock:
            self.state = None
            self.reader = None
            self.generation += 1

    def keep(self, state: _State, generation: int, reader: object) -> None:
        with self._lock:
            if self.generation == generation:
                self.state = state
                self.reader = reader

    def committed(self, connection: Connection) -> None:
        with self._lock:
            if self.reader is _driver(connection):
                self.reader = None

    def rolled_back(self, connection: Connection, *_event_args: Any) -> None:
        driver = _driver(connection)
        if self.reader is not None and (driver is None or driver is self.reader):
            self.forget()


def _driver(connection: Connection) -> object | None:
    """The DB-API connection under ``connection``; None once it is gone (invalidated, closed)."""
    try:
        return connection.connection.dbapi_connection
    except Exception:  # noqa: BLE001 - any failure to tell means "unknown": the caller drops the floor
        return None


_WATCHES: weakref.WeakKeyDictionary[Engine, _Watch] = weakref.WeakKeyDictionary()
_WATCHES_LOCK = threading.Lock()


def _watch(engine: Engine) -> _Watch:
    watch = _WATCHES.get(engine)
    if watch is None:
        with _WATCHES_LOCK:
            watch = _WATCHES.get(engine)
            if watch is None:
                watch = _WATCHES[engine] = _Watch()
                event.listen(engine, "commit", watch.committed)
                event.listen(engine, "rollback", watch.rolled_back)
                event.listen(engine, "rollback_savepoint", watch.rolled_back)
                # Disposing of the pool is how a database recreated under the same engine is reached.
                event.listen(engine, "engine_disposed", watch.forget)
    return watch


def _current(connection: Connection) -> _State:
    """The floor as this transaction sees it, from the kept one when that can be brought up to date."""
    watch = _watch(connection.engine)
    generation, kept = watch.generation, watch.state
    state = _advanced(connection, kept) if kept is not None else None
    if state is None or watch.generation != generation:
        generation = watch.generation
        state = _reloaded(connection)
        if state is None:  # nothing logged yet, or triggers missing: nothing to keep
            return _State(0, 0, {agent.agent_id: agent for agent in _read_all(connection, True)})
    watch.keep(state, generation, _driver(connection))
    return state


def _advanced(connection: Connection, kept: _State) -> _State | None:
    """``kept`` with the agents logged since read again; None when only a full read can tell."""
    log = connection.exec_driver_sql(_CHANGES_SINCE, (kept.last_change, MAX_CHANGES + 2)).all()
    # The row last applied must still be there, the same: else the log was pruned past it or belongs to
    # another database. Ids are counted without gaps: fewer rows than ids means some were deleted.
    if not log or tuple(log[0]) != (kept.last_change, kept.anchor_agent):
        return None
    last_change, anchor_agent = log[-1]
    if len(log) == 1:
        return kept
    if len(log) > MAX_CHANGES + 1 or last_change - kept.last_change != len(log) - 1:
        return None
    agent_ids = {agent_id for _, agent_id in log[1:]}
    sql, fixed = _changed_sql()
    rows = connection.exec_driver_sql(sql, {**fixed, "agent_ids": json.dumps(sorted(agent_ids))}).all()
    changed: dict[int, AgentSnapshot | None] = dict.fromkeys(agent_ids)
    changed.update((snapshot.agent_id, snapshot) for snapshot in _snapshots(rows))
    return kept.patched(last_change, anchor_agent, changed)


def _reloaded(connection: Connection) -> _State | None:
    """The whole floor as of the newest log row; None when nothing is logged yet or the triggers are missing.

    The log is read first: a change committed between the two reads is then applied again, never lost.
    """
    newest = connection.execute(_NEWEST_CHANGE).first()
    if newest is None or connection.execute(_TRIGGER_COUNT).scalar_one() != len(_TRIGGERS):
        return None
    agents = {snapshot.agent_id: snapshot for snapshot in _read_all(connection, False)}
    return _State(newest.id, newest.agent_id, agents)


def _snapshot(row: tuple[Any, ...]) -> AgentSnapshot:
    agent_id, tier, languages, skills, max_chats, status, idle_since, chats, emails = row
    snapshot = AgentSnapshot(
        agent_id=agent_id,
        online=status == Presence.ONLINE,
        tier=tier,
        languages=_languages(languages),
        skills=_skills(skills),
        max_chats=max_chats,
        idle_since=_instant(idle_since),
        chats=chats,
        emails=emails,
    )
    _SNAPSHOTS[row] = snapshot
    return snapshot


def _instant(raw: datetime | str) -> datetime:
    """``idle_since`` as read raw: SQLite's text (UTC, no offset) or the driver's datetime."""
    return as_utc(datetime.fromisoformat(raw) if isinstance(raw, str) else raw)


def _profile_columns() -> list[Any]:
    """What both floor queries read of an agent before their loads, in ``_snapshot``'s order. The JSON
    columns come as text (both databases), so rows can key the snapshot cache; ``idle_since`` too, parsed
    once per distinct value."""
    return [
        Agent.id,
        Agent.tier,
        cast(Agent.languages, Text),
        cast(Agent.skills, Text),
        Agent.max_concurrent_chats,
        AgentPresence.status,
        type_coerce(AgentPresence.idle_since, Text),
    ]


@cache
def _snapshot_query(online_only: bool) -> Select[Any]:
    """Built once: the dispatcher runs it several times a second."""
    is_chat = Conversation.channel == Channel.CHAT
    loads = (
        select(
            Conversation.assignee_id.label("agent_id"),
            func.sum(case((is_chat, 1), else_=0)).label("chats"),
            func.sum(case((is_chat, 0), else_=1)).label("emails"),
        )
        .where(Conversation.assignee_id.is_not(None), Conversation.status.in_(OPEN_STATUSES))
        .group_by(Conversation.assignee_id)
        .subquery()
    )
    offers = (
        select(QueueEntry.offered_agent_id.label("agent_id"), func.count().label("offers"))
        # Every pending offer has an expiry: the condition lets the expiry index find them.
        .where(QueueEntry.offer_expires_at.is_not(None), QueueEntry.state == QueueState.OFFERED)
        .group_by(QueueEntry.offered_agent_id)
        .subquery()
    )
    query = (
        select(
            *_profile_columns(),
            func.coalesce(loads.c.chats, 0) + func.coalesce(offers.c.offers, 0),
            func.coalesce(loads.c.emails, 0),
        )
        .join(AgentPresence, AgentPresence.agent_id == Agent.id)
        .outerjoin(loads, loads.c.agent_id == Agent.id)
        .outerjoin(offers, offers.c.agent_id == Agent.id)
        .where(Agent.is_active.is_(True))
    )
    return query.where(AgentPresence.status == Presence.ONLINE) if online_only else query


@cache
def _changed_query() -> Select[Any]:
    """``_snapshot_query``'s columns for the agents in the JSON array ``agent_ids``, online or not.

    Each load is counted through an index: the assignee's for conversations, the expiry's for offers
    (SQLite's ``likelihood`` tells its planner how few rows have one).
    """
    open_assigned = (
        select(func.count())
        .where(Conversation.assignee_id == Agent.id, Conversation.status.in_(OPEN_STATUSES))
        .correlate(Agent)
    )
    offers = (
        select(func.count())
        .where(
            QueueEntry.offered_agent_id == Agent.id,
            func.likelihood(QueueEntry.offer_expires_at.is_not(None), literal_column("0.001")),
            QueueEntry.state == QueueState.OFFERED,
        )
        .correlate(Agent)
    )
    is_chat = Conversation.channel == Channel.CHAT
    changed: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam("agent_ids", "[]"))
    )
    return (
        select(
            *_profile_columns(),
            open_assigned.where(is_chat).scalar_subquery() + offers.scalar_subquery(),
            open_assigned.where(~is_chat).scalar_subquery(),
        )
        .join(AgentPresence, AgentPresence.agent_id == Agent.id)
        .where(Agent.is_active.is_(True), Agent.id.in_(changed))
    )


@cache
def _changed_sql() -> tuple[str, dict[str, Any]]:
    """``_changed_query`` as SQLite text and its fixed parameters, run through the driver as is: it runs
    at every dispatch, and SQLAlchemy would key its statement cache by walking the whole statement.
    Its columns need no result processing (text, integers)."""
    compiled = _changed_query().compile(
        dialect=sqlite.dialect(paramstyle="named"), compile_kwargs={"render_postcompile": True}
    )
    return str(compiled), dict(compiled.params)


_Change = RoutingFloorChange
# SQLite only, and run at every dispatch: plain text through the driver (see _changed_sql).
_CHANGES_SINCE = "SELECT id, agent_id FROM routing_floor_change WHERE id >= ? ORDER BY id LIMIT ?"
_NEWEST_CHANGE = select(_Change.id, _Change.agent_id).order_by(_Change.id.desc()).limit(1)
_TRIGGER_COUNT = text(
    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN :names"
).bindparams(bindparam("names", value=list(_TRIGGERS), expanding=True))
_PRUNE = delete(_Change).where(
    _Change.id < select(func.max(_Change.id)).scalar_subquery() - bindparam("keep", type_=Integer)
)


# Dispatching reads every online agent's profile each time; the JSON text rarely changes, so its
# parsed form is cached by value. Both databases hand it over as text (cast in the query), so rows can
# key the snapshot cache.
@lru_cache(maxsize=4096)
def _parse_json(raw: str) -> Any:
    return json.loads(raw)


def _languages(raw: Any) -> dict[str, str]:
    value = _parse_json(raw) if isinstance(raw, str) else raw
    return value if isinstance(value, dict) else {}


def _skills(raw: Any) -> frozenset[str]:
    value = _parse_json(raw) if isinstance(raw, str) else raw
    return frozenset(value or ())
