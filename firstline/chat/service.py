"""Live chat's rules: sites, starting a chat, sending, joining and leaving, uploads.

Like every service, these take a Session, flush but never commit, and queue realtime notifications
with ``send_on_commit``: the caller's commit is what makes a message real (and acknowledgeable).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import filetype
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from firstline.agents.models import Agent
from firstline.attachments.models import Attachment
from firstline.attachments.store import FileStore
from firstline.chat.identity import IdentityInvalid, VerifiedIdentity, claimed_uid, verify_identity
from firstline.chat.models import ChatEvent, ChatEventKind, ChatSession, ChatSite, ChatUpload, IdentityMethod
from firstline.chat.stream import Frame, agent_names, chat_event_frame, message_frame, read_events
from firstline.chat.transcripts import transcript as transcript  # moved there; kept importable from here
from firstline.conversations import service as conversations
from firstline.conversations.batch import CustomerMessage, StoredMessage, post_customer_messages
from firstline.conversations.models import AuthorKind, Category, Channel, Conversation, Message, Status
from firstline.customers.models import Customer
from firstline.customers.service import create_customer, get_customer_by_uid, update_customer
from firstline.kit.errors import (
    Conflict,
    FirstlineError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from firstline.kit.languages import check_language
from firstline.kit.notify import send_on_commit
from firstline.routing import service as routing
from firstline.routing.models import QueueEntry

VISITOR_TOKEN_PREFIX = "fv_"  # noqa: S105 - a public marker, not a secret
MAX_ATTACHMENTS_PER_MESSAGE = 10
ALLOWED_CONTENT_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")
CHAT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class OriginNotAllowed(PermissionDenied):
    code = "origin_not_allowed"


class AnonymousDisabled(PermissionDenied):
    code = "anonymous_disabled"


class ChatClosed(Conflict):
    code = "chat_closed"


class UnsupportedType(FirstlineError):
    status_code = 415
    code = "unsupported_type"


class TooLarge(FirstlineError):
    status_code = 413
    code = "too_large"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- sites ----------------------------------------------------------------------------------------


def create_site(
    session: Session,
    *,
    name: str,
    public_key: str | None = None,
    secret: str | None = None,
    enforce_identity: bool = True,
    allow_anonymous: bool = True,
    allowed_origins: Sequence[str] = (),
    default_language: str = "en",
) -> ChatSite:
    """A new place to embed the widget; without a key or secret, random ones are made."""
    key = public_key or "pk_" + secrets.token_urlsafe(18)
    if session.scalar(select(ChatSite.id).where(ChatSite.public_key == key)) is not None:
        raise Conflict(f"A chat site with key {key} already exists.", field="public_key")
    site = ChatSite(
        name=name.strip()[:200] or "Chat",
        public_key=key,
        secret=secret or "sk_" + secrets.token_urlsafe(32),
        enforce_identity=enforce_identity,
        allow_anonymous=allow_anonymous,
        allowed_origins=[origin.strip().rstrip("/") for origin in allowed_origins if origin.strip()],
        default_language=check_language(default_language),
        is_active=True,
    )
    session.add(site)
    session.flush()
    return site


def list_sites(session: Session) -> list[ChatSite]:
    return list(session.scalars(select(ChatSite).order_by(ChatSite.id)))


def get_site_by_key(session: Session, *, site_key: str) -> ChatSite:
    site = session.scalar(select(ChatSite).where(ChatSite.public_key == site_key))
    if site is None or not site.is_active:
        raise NotFound("No active chat site with this key.")
    return site


def check_origin(site: ChatSite, origin: str | None) -> None:
    """Refuse a page on an origin the site does not list; an empty list allows any (development)."""
    if not site.allowed_origins or origin is None:
        # No Origin header: not a browser page (a server or a test). Browsers always send one here.
        return
    if origin.rstrip("/") not in site.allowed_origins:
        raise OriginNotAllowed(f"Chat is not enabled for pages on {origin[:100]}.")


# --- starting a chat and finding it again ---------------------------------------------------------


@dataclass(frozen=True)
class StartedChat:
    visitor_token: str
    chat: ChatSession
    conversation: Conversation
    customer: Customer


def start_chat(
    session: Session,
    *,
    site_key: str,
    origin: str | None,
    name: str = "",
    email: str | None = None,
    topic: str = Category.OTHER,
    language: str | None = None,
    identity: dict[str, Any] | None = None,
) -> StartedChat:
    """Open a chat conversation for a visitor, identified by the exchange's signature or anonymous.

    With the site's enforcement on, a claimed identity that does not verify is refused, never
    downgraded to anonymous.
    """
    site = get_site_by_key(session, site_key=site_key)
    check_origin(site, origin)
    verified = _resolve_identity(site, identity)
    if verified is None and not site.allow_anonymous:
        raise AnonymousDisabled("Log in to the exchange to chat with support.")
    language = check_language(language or site.default_language)
    customer = _customer_for(session, verified, name=name, email=email, language=language)
    if verified is None and (uid := claimed_uid(identity)):
        customer.attributes = {**customer.attributes, "unverified_uid": uid}
    conversation = conversations.open_conversation(
        session,
        customer_id=customer.id,
        channel=Channel.CHAT,
        subject=_topic_subject(topic),
        language=language,
        category=topic if topic in Category._value2member_map_ else Category.OTHER,
    )
    token = VISITOR_TOKEN_PREFIX + secrets.token_urlsafe(32)
    chat = ChatSession(
        site_id=site.id,
        token_hash=_digest(token),
        customer_id=customer.id,
        conversation_id=conversation.id,
        identity_method=verified.method if verified else IdentityMethod.NONE,
    )
    session.add(chat)
    session.flush()
    return StartedChat(visitor_token=token, chat=chat, conversation=conversation, customer=customer)


def _resolve_identity(site: ChatSite, identity: dict[str, Any] | None) -> VerifiedIdentity | None:
    if not identity:
        return None
    try:
        return verify_identity(site.secret, identity)
    except IdentityInvalid:
        if site.enforce_identity:
            raise
        return None


def _customer_for(
    session: Session, verified: VerifiedIdentity | None, *, name: str, email: str | None, language: str
) -> Customer:
    name = (name or (str(verified.claims.get("name", "")) if verified else "")).strip()[:200]
    email = email or (str(verified.claims["email"]) if verified and verified.claims.get("email") else None)
    if verified is None:
        return create_customer(session, name=name or "Visitor", email=email, preferred_language=language)
    existing = get_customer_by_uid(session, exchange_uid=verified.uid)
    if existing is None:
        return create_customer(
            session, name=name, email=email, exchange_uid=verified.uid, preferred_language=language
        )
    if name and not existing.name:
        update_customer(session, customer_id=existing.id, actor_agent_id=None, name=name)
    return existing


def _topic_subject(topic: str) -> str:
    return topic.replace("_", " ").capitalize() if topic in Category._value2member_map_ else ""


def get_chat_session(session: Session, *, visitor_token: str) -> ChatSession:
    """The chat a visitor token opens; only its hash is stored, so a copy of the table opens nothing."""
    if not visitor_token.startswith(VISITOR_TOKEN_PREFIX) or len(visitor_token) > 100:
        raise NotAuthenticated("The visitor token is not valid.")
    chat = session.scalar(select(ChatSession).where(ChatSession.token_hash == _digest(visitor_token)))
    if chat is None:
        raise NotAuthenticated("The visitor token is not valid.")
    return chat


# --- sending --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    seq: int
    message_id: int
    duplicate: bool
    created_at: str
    frame: Frame


@dataclass(frozen=True)
class StaleView:
    latest_seq: int
    missed: list[Frame]


# Every visitor message starts with one statement: the chat's conversation, and the id of the message
# already stored under the client's id if this is a retry.
_STORED_UNDER_CLIENT_ID = (
    select(Message.id)
    .where(Message.conversation_id == Conversation.id, Message.client_msg_id == bindparam("client_msg_id"))
    .scalar_subquery()
)
_CHAT_CONVERSATION = (
    select(Conversation, _STORED_UNDER_CLIENT_ID)
    .join(ChatSession, ChatSession.conversation_id == Conversation.id)
    .where(ChatSession.id == bindparam("chat_session_id"))
)


def customer_send(
    session: Session,
    *,
    chat_session_id: int,
    client_msg_id: str,
    body: str,
    attachment_ids: Sequence[int] = (),
    secret: str,
    author_name: str | None = None,
) -> Sent:
    """Store a visitor's message (idempotent by ``client_msg_id``) with the attachments they uploaded.

    ``author_name`` is the customer's name as the caller already knows it (the websocket loads it at
    hello); without it, it is read.
    """
    found = session.execute(
        _CHAT_CONVERSATION, {"chat_session_id": chat_session_id, "client_msg_id": client_msg_id}
    ).first()
    if found is None:
        raise NotAuthenticated("This chat no longer exists.")
    conversation, stored_id = found
    if stored_id is not None and (stored := session.get(Message, stored_id)) is not None:
        # A retry: acknowledged again as stored (with the attachments it was stored with), even if the
        # chat closed in between.
        return _sent(session, stored, duplicate=True, secret=secret)
    if conversation.status == Status.CLOSED:
        raise ChatClosed("This chat is closed; start a new one.")
    uploads = _check_uploads(session, chat_session_id, attachment_ids)
    posted = conversations.post_message(
        session,
        conversation_id=conversation.id,
        author_kind=AuthorKind.CUSTOMER,
        body=body,
        client_msg_id=client_msg_id,
        client_id_checked=True,
    )
    if posted.duplicate:
        return _sent(session, posted.message, duplicate=True, secret=secret)
    _route_unattended(session, {conversation.id: body})
    if uploads:
        for attachment in uploads:
            attachment.message_id = posted.message.id
        session.flush()
        session.refresh(posted.message, ["attachments"])
    else:
        _no_attachments(posted.message)
    return _sent(
        session, posted.message, duplicate=False, secret=secret, notify=True, author_name=author_name
    )


@dataclass(frozen=True)
class VisitorMessage:
    """One visitor message for ``customer_send_many``: ``customer_send``'s arguments but the secret."""

    chat_session_id: int
    client_msg_id: str
    body: str
    attachment_ids: Sequence[int] = ()
    author_name: str | None = None


