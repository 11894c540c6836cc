"""The outbox: agent replies become durable rows in the same transaction, and senders deliver them.

A sender claims due rows with a conditional UPDATE that also sets a lease, commits, sends, then records
the outcome only if it still holds the lease. Several senders never take the same row; a sender that
dies mid-send leaves a row whose lease runs out and which the next sender retries (with the same
Message-ID, so a receiver can tell a repeat). Failures back off exponentially; the last one, or a
permanent refusal, marks the row failed and shows on the conversation's timeline.
"""

from __future__ import annotations

import asyncio
import html
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, TypeVar

import aiosmtplib
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from firstline.config import Settings, get_settings
from firstline.conversations.models import AuthorKind, Channel, Conversation, Message
from firstline.customers.models import Customer
from firstline.db import declare_write, session_scope
from firstline.email.models import (
    InboundMail,
    InboundStatus,
    Mailbox,
    OutboundKind,
    OutboundMail,
    OutboundState,
)
from firstline.email.texts import ANTI_PHISHING_CODE, ANTI_PHISHING_GENERIC, SIGNATURE, localized
from firstline.email.threading import new_reply_token, token_address
from firstline.kit.time import utcnow
from firstline.timeline.service import ActorKind, EventKind, record_event

T = TypeVar("T")

log = logging.getLogger(__name__)

MAX_REFERENCES = 20
MAX_BACKOFF = timedelta(hours=6)


# --- enqueueing ------------------------------------------------------------------------------------


