"""The chat queue: enqueueing, dispatching to agents, offers, hand-backs and the customer's view.

Hooks for the chat transport:

- ``enqueue(session, conversation_id=…, language=…, first_message=…)`` when a customer starts a chat;
- ``queue_status(session, conversation_id=…)`` for the widget (position, expected wait, a sentence in
  the customer's language); ``queue.updated`` notifications carry the same payload when it changes;
- ``accept_offer`` / ``decline_offer`` when an agent answers a ``routing.offer`` notification;
- ``firstline.routing.presence.heartbeat`` while an agent's console is connected.

Dispatching is serialized across processes (an advisory lock on PostgreSQL, the write lock on SQLite),
so two workers never fill the same free slot.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    delete,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from firstline.conversations.direct import track_direct_insert
from firstline.conversations.models import AuthorKind, Channel, Conversation, Message
from firstline.conversations.service import assign, get_conversation, post_message, update_attributes
from firstline.customers.service import customer_column
from firstline.kit.errors import Conflict
from firstline.kit.languages import check_language
from firstline.kit.notify import send_on_commit
from firstline.kit.statements import run
from firstline.kit.time import utcnow
from firstline.routing import config as routing_config
from firstline.routing import messages
from firstline.routing.config import Mode, RoutingConfig
from firstline.routing.floor import OPEN_STATUSES, agent_snapshots, online_floor
from firstline.routing.language import detect_language
from firstline.routing.matcher import AgentPool, Match, RoutingRules, Stage, WaitingChat
from firstline.routing.metrics import record_queued
from firstline.routing.models import AgentPresence, QueueEntry, QueueState
from firstline.routing.positions import (
    QueueStatus,
    WaitEstimator,
    average_handle_seconds,
    expected_wait_seconds,
    places,
    refresh_positions,
)
from firstline.timeline.service import ActorKind, EventKind, record_event

__all__ = [  # read from here by the chat transport, the API and the tests
    "QueueStatus",
    "agent_snapshots",
    "average_handle_seconds",
    "expected_wait_seconds",
]

PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
_DISPATCH_LOCK_KEY = 7_304_001  # pg_advisory_xact_lock key of the dispatcher
# The dispatcher reads the head of the queue in batches of this size, at most this many batches a run.
DISPATCH_BATCH = 200
DISPATCH_MAX_BATCHES = 10


# --- entering and leaving the queue ---------------------------------------------------------------------


def enqueue(
    session: Session,
    *,
    conversation_id: int,
    language: str | None = None,
    first_message: str | None = None,
    now: datetime | None = None,
) -> QueueStatus:
    """Put a chat in the queue and try to place it at once.

    ``language`` is the customer's own choice; without one the language is detected from
    ``first_message`` (or the first customer message stored), else the conversation's stays.
    Calling it again for a queued or assigned conversation changes nothing.
    """
    now = now or utcnow()
    conversation = get_conversation(session, conversation_id=conversation_id)
    if conversation.status not in OPEN_STATUSES:
        raise Conflict(f"Conversation {conversation.reference} is {conversation.status}; it cannot wait.")
    if conversation.assignee_id is None and not _is_queued(session, conversation.id):
        chosen, source, score = _routing_language(session, conversation, language, first_message)
        if chosen != conversation.language:
            update_attributes(session, conversation_id=conversation.id, actor_agent_id=None, language=chosen)
        entry = _add_entry(session, conversation, now=now, front=False, language_source=source)
        metrics = record_queued(session, conversation_id=conversation.id, at=now, requeued=False)
        record_event(
            session,
            kind=EventKind.QUEUED,
            actor_kind=ActorKind.SYSTEM,
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            data={"language": chosen, "language_source": source, "score": score},
        )
        dispatch(session, now=now)
        del metrics  # held until here: the assignment's reactions update the row without reading it again
        if conversation.assignee_id is not None:
            return _assigned(conversation)
        # Still in line: the customer, and anyone this chat went ahead of (a VIP), hear where they stand.
        told = refresh_positions(
            session,
            languages=[entry.language],
            email_weight=routing_config.current().rules.email_weight,
        )
        if conversation.id in told:
            return told[conversation.id]
    return queue_status(session, conversation_id=conversation.id, now=now)


def _assigned(conversation: Conversation) -> QueueStatus:
    language = conversation.language
    return QueueStatus(conversation.id, "assigned", language, text=messages.text(language, "assigned"))


def _routing_language(
    session: Session, conversation: Conversation, chosen: str | None, first_message: str | None
) -> tuple[str, str, float | None]:
    if chosen:
        return check_language(chosen), "customer", None
    if first_message is None:
        first_message = session.scalar(
            select(Message.body)
            .where(Message.conversation_id == conversation.id, Message.author_kind == AuthorKind.CUSTOMER)
            .order_by(Message.seq)
            .limit(1)
        )
    detection = detect_language(first_message) if first_message else None
    if detection is None:
        return conversation.language, "default", None
    return detection.language, "detected", round(detection.score, 3)


def _add_entry(
    session: Session, conversation: Conversation, *, now: datetime, front: bool, language_source: str
) -> QueueEntry:
    """Insert the conversation's queue entry: one INSERT, the entry attached to the session as if loaded."""
    vip_tier = customer_column(session, customer_id=conversation.customer_id, column="vip_tier")
    values: dict[str, Any] = {
        "conversation_id": conversation.id,
        "language": conversation.language,
        "language_source": language_source,
        "tier": conversation.tier,
        "category": conversation.category,
        "priority_rank": PRIORITY_RANK.get(conversation.priority, 1),
        "vip_tier": vip_tier or 0,
        "front": front,
        "enqueued_at": now,
        "state": QueueState.WAITING,
        "offered_agent_id": None,
        "offer_expires_at": None,
        "declined_agent_ids": [],
        "overflow_stage": 0,
        "last_position": None,
    }
    entry = QueueEntry(id=run(session.connection(), _INSERT_ENTRY, values).scalar_one(), **values)
    make_transient_to_detached(entry)
    session.add(entry)
    track_direct_insert(session, entry)
    return entry