_CHAT_CONVERSATIONS = (
    select(ChatSession.id, Conversation)
    .join(Conversation, ChatSession.conversation_id == Conversation.id)
    .where(ChatSession.id.in_(bindparam("chat_session_ids", expanding=True)))
)
_STORED_CLIENT_IDS = select(Message.conversation_id, Message.client_msg_id).where(
    Message.conversation_id.in_(bindparam("conversation_ids", expanding=True)),
    Message.client_msg_id.in_(bindparam("client_msg_ids", expanding=True)),
)


def customer_send_many(session: Session, messages: Sequence[VisitorMessage], *, secret: str) -> list[Sent]:
    """Store visitors' messages as ``customer_send`` would one after the other; the acks in the same order.

    The common case, a new message without attachments in an open chat, is stored for all such messages
    at once (firstline/conversations/batch.py). Any other (a retry, attachments, a chat the message
    reopens or that closed, a chat's second message in the group) then goes through ``customer_send``,
    in the order given, so each chat's messages keep their order. Raises on the first message refused:
    the caller then stores them one by one, each in its own SAVEPOINT.
    """
    loaded = dict(
        session.execute(
            _CHAT_CONVERSATIONS, {"chat_session_ids": sorted({m.chat_session_id for m in messages})}
        ).all()
    )
    stored = _stored_client_ids(session, loaded.values(), messages)
    together: list[int] = []
    seen: set[int] = set()
    for index, message in enumerate(messages):
        conversation = loaded.get(message.chat_session_id)
        if conversation is None:
            continue
        if (
            conversation.id not in seen
            and conversation.status == Status.OPEN
            and not message.attachment_ids
            and (conversation.id, message.client_msg_id) not in stored
        ):
            together.append(index)
        seen.add(conversation.id)
    posted = post_customer_messages(
        session,
        [
            CustomerMessage(loaded[messages[i].chat_session_id], messages[i].body, messages[i].client_msg_id)
            for i in together
        ],
    )
    _route_unattended(session, {message.conversation_id: message.body for message in posted})
    acks: dict[int, Sent] = {
        index: _sent(
            session,
            message,
            duplicate=False,
            secret=secret,
            notify=True,
            author_name=messages[index].author_name,
        )
        for index, message in zip(together, posted, strict=True)
    }
    for index, message in enumerate(messages):
        if index not in acks:
            acks[index] = customer_send(
                session,
                chat_session_id=message.chat_session_id,
                client_msg_id=message.client_msg_id,
                body=message.body,
                attachment_ids=message.attachment_ids,
                secret=secret,
                author_name=message.author_name,
            )
    return [acks[index] for index in range(len(messages))]


