"""The outbox: replies leave as threaded text + HTML mail, retried with backoff, never lost or doubled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from firstline.config import Settings
from firstline.conversations.models import AuthorKind, Conversation
from firstline.conversations.service import open_conversation, post_message
from firstline.customers.models import Customer
from firstline.customers.service import update_customer
from firstline.db import make_engine, make_session_factory, migrate, session_scope
from firstline.email.intake import IngestResult, ingest_bytes
from firstline.email.models import InboundMail, OutboundMail, OutboundState
from firstline.email.outbound import claim_due, record_sent, run_outbox_once
from firstline.kit.time import utcnow
from firstline.timeline.service import list_conversation_events
from tests.email.conftest import CapturingHandler, corpus

Ingest = Callable[..., IngestResult]


@pytest.fixture
def email_from_joao(db: Session, ingest: Ingest) -> IngestResult:
    result = ingest(corpus("multipart_alternative.eml"), source="import")  # no acknowledgement in the outbox
    customer = db.get(Customer, result.customer_id)
    assert customer is not None
    update_customer(
        db, customer_id=customer.id, actor_agent_id=None, attributes={"anti_phishing_code": "K7Q2X"}
    )
    db.commit()
    return result


def reply(
    db: Session, conversation_id: int, body: str = "Olá João,\n\no seu depósito foi creditado."
) -> OutboundMail:
    message = post_message(
        db, conversation_id=conversation_id, author_kind=AuthorKind.AGENT, body=body
    ).message
    db.commit()
    row = db.scalar(select(OutboundMail).where(OutboundMail.posted_message_id == message.id))
    assert row is not None
    return row


def send(factory: sessionmaker[Session], settings: Settings, **options: Any):  # type: ignore[no-untyped-def]
    return asyncio.run(run_outbox_once(factory, settings, **options))


class TestEnqueue:
    def test_an_agent_reply_in_an_email_conversation_joins_the_outbox(
        self, db: Session, email_from_joao: IngestResult
    ) -> None:
        row = reply(db, email_from_joao.conversation_id)
        assert row.state == OutboundState.QUEUED and row.to_address == "joao.silva@example.com"

    def test_an_agent_reply_in_a_chat_conversation_does_not(
        self, db: Session, chat_with_joao: Conversation
    ) -> None:
        post_message(db, conversation_id=chat_with_joao.id, author_kind=AuthorKind.AGENT, body="Olá")
        assert db.scalar(select(OutboundMail)) is None

    def test_an_internal_note_never_leaves(self, db: Session, email_from_joao: IngestResult) -> None:
        post_message(
            db, conversation_id=email_from_joao.conversation_id, author_kind=AuthorKind.NOTE, body="TXID ok"
        )
        assert db.scalar(select(OutboundMail)) is None

    def test_a_customer_without_address_gets_a_failure_on_the_timeline(self, db: Session) -> None:
        customer = Customer(name="No Mail", preferred_language="en", attributes={})
        db.add(customer)
        db.flush()
        conversation = open_conversation(db, customer_id=customer.id, channel="email", subject="Phone call")
        post_message(db, conversation_id=conversation.id, author_kind=AuthorKind.AGENT, body="Hello")
        assert db.scalar(select(OutboundMail)) is None
        assert "email.send_failed" in [
            e.kind for e in list_conversation_events(db, conversation_id=conversation.id)
        ]


class TestDelivery:
    def test_the_mail_carries_threading_headers_signature_and_anti_phishing_code(
        self,
        db: Session,
        factory: sessionmaker[Session],
        sending_settings: Settings,
        smtp_server: tuple[CapturingHandler, int],
        email_from_joao: IngestResult,
    ) -> None:
        row = reply(db, email_from_joao.conversation_id)
        assert send(factory, sending_settings).sent == [row.id]
        (envelope,) = smtp_server[0].received
        assert envelope.mail_from == "support@exchange.example" and envelope.rcpt_tos == [
            "joao.silva@example.com"
        ]
        (mail,) = smtp_server[0].messages()
        conversation = db.get(Conversation, email_from_joao.conversation_id)
        assert conversation is not None
        assert mail["Message-ID"] == row.message_id
        assert mail["In-Reply-To"] == "<alt-1@mail.example.com>"
        assert mail["References"] == "<alt-1@mail.example.com>"
        assert mail["Reply-To"] == row.reply_to and row.reply_to.startswith("support+r")
        assert mail["Subject"] == f"Re: Depósito USDT não creditado [{conversation.reference}]"
        assert mail["From"] == "Exchange Support <support@exchange.example>"
        text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert text.startswith(
            "Olá João,\n\no seu depósito foi creditado.\n\n-- \nEquipa de Apoio da Exchange"
        )
        assert "O seu código anti-phishing: K7Q2X." in text and "K7Q2X" in html
        db.refresh(row)
        assert row.state == OutboundState.SENT and row.sent_at is not None

    def test_a_customer_without_code_gets_the_general_safety_line(
        self,
        db: Session,
        factory: sessionmaker[Session],
        sending_settings: Settings,
        smtp_server,
        ingest: Ingest,
    ) -> None:
        result = ingest(corpus("broadcast_reply_alice.eml"), source="import")
        reply(db, result.conversation_id, "Yes, for two hours.")
        send(factory, sending_settings)
        (mail,) = smtp_server[0].messages()
        assert (
            "We will never ask for your password, 2FA codes or seed phrase."
            in mail.get_body(("plain",)).get_content()
        )  # type: ignore[union-attr]

    def test_the_automatic_acknowledgement_is_marked_as_automatic(
        self,
        db: Session,
        factory: sessionmaker[Session],
        sending_settings: Settings,
        smtp_server,
        ingest: Ingest,
    ) -> None:
        ingest(corpus("multipart_alternative.eml"))
        send(factory, sending_settings)
        (mail,) = smtp_server[0].messages()
        assert mail["Auto-Submitted"] == "auto-replied"
        assert mail.get_body(("plain",)).get_content().startswith("[Mensagem automática]")  # type: ignore[union-attr]

    def test_a_reply_to_the_mail_sent_threads_back_into_the_conversation(
        self,
        db: Session,
        factory,
        sending_settings: Settings,
        smtp_server,
        email_from_joao: IngestResult,
        ingest: Ingest,
    ) -> None:
        reply(db, email_from_joao.conversation_id)
        send(factory, sending_settings)
        (mail,) = smtp_server[0].messages()
        answer = f"From: joao.silva@example.com\nTo: {mail['Reply-To']}\nMessage-ID: <thanks@x>\nSubject: ok\n\nObrigado!"
        assert ingest(answer.encode()).conversation_id == email_from_joao.conversation_id


class TestRetries:
    def test_a_refused_mail_is_retried_after_backoff_and_sent_once(
        self,
        db: Session,
        factory: sessionmaker[Session],
        sending_settings: Settings,
        smtp_server,
        email_from_joao,
    ) -> None:
        handler: CapturingHandler = smtp_server[0]
        handler.refuse = 1
        row = reply(db, email_from_joao.conversation_id)
        now = utcnow()
        assert send(factory, sending_settings, now=now).retrying == [row.id]
        db.refresh(row)
        assert row.state == OutboundState.QUEUED and row.attempts == 1 and "451" in row.last_error
        assert row.next_attempt_at == now + timedelta(seconds=60)
        events = list_conversation_events(db, conversation_id=email_from_joao.conversation_id)
        assert [e.data["retry_at"] for e in events if e.kind == "email.send_failed"] == [
            row.next_attempt_at.isoformat()
        ]
        assert send(factory, sending_settings, now=now + timedelta(seconds=30)).sent == []
        assert send(factory, sending_settings, now=now + timedelta(seconds=61)).sent == [row.id]
        assert len(handler.received) == 1
        db.refresh(row)
        assert (row.state, row.attempts) == (OutboundState.SENT, 2)

    def test_a_permanent_refusal_fails_at_once_and_shows_on_the_timeline(
        self,
        db: Session,
        factory: sessionmaker[Session],
        sending_settings: Settings,
        smtp_server,
        email_from_joao,
    ) -> None:
        smtp_server[0].refuse, smtp_server[0].refusal = 1, "550 5.1.1 No such user"
        row = reply(db, email_from_joao.conversation_id)
        assert send(factory, sending_settings).failed == [row.id]
        db.refresh(row)
        assert row.state == OutboundState.FAILED and "550" in row.last_error
        failures = [
            e
            for e in list_conversation_events(db, conversation_id=row.conversation_id)
            if e.kind == "email.send_failed"
        ]
        assert failures and failures[-1].data["retry_at"] is None

    def test_the_last_allowed_attempt_gives_up(
        self,
        db: Session,
        factory: sessionmaker[Session],
        sending_settings: Settings,
        smtp_server,
        email_from_joao,
    ) -> None:
        smtp_server[0].refuse = 10
        row = reply(db, email_from_joao.conversation_id)
        now = utcnow()
        for hour in range(3):  # max attempts is 3 in these settings
            send(factory, sending_settings, now=now + timedelta(hours=hour * 7))
        db.refresh(row)
        assert (row.state, row.attempts) == (OutboundState.FAILED, 3)

    def test_an_unreachable_server_is_a_retry_not_a_loss(
        self, db: Session, factory: sessionmaker[Session], mail_settings: Settings, email_from_joao
    ) -> None:
        from tests import harness

        closed = mail_settings.model_copy(
            update={"email_smtp_port": harness.free_port(), "email_smtp_timeout_seconds": 2}
        )
        row = reply(db, email_from_joao.conversation_id)
        assert send(factory, closed).retrying == [row.id]


class TestLeases:
    def test_a_claimed_but_unsent_row_is_retried_after_its_lease_expires_and_sent_once(
        self,
        db: Session,
        factory: sessionmaker[Session],
        sending_settings: Settings,
        smtp_server,
        email_from_joao,
    ) -> None:
        row = reply(db, email_from_joao.conversation_id)
        now = utcnow()
        with factory() as crashed:  # a sender claims the row, commits, then dies before sending
            assert claim_due(crashed, worker="crashed", now=now, lease_seconds=300) == [row.id]
            crashed.commit()
        assert send(factory, sending_settings, now=now + timedelta(seconds=299)).sent == []
        assert send(factory, sending_settings, now=now + timedelta(seconds=301)).sent == [row.id]
        assert send(factory, sending_settings, now=now + timedelta(seconds=900)).sent == []
        assert len(smtp_server[0].received) == 1
        with factory() as late:  # the crashed sender cannot mark a row it no longer holds
            assert not record_sent(late, outbound_id=row.id, worker="crashed", now=now)

    def test_two_senders_at_once_send_each_mail_once(
        self,
        fresh_database_url: Callable[[str], str],
        sending_settings: Settings,
        smtp_server: tuple[CapturingHandler, int],
    ) -> None:
        # Two senders with connections of their own on a real database, racing for the same rows.
        url = fresh_database_url("two_senders")
        migrate(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            raw = corpus("multipart_alternative.eml")
            mail = ingest_bytes(session, raw, mailbox_id=None, source="import", settings=sending_settings)
        rows = []
        for number in range(4):
            with session_scope(factory) as session:
                rows.append(reply(session, mail.conversation_id, f"Reply {number}").id)

        async def both() -> list[Any]:
            return await asyncio.gather(
                run_outbox_once(factory, sending_settings, worker="a"),
                run_outbox_once(factory, sending_settings, worker="b"),
            )

        try:
            runs = asyncio.run(both())
        finally:
            engine.dispose()
        assert sorted(runs[0].sent + runs[1].sent) == sorted(rows)
        assert len(smtp_server[0].received) == 4
        assert len({m["Message-ID"] for m in smtp_server[0].messages()}) == 4


def test_the_reply_is_recorded_against_the_inbound_mail_it_answers(
    db: Session, email_from_joao: IngestResult
) -> None:
    row = reply(db, email_from_joao.conversation_id)
    inbound = db.get(InboundMail, email_from_joao.inbound_id)
    assert inbound is not None and row.in_reply_to == inbound.message_id