def _entry(session: Session, conversation_id: int) -> QueueEntry | None:
    return session.scalar(select(QueueEntry).where(QueueEntry.conversation_id == conversation_id))


def _is_queued(session: Session, conversation_id: int) -> bool:
    return run(session.connection(), _QUEUED, {"queued_conversation": conversation_id}).first() is not None


def remove_from_queue(session: Session, *, conversation_id: int) -> bool:
    """Take a conversation out of the queue (assigned, resolved…); True if it was there.

    Every assignment runs it (a reaction), so it is one DELETE, with no read first; an entry the session
    holds is let go by its id rather than by searching everything the session holds.
    """
    removed = run(session.connection(), _DELETE_ENTRY, {"conversation_id": conversation_id}).scalars()
    for entry_id in removed:
        held = session.identity_map.get(identity_key(QueueEntry, entry_id))
        if held is not None:
            session.expunge(held)
    return bool(removed)


def requeue(
    session: Session, *, conversation_id: int, reason: str, now: datetime | None = None
) -> QueueEntry | None:
    """Hand a conversation back to the FRONT of the queue and tell the customer, automatically.

    Does nothing for a conversation that is resolved or closed. The caller dispatches afterwards.
    """
    now = now or utcnow()
    conversation = get_conversation(session, conversation_id=conversation_id)
    if conversation.status not in OPEN_STATUSES:
        return None
    previous = conversation.assignee_id
    if previous is not None:
        assign(session, conversation_id=conversation.id, assignee_id=None, actor=None)
    entry = _entry(session, conversation.id)
    if entry is None:
        entry = _add_entry(session, conversation, now=now, front=True, language_source="requeue")
    else:
        entry.front = True
    record_queued(session, conversation_id=conversation.id, at=now, requeued=True)
    record_event(
        session,
        kind=EventKind.REQUEUED,
        actor_kind=ActorKind.SYSTEM,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={"from": previous, "reason": reason},
    )
    if conversation.channel == Channel.CHAT:
        post_message(
            session,
            conversation_id=conversation.id,
            author_kind=AuthorKind.SYSTEM,
            body=messages.text(conversation.language, "requeued"),
            is_automatic=True,
        )
    return entry