def _route_unattended(session: Session, messages: dict[int, str]) -> None:
    """Chats nobody has taken join the routing queue with their customer's message (which gives their
    language); a chat already waiting, offered or assigned stays as it is.

    ``messages``: a message just stored, by conversation id. Conversations are those the session holds.
    """
    unattended = []
    for conversation_id in messages:
        conversation = session.get(Conversation, conversation_id)
        if (
            conversation is not None
            and conversation.assignee_id is None
            and conversation.status == Status.OPEN
        ):
            unattended.append(conversation_id)
    if not unattended:
        return
    queued = set(session.scalars(_QUEUED_AMONG, {"conversation_ids": unattended}))
    for conversation_id in unattended:
        if conversation_id not in queued:
            routing.enqueue(session, conversation_id=conversation_id, first_message=messages[conversation_id])


_QUEUED_AMONG = select(QueueEntry.conversation_id).where(
    QueueEntry.conversation_id.in_(bindparam("conversation_ids", expanding=True))
)


def _stored_client_ids(
    session: Session, conversations: Iterable[Conversation], messages: Sequence[VisitorMessage]
) -> set[tuple[int, str | None]]:
    """(conversation id, client message id) of the given ids already stored in the given conversations."""
    conversation_ids = sorted({conversation.id for conversation in conversations})
    if not conversation_ids:
        return set()
    rows = session.connection().execute(
        _STORED_CLIENT_IDS,
        {"conversation_ids": conversation_ids, "client_msg_ids": sorted({m.client_msg_id for m in messages})},
    )
    return {(conversation_id, client_msg_id) for conversation_id, client_msg_id in rows}


