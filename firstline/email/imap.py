"""IMAP polling: fetch unprocessed mail, store it through the intake, then flag or move it.

A mail is marked processed (``\\Seen`` plus the ``FirstlineImported`` keyword, or moved to the mailbox's
processed folder) only after the transaction that stored it committed, and nothing is ever deleted
before that: a crash between the two re-fetches the mail, and its Message-ID makes it a duplicate.
Fetched mail is committed in batches (one transaction, one SAVEPOINT per mail, see ``ingest_batch``);
an interrupted poll leaves the batch in progress unmarked, to be fetched again.
"""

from __future__ import annotations

import imaplib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from firstline.config import MailboxSettings, Settings
from firstline.db import session_scope
from firstline.email.intake import ingest_batch, record_oversized
from firstline.email.models import Mailbox, Source
from firstline.email.service import mailbox_password, set_mailbox_password
from firstline.kit.sealing import UnreadableSecret
from firstline.kit.time import utcnow

log = logging.getLogger(__name__)

# Mails fetched, then committed together before any is marked processed on the server.
BATCH_MAILS = 50
BATCH_BYTES = 32 * 1024 * 1024
PROCESSED_KEYWORD = "FirstlineImported"
TOO_LARGE_KEYWORD = "FirstlineTooLarge"
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
UNREADABLE_PASSWORD = "The stored password cannot be read: enter it again."  # noqa: S105 - a message


@dataclass
class PollSummary:
    mailbox_id: int
    fetched: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    error: str = ""


@dataclass(frozen=True)
class _Connection:
    host: str
    port: int
    ssl: bool
    username: str
    password: str = field(repr=False)
    folder: str
    processed_folder: str


def sync_configured_mailboxes(
    session: Session, *, configured: list[MailboxSettings], secret_key: str
) -> list[Mailbox]:
    """Create or update the mailboxes given by environment (FIRSTLINE_EMAIL_MAILBOXES), by address.

    Their passwords are stored sealed under ``secret_key``, like those entered in the console.
    """
    mailboxes = []
    for entry in configured:
        address = entry.address.strip().lower()
        mailbox = session.scalar(select(Mailbox).where(Mailbox.address == address))
        if mailbox is None:
            mailbox = Mailbox(address=address)
            session.add(mailbox)
        for name, value in entry.model_dump(exclude={"address", "imap_password"}).items():
            setattr(mailbox, name, value)
        set_mailbox_password(mailbox, password=entry.imap_password, secret_key=secret_key)
        mailboxes.append(mailbox)
    session.flush()
    return mailboxes


def pollable_mailbox_ids(session: Session) -> list[int]:
    query = (
        select(Mailbox.id).where(Mailbox.is_active.is_(True), Mailbox.imap_host != "").order_by(Mailbox.id)
    )
    return list(session.scalars(query))


def poll_mailbox(
    session_factory: sessionmaker[Session], *, mailbox_id: int, settings: Settings, limit: int = 500
) -> PollSummary:
    """Fetch up to ``limit`` unprocessed mails of one mailbox into Firstline. Blocking: run it in a thread."""
    summary = PollSummary(mailbox_id)
    try:
        connection = _connection(session_factory, mailbox_id, settings)
        if connection is None:
            return summary
        _poll(connection, session_factory, mailbox_id, settings, limit, summary)
    except UnreadableSecret:
        summary.error = UNREADABLE_PASSWORD  # the secret key changed: an admin enters the password again
        log.warning("IMAP password unreadable", extra={"mailbox_id": mailbox_id, "error": summary.error})
    except (OSError, imaplib.IMAP4.error) as exc:
        summary.error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("IMAP poll failed", extra={"mailbox_id": mailbox_id, "error": summary.error})
    with session_scope(session_factory) as session:
        mailbox = session.get(Mailbox, mailbox_id)
        if mailbox is not None:
            mailbox.last_polled_at = utcnow()
            mailbox.last_poll_error = summary.error
    return summary


def _connection(
    session_factory: sessionmaker[Session], mailbox_id: int, settings: Settings
) -> _Connection | None:
    """How to reach the mailbox, its password unsealed; None when it is gone. Raises ``UnreadableSecret``."""
    with session_scope(session_factory) as session:
        mailbox = session.get(Mailbox, mailbox_id)
        if mailbox is None:
            return None
        return _Connection(
            mailbox.imap_host, mailbox.imap_port, mailbox.imap_ssl, mailbox.imap_username,
            mailbox_password(mailbox, secret_key=settings.effective_secret_key()),
            mailbox.imap_folder or "INBOX", mailbox.processed_folder,
        )  # fmt: skip


