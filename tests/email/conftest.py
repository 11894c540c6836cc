"""Fixtures of the email tests: the corpus, a support mailbox, and an SMTP server that captures mail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from firstline.config import Settings
from firstline.email.intake import IngestResult, ingest_bytes
from firstline.email.models import Mailbox, Source
from tests import harness

CORPUS = Path(__file__).parent / "corpus"


def corpus(name: str, **placeholders: str) -> bytes:
    """A mail of the corpus, with ``{{NAME}}`` placeholders filled in."""
    raw = (CORPUS / name).read_bytes()
    for key, value in placeholders.items():
        raw = raw.replace(f"{{{{{key}}}}}".encode(), value.encode())
    return raw


def simple_mail(
    number: int, *, sender: str = "ana@example.org", subject: str = "", reply_to: str = ""
) -> bytes:
    """A small plain mail numbered ``number``; ``reply_to`` names the Message-ID it answers."""
    headers = f"From: Ana <{sender}>\r\nTo: support@exchange.example\r\nMessage-ID: <batch-{number}@example.org>\r\n"
    headers += f"Subject: {subject or f'Question {number}'}\r\n"
    if reply_to:
        headers += f"In-Reply-To: {reply_to}\r\n"
    return (headers + f"\r\nMail number {number}.\r\n").encode()


@pytest.fixture
def mail_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"email_outbox_backoff_seconds": 60.0, "email_outbox_max_attempts": 3})


@pytest.fixture
def factory(connection: Any) -> sessionmaker[Session]:
    """Sessions on the test's connection, as a background worker would open them."""
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def support_mailbox(db: Session) -> Mailbox:
    mailbox = Mailbox(
        address="support@exchange.example",
        name="Exchange Support",
        auto_ack=True,
        signatures={"pt": "Equipa de Apoio da Exchange", "en": "Exchange Support Team"},
    )
    db.add(mailbox)
    db.commit()
    return mailbox


@pytest.fixture
def ingest(db: Session, mail_settings: Settings, support_mailbox: Mailbox) -> Callable[..., IngestResult]:
    """Ingest raw mail as if polled from the support mailbox (or with the given keyword arguments)."""

    def run(raw: bytes, **options: Any) -> IngestResult:
        options.setdefault("mailbox_id", support_mailbox.id)
        options.setdefault("source", Source.IMAP)
        result = ingest_bytes(db, raw, settings=mail_settings, **options)
        db.commit()
        return result

    return run


@dataclass
class CapturingHandler:
    """Keeps every mail it accepts; refuses the first ``refuse`` deliveries with a 451."""

    refuse: int = 0
    refusal: str = "451 4.3.0 Mailbox busy, try again later"
    received: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse > 0:
            self.refuse -= 1
            return self.refusal
        self.received.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [
            BytesParser(policy=policy.default).parsebytes(e.content.replace(b"\r\n", b"\n"))
            for e in self.received
        ]  # type: ignore[misc]


@pytest.fixture
def smtp_server() -> Iterator[tuple[CapturingHandler, int]]:
    handler = CapturingHandler()
    port = harness.free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def sending_settings(mail_settings: Settings, smtp_server: tuple[CapturingHandler, int]) -> Settings:
    return mail_settings.model_copy(
        update={
            "email_smtp_host": "127.0.0.1",
            "email_smtp_port": smtp_server[1],
            "email_smtp_timeout_seconds": 5,
        }
    )