def release_agent(session: Session, *, agent_id: int, reason: str, now: datetime | None = None) -> list[int]:
    """An agent left: their open chats go back to the front of the queue, their offers to others."""
    now = now or utcnow()
    for entry in session.scalars(
        select(QueueEntry).where(
            QueueEntry.state == QueueState.OFFERED, QueueEntry.offered_agent_id == agent_id
        )
    ):
        _withdraw_offer(session, entry, kind=EventKind.OFFER_EXPIRED)
    chats = list(
        session.scalars(
            select(Conversation.id)
            .where(
                Conversation.assignee_id == agent_id,
                Conversation.status.in_(OPEN_STATUSES),
                Conversation.channel == Channel.CHAT,
            )
            .order_by(Conversation.created_at, Conversation.id)
        )
    )
    languages = set()
    for conversation_id in chats:
        entry = requeue(session, conversation_id=conversation_id, reason=reason, now=now)
        if entry is not None:
            languages.add(entry.language)
    dispatch(session, now=now)
    refresh_positions(session, languages=languages, email_weight=routing_config.current().rules.email_weight)
    return chats


# --- dispatching ------------------------------------------------------------------------------------------


def dispatch(
    session: Session, *, now: datetime | None = None, config: RoutingConfig | None = None
) -> list[Match]:
    """Match waiting chats with free online agents, assign or offer them, and update everyone's position.

    Cost does not grow with the queue: with nobody free it reads only the agents' loads; otherwise it
    reads, in queue order and in bounded batches, only the waiting chats some free agent could serve,
    and stops as soon as every agent is full.
    """
    now = now or utcnow()
    config = config or routing_config.current(session)
    _serialize_dispatchers(session)
    floor = online_floor(session, email_weight=config.rules.email_weight)
    agents, pool = floor.agents, AgentPool(floor, rules=config.rules)
    placed: list[tuple[Match, _Queued]] = []
    for queued in _waiting_head(session, pool, now=now, rules=config.rules):
        if not pool.has_room():
            break
        found = pool.place(queued.chat, now=now)
        if found is not None:
            placed.append((found, queued))
    if not placed:
        return []
    entries = _entries_by_id(session, [queued.entry_id for _, queued in placed])
    moved_up = set()
    for found, queued in placed:
        entry = entries[queued.entry_id]
        if found.stage > Stage.PRIMARY:
            _record_overflow(session, entry, found)
        if config.mode == Mode.OFFER:  # an offered chat keeps its place in line
            _offer(session, entry, found.agent_id, now=now, timeout=config.offer_timeout_seconds)
            continue
        _assign_from_queue(session, entry, found.agent_id, now=now)
        # Places told so far counted this chat only if it was ever told one itself; a chat placed as it
        # arrived leaves everyone's place as it was.
        if queued.last_position is not None:
            moved_up.add(queued.chat.language)
    if moved_up:
        estimator = WaitEstimator(
            session, agents=agents, email_weight=config.rules.email_weight, loads=pool.loads()
        )
        refresh_positions(session, languages=moved_up, estimator=estimator)
    return [found for found, _ in placed]


def _entries_by_id(session: Session, ids: list[int]) -> dict[int, QueueEntry]:
    """The queue entries with ``ids``, reading only those the session does not hold fresh already."""
    found: dict[int, QueueEntry] = {}
    missing = []
    for entry_id in ids:
        held = session.identity_map.get(identity_key(QueueEntry, entry_id))
        if isinstance(held, QueueEntry) and not inspect(held).expired:
            found[entry_id] = held
        else:
            missing.append(entry_id)
    if missing:
        found.update(
            (entry.id, entry)
            for entry in session.scalars(select(QueueEntry).where(QueueEntry.id.in_(missing)))
        )
    return found


def _serialize_dispatchers(session: Session) -> None:
    """Hold a transaction-long lock so concurrent dispatchers see each other's assignments."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DISPATCH_LOCK_KEY})
    else:  # SQLite: any write statement, even one that changes no row, holds the write lock until commit
        session.connection().exec_driver_sql("UPDATE queue_entry SET front = front WHERE id = -1")


@dataclass(frozen=True)
class _Queued:
    entry_id: int
    last_position: int | None
    chat: WaitingChat


def _waiting_head(
    session: Session, pool: AgentPool, *, now: datetime, rules: RoutingRules
) -> Iterator[_Queued]:
    """Waiting chats that one of the pool's free agents might serve, in queue order, batch by batch."""
    if not pool.has_room():
        return
    languages, tiers, english = pool.open_profile()
    query = _waiting_query(english)
    params: dict[str, object] = {"languages": sorted(languages), "tiers": sorted(tiers)}
    if english:
        params["overflowed"] = now - timedelta(seconds=rules.english_after_seconds)
    session.flush()  # as the ORM's autoflush would: queue changes of this transaction count
    connection = session.connection()
    for batch in range(DISPATCH_MAX_BATCHES):
        rows = connection.execute(query, {**params, "skip": batch * DISPATCH_BATCH}).all()
        for row in rows:
            chat = WaitingChat(
                conversation_id=row.conversation_id,
                language=row.language,
                tier=row.tier,
                category=row.category,
                enqueued_at=row.enqueued_at,
                priority_rank=row.priority_rank,
                vip_tier=row.vip_tier,
                front=row.front,
                declined_by=frozenset(row.declined_agent_ids or ()),
            )
            yield _Queued(row.id, row.last_position, chat)
        if len(rows) < DISPATCH_BATCH or not pool.has_room():
            return


