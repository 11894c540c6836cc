"""Chat transcripts: the conversation as plain text for the customer, to download or to receive by email.

An emailed transcript goes through the durable email outbox (never sent inline), labelled automatic, in
the conversation's language, with the signature and anti-phishing line of every outbound mail. The
request is idempotent by its key, limited per chat, and recorded on the conversation's timeline with
the address masked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.chat.models import ChatSession
from firstline.chat.stream import agent_names
from firstline.conversations import service as conversations
from firstline.conversations.models import AuthorKind, Conversation, Message
from firstline.customers.models import Customer
from firstline.email import outbound
from firstline.email.models import OutboundMail
from firstline.email.texts import TRANSCRIPT_INTRO, TRANSCRIPT_SUBJECT, localized
from firstline.kit.errors import InvalidInput, NotAuthenticated, TooManyAttempts
from firstline.kit.time import utcnow
from firstline.timeline.models import Event
from firstline.timeline.service import ActorKind, EventKind, record_event

EMAILS_PER_WINDOW = 3
EMAIL_WINDOW = timedelta(hours=1)
MAX_REQUEST_KEY_CHARS = 64

# The transcript's own words, in the conversation's language.
LABELS: dict[str, dict[str, str]] = {
    "en": {"title": "chat transcript", "you": "You", "support": "Support", "automatic": "automatic",
           "attachment": "attachment"},
    "it": {"title": "trascrizione della chat", "you": "Tu", "support": "Assistenza", "automatic": "automatico",
           "attachment": "allegato"},
    "pt": {"title": "transcrição do chat", "you": "Você", "support": "Suporte", "automatic": "automático",
           "attachment": "anexo"},
    "de": {"title": "Chat-Verlauf", "you": "Sie", "support": "Support", "automatic": "automatisch",
           "attachment": "Anhang"},
    "es": {"title": "transcripción del chat", "you": "Tú", "support": "Soporte", "automatic": "automático",
           "attachment": "adjunto"},
}  # fmt: skip


class EmailRequired(InvalidInput):
    code = "email_required"


class EmptyTranscript(InvalidInput):
    code = "empty_transcript"


class TranscriptRateLimited(TooManyAttempts):
    code = "rate_limited"


# --- the text ---------------------------------------------------------------------------------------


def transcript(session: Session, *, chat_session_id: int) -> tuple[str, str]:
    """A visitor's conversation as plain text: (file name, text). No internal notes."""
    chat = session.get(ChatSession, chat_session_id)
    if chat is None:
        raise NotAuthenticated("This chat no longer exists.")
    conversation = conversations.get_conversation(session, conversation_id=chat.conversation_id)
    return f"{conversation.reference}.txt", render_transcript(session, conversation=conversation)


def render_transcript(session: Session, *, conversation: Conversation) -> str:
    """Every message the customer saw, oldest first, as plain text in the conversation's language."""
    labels = LABELS.get(conversation.language, LABELS["en"])
    messages = _customer_visible(session, conversation)
    names = agent_names(session, {message.author_agent_id for message in messages})
    customer = session.get(Customer, conversation.customer_id)
    lines = [f"{conversation.reference} — {labels['title']}", ""]
    for message in messages:
        when = message.created_at.strftime("%Y-%m-%d %H:%M UTC")
        if message.author_kind == AuthorKind.CUSTOMER:
            author = (customer.name if customer else "") or labels["you"]
        else:
            author = names.get(message.author_agent_id, "") or labels["support"]
        label = f" [{labels['automatic']}]" if message.is_automatic else ""
        lines.append(f"[{when}] {author}{label}:")
        lines.extend(f"  {line}" for line in message.body.splitlines() or [""])
        for attachment in message.attachments:
            lines.append(f"  ({labels['attachment']}: {attachment.filename}, {attachment.size} bytes)")
        lines.append("")
    return "\n".join(lines)


def _customer_visible(session: Session, conversation: Conversation) -> list[Message]:
    return [
        message
        for message in conversations.list_messages(session, conversation_id=conversation.id)
        if message.author_kind != AuthorKind.NOTE
    ]


# --- by email ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptMail:
    outbound_id: int
    recipient: str  # masked: what may be shown on a timeline or a screen
    duplicate: bool