def _check_uploads(session: Session, chat_session_id: int, attachment_ids: Sequence[int]) -> list[Attachment]:
    ids = list(dict.fromkeys(attachment_ids))
    if len(ids) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise InvalidInput(
            f"At most {MAX_ATTACHMENTS_PER_MESSAGE} attachments per message.", field="attachment_ids"
        )
    if not ids:
        return []
    rows = session.execute(
        select(Attachment, ChatUpload.chat_session_id)
        .join(ChatUpload, ChatUpload.attachment_id == Attachment.id)
        .where(Attachment.id.in_(ids))
    ).all()
    found = {attachment.id: (attachment, owner) for attachment, owner in rows}
    for attachment_id in ids:
        attachment, owner = found.get(attachment_id, (None, None))
        if attachment is None or owner != chat_session_id:
            raise PermissionDenied(f"Attachment {attachment_id} was not uploaded in this chat.")
        if attachment.message_id is not None:
            raise Conflict(f"Attachment {attachment_id} was already sent.", field="attachment_ids")
    return [found[attachment_id][0] for attachment_id in ids]


def agent_send(
    session: Session,
    *,
    agent: Agent,
    conversation_id: int,
    client_msg_id: str,
    body: str,
    last_seen_seq: int,
    note: bool = False,
    secret: str,
) -> Sent | StaleView:
    """Store an agent's reply or note, unless the customer or a colleague wrote after ``last_seen_seq``.

    The conversation row is locked first (PostgreSQL; SQLite callers serialize writes), so the check
    and the insert see the same history. A resend of a stored ``client_msg_id`` always gets its ack.
    """
    if existing := conversations.find_message_by_client_id(
        session, conversation_id=conversation_id, client_msg_id=client_msg_id
    ):
        return _sent(session, existing, duplicate=True, secret=secret)
    conversation = session.scalar(
        select(Conversation).where(Conversation.id == conversation_id).with_for_update()
    )
    if conversation is None:
        raise NotFound(f"No conversation with id {conversation_id}.")
    missed_rows = session.scalar(
        select(Message.id)
        .where(
            Message.conversation_id == conversation_id,
            Message.seq > last_seen_seq,
            Message.is_automatic.is_(False),
            (Message.author_agent_id.is_(None)) | (Message.author_agent_id != agent.id),
        )
        .limit(1)
    )
    if missed_rows is not None:
        missed, latest = read_events(
            session, conversation_id=conversation_id, after_seq=last_seen_seq, secret=secret
        )
        return StaleView(latest_seq=latest, missed=missed)
    posted = conversations.post_message(
        session,
        conversation_id=conversation_id,
        author_kind=AuthorKind.NOTE if note else AuthorKind.AGENT,
        body=body,
        author_agent_id=agent.id,
        client_msg_id=client_msg_id,
    )
    if not posted.duplicate:
        _no_attachments(posted.message)
    return _sent(
        session, posted.message, duplicate=posted.duplicate, secret=secret, notify=not posted.duplicate
    )


def _no_attachments(message: Message) -> None:
    """A message just inserted without uploads has none: say so rather than have the frame query for them."""
    set_committed_value(message, "attachments", [])


