"""Direct SMTP delivery: a mail is acknowledged only once it is stored, and lands in the intake."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from firstline.config import Settings
from firstline.conversations.models import AuthorKind
from firstline.conversations.service import post_message
from firstline.email.models import InboundMail, Mailbox, OutboundMail, Source, ThreadRule
from firstline.email.smtp_listener import start_listener
from tests import harness
from tests.email.conftest import corpus


@pytest.fixture
def listener(factory: sessionmaker[Session], mail_settings: Settings) -> Iterator[int]:
    port = harness.free_port()
    controller: Controller = start_listener(factory, mail_settings, host="127.0.0.1", port=port)
    yield port
    controller.stop()


def deliver(port: int, raw: bytes, recipient: str = "support@exchange.example") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("relay@exchange.example", [recipient], raw)


class TestListener:
    def test_a_delivered_mail_is_stored_for_the_mailbox_it_was_sent_to(
        self, db: Session, listener: int, support_mailbox: Mailbox
    ) -> None:
        deliver(listener, corpus("multipart_alternative.eml"))
        row = db.scalar(select(InboundMail).where(InboundMail.message_id == "<alt-1@mail.example.com>"))
        assert row is not None and (row.source, row.mailbox_id) == (Source.SMTP, support_mailbox.id)
        assert row.conversation_id is not None

    def test_a_bcc_to_the_reply_address_threads_by_its_envelope_recipient(
        self, db: Session, listener: int, support_mailbox: Mailbox
    ) -> None:
        deliver(listener, corpus("broadcast_reply_alice.eml"))
        first = db.scalar(select(InboundMail).where(InboundMail.sender == "alice@example.net"))
        assert first is not None and first.conversation_id is not None
        message = post_message(
            db, conversation_id=first.conversation_id, author_kind=AuthorKind.AGENT, body="Yes."
        )
        db.commit()
        outbound = db.scalar(select(OutboundMail).where(OutboundMail.posted_message_id == message.message.id))
        assert outbound is not None
        raw = b"From: alice@example.net\r\nTo: friend@example.org\r\nMessage-ID: <bcc@x>\r\nSubject: fyi\r\n\r\nThanks."
        deliver(listener, raw, recipient=outbound.reply_to)
        reply = db.scalar(select(InboundMail).where(InboundMail.message_id == "<bcc@x>"))
        assert reply is not None and (reply.rule, reply.conversation_id) == (
            ThreadRule.REPLY_TOKEN,
            first.conversation_id,
        )

    def test_a_mail_over_the_size_limit_is_refused_not_dropped(
        self, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        port = harness.free_port()
        controller = start_listener(
            factory,
            mail_settings.model_copy(update={"email_raw_max_bytes": 1024}),
            host="127.0.0.1",
            port=port,
        )
        try:
            with pytest.raises(smtplib.SMTPException) as refused:
                deliver(port, b"From: a@example.com\r\n\r\n" + b"x" * 4096)
        finally:
            controller.stop()
        assert "552" in str(refused.value)