def mask_address(address: str) -> str:
    """'ana.costa@example.com' -> 'a***@example.com': enough to recognise, not enough to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def check_address(address: str) -> str:
    """A syntactically valid email address, normalized; no DNS lookup."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidInput(f"This email address is not valid: {error}", field="email") from error


def email_transcript(
    session: Session,
    *,
    conversation_id: int,
    email: str | None = None,
    request_key: str | None = None,
    agent: Agent | None = None,
    now: datetime | None = None,
) -> TranscriptMail:
    """Queue the transcript for the customer, by the customer (``agent`` None) or an agent for them.

    It goes to the customer's address on file; a visitor's ``email`` is used only when there is none
    (an agent can only use the address on file). A request repeated with the same ``request_key`` gets
    the first one's answer and queues nothing.
    """
    conversation = conversations.get_conversation(session, conversation_id=conversation_id)
    key = _mail_key(conversation.id, request_key)
    if request_key and (existing := outbound.get_automatic(session, key=key)) is not None:
        return TranscriptMail(existing.id, mask_address(existing.to_address), duplicate=True)
    address = _recipient(session.get(Customer, conversation.customer_id), email, by_agent=agent is not None)
    _check_rate(session, conversation.id, now or utcnow())
    if not _customer_visible(session, conversation):
        raise EmptyTranscript("There is nothing in this chat to send yet.")
    try:
        with session.begin_nested():
            row = _enqueue(session, conversation, address, key)
    except IntegrityError:
        # The same request raced in from another tab or process and won: answer as its retry.
        existing = outbound.get_automatic(session, key=key)
        if existing is None:
            raise
        return TranscriptMail(existing.id, mask_address(existing.to_address), duplicate=True)
    record_event(
        session,
        kind=EventKind.TRANSCRIPT_EMAILED,
        actor_kind=ActorKind.AGENT if agent else ActorKind.CUSTOMER,
        actor_agent_id=agent.id if agent else None,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={"recipient": mask_address(address), "outbound_id": row.id},
    )
    return TranscriptMail(row.id, mask_address(address), duplicate=False)


def _recipient(customer: Customer | None, email: str | None, *, by_agent: bool) -> str:
    if customer is not None and customer.email:
        return check_address(customer.email)
    if by_agent:
        raise EmailRequired("The customer has no email address on file.", field="email")
    if not (email or "").strip():
        raise EmailRequired("Which email address should the transcript go to?", field="email")
    return check_address(email or "")


def _mail_key(conversation_id: int, request_key: str | None) -> str:
    """Hex for the Message-ID: derived from the request key when there is one, else random."""
    if request_key is None:
        return "t." + secrets.token_hex(20)
    if not 0 < len(request_key) <= MAX_REQUEST_KEY_CHARS:
        raise InvalidInput("The request key must be 1 to 64 characters.", field="request_id")
    return "t." + hashlib.sha256(f"transcript:{conversation_id}:{request_key}".encode()).hexdigest()[:40]


def _check_rate(session: Session, conversation_id: int, now: datetime) -> None:
    # Lock the conversation (PostgreSQL; SQLite writers are serialized already) so two requests with
    # different keys cannot both count two and make a fourth mail.
    session.execute(select(Conversation.id).where(Conversation.id == conversation_id).with_for_update())
    recent = session.scalar(
        select(func.count(Event.id)).where(
            Event.conversation_id == conversation_id,
            Event.kind == EventKind.TRANSCRIPT_EMAILED,
            Event.created_at > now - EMAIL_WINDOW,
        )
    )
    if (recent or 0) >= EMAILS_PER_WINDOW:
        raise TranscriptRateLimited(
            f"The transcript of this chat was already emailed {EMAILS_PER_WINDOW} times in the last hour; "
            "please try again later."
        )


def _enqueue(session: Session, conversation: Conversation, address: str, key: str) -> OutboundMail:
    language = conversation.language
    intro = localized(TRANSCRIPT_INTRO, language, reference=conversation.reference)
    return outbound.enqueue_automatic(
        session,
        conversation=conversation,
        to_address=address,
        subject=localized(TRANSCRIPT_SUBJECT, language, reference=conversation.reference),
        body=f"{intro}\n\n{render_transcript(session, conversation=conversation)}",
        key=key,
    )