@cache
def _waiting_query(english: bool) -> Select[Any]:
    """Waiting chats in the given languages and tiers (with ``english``: or waiting since ``overflowed``),
    in queue order, one batch from ``skip``. Built once, run on every dispatch."""
    serves_language: ColumnElement[bool] = QueueEntry.language.in_(bindparam("languages", expanding=True))
    if english:  # fluent English speakers take any language once a chat has waited long enough
        serves_language = or_(serves_language, QueueEntry.enqueued_at <= bindparam("overflowed"))
    return (
        select(
            QueueEntry.id,
            QueueEntry.last_position,
            QueueEntry.conversation_id,
            QueueEntry.language,
            QueueEntry.tier,
            QueueEntry.category,
            QueueEntry.enqueued_at,
            QueueEntry.priority_rank,
            QueueEntry.vip_tier,
            QueueEntry.front,
            QueueEntry.declined_agent_ids,
        )
        .where(
            QueueEntry.state == QueueState.WAITING,
            QueueEntry.tier.in_(bindparam("tiers", expanding=True)),
            serves_language,
        )
        .order_by(  # queue_order, in SQL
            QueueEntry.front.desc(),
            QueueEntry.vip_tier.desc(),
            QueueEntry.priority_rank.desc(),
            QueueEntry.enqueued_at,
            QueueEntry.conversation_id,
        )
        .limit(DISPATCH_BATCH)
        .offset(bindparam("skip", type_=Integer))
    )


def _record_overflow(session: Session, entry: QueueEntry, found: Match) -> None:
    entry.overflow_stage = int(found.stage)
    record_event(
        session,
        kind=EventKind.OVERFLOWED,
        actor_kind=ActorKind.SYSTEM,
        conversation_id=entry.conversation_id,
        data={"language": entry.language, "stage": found.stage.name.lower(), "agent_id": found.agent_id},
    )


def _assign_from_queue(session: Session, entry: QueueEntry, agent_id: int, *, now: datetime) -> None:
    """Give the queued chat to the agent; the assignment's reaction takes it out of the queue."""
    conversation_id, language = entry.conversation_id, entry.language
    assign(session, conversation_id=conversation_id, assignee_id=agent_id, actor=None)
    _touch_idle(session, agent_id, now)
    status = QueueStatus(conversation_id, "assigned", language, text=messages.text(language, "assigned"))
    send_on_commit(session, status.payload())


def _touch_idle(session: Session, agent_id: int, now: datetime) -> None:
    run(session.connection(), _TOUCH_IDLE, {"presence_agent": agent_id, "idle_since": now})


# Plain table statements, built once: they run on every assignment and change no object the session holds
# (a queue entry deleted here is let go by its id; presence rows are not held across dispatches).
_queue = QueueEntry.__table__
_DELETE_ENTRY = (
    delete(_queue).where(_queue.c.conversation_id == bindparam("conversation_id")).returning(_queue.c.id)
)
_QUEUED = select(_queue.c.id).where(_queue.c.conversation_id == bindparam("queued_conversation"))
_INSERT_ENTRY = insert(_queue).returning(_queue.c.id)
_presence = AgentPresence.__table__
_TOUCH_IDLE = (
    update(_presence)
    .where(_presence.c.agent_id == bindparam("presence_agent"))
    .values(idle_since=bindparam("idle_since"))
)


