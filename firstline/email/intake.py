"""The one intake pipeline: IMAP polling, the SMTP listener and ``firstline import-mail`` all call
``ingest_bytes``, which stores the raw mail, threads it and posts it through the conversations service
exactly as a chat message is posted, so the timeline and realtime behave the same.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar, cast

from sqlalchemy import Table, bindparam, event, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from firstline.attachments.models import Attachment
from firstline.attachments.store import FileStore
from firstline.config import Settings, get_settings
from firstline.conversations.models import AuthorKind, Channel, Conversation
from firstline.conversations.service import MAX_BODY_CHARS, open_conversation, post_message
from firstline.customers.models import Customer
from firstline.customers.service import create_customer
from firstline.db import session_scope
from firstline.email.inbound import InboundRow, inbound_row, insert_unique, stored_as, update_row
from firstline.email.models import (
    Bounce,
    InboundMail,
    InboundStatus,
    Mailbox,
    OutboundMail,
    OutboundState,
    Source,
    ThreadRule,
)
from firstline.email.parsing import ParsedMail, parse_headers, parse_mail
from firstline.email.texts import ACKNOWLEDGEMENT, localized
from firstline.email.threading import find_conversation
from firstline.kit.languages import LANGUAGE_NAMES
from firstline.kit.time import utcnow
from firstline.timeline.service import ActorKind, EventKind, record_event

log = logging.getLogger(__name__)

Key = TypeVar("Key")
SHORTENED = "\n\n[… shortened here; the whole mail is kept with the conversation]"


@dataclass(frozen=True)
class IngestResult:
    status: InboundStatus
    inbound_id: int | None
    conversation_id: int | None = None
    message_id: int | None = None  # the conversation message posted for it
    customer_id: int | None = None
    rule: ThreadRule | None = None
    reason: str = ""
    acknowledged: bool = False


@lru_cache(maxsize=16)
def _stores(data_dir: Path, raw_max_bytes: int, attachment_max_bytes: int) -> tuple[FileStore, FileStore]:
    return (
        FileStore(data_dir / "mail", max_bytes=raw_max_bytes),
        FileStore(data_dir / "attachments", max_bytes=attachment_max_bytes),
    )


def mail_store(settings: Settings) -> FileStore:
    """Where raw mail is kept, content-addressed."""
    return _stores(settings.data_dir, settings.email_raw_max_bytes, settings.attachment_max_bytes)[0]


def ingest_bytes(
    session: Session,
    raw: bytes,
    *,
    mailbox_id: int | None,
    source: str,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """Take one raw mail into Firstline; the caller commits. Never raises for anything in ``raw``.

    The mail is parsed once and its raw bytes stored before anything else, so even a rejected mail is
    kept. A Message-ID stored before (or, without one, the same bytes) is reported as a duplicate.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    raw_store, _ = _stores(settings.data_dir, settings.email_raw_max_bytes, settings.attachment_max_bytes)
    digest = hashlib.sha256(raw).hexdigest()
    too_large = len(raw) > settings.email_max_message_bytes
    if too_large:
        parsed = parse_headers(raw)
    else:
        parsed = parse_mail(raw, max_attachment_bytes=settings.attachment_max_bytes)
    kept = len(raw) <= settings.email_raw_max_bytes
    row = inbound_row(parsed, digest, digest if kept else None, len(raw), mailbox_id, source, now)
    if not insert_unique(session, row):
        return _duplicate(session, row)
    if kept:
        raw_store.put(raw, session=session)  # on disk before the session commits (see FileStore)
    reason = _rejection(session, parsed, row, settings, too_large=too_large, kept=kept, now=now)
    if reason:
        return _reject(session, row, reason)
    if parsed.report is not None:
        return _attach_bounce(session, parsed, row)
    return _post(session, parsed, row, settings, now)


