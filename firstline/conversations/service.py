"""Conversations and messages: the one path for every change to them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from firstline.agents.models import Agent, Tier
from firstline.agents.roles import Permission, has_permission
from firstline.agents.service import check_tier, get_team
from firstline.conversations.direct import track_direct_insert
from firstline.conversations.models import (
    AuthorKind,
    Category,
    Channel,
    Conversation,
    Message,
    Priority,
    Status,
)
from firstline.customers.service import customer_column
from firstline.db import load, write_columns
from firstline.kit.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from firstline.kit.languages import check_language
from firstline.kit.notify import send_on_commit
from firstline.kit.statements import run
from firstline.kit.time import utcnow
from firstline.timeline.service import ActorKind, EventKind, record_event

MAX_BODY_CHARS = 20_000
MAX_CLIENT_MSG_ID = 64

# Allowed status changes. A closed conversation stays closed: a new message starts a new one.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


def _check_choice(value: str, enum: type[Any], field: str) -> str:
    if value not in enum._value2member_map_:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidInput(f"Unknown {field} {value!r}; choose one of: {allowed}.", field=field)
    return value


_INSERT_CONVERSATION = insert(Conversation.__table__).returning(Conversation.__table__.c.id)


def open_conversation(
    session: Session,
    *,
    customer_id: int,
    channel: str,
    subject: str = "",
    language: str | None = None,
    category: str = Category.OTHER,
    priority: str = Priority.NORMAL,
    team_id: int | None = None,
    actor_agent_id: int | None = None,
    previous_conversation_id: int | None = None,
) -> Conversation:
    """Start a conversation with a customer, on L1, unassigned (continuing a closed one when given)."""
    preferred_language = customer_column(session, customer_id=customer_id, column="preferred_language")
    if team_id is not None:
        get_team(session, team_id=team_id)
    now = utcnow()
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "channel": _check_choice(channel, Channel, "channel"),
        "status": Status.OPEN,
        "subject": subject.strip()[:300],
        "language": check_language(language or preferred_language),
        "category": _check_choice(category, Category, "category"),
        "priority": _check_choice(priority, Priority, "priority"),
        "tier": Tier.L1,
        "team_id": team_id,
        "assignee_id": None,
        "tags": [],
        "preview": "",
        "last_seq": 0,
        "created_at": now,
        "updated_at": now,
        "last_message_at": now,
        "first_response_at": None,
        "resolved_at": None,
        "closed_at": None,
        "previous_conversation_id": previous_conversation_id,
    }
    # Every chat starts here: one INSERT, and the object attached as if loaded (no unit-of-work flush).
    conversation = Conversation(
        id=run(session.connection(), _INSERT_CONVERSATION, values).scalar_one(), **values
    )
    make_transient_to_detached(conversation)
    session.add(conversation)
    track_direct_insert(session, conversation)
    data: dict[str, Any] = {"channel": conversation.channel, "language": conversation.language}
    if previous_conversation_id is not None:
        data["follows"] = previous_conversation_id
    record_event(
        session,
        kind=EventKind.CONVERSATION_OPENED,
        actor_kind=ActorKind.AGENT if actor_agent_id else ActorKind.CUSTOMER,
        actor_agent_id=actor_agent_id,
        conversation_id=conversation.id,
        customer_id=customer_id,
        data=data,
    )
    _notify(session, conversation, "conversation.opened")
    return conversation


@dataclass(frozen=True)
class PostedMessage:
    message: Message
    duplicate: bool  # True when the client message id had been stored before: nothing new was written


def post_message(
    session: Session,
    *,
    conversation_id: int,
    author_kind: AuthorKind,
    body: str,
    author_agent_id: int | None = None,
    client_msg_id: str | None = None,
    is_automatic: bool = False,
    client_id_checked: bool = False,
) -> PostedMessage:
    """Store a message with the next sequence number of its conversation.

    A retry carrying a ``client_msg_id`` already stored returns the stored message
    unchanged, so a message is never stored twice. ``client_id_checked`` says the caller looked the id
    up in this conversation within this transaction and found nothing, which saves the lookup.
    """
    body = check_body(body)
    if client_msg_id is not None and not 1 <= len(client_msg_id) <= MAX_CLIENT_MSG_ID:
        raise InvalidInput(
            f"client_msg_id must be 1 to {MAX_CLIENT_MSG_ID} characters.", field="client_msg_id"
        )
    conversation = get_conversation(session, conversation_id=conversation_id)
    if (
        client_msg_id is not None
        and not client_id_checked
        and (
            existing := find_message_by_client_id(
                session, conversation_id=conversation.id, client_msg_id=client_msg_id
            )
        )
    ):
        return PostedMessage(existing, duplicate=True)
    if conversation.status == Status.CLOSED:
        if author_kind != AuthorKind.CUSTOMER:
            raise Conflict(f"Conversation {conversation.reference} is closed; start a new one.")
        # The customer wrote after the case closed: the message starts (or joins) the case that follows it.
        conversation = successor_of(session, conversation=conversation)
        if client_msg_id is not None and (
            existing := find_message_by_client_id(
                session, conversation_id=conversation.id, client_msg_id=client_msg_id
            )
        ):
            return PostedMessage(existing, duplicate=True)
    if client_msg_id is None or _writer_holds_lock(session):
        # No client id, or SQLite (whose writers hold the database's write lock from the start of the
        # transaction): no concurrent retry can insert the same id in between, so no SAVEPOINT is needed.
        message = _insert_message(
            session, conversation, author_kind, body, author_agent_id, client_msg_id, is_automatic
        )
        _after_message(session, conversation, message)
        return PostedMessage(message, duplicate=False)
    try:
        with session.begin_nested():
            message = _insert_message(
                session, conversation, author_kind, body, author_agent_id, client_msg_id, is_automatic
            )
    except IntegrityError:
        # A concurrent retry with the same client id won the race: return what it stored.
        session.expire(conversation)  # its activity columns were set for the insert that was undone
        existing = find_message_by_client_id(
            session, conversation_id=conversation.id, client_msg_id=client_msg_id
        )
        if existing is None:
            raise
        return PostedMessage(existing, duplicate=True)
    _after_message(session, conversation, message)
    return PostedMessage(message, duplicate=False)


def _writer_holds_lock(session: Session) -> bool:
    """True on SQLite: a transaction that reads, then writes, either holds the one write lock or fails.

    WAL mode refuses a write from a read snapshot another writer has moved past, so the client-id
    check and the insert can never be split by someone else's insert.
    """
    return session.get_bind().dialect.name == "sqlite"


def successor_of(session: Session, *, conversation: Conversation) -> Conversation:
    """The open case continuing a closed one, opened now if there is none yet (one per closed case).

    Locks the closed conversation's row first, so two concurrent messages open one successor, not two.
    """
    session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(last_seq=Conversation.last_seq)
        .execution_options(synchronize_session=False)
    )
    successor = session.scalar(
        select(Conversation)
        .where(Conversation.previous_conversation_id == conversation.id)
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    if successor is not None and successor.status != Status.CLOSED:
        return successor
    if successor is not None:  # that one closed too: continue the chain from it
        return successor_of(session, conversation=successor)
    return open_conversation(
        session,
        customer_id=conversation.customer_id,
        channel=conversation.channel,
        subject=conversation.subject,
        language=conversation.language,
        category=conversation.category,
        priority=conversation.priority,
        team_id=conversation.team_id,
        previous_conversation_id=conversation.id,
    )


def check_body(body: str) -> str:
    """The body as stored: NULs removed, trimmed; refused when empty or too long."""
    body = body.replace("\x00", "").strip()
    if not body:
        raise InvalidInput("A message cannot be empty.", field="body")
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInput(f"A message can hold at most {MAX_BODY_CHARS} characters.", field="body")
    return body


_MESSAGE_ID_BY_CLIENT_ID = select(Message.__table__.c.id).where(
    Message.__table__.c.conversation_id == bindparam("conversation_id"),
    Message.__table__.c.client_msg_id == bindparam("client_msg_id"),
)


def find_message_by_client_id(
    session: Session, *, conversation_id: int, client_msg_id: str
) -> Message | None:
    """The message a client stored under ``client_msg_id`` in this conversation, if any (one index probe)."""
    message_id = (
        session.connection()
        .execute(
            _MESSAGE_ID_BY_CLIENT_ID, {"conversation_id": conversation_id, "client_msg_id": client_msg_id}
        )
        .scalar()
    )
    return None if message_id is None else session.get(Message, message_id)


def allocate_seq(session: Session, *, conversation_id: int) -> int:
    """The next sequence number of a conversation, for a message or another sequenced event (chat joins).

    One atomic UPDATE … RETURNING: it holds the conversation row until the transaction ends, so
    numbers are gapless and commit in order, across processes too.
    """
    seq: int = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_seq=Conversation.last_seq + 1)
        .returning(Conversation.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    # Bring a loaded conversation up to date ourselves: half the cost of letting the ORM evaluate it.
    loaded = session.identity_map.get(session.identity_key(Conversation, conversation_id))
    if loaded is not None:
        set_committed_value(loaded, "last_seq", seq)
    return seq


_CONVERSATION = Conversation.__table__
_MESSAGE = Message.__table__
_INSERT_MESSAGE = insert(_MESSAGE).returning(_MESSAGE.c.id)


def _insert_message(
    session: Session,
    conversation: Conversation,
    author_kind: AuthorKind,
    body: str,
    author_agent_id: int | None,
    client_msg_id: str | None,
    is_automatic: bool,
) -> Message:
    """Number and insert a message, and bring the conversation's activity columns along in the same UPDATE.

    The hot path of every channel: two statements, no ORM flush. The Message returned is attached to
    the session as if loaded, with no attachments (uploads are linked by the caller afterwards).
    """
    session.flush()  # pending ORM changes first: the statements below bypass the unit of work
    now = utcnow()
    seq, first_response_at = _advance_conversation(session, conversation, author_kind, body, now)
    values = {
        "conversation_id": conversation.id,
        "seq": seq,
        "author_kind": author_kind,
        "author_agent_id": author_agent_id,
        "body": body,
        "client_msg_id": client_msg_id,
        "is_automatic": is_automatic or author_kind == AuthorKind.SYSTEM,
        "created_at": now,
    }
    message = Message(id=run(session.connection(), _INSERT_MESSAGE, values).scalar_one(), **values)
    make_transient_to_detached(message)
    session.add(message)
    track_direct_insert(session, message)
    set_committed_value(message, "attachments", [])
    if first_response_at is not None:
        set_committed_value(conversation, "first_response_at", first_response_at)
    return message


def _advance_statement(author_kind: AuthorKind) -> Any:
    """UPDATE … RETURNING that numbers a message of ``author_kind`` and records the activity it brings."""
    values: dict[str, Any] = {"last_seq": _CONVERSATION.c.last_seq + 1, "updated_at": bindparam("now")}
    if author_kind != AuthorKind.NOTE:  # a note is internal: it is not customer-facing activity
        values |= {"last_message_at": bindparam("now"), "preview": bindparam("preview")}
    if author_kind == AuthorKind.AGENT:
        values["first_response_at"] = func.coalesce(_CONVERSATION.c.first_response_at, bindparam("now"))
    return (
        update(_CONVERSATION)
        .where(_CONVERSATION.c.id == bindparam("conversation_id"))
        .values(values)
        .returning(_CONVERSATION.c.last_seq, _CONVERSATION.c.first_response_at)
    )


_ADVANCE = {kind: _advance_statement(kind) for kind in AuthorKind}


def _advance_conversation(
    session: Session, conversation: Conversation, author_kind: AuthorKind, body: str, now: datetime
) -> tuple[int, datetime | None]:
    """Allocate the next seq and record the activity a message brings (one UPDATE … RETURNING).

    Like ``allocate_seq`` it holds the conversation row until the transaction ends. The loaded
    conversation is brought up to date without a read.
    """
    preview = body[:200]
    last_seq, first_response_at = run(
        session.connection(),
        _ADVANCE[AuthorKind(author_kind)],
        {"conversation_id": conversation.id, "now": now, "preview": preview},
    ).rows[0]
    set_committed_value(conversation, "last_seq", last_seq)
    set_committed_value(conversation, "updated_at", now)
    if author_kind != AuthorKind.NOTE:
        set_committed_value(conversation, "last_message_at", now)
        set_committed_value(conversation, "preview", preview)
    return last_seq, first_response_at if author_kind == AuthorKind.AGENT else None


def _after_message(session: Session, conversation: Conversation, message: Message) -> None:
    if message.author_kind == AuthorKind.CUSTOMER and conversation.status in (
        Status.PENDING,
        Status.RESOLVED,
    ):
        _set_status(session, conversation, Status.OPEN, actor_kind=ActorKind.CUSTOMER, actor_agent_id=None)
    record_event(session, **message_event(conversation, message))
    announce_message(session, conversation, message)


class StoredFields(Protocol):
    """What the event and the announcement of a stored message read from it (a Message or a plain value)."""

    @property
    def id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def author_kind(self) -> str: ...
    @property
    def author_agent_id(self) -> int | None: ...


def message_event(conversation: Conversation, message: StoredFields) -> dict[str, Any]:
    """The event a stored message is recorded with (``record_event``'s arguments)."""
    note = message.author_kind == AuthorKind.NOTE
    return {
        "kind": EventKind.NOTE_ADDED if note else EventKind.MESSAGE_POSTED,
        "actor_kind": ActorKind.CUSTOMER
        if message.author_kind == AuthorKind.CUSTOMER
        else ActorKind.AGENT
        if message.author_agent_id
        else ActorKind.SYSTEM,
        "actor_agent_id": message.author_agent_id,
        "conversation_id": conversation.id,
        "customer_id": conversation.customer_id,
        "data": {"message_id": message.id, "seq": message.seq, "author_kind": message.author_kind},
    }


def announce_message(session: Session, conversation: Conversation, message: StoredFields) -> None:
    """Tell the consoles, once the transaction commits, that ``message`` was stored."""
    _notify(session, conversation, "message.created", seq=message.seq, message_id=message.id)


def change_status(
    session: Session, *, conversation_id: int, status: str, actor_agent_id: int | None
) -> Conversation:
    """Move a conversation to ``status`` if the transition table allows it."""
    conversation = get_conversation(session, conversation_id=conversation_id)
    target = Status(_check_choice(status, Status, "status"))
    if target == conversation.status:
        return conversation
    actor_kind = ActorKind.AGENT if actor_agent_id else ActorKind.SYSTEM
    _set_status(session, conversation, target, actor_kind=actor_kind, actor_agent_id=actor_agent_id)
    return conversation


def _set_status(
    session: Session,
    conversation: Conversation,
    target: Status,
    *,
    actor_kind: ActorKind,
    actor_agent_id: int | None,
) -> None:
    current = Status(conversation.status)
    if target not in TRANSITIONS[current]:
        raise Conflict(f"A {current.value} conversation cannot become {target.value}.", field="status")
    now = utcnow()
    values: dict[str, Any] = {"status": target, "updated_at": now}
    if target == Status.RESOLVED:
        values["resolved_at"] = now
    elif target == Status.CLOSED:
        values["closed_at"] = now
    elif target == Status.OPEN:
        values["resolved_at"] = None
    write_columns(session, conversation, values)
    record_event(
        session,
        kind=EventKind.STATUS_CHANGED,
        actor_kind=actor_kind,
        actor_agent_id=actor_agent_id,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={"from": current.value, "to": target.value},
    )
    _notify(session, conversation, "conversation.status_changed", status=target.value)


def assign(
    session: Session, *, conversation_id: int, assignee_id: int | None, actor: Agent | None
) -> Conversation:
    """Give the conversation to ``assignee_id`` (None unassigns). Assigning others needs the permission.

    ``actor=None`` is the system (routing), which needs no permission and is recorded as such.
    """
    conversation = get_conversation(session, conversation_id=conversation_id)
    if actor is not None and (
        assignee_id not in (None, actor.id, conversation.assignee_id)
        or (assignee_id is None and conversation.assignee_id not in (None, actor.id))
    ):
        if not has_permission(actor.roles, Permission.CONVERSATIONS_ASSIGN_OTHERS):
            raise PermissionDenied("Only team leads and higher tiers can assign conversations to others.")
    if assignee_id == conversation.assignee_id:
        return conversation
    if assignee_id is not None:
        _check_assignable(session, assignee_id)
    previous = conversation.assignee_id
    write_columns(session, conversation, {"assignee_id": assignee_id, "updated_at": utcnow()})
    record_event(
        session,
        kind=EventKind.ASSIGNED if assignee_id else EventKind.UNASSIGNED,
        actor_kind=ActorKind.AGENT if actor is not None else ActorKind.SYSTEM,
        actor_agent_id=actor.id if actor is not None else None,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={"from": previous, "to": assignee_id},
    )
    _notify(session, conversation, "conversation.assigned", assignee_id=assignee_id)
    return conversation


_ASSIGNABLE = select(Agent.__table__.c.name, Agent.__table__.c.is_active).where(
    Agent.__table__.c.id == bindparam("agent_key")
)


def _check_assignable(session: Session, agent_id: int) -> None:
    """The agent exists and is active: two columns read, not the whole profile (routing assigns often)."""
    session.flush()  # what the ORM's autoflush did: an agent changed in this transaction is read as changed
    found = run(session.connection(), _ASSIGNABLE, {"agent_key": agent_id}).first()
    if found is None:
        raise NotFound(f"No agent with id {agent_id}.")
    name, is_active = found
    if not is_active:
        raise InvalidInput(f"{name} is deactivated and cannot take conversations.", field="assignee_id")


def update_attributes(
    session: Session,
    *,
    conversation_id: int,
    actor_agent_id: int | None,
    tier: str | None = None,
    priority: str | None = None,
    category: str | None = None,
    team_id: int | None = None,
    tags: Iterable[str] | None = None,
    language: str | None = None,
) -> Conversation:
    """Change tier, priority, category, team, tags or language; each change is its own timeline event."""
    conversation = get_conversation(session, conversation_id=conversation_id)
    changes: list[tuple[EventKind, str, Any]] = []
    if language is not None:
        changes.append((EventKind.LANGUAGE_CHANGED, "language", check_language(language)))
    if tier is not None:
        changes.append((EventKind.TIER_CHANGED, "tier", check_tier(tier)))
    if priority is not None:
        changes.append(
            (EventKind.PRIORITY_CHANGED, "priority", _check_choice(priority, Priority, "priority"))
        )
    if category is not None:
        changes.append(
            (EventKind.CATEGORY_CHANGED, "category", _check_choice(category, Category, "category"))
        )
    if team_id is not None:
        changes.append((EventKind.TEAM_CHANGED, "team_id", get_team(session, team_id=team_id).id))
    if tags is not None:
        changes.append((EventKind.TAGS_CHANGED, "tags", check_tags(tags)))
    actor_kind = ActorKind.AGENT if actor_agent_id else ActorKind.SYSTEM
    for kind, field, value in changes:
        previous = getattr(conversation, field)
        if previous == value:
            continue
        write_columns(session, conversation, {field: value, "updated_at": utcnow()})
        record_event(
            session,
            kind=kind,
            actor_kind=actor_kind,
            actor_agent_id=actor_agent_id,
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            data={"from": previous, "to": value},
        )
    _notify(session, conversation, "conversation.updated")
    return conversation


def check_tags(tags: Iterable[str]) -> list[str]:
    cleaned = sorted({tag.strip().lower() for tag in tags if tag.strip()})
    if any(len(tag) > 40 for tag in cleaned) or len(cleaned) > 20:
        raise InvalidInput("At most 20 tags of up to 40 characters each.", field="tags")
    return cleaned


def move_messages(
    session: Session, *, message_ids: list[int], to_conversation_id: int, actor_agent_id: int | None
) -> list[Message]:
    """Move messages of one customer into another of their conversations (splitting or merging).

    They are appended in their original order with the target's next sequence numbers; the
    conversation they leave keeps a gap in its sequence where they were.
    """
    target = get_conversation(session, conversation_id=to_conversation_id)
    if target.status == Status.CLOSED:
        raise Conflict(f"Conversation {target.reference} is closed; messages cannot move into it.")
    messages = list(
        session.scalars(
            select(Message).where(Message.id.in_(message_ids)).order_by(Message.created_at, Message.id)
        )
    )
    if len(messages) != len(set(message_ids)):
        raise NotFound("Some of these messages do not exist.")
    sources = {
        m.conversation_id: get_conversation(session, conversation_id=m.conversation_id) for m in messages
    }
    for source in sources.values():
        if source.id == target.id:
            raise InvalidInput(f"The message is already in {target.reference}.")
        if source.customer_id != target.customer_id:
            raise InvalidInput("Messages can only move between conversations of the same customer.")
    origin = {m.id: m.conversation_id for m in messages}
    for message in messages:
        message.seq = allocate_seq(session, conversation_id=target.id)
        message.conversation_id = target.id
        session.flush()
    target.last_message_at = max(target.last_message_at, *(m.created_at for m in messages))
    session.flush()
    for source in sources.values():
        moved = [message_id for message_id, source_id in origin.items() if source_id == source.id]
        for conversation in (source, target):
            record_event(
                session,
                kind=EventKind.MESSAGES_MOVED,
                actor_kind=ActorKind.AGENT if actor_agent_id else ActorKind.SYSTEM,
                actor_agent_id=actor_agent_id,
                conversation_id=conversation.id,
                customer_id=conversation.customer_id,
                data={"from": source.reference, "to": target.reference, "message_ids": moved},
            )
            _notify(session, conversation, "conversation.messages_moved")
    return messages


def get_conversation(session: Session, *, conversation_id: int) -> Conversation:
    conversation = load(session, Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"No conversation with id {conversation_id}.")
    return conversation


def list_messages(session: Session, *, conversation_id: int, after_seq: int = 0) -> list[Message]:
    """Messages with a sequence number above ``after_seq``, in order: what a reconnecting client missed."""
    get_conversation(session, conversation_id=conversation_id)
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
        .order_by(Message.seq)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class InboxFilter:
    status: str | None = None
    channel: str | None = None
    team_id: int | None = None
    language: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    category: str | None = None
    customer_id: int | None = None


def inbox_query(filters: InboxFilter) -> Select[Any]:
    query = select(Conversation)
    if filters.status:
        query = query.where(Conversation.status == _check_choice(filters.status, Status, "status"))
    if filters.channel:
        query = query.where(Conversation.channel == _check_choice(filters.channel, Channel, "channel"))
    if filters.team_id is not None:
        query = query.where(Conversation.team_id == filters.team_id)
    if filters.language:
        query = query.where(Conversation.language == check_language(filters.language))
    if filters.unassigned:
        query = query.where(Conversation.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        query = query.where(Conversation.assignee_id == filters.assignee_id)
    if filters.category:
        query = query.where(Conversation.category == _check_choice(filters.category, Category, "category"))
    if filters.customer_id is not None:
        query = query.where(Conversation.customer_id == filters.customer_id)
    return query


def list_conversations(
    session: Session, *, filters: InboxFilter, limit: int = 50, offset: int = 0
) -> list[Conversation]:
    """The inbox: matching conversations, most recent activity first."""
    query = inbox_query(filters).order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def _notify(session: Session, conversation: Conversation, kind: str, **data: Any) -> None:
    send_on_commit(session, {"type": kind, "conversation_id": conversation.id, **data})