def _poll(
    connection: _Connection,
    session_factory: sessionmaker[Session],
    mailbox_id: int,
    settings: Settings,
    limit: int,
    summary: PollSummary,
) -> None:
    timeout = settings.email_smtp_timeout_seconds
    client_class = imaplib.IMAP4_SSL if connection.ssl else imaplib.IMAP4
    with client_class(connection.host, connection.port, timeout=timeout) as imap:
        imap.login(connection.username, connection.password)
        _check(imap.select(_quote(connection.folder)), "SELECT")
        data = _check(
            imap.uid("SEARCH", "UNKEYWORD", PROCESSED_KEYWORD, "UNKEYWORD", TOO_LARGE_KEYWORD), "SEARCH"
        )
        uids = [uid.decode() for uid in (data[0] or b"").split()[:limit]]
        batch: list[tuple[str, bytes]] = []
        batch_bytes = 0
        for uid in uids:
            size_data = _check(imap.uid("FETCH", uid, "(RFC822.SIZE)"), "FETCH SIZE")
            size_match = _SIZE.search(b" ".join(part for part in size_data if isinstance(part, bytes)))
            size = int(size_match.group(1)) if size_match else 0
            if size > settings.email_raw_max_bytes:
                _record_unfetchable(imap, uid, size, session_factory, mailbox_id, settings, summary)
                continue
            raw = _fetch(imap, uid)
            if raw is None:
                continue
            batch.append((uid, raw))
            batch_bytes += len(raw)
            if len(batch) >= BATCH_MAILS or batch_bytes >= BATCH_BYTES:
                _store_batch(imap, batch, connection, session_factory, mailbox_id, settings, summary)
                batch, batch_bytes = [], 0
        _store_batch(imap, batch, connection, session_factory, mailbox_id, settings, summary)
        if connection.processed_folder:
            imap.expunge()  # only messages already copied to the processed folder carry \Deleted


def _store_batch(
    imap: imaplib.IMAP4,
    batch: list[tuple[str, bytes]],
    connection: _Connection,
    session_factory: sessionmaker[Session],
    mailbox_id: int,
    settings: Settings,
    summary: PollSummary,
) -> None:
    """Commit fetched mails together, then mark as processed exactly those that are stored.

    A mail that could not be stored stays unmarked on the server and is fetched again next poll.
    """
    if not batch:
        return
    outcomes = ingest_batch(
        session_factory, batch, mailbox_id=mailbox_id, source=Source.IMAP, settings=settings
    )
    for outcome in outcomes:
        summary.fetched += 1
        if outcome.result is None:
            summary.statuses["failed"] += 1
            continue
        summary.statuses[outcome.result.status] += 1
        _mark_processed(imap, outcome.key, connection.processed_folder)


def _fetch(imap: imaplib.IMAP4, uid: str) -> bytes | None:
    data = _check(imap.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
    for part in data:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    return None


def _record_unfetchable(
    imap: imaplib.IMAP4,
    uid: str,
    size: int,
    session_factory: sessionmaker[Session],
    mailbox_id: int,
    settings: Settings,
    summary: PollSummary,
) -> None:
    """A mail too large to keep: list it as rejected from its headers and leave it on the server."""
    data = _check(imap.uid("FETCH", uid, "(BODY.PEEK[HEADER])"), "FETCH HEADER")
    headers = next((p[1] for p in data if isinstance(p, tuple) and isinstance(p[1], bytes)), b"")
    with session_scope(session_factory) as session:
        result = record_oversized(
            session, headers, size=size, mailbox_id=mailbox_id, source=Source.IMAP,
            where="left on the IMAP server", settings=settings,
        )  # fmt: skip
    summary.statuses[result.status] += 1
    imap.uid("STORE", uid, "+FLAGS", f"({TOO_LARGE_KEYWORD})")


def _mark_processed(imap: imaplib.IMAP4, uid: str, processed_folder: str) -> None:
    _check(imap.uid("STORE", uid, "+FLAGS", f"(\\Seen {PROCESSED_KEYWORD})"), "STORE")
    if not processed_folder:
        return
    capabilities = getattr(imap, "capabilities", ())
    if "MOVE" in capabilities:
        _check(imap.uid("MOVE", uid, _quote(processed_folder)), "MOVE")
        return
    _check(imap.uid("COPY", uid, _quote(processed_folder)), "COPY")  # stored and copied: now it may go
    _check(imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)"), "STORE")


def _check(response: tuple[str, list], command: str) -> list:  # type: ignore[type-arg]
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"{command} failed: {data!r}"[:300])
    return data


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