def enqueue_for_message(
    session: Session, *, conversation: Conversation, message: Message
) -> OutboundMail | None:
    """Queue the email for an agent reply or automatic message of an email conversation.

    Called by ``conversations.service.post_message`` inside the transaction that stores the message,
    so the reply and its outbox row commit (or roll back) together. Other messages are ignored.
    """
    if conversation.channel != Channel.EMAIL or message.author_kind not in (
        AuthorKind.AGENT,
        AuthorKind.SYSTEM,
    ):
        return None
    customer = session.get(Customer, conversation.customer_id)
    if customer is None or not customer.email:
        _record_failure_event(session, conversation, None, "the customer has no email address")
        return None
    last_inbound = session.scalar(
        select(InboundMail)
        .where(
            InboundMail.conversation_id == conversation.id,
            InboundMail.status.in_([InboundStatus.IMPORTED, InboundStatus.THREADED]),
        )
        .order_by(InboundMail.id.desc())
        .limit(1)
    )
    mailbox = _mailbox_for(session, last_inbound)
    settings = get_settings()
    from_address = mailbox.address if mailbox else settings.email_from_address
    token = _conversation_token(session, conversation.id)
    language = conversation.language
    signature = _signature(mailbox, language)
    safety_line = _anti_phishing_line(customer, language)
    in_reply_to, references = _thread_headers(session, conversation.id, last_inbound)
    row = OutboundMail(
        kind=OutboundKind.AUTOMATIC if message.is_automatic else OutboundKind.REPLY,
        conversation_id=conversation.id,
        posted_message_id=message.id,
        mailbox_id=mailbox.id if mailbox else None,
        message_id=f"<fl.{uuid.uuid4().hex}@{from_address.partition('@')[2] or 'firstline.localhost'}>",
        from_address=from_address,
        from_name=(mailbox.name if mailbox and mailbox.name else settings.email_from_name),
        to_address=customer.email,
        reply_to=token_address(from_address, token),
        reply_token=token,
        subject=_subject(conversation, replying=last_inbound is not None),
        in_reply_to=in_reply_to,
        references=references,
        extra_headers={"Auto-Submitted": "auto-replied"} if message.is_automatic else {},
        body_text=f"{message.body}\n\n-- \n{signature}\n\n{safety_line}\n",
        body_html=_html_body(message.body, signature, safety_line),
        next_attempt_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def enqueue_automatic(
    session: Session,
    *,
    conversation: Conversation,
    to_address: str,
    subject: str,
    body: str,
    key: str,
) -> OutboundMail:
    """Queue a mail Firstline writes itself about ``conversation`` (a transcript, say), labelled automatic.

    It carries the signature and the anti-phishing line like every outbound mail. ``key`` (hex) makes
    its Message-ID, so the caller can find it again with ``get_automatic`` and never queue it twice.
    """
    customer = session.get(Customer, conversation.customer_id)
    mailbox = _mailbox_for(session, None)
    settings = get_settings()
    from_address = mailbox.address if mailbox else settings.email_from_address
    token = _conversation_token(session, conversation.id)
    signature = _signature(mailbox, conversation.language)
    safety_line = (
        _anti_phishing_line(customer, conversation.language)
        if customer
        else localized(ANTI_PHISHING_GENERIC, conversation.language)
    )
    row = OutboundMail(
        kind=OutboundKind.AUTOMATIC,
        conversation_id=conversation.id,
        mailbox_id=mailbox.id if mailbox else None,
        message_id=f"<fl.{key}@{from_address.partition('@')[2] or 'firstline.localhost'}>",
        from_address=from_address,
        from_name=(mailbox.name if mailbox and mailbox.name else settings.email_from_name),
        to_address=to_address,
        reply_to=token_address(from_address, token),
        reply_token=token,
        subject=subject[:500],
        extra_headers={"Auto-Submitted": "auto-generated"},
        body_text=f"{body}\n\n-- \n{signature}\n\n{safety_line}\n",
        body_html=_html_body(body, signature, safety_line),
        next_attempt_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def get_automatic(session: Session, *, key: str) -> OutboundMail | None:
    """The mail ``enqueue_automatic`` queued with ``key``, if any."""
    return session.scalar(select(OutboundMail).where(OutboundMail.message_id.like(f"<fl.{key}@%")))


def _mailbox_for(session: Session, last_inbound: InboundMail | None) -> Mailbox | None:
    if last_inbound is not None and last_inbound.mailbox_id is not None:
        mailbox = session.get(Mailbox, last_inbound.mailbox_id)
        if mailbox is not None:
            return mailbox
    return session.scalar(select(Mailbox).where(Mailbox.is_active.is_(True)).order_by(Mailbox.id).limit(1))


def _conversation_token(session: Session, conversation_id: int) -> str:
    existing = session.scalar(
        select(OutboundMail.reply_token)
        .where(OutboundMail.conversation_id == conversation_id, OutboundMail.reply_token != "")
        .limit(1)
    )
    return existing or new_reply_token()


def _thread_headers(
    session: Session, conversation_id: int, last_inbound: InboundMail | None
) -> tuple[str, list[str]]:
    """In-Reply-To and References: the customer's latest mail and its ancestry, else our last mail."""
    if last_inbound is not None and not last_inbound.message_id.startswith("<sha256:"):
        references = [*last_inbound.references, last_inbound.message_id]
        return last_inbound.message_id, references[-MAX_REFERENCES:]
    previous = session.scalar(
        select(OutboundMail)
        .where(OutboundMail.conversation_id == conversation_id)
        .order_by(OutboundMail.id.desc())
        .limit(1)
    )
    if previous is None:
        return "", []
    return previous.message_id, [*previous.references, previous.message_id][-MAX_REFERENCES:]


def _subject(conversation: Conversation, *, replying: bool) -> str:
    base = conversation.subject.strip() or "Your request"
    if conversation.reference not in base:
        base = f"{base} [{conversation.reference}]"
    if replying and not base.lower().startswith("re:"):
        base = f"Re: {base}"
    return base[:500]


def _signature(mailbox: Mailbox | None, language: str) -> str:
    signatures = mailbox.signatures if mailbox else {}
    return signatures.get(language) or signatures.get("en") or localized(SIGNATURE, language)


def _anti_phishing_line(customer: Customer, language: str) -> str:
    code = str((customer.attributes or {}).get("anti_phishing_code") or "").strip()
    if code:
        return localized(ANTI_PHISHING_CODE, language, code=code[:64])
    return localized(ANTI_PHISHING_GENERIC, language)


def _html_body(body: str, signature: str, safety_line: str) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>"
        for block in body.split("\n\n")
        if block.strip()
    )
    return (
        "<!doctype html><html><body>"
        f"{paragraphs}<p>-- <br>{html.escape(signature).replace(chr(10), '<br>')}</p>"
        f'<p style="color:#555;font-size:90%">{html.escape(safety_line)}</p>'
        "</body></html>"
    )


# --- building the MIME message ---------------------------------------------------------------------


def build_message(row: OutboundMail) -> EmailMessage:
    """The text + HTML mail for an outbox row; the same row always gives the same headers."""
    message = EmailMessage()
    message["From"] = Address(display_name=row.from_name, addr_spec=row.from_address)
    message["To"] = row.to_address
    if row.reply_to:
        message["Reply-To"] = row.reply_to
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    if row.in_reply_to:
        message["In-Reply-To"] = row.in_reply_to
    if row.references:
        message["References"] = " ".join(row.references)
    for name, value in (row.extra_headers or {}).items():
        message[name] = str(value)
    if row.kind == OutboundKind.AUTOMATIC:
        message["X-Auto-Response-Suppress"] = "All"
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message


# --- claiming and recording ------------------------------------------------------------------------


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        and_(OutboundMail.state == OutboundState.QUEUED, OutboundMail.next_attempt_at <= now),
        and_(OutboundMail.state == OutboundState.SENDING, OutboundMail.lease_until < now),
    )