def _offer(session: Session, entry: QueueEntry, agent_id: int, *, now: datetime, timeout: int) -> None:
    entry.state = QueueState.OFFERED
    entry.offered_agent_id = agent_id
    entry.offer_expires_at = now + timedelta(seconds=timeout)
    session.flush()
    _touch_idle(session, agent_id, now)
    record_event(
        session,
        kind=EventKind.OFFERED,
        actor_kind=ActorKind.SYSTEM,
        conversation_id=entry.conversation_id,
        data={"agent_id": agent_id, "expires_at": entry.offer_expires_at.isoformat()},
    )
    send_on_commit(
        session,
        {
            "type": "routing.offer",
            "conversation_id": entry.conversation_id,
            "agent_id": agent_id,
            "expires_at": entry.offer_expires_at.isoformat(),
        },
    )


# --- offers -----------------------------------------------------------------------------------------------


def accept_offer(
    session: Session, *, conversation_id: int, agent_id: int, now: datetime | None = None
) -> Conversation:
    """The agent takes the chat offered to them."""
    now = now or utcnow()
    entry = _offered_to(session, conversation_id, agent_id)
    if entry.offer_expires_at is not None and entry.offer_expires_at <= now:
        raise Conflict("The offer expired; the chat goes to the next agent.")
    _assign_from_queue(session, entry, agent_id, now=now)
    return get_conversation(session, conversation_id=conversation_id)


def decline_offer(
    session: Session, *, conversation_id: int, agent_id: int, now: datetime | None = None
) -> None:
    """The agent passes; the chat is offered to the next agent."""
    entry = _offered_to(session, conversation_id, agent_id)
    _withdraw_offer(session, entry, kind=EventKind.OFFER_DECLINED)
    dispatch(session, now=now)


def _offered_to(session: Session, conversation_id: int, agent_id: int) -> QueueEntry:
    entry = _entry(session, conversation_id)
    if entry is None or entry.state != QueueState.OFFERED or entry.offered_agent_id != agent_id:
        raise Conflict("This chat is not offered to you (any more).")
    return entry


def _withdraw_offer(session: Session, entry: QueueEntry, *, kind: EventKind) -> None:
    agent_id = entry.offered_agent_id
    entry.state = QueueState.WAITING
    entry.offered_agent_id = None
    entry.offer_expires_at = None
    if agent_id is not None:
        entry.declined_agent_ids = sorted({*(entry.declined_agent_ids or ()), agent_id})
    session.flush()
    record_event(
        session,
        kind=kind,
        actor_kind=ActorKind.AGENT if kind == EventKind.OFFER_DECLINED else ActorKind.SYSTEM,
        actor_agent_id=agent_id if kind == EventKind.OFFER_DECLINED else None,
        conversation_id=entry.conversation_id,
        data={"agent_id": agent_id},
    )


def expire_offers(session: Session, *, now: datetime | None = None, limit: int = 500) -> int:
    """Take back offers whose time ran out and offer those chats to the next agent; returns how many.

    Each offer is claimed with a conditional UPDATE, so concurrent loops never expire one twice.
    """
    now = now or utcnow()
    due = session.execute(
        select(QueueEntry.id, QueueEntry.offer_expires_at)
        .where(QueueEntry.state == QueueState.OFFERED, QueueEntry.offer_expires_at <= now)
        .order_by(QueueEntry.offer_expires_at)
        .limit(limit)
    ).all()
    expired = 0
    for entry_id, expires_at in due:
        claimed = session.execute(
            update(QueueEntry)
            .where(QueueEntry.id == entry_id, QueueEntry.offer_expires_at == expires_at)
            .values(offer_expires_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        entry = session.get(QueueEntry, entry_id)
        if claimed and entry is not None:
            session.refresh(entry)
            _withdraw_offer(session, entry, kind=EventKind.OFFER_EXPIRED)
            expired += 1
    if expired:
        dispatch(session, now=now)
    return expired


# --- what the customer sees ----------------------------------------------------------------------------------


def queue_status(session: Session, *, conversation_id: int, now: datetime | None = None) -> QueueStatus:
    """Position in line, expected wait and a sentence in the customer's language."""
    conversation = get_conversation(session, conversation_id=conversation_id)
    entry = _entry(session, conversation_id)
    if entry is None:
        if conversation.assignee_id is not None and conversation.status in OPEN_STATUSES:
            return _assigned(conversation)
        return QueueStatus(conversation_id, "not_queued", conversation.language)
    place = places(session, languages=[entry.language])[conversation_id]
    estimator = WaitEstimator(
        session, agents=agent_snapshots(session), email_weight=routing_config.current().rules.email_weight
    )
    return estimator.status(place)