def _sent(
    session: Session,
    message: Message | StoredMessage,
    *,
    duplicate: bool,
    secret: str,
    notify: bool = False,
    author_name: str | None = None,
) -> Sent:
    if author_name is not None:
        pass
    elif message.author_kind == AuthorKind.CUSTOMER:
        conversation = session.get(Conversation, message.conversation_id)
        customer = session.get(Customer, conversation.customer_id) if conversation else None
        author_name = customer.name if customer else ""
    else:
        author_name = agent_names(session, {message.author_agent_id}).get(message.author_agent_id)
    frame = message_frame(secret, message, author_name or "")
    if notify:
        # The frame rides along so that processes serving this conversation need not read it back.
        send_on_commit(
            session,
            {
                "type": "chat.event",
                "conversation_id": message.conversation_id,
                "seq": message.seq,
                "event": frame,
            },
        )
    return Sent(
        seq=message.seq,
        message_id=message.id,
        duplicate=duplicate,
        created_at=message.created_at.isoformat(),
        frame=frame,
    )


# --- agents joining and leaving -------------------------------------------------------------------


def present_agents(session: Session, *, conversation_id: int) -> list[dict[str, Any]]:
    """Agents who joined the chat and have not left, in the order they joined."""
    latest: dict[int, str] = {}
    for agent_id, kind in session.execute(
        select(ChatEvent.agent_id, ChatEvent.kind)
        .where(ChatEvent.conversation_id == conversation_id)
        .order_by(ChatEvent.seq)
    ):
        if agent_id is not None:
            latest.pop(agent_id, None)
            latest[agent_id] = kind
    present = [agent_id for agent_id, kind in latest.items() if kind == ChatEventKind.AGENT_JOINED]
    names = agent_names(session, set(present))
    return [{"id": agent_id, "name": names.get(agent_id, "")} for agent_id in present]


def join_chat(session: Session, *, agent: Agent, conversation_id: int) -> Frame | None:
    """The agent joins: takes the chat if nobody has it, and the customer is told (once while joined)."""
    conversation = conversations.get_conversation(session, conversation_id=conversation_id)
    if conversation.status == Status.CLOSED:
        raise Conflict(f"Conversation {conversation.reference} is closed.")
    if conversation.assignee_id is None:
        conversations.assign(session, conversation_id=conversation_id, assignee_id=agent.id, actor=agent)
    if any(present["id"] == agent.id for present in present_agents(session, conversation_id=conversation_id)):
        return None
    return _record_chat_event(session, conversation_id, ChatEventKind.AGENT_JOINED, agent)


def leave_chat(session: Session, *, agent: Agent, conversation_id: int) -> Frame | None:
    """The agent leaves the chat; the customer is told. Leaving a chat one is not in does nothing."""
    conversations.get_conversation(session, conversation_id=conversation_id)
    if not any(
        present["id"] == agent.id for present in present_agents(session, conversation_id=conversation_id)
    ):
        return None
    return _record_chat_event(session, conversation_id, ChatEventKind.AGENT_LEFT, agent)


def _record_chat_event(session: Session, conversation_id: int, kind: ChatEventKind, agent: Agent) -> Frame:
    seq = conversations.allocate_seq(session, conversation_id=conversation_id)
    event = ChatEvent(conversation_id=conversation_id, seq=seq, kind=kind, agent_id=agent.id, data={})
    session.add(event)
    session.flush()
    frame = chat_event_frame(event, agent.name)
    send_on_commit(
        session, {"type": "chat.event", "conversation_id": conversation_id, "seq": seq, "event": frame}
    )
    return frame


# --- attachments ---------------------------------------------------------------------------------


def store_upload(
    session: Session, *, chat_session_id: int, filename: str, data: bytes, store: FileStore
) -> Attachment:
    """Keep a visitor's file if its bytes say it is an image or a PDF (name and declared type are ignored)."""
    limit = min(store.max_bytes, CHAT_ATTACHMENT_MAX_BYTES)
    if len(data) > limit:
        raise TooLarge(f"The file is larger than the limit of {limit // (1024 * 1024)} MB.", field="file")
    if not data:
        raise InvalidInput("The file is empty.", field="file")
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ALLOWED_CONTENT_TYPES:
        raise UnsupportedType("Only images (PNG, JPEG, GIF, WebP) and PDF files can be sent.", field="file")
    chat = session.get(ChatSession, chat_session_id)
    if chat is None:
        raise NotAuthenticated("This chat no longer exists.")
    digest = store.put(data)
    stem = (filename or "file").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "file"
    if not stem.lower().endswith("." + kind.extension):
        stem = f"{stem.rsplit('.', 1)[0] if '.' in stem else stem}.{kind.extension}"
    attachment = Attachment(sha256=digest, filename=stem, content_type=kind.mime, size=len(data))
    session.add(attachment)
    session.flush()
    session.add(ChatUpload(attachment_id=attachment.id, chat_session_id=chat.id))
    session.flush()
    return attachment


def get_attachment(session: Session, *, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("No such attachment.")
    return attachment