def claim_due(
    session: Session, *, worker: str, now: datetime, lease_seconds: int, limit: int = 20
) -> list[int]:
    """Take up to ``limit`` due rows for ``worker``: queued ones whose time has come, and rows whose
    sender's lease ran out. Each is taken by a conditional UPDATE, so two workers never share one.
    The caller commits before sending."""
    candidates = session.scalars(
        select(OutboundMail.id).where(_due(now)).order_by(OutboundMail.next_attempt_at).limit(limit)
    ).all()
    claimed = []
    for outbound_id in candidates:
        result = session.execute(
            update(OutboundMail)
            .where(OutboundMail.id == outbound_id, _due(now))
            .values(
                state=OutboundState.SENDING,
                lease_owner=worker,
                lease_until=now + timedelta(seconds=lease_seconds),
                attempts=OutboundMail.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(outbound_id)
    return claimed


def record_sent(session: Session, *, outbound_id: int, worker: str, now: datetime) -> bool:
    """Mark a claimed row sent; False if ``worker`` no longer held its lease."""
    result = session.execute(
        update(OutboundMail)
        .where(*_held_by(outbound_id, worker))
        .values(state=OutboundState.SENT, sent_at=now, lease_until=None, last_error="")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def record_failure(
    session: Session,
    *,
    outbound_id: int,
    worker: str,
    error: str,
    permanent: bool,
    now: datetime,
    settings: Settings,
) -> OutboundState | None:
    """Schedule a retry with exponential backoff, or give up; None if the lease was lost meanwhile."""
    row = session.get(OutboundMail, outbound_id, populate_existing=True)
    if row is None or row.state != OutboundState.SENDING or row.lease_owner != worker:
        return None
    give_up = permanent or row.attempts >= settings.email_outbox_max_attempts
    delay = min(
        timedelta(seconds=settings.email_outbox_backoff_seconds * 2 ** (row.attempts - 1)), MAX_BACKOFF
    )
    row.state = OutboundState.FAILED if give_up else OutboundState.QUEUED
    row.next_attempt_at = now if give_up else now + delay
    row.lease_until = None
    row.last_error = error[:1000]
    session.flush()
    if give_up or row.attempts == 1:
        conversation = session.get(Conversation, row.conversation_id)
        if conversation is not None:
            retry = None if give_up else row.next_attempt_at.isoformat()
            _record_failure_event(session, conversation, row, error, retry_at=retry)
    return OutboundState(row.state)


def _held_by(outbound_id: int, worker: str) -> list:  # type: ignore[type-arg]
    return [
        OutboundMail.id == outbound_id,
        OutboundMail.state == OutboundState.SENDING,
        OutboundMail.lease_owner == worker,
    ]


def _record_failure_event(
    session: Session,
    conversation: Conversation,
    row: OutboundMail | None,
    error: str,
    *,
    retry_at: str | None = None,
) -> None:
    record_event(
        session,
        kind=EventKind.EMAIL_SEND_FAILED,
        actor_kind=ActorKind.SYSTEM,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={
            "outbound_id": row.id if row else None,
            "error": error[:300],
            "attempts": row.attempts if row else 0,
            "retry_at": retry_at,
        },
    )


# --- sending ---------------------------------------------------------------------------------------


@dataclass
class OutboxRun:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


async def deliver(message: EmailMessage, *, sender: str, recipient: str, settings: Settings) -> None:
    """Hand one mail to the configured SMTP relay; raises aiosmtplib errors."""
    await aiosmtplib.send(
        message,
        sender=sender,
        recipients=[recipient],
        hostname=settings.email_smtp_host,
        port=settings.email_smtp_port,
        username=settings.email_smtp_username or None,
        password=settings.email_smtp_password or None,
        use_tls=settings.email_smtp_tls,
        start_tls=settings.email_smtp_starttls or None,
        timeout=settings.email_smtp_timeout_seconds,
    )


def _is_permanent(error: Exception) -> bool:
    code = getattr(error, "code", None)
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [getattr(item, "code", 0) for item in error.recipients]
        return bool(codes) and all(500 <= c < 600 for c in codes)
    return isinstance(code, int) and 500 <= code < 600


async def run_outbox_once(
    session_factory: sessionmaker[Session],
    settings: Settings,
    *,
    worker: str | None = None,
    now: datetime | None = None,
    limit: int = 20,
) -> OutboxRun:
    """Claim what is due, send it, record each outcome. Database work is short and never spans a send.

    The database work runs in a worker thread: waiting for SQLite's write lock must never stall the
    event loop, which serves every websocket and request of the process.
    """
    worker = worker or f"sender-{uuid.uuid4().hex[:12]}"
    started = now or utcnow()
    prepared = await asyncio.to_thread(
        _claim_and_build, session_factory, settings, worker=worker, now=started, limit=limit
    )
    run = OutboxRun()
    for outbound_id, message, sender, recipient in prepared:
        try:
            await deliver(message, sender=sender, recipient=recipient, settings=settings)
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning("email send failed", extra={"outbound_id": outbound_id, "error": str(error)})
            state = await asyncio.to_thread(
                _record_in_transaction, session_factory, record_failure, outbound_id=outbound_id,
                worker=worker, error=_describe(error), permanent=_is_permanent(error),
                now=now or utcnow(), settings=settings,
            )  # fmt: skip
            (run.failed if state == OutboundState.FAILED else run.retrying).append(outbound_id)
            continue
        recorded = await asyncio.to_thread(
            _record_in_transaction, session_factory, record_sent, outbound_id=outbound_id,
            worker=worker, now=now or utcnow(),
        )  # fmt: skip
        if not recorded:
            log.warning("lease lost before a sent mail was recorded", extra={"outbound_id": outbound_id})
        run.sent.append(outbound_id)
    return run


def _claim_and_build(
    session_factory: sessionmaker[Session], settings: Settings, *, worker: str, now: datetime, limit: int
) -> list[tuple[int, EmailMessage, str, str]]:
    """Claim the due mail in one short transaction and build each message to send."""
    with session_scope(session_factory) as session:
        declare_write(session)  # SQLite: read-then-write needs the write lock from the start
        claimed = claim_due(
            session, worker=worker, now=now, lease_seconds=settings.email_outbox_lease_seconds, limit=limit
        )
        prepared = []
        for outbound_id in claimed:
            row = session.get(OutboundMail, outbound_id, populate_existing=True)
            if row is not None:
                prepared.append((outbound_id, build_message(row), row.from_address, row.to_address))
    return prepared


def _record_in_transaction(
    session_factory: sessionmaker[Session], record: Callable[..., T], **arguments: Any
) -> T:
    with session_scope(session_factory) as session:
        declare_write(session)
        return record(session, **arguments)


def _describe(error: Exception) -> str:
    code = getattr(error, "code", None)
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return f"{code} {text}" if code else f"{type(error).__name__}: {text}"