def record_oversized(
    session: Session,
    headers: bytes,
    *,
    size: int,
    mailbox_id: int | None,
    source: str,
    where: str,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """List a mail too large to fetch as rejected, from its headers alone; ``where`` says where it stays."""
    settings = settings or get_settings()
    parsed = parse_headers(headers)
    digest = hashlib.sha256(headers).hexdigest()
    row = inbound_row(parsed, digest, None, size, mailbox_id, source, now or utcnow())
    if not insert_unique(session, row):
        return _duplicate(session, row)
    return _reject(session, row, f"{size} bytes, over the limit of {settings.email_raw_max_bytes}: {where}")


def _duplicate(session: Session, row: InboundRow) -> IngestResult:
    inbound_id, conversation_id = stored_as(session, row.message_id)
    return IngestResult(
        InboundStatus.DUPLICATE,
        inbound_id,
        conversation_id=conversation_id,
        reason="Message-ID already stored",
    )


def ingest_and_commit(
    session_factory: sessionmaker[Session],
    raw: bytes,
    *,
    mailbox_id: int | None,
    source: str,
    settings: Settings | None = None,
) -> IngestResult:
    """``ingest_bytes`` in its own transaction: what the SMTP listener calls before it answers 250."""
    with session_scope(session_factory) as session:
        return ingest_bytes(session, raw, mailbox_id=mailbox_id, source=source, settings=settings)


@dataclass
class _BatchLookups:
    """What stays true for the length of one batch's transaction, looked up once instead of per mail.

    A mail that fails rolls back its SAVEPOINT, and what it wrote may be named here: ``forget`` then.
    """

    own_addresses: frozenset[str] | None = None  # Firstline's mailboxes: mail from them is a loop
    customer_ids: dict[str, int] = field(default_factory=dict)  # sender address -> customer
    held: set[object] = field(default_factory=set)  # see _hold_objects

    def forget(self) -> None:
        self.customer_ids.clear()
        self.held.clear()


_BATCH_KEY = "firstline_email_batch"


def _hold_objects(session: Session, held: set[object]) -> None:
    """Keep every object of ``session`` in ``held``, and so in its identity map, while the batch runs.

    The identity map holds objects weakly: a customer or conversation the batch used a few mails ago is
    usually gone by the next mail, and ``session.get`` then reads it again. A batch is short, so holding
    them (SQLAlchemy's "strong reference" recipe) costs little memory and saves most of those reads.
    """

    def hold(_session: Session, instance: object) -> None:
        held.add(instance)

    def release(_session: Session, instance: object) -> None:
        held.discard(instance)

    for name in ("pending_to_persistent", "detached_to_persistent", "loaded_as_persistent"):
        event.listen(session, name, hold)
    for name in ("persistent_to_detached", "persistent_to_deleted", "persistent_to_transient"):
        event.listen(session, name, release)


@dataclass(frozen=True)
class BatchOutcome(Generic[Key]):
    key: Key  # the caller's name for the mail: a path, an IMAP UID
    result: IngestResult | None  # None: not stored; it stays where it came from, to be tried again
    error: str = ""


def ingest_batch(
    session_factory: sessionmaker[Session],
    mails: Sequence[tuple[Key, bytes]],
    *,
    mailbox_id: int | None,
    source: str,
    settings: Settings | None = None,
) -> list[BatchOutcome[Key]]:
    """``ingest_bytes`` for many mails in one transaction, each in a SAVEPOINT of its own; in order.

    Every outcome with a result is committed when this returns, so the caller may then acknowledge
    those mails (flag them on the IMAP server). A mail that fails is rolled back alone and tried again
    in a transaction of its own after the others committed; if the batch's commit itself fails, every
    mail is tried that way. One bad mail never costs the others, and nothing is reported stored that
    did not commit. Hold the batch short (a few hundred mails): its transaction keeps the rows it
    touched locked until it commits.
    """
    settings = settings or get_settings()
    outcomes: list[BatchOutcome[Key]] = []
    try:
        with session_scope(session_factory) as session:
            session.info[_BATCH_KEY] = lookups = _BatchLookups()
            _hold_objects(session, lookups.held)
            for key, raw in mails:
                outcomes.append(_ingest_in_savepoint(session, key, raw, mailbox_id, source, settings))
            del session.info[_BATCH_KEY]
    except Exception:
        log.exception(
            "committing a batch of mail failed; storing them one by one", extra={"size": len(mails)}
        )
        outcomes = [BatchOutcome(key, None, "batch failed") for key, _ in mails]
    retried = []
    for outcome, (key, raw) in zip(outcomes, mails, strict=True):
        if outcome.result is None:
            outcome = _ingest_alone(session_factory, key, raw, mailbox_id, source, settings)
        retried.append(outcome)
    return retried


def _ingest_in_savepoint(
    session: Session, key: Key, raw: bytes, mailbox_id: int | None, source: str, settings: Settings
) -> BatchOutcome[Key]:
    try:
        with session.begin_nested():
            result = ingest_bytes(session, raw, mailbox_id=mailbox_id, source=source, settings=settings)
    except Exception as exc:
        log.warning("mail failed in a batch; it will be tried alone", extra={"error": repr(exc)[:300]})
        session.info[_BATCH_KEY].forget()  # objects and ids the rolled-back SAVEPOINT wrote may be gone
        return BatchOutcome(key, None, f"{type(exc).__name__}: {exc}"[:300])
    return BatchOutcome(key, result)


def _ingest_alone(
    session_factory: sessionmaker[Session],
    key: Key,
    raw: bytes,
    mailbox_id: int | None,
    source: str,
    settings: Settings,
) -> BatchOutcome[Key]:
    try:
        result = ingest_and_commit(
            session_factory, raw, mailbox_id=mailbox_id, source=source, settings=settings
        )
    except Exception as exc:
        log.exception("mail could not be stored; it stays at its source")
        return BatchOutcome(key, None, f"could not be stored ({type(exc).__name__}); left at its source")
    return BatchOutcome(key, result)


def _rejection(
    session: Session,
    parsed: ParsedMail,
    row: InboundRow,
    settings: Settings,
    *,
    too_large: bool,
    kept: bool,
    now: datetime,
) -> str:
    """Why this mail must not be posted, or '' when it may."""
    if not kept:
        return f"larger than {settings.email_raw_max_bytes} bytes: not kept, left at its source"
    if too_large:
        return f"larger than the limit of {settings.email_max_message_bytes} bytes ({row.raw_size} bytes)"
    if parsed.error:
        return parsed.error
    if parsed.report is not None:
        return ""
    if (
        parsed.sender.partition("@")[0] in ("mailer-daemon", "postmaster")
        or parsed.automated_reason == "delivery report"
    ):
        return "delivery failure notice that names no mail Firstline sent"
    if _is_own_address(session, parsed.sender):
        return "sent from one of Firstline's own mailboxes (a loop)"
    if row.source != Source.IMPORT:
        recent = session.scalar(
            select(func.count(InboundMail.id)).where(
                InboundMail.sender == parsed.sender,
                InboundMail.received_at >= now - timedelta(hours=1),
                InboundMail.id != row.id,
            )
        )
        if (recent or 0) >= settings.email_sender_rate_per_hour:
            return f"rate limit: more than {settings.email_sender_rate_per_hour} mails in an hour from this sender"
    return ""


def _reject(session: Session, row: InboundRow, reason: str) -> IngestResult:
    """Keep the mail as rejected (its status since it was inserted) with ``reason``."""
    update_row(session, row, reason=reason[:500])
    log.info("mail rejected", extra={"inbound_id": row.id, "reason": reason[:500]})
    return IngestResult(InboundStatus.REJECTED, row.id, reason=reason[:500])


def _attach_bounce(session: Session, parsed: ParsedMail, row: InboundRow) -> IngestResult:
    report = parsed.report
    assert report is not None
    outbound = session.scalar(
        select(OutboundMail).where(OutboundMail.message_id == report.original_message_id)
    )
    if outbound is None:
        return _reject(
            session,
            row,
            f"delivery report about {report.original_message_id[:200]}, which Firstline did not send",
        )
    session.add(
        Bounce(
            outbound_id=outbound.id,
            inbound_id=row.id,
            recipient=report.recipient,
            action=report.action,
            status=report.status,
            diagnostic=report.diagnostic,
        )
    )
    if report.action in ("failed", ""):
        outbound.state = OutboundState.BOUNCED
        outbound.last_error = (report.diagnostic or report.status or "bounced")[:1000]
    update_row(session, row, status=InboundStatus.BOUNCE, conversation_id=outbound.conversation_id)
    conversation = session.get(Conversation, outbound.conversation_id)
    record_event(
        session,
        kind=EventKind.EMAIL_BOUNCED,
        actor_kind=ActorKind.SYSTEM,
        conversation_id=outbound.conversation_id,
        customer_id=conversation.customer_id if conversation else None,
        data={
            "outbound_id": outbound.id,
            "recipient": report.recipient,
            "action": report.action,
            "status": report.status,
            "diagnostic": report.diagnostic[:300],
        },
    )
    session.flush()
    return IngestResult(InboundStatus.BOUNCE, row.id, conversation_id=outbound.conversation_id)


def _post(
    session: Session, parsed: ParsedMail, row: InboundRow, settings: Settings, now: datetime
) -> IngestResult:
    customer_id = _customer_for(session, parsed, settings)
    decision = find_conversation(
        session,
        parsed=parsed,
        customer_id=customer_id,
        window=timedelta(hours=settings.email_thread_window_hours),
        now=now,
    )
    conversation = decision.conversation or open_conversation(
        session, customer_id=customer_id, channel=Channel.EMAIL, subject=parsed.subject or "(no subject)"
    )
    posted = post_message(
        session, conversation_id=conversation.id, author_kind=AuthorKind.CUSTOMER, body=_body(parsed)
    ).message
    _store_attachments(session, parsed, posted.id, settings)
    status = InboundStatus.IMPORTED if decision.conversation is None else InboundStatus.THREADED
    update_row(
        session,
        row,
        status=status,
        rule=decision.rule,
        reason=decision.detail[:500],
        customer_id=customer_id,
        conversation_id=conversation.id,
        posted_message_id=posted.id,
    )
    acknowledged = _acknowledge(session, row, conversation, parsed, new=decision.conversation is None)
    return IngestResult(
        status,
        row.id,
        conversation_id=conversation.id,
        message_id=posted.id,
        customer_id=customer_id,
        rule=decision.rule,
        reason=decision.detail[:500],
        acknowledged=acknowledged,
    )


_CUSTOMER_BY_EMAIL = (
    select(Customer.__table__.c.id)
    .where(Customer.__table__.c.email == bindparam("email"))
    .order_by(Customer.__table__.c.id)
    .limit(1)
)


def _customer_for(session: Session, parsed: ParsedMail, settings: Settings) -> int:
    """The id of the customer writing from the sender's address, created on their first mail."""
    lookups: _BatchLookups | None = session.info.get(_BATCH_KEY)
    customer_id = lookups.customer_ids.get(parsed.sender) if lookups else None
    if customer_id is None:
        customer_id = session.scalar(_CUSTOMER_BY_EMAIL, {"email": parsed.sender})
    if customer_id is None:
        language = parsed.content_language if parsed.content_language in LANGUAGE_NAMES else None
        customer_id = create_customer(
            session,
            name=parsed.sender_name,
            email=parsed.sender,
            preferred_language=language or settings.email_default_language,
        ).id
    if lookups is not None:
        lookups.customer_ids[parsed.sender] = customer_id
    return customer_id


def _is_own_address(session: Session, address: str) -> bool:
    lookups: _BatchLookups | None = session.info.get(_BATCH_KEY)
    if lookups is None:
        return session.scalar(select(Mailbox.id).where(Mailbox.address == address).limit(1)) is not None
    if lookups.own_addresses is None:
        lookups.own_addresses = frozenset(session.scalars(select(Mailbox.address)))
    return address in lookups.own_addresses


def _body(parsed: ParsedMail) -> str:
    text = parsed.new_text.strip()
    if not text:
        names = ", ".join(a.filename for a in parsed.attachments[:10])
        text = f"(no text{'; attachments: ' + names if names else ''})"
    limit = MAX_BODY_CHARS - len(SHORTENED)
    return text if len(text) <= limit else text[:limit] + SHORTENED


_INSERT_ATTACHMENT = insert(cast(Table, Attachment.__table__))


def _store_attachments(session: Session, parsed: ParsedMail, message_id: int, settings: Settings) -> None:
    if not parsed.attachments:
        return
    _, store = _stores(settings.data_dir, settings.email_raw_max_bytes, settings.attachment_max_bytes)
    rows = [
        {
            "message_id": message_id,
            "sha256": store.put(attachment.data, session=session),
            "filename": attachment.filename,
            "content_type": attachment.content_type,
            "size": len(attachment.data),
        }
        for attachment in parsed.attachments
    ]
    session.execute(_INSERT_ATTACHMENT, rows)  # rows never changed afterwards: no unit of work needed


def _acknowledge(
    session: Session, row: InboundRow, conversation: Conversation, parsed: ParsedMail, *, new: bool
) -> bool:
    """Send the automatic acknowledgement a mailbox asks for: new conversations only, never to machines."""
    if not new or row.mailbox_id is None or row.source == Source.IMPORT or parsed.is_automated:
        return False
    mailbox = session.get(Mailbox, row.mailbox_id)
    if mailbox is None or not mailbox.auto_ack:
        return False
    post_message(
        session,
        conversation_id=conversation.id,
        author_kind=AuthorKind.SYSTEM,
        body=localized(ACKNOWLEDGEMENT, conversation.language, reference=conversation.reference),
        is_automatic=True,
    )
    return True
