"""Direct delivery from the exchange's mail relay: an SMTP server whose DATA goes into the intake.

The listener answers 250 only after the mail is committed, and 451 (try again later) when storing
failed, so the relay keeps the mail until Firstline has it. Mail over the raw-size limit is refused
with 552 by aiosmtpd itself: the relay returns it to the sender, nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from firstline.config import Settings
from firstline.db import session_scope
from firstline.email.intake import ingest_and_commit
from firstline.email.models import Mailbox, Source

log = logging.getLogger(__name__)


class IntakeHandler:
    """aiosmtpd handler: every accepted mail goes through ``ingest_bytes``."""

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings) -> None:
        self.session_factory = session_factory
        self.settings = settings

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8", "surrogateescape")
        # Like an MTA's Delivered-To: the envelope recipient carries the reply token even when Bcc'd.
        delivered = "".join(f"Delivered-To: {rcpt}\r\n" for rcpt in envelope.rcpt_tos[:5]).encode()
        try:
            mailbox_id = await asyncio.to_thread(self._mailbox_for, list(envelope.rcpt_tos))
            result = await asyncio.to_thread(
                ingest_and_commit,
                self.session_factory,
                delivered + raw,
                mailbox_id=mailbox_id,
                source=Source.SMTP,
                settings=self.settings,
            )
        except Exception:
            log.exception("SMTP intake failed; the relay will retry")
            return "451 4.3.0 Temporary failure, please try again later"
        log.info("mail received by SMTP", extra={"inbound_id": result.inbound_id, "status": result.status})
        return "250 2.0.0 Message accepted"

    def _mailbox_for(self, recipients: list[str]) -> int | None:
        addresses = []
        for recipient in recipients:
            local, _, domain = recipient.lower().partition("@")
            addresses.append(f"{local.split('+')[0]}@{domain}")
        with session_scope(self.session_factory) as session:
            return session.scalar(select(Mailbox.id).where(Mailbox.address.in_(addresses)).limit(1))


def start_listener(
    session_factory: sessionmaker[Session], settings: Settings, *, host: str, port: int
) -> Controller:
    """Start the listener on its own thread and event loop; call ``stop()`` on the result to end it."""
    controller = Controller(
        IntakeHandler(session_factory, settings),
        hostname=host,
        port=port,
        data_size_limit=settings.email_raw_max_bytes,
        decode_data=False,
    )
    controller.start()
    return controller
