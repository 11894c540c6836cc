"""The intake pipeline: every mail is stored once, threaded by a visible rule, or kept as rejected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from firstline.attachments import store as store_module
from firstline.attachments.models import Attachment
from firstline.config import Settings
from firstline.conversations.models import AuthorKind, Channel, Conversation, Message
from firstline.conversations.service import change_status, post_message
from firstline.customers.models import Customer
from firstline.email import intake
from firstline.email.intake import IngestResult, ingest_batch, ingest_bytes, mail_store
from firstline.email.models import (
    Bounce,
    InboundMail,
    InboundStatus,
    OutboundMail,
    OutboundState,
    Source,
    ThreadRule,
)
from firstline.email.service import list_rejected
from firstline.kit.notify import subscribe
from firstline.timeline.service import list_conversation_events
from tests.email.conftest import corpus, simple_mail

Ingest = Callable[..., IngestResult]


def agent_reply(
    db: Session, conversation_id: int, body: str = "Olá João, estamos a verificar."
) -> OutboundMail:
    message = post_message(
        db, conversation_id=conversation_id, author_kind=AuthorKind.AGENT, body=body
    ).message
    db.commit()
    outbound = db.scalar(select(OutboundMail).where(OutboundMail.posted_message_id == message.id))
    assert outbound is not None
    return outbound


class TestNewMail:
    def test_a_first_mail_creates_the_customer_and_an_email_conversation(
        self, db: Session, ingest: Ingest
    ) -> None:
        result = ingest(corpus("multipart_alternative.eml"))
        assert (result.status, result.rule) == (InboundStatus.IMPORTED, ThreadRule.NEW)
        customer = db.get(Customer, result.customer_id)
        assert customer is not None
        assert (customer.email, customer.name, customer.preferred_language) == (
            "joao.silva@example.com", "João Silva", "pt",
        )  # fmt: skip
        conversation = db.get(Conversation, result.conversation_id)
        assert conversation is not None
        assert (conversation.channel, conversation.subject) == (Channel.EMAIL, "Depósito USDT não creditado")
        message = db.get(Message, result.message_id)
        assert message is not None and message.author_kind == AuthorKind.CUSTOMER
        assert message.body.startswith("Olá, enviei 250 USDT")

    def test_the_raw_mail_is_kept_content_addressed(
        self, db: Session, ingest: Ingest, mail_settings: Settings
    ) -> None:
        raw = corpus("multipart_alternative.eml")
        row = db.get(InboundMail, ingest(raw).inbound_id)
        assert row is not None and row.raw_sha256 is not None
        assert mail_store(mail_settings).get(row.raw_sha256) == raw

    def test_the_sanitized_html_and_the_rule_are_recorded_on_the_mail(
        self, db: Session, ingest: Ingest
    ) -> None:
        row = db.get(InboundMail, ingest(corpus("multipart_alternative.eml")).inbound_id)
        assert row is not None
        assert (
            row.rule == ThreadRule.NEW
            and "<b>250 USDT</b>" in row.html_body
            and "<script" not in row.html_body
        )

    def test_attachments_and_inline_images_are_stored_with_the_message(
        self, db: Session, ingest: Ingest
    ) -> None:
        result = ingest(corpus("nested_multipart.eml"))
        attachments = db.scalars(select(Attachment).where(Attachment.message_id == result.message_id)).all()
        assert sorted(a.filename for a in attachments) == ["estratto.pdf", "screenshot.png"]
        assert all(len(a.sha256) == 64 for a in attachments)


class TestDuplicates:
    def test_the_same_message_id_twice_is_stored_once(self, db: Session, ingest: Ingest) -> None:
        first = ingest(corpus("multipart_alternative.eml"))
        again = ingest(corpus("multipart_alternative.eml"), source="smtp")
        assert again.status == InboundStatus.DUPLICATE and again.inbound_id == first.inbound_id
        assert db.scalar(select(func.count()).select_from(InboundMail)) == 1
        assert (
            db.scalar(select(func.count()).where(Message.conversation_id == first.conversation_id)) == 2
        )  # + ack

    def test_a_mail_without_message_id_is_recognized_by_its_bytes(self, ingest: Ingest) -> None:
        raw = b"From: ana@example.es\nSubject: hola\n\nHola, necesito ayuda."
        assert ingest(raw).status == InboundStatus.IMPORTED
        assert ingest(raw).status == InboundStatus.DUPLICATE


class TestThreading:
    def test_an_outlook_reply_without_in_reply_to_threads_by_its_reply_token(
        self, db: Session, ingest: Ingest
    ) -> None:
        first = ingest(corpus("multipart_alternative.eml"))
        outbound = agent_reply(db, first.conversation_id)
        reply = ingest(corpus("outlook_reply.eml", TOKEN_ADDRESS=outbound.reply_to))
        assert (reply.status, reply.rule) == (InboundStatus.THREADED, ThreadRule.REPLY_TOKEN)
        assert reply.conversation_id == first.conversation_id
        message = db.get(Message, reply.message_id)
        assert message is not None and message.body == "Obrigado, o depósito já apareceu."

    def test_a_reply_with_a_changed_subject_threads_by_its_references(
        self, db: Session, ingest: Ingest
    ) -> None:
        first = ingest(corpus("multipart_alternative.eml"))
        outbound = agent_reply(db, first.conversation_id)
        reply = ingest(corpus("changed_subject_reply.eml", OUR_MESSAGE_ID=outbound.message_id))
        assert (reply.rule, reply.conversation_id) == (ThreadRule.REFERENCES, first.conversation_id)

    def test_a_reply_to_a_received_mail_threads_by_its_references(self, ingest: Ingest) -> None:
        first = ingest(corpus("multipart_alternative.eml"))
        raw = b"From: joao.silva@example.com\nMessage-ID: <second@x>\nIn-Reply-To: <alt-1@mail.example.com>\nSubject: more\n\nMore."
        reply = ingest(raw)
        assert (reply.rule, reply.conversation_id) == (ThreadRule.REFERENCES, first.conversation_id)

    def test_the_same_subject_from_the_same_sender_threads_within_the_window(self, ingest: Ingest) -> None:
        first = ingest(corpus("multipart_alternative.eml"))
        raw = "From: joao.silva@example.com\nMessage-ID: <again@x>\nSubject: RE: Depósito USDT não creditado\n\nAlguma novidade?"
        again = ingest(raw.encode())
        assert (again.rule, again.conversation_id) == (ThreadRule.SUBJECT, first.conversation_id)

    def test_the_same_subject_after_the_window_starts_a_new_conversation(
        self, db: Session, ingest: Ingest, mail_settings: Settings, support_mailbox
    ) -> None:
        first = ingest(corpus("multipart_alternative.eml"))
        raw = "From: joao.silva@example.com\nMessage-ID: <late@x>\nSubject: Re: Depósito USDT não creditado\n\nOlá?"
        later = first_received(db, first) + timedelta(hours=mail_settings.email_thread_window_hours + 1)
        late = ingest_bytes(
            db, raw.encode(), mailbox_id=support_mailbox.id, source="imap", settings=mail_settings, now=later
        )
        assert late.rule == ThreadRule.NEW and late.conversation_id != first.conversation_id

    def test_two_customers_answering_one_broadcast_never_share_a_conversation(
        self, db: Session, ingest: Ingest
    ) -> None:
        alice = ingest(corpus("broadcast_reply_alice.eml"))
        bob = ingest(corpus("broadcast_reply_bob.eml"))
        assert alice.rule == bob.rule == ThreadRule.NEW
        assert alice.conversation_id != bob.conversation_id and alice.customer_id != bob.customer_id

    def test_a_reply_token_of_another_customer_is_ignored(self, db: Session, ingest: Ingest) -> None:
        alice = ingest(corpus("broadcast_reply_alice.eml"))
        outbound = agent_reply(db, alice.conversation_id, "Yes, for two hours.")
        forged = f"From: bob@example.net\nTo: {outbound.reply_to}\nMessage-ID: <bob-2@x>\nSubject: hi\n\nLet me in."
        result = ingest(forged.encode())
        assert result.rule == ThreadRule.NEW and result.conversation_id != alice.conversation_id

    def test_a_reply_to_a_closed_conversation_starts_a_new_one(self, db: Session, ingest: Ingest) -> None:
        first = ingest(corpus("multipart_alternative.eml"))
        outbound = agent_reply(db, first.conversation_id)
        change_status(db, conversation_id=first.conversation_id, status="closed", actor_agent_id=None)
        db.commit()
        reply = ingest(corpus("changed_subject_reply.eml", OUR_MESSAGE_ID=outbound.message_id))
        assert reply.rule == ThreadRule.NEW and reply.conversation_id != first.conversation_id
        assert "closed" in reply.reason


class TestAcknowledgement:
    def test_a_new_conversation_gets_an_automatic_acknowledgement_in_the_customers_language(
        self, db: Session, ingest: Ingest
    ) -> None:
        result = ingest(corpus("multipart_alternative.eml"))
        assert result.acknowledged
        conversation = db.get(Conversation, result.conversation_id)
        assert conversation is not None
        ack = db.scalar(select(Message).where(Message.conversation_id == conversation.id, Message.seq == 2))
        assert ack is not None and ack.is_automatic and ack.author_kind == AuthorKind.SYSTEM
        assert ack.body.startswith("[Mensagem automática]") and conversation.reference in ack.body
        outbound = db.scalar(select(OutboundMail).where(OutboundMail.posted_message_id == ack.id))
        assert outbound is not None and outbound.extra_headers == {"Auto-Submitted": "auto-replied"}

    def test_a_threaded_reply_gets_no_acknowledgement(self, ingest: Ingest) -> None:
        ingest(corpus("multipart_alternative.eml"))
        raw = b"From: joao.silva@example.com\nMessage-ID: <second@x>\nIn-Reply-To: <alt-1@mail.example.com>\n\nMore."
        assert not ingest(raw).acknowledged

    def test_an_auto_reply_gets_no_acknowledgement(self, db: Session, ingest: Ingest) -> None:
        result = ingest(corpus("auto_reply.eml"))
        assert result.status == InboundStatus.IMPORTED and not result.acknowledged
        row = db.get(InboundMail, result.inbound_id)
        assert row is not None and row.is_automated

    def test_mailing_list_mail_gets_no_acknowledgement(self, ingest: Ingest) -> None:
        assert not ingest(corpus("mailing_list.eml")).acknowledged

    def test_imported_mail_gets_no_acknowledgement(self, ingest: Ingest) -> None:
        assert not ingest(corpus("multipart_alternative.eml"), source="import").acknowledged

    def test_a_mailbox_with_acknowledgements_off_sends_none(
        self, db: Session, ingest: Ingest, support_mailbox
    ) -> None:
        support_mailbox.auto_ack = False
        db.commit()
        assert not ingest(corpus("multipart_alternative.eml")).acknowledged


class TestBounces:
    def test_a_bounce_is_attached_to_the_outbound_mail_it_reports_on(
        self, db: Session, ingest: Ingest
    ) -> None:
        first = ingest(corpus("multipart_alternative.eml"))
        outbound = agent_reply(db, first.conversation_id)
        result = ingest(corpus("dsn_bounce.eml", OUR_MESSAGE_ID=outbound.message_id))
        assert (result.status, result.conversation_id) == (InboundStatus.BOUNCE, first.conversation_id)
        db.refresh(outbound)
        assert outbound.state == OutboundState.BOUNCED and "User unknown" in outbound.last_error
        bounce = db.scalar(select(Bounce).where(Bounce.outbound_id == outbound.id))
        assert bounce is not None and (bounce.recipient, bounce.status) == ("joao.silva@example.com", "5.1.1")
        kinds = [e.kind for e in list_conversation_events(db, conversation_id=first.conversation_id)]
        assert "email.bounced" in kinds

    def test_a_bounce_about_a_mail_firstline_never_sent_is_rejected(self, ingest: Ingest) -> None:
        result = ingest(corpus("dsn_bounce.eml", OUR_MESSAGE_ID="<unknown@elsewhere.example>"))
        assert result.status == InboundStatus.REJECTED and "did not send" in result.reason


class TestRejected:
    def test_a_mail_without_sender_is_kept_and_listed_with_its_reason(
        self, db: Session, ingest: Ingest, mail_settings: Settings
    ) -> None:
        result = ingest(corpus("no_sender.eml"))
        assert result.status == InboundStatus.REJECTED and "sender" in result.reason
        row = db.get(InboundMail, result.inbound_id)
        assert row is not None and row.raw_sha256 is not None
        assert mail_store(mail_settings).get(row.raw_sha256) == corpus("no_sender.eml")
        assert row in list_rejected(db)

    def test_a_thirty_megabyte_mail_is_kept_raw_and_rejected_as_too_large(
        self, db: Session, ingest: Ingest, mail_settings: Settings
    ) -> None:
        attachment = b"QUJD" * (30 * 1024 * 1024 // 4)
        raw = (
            b"From: whale@example.com\nSubject: statement\nMessage-ID: <big@example.com>\n"
            b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nSee attached.\n"
            b"--B\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
            b'Content-Disposition: attachment; filename="statement.pdf"\n\n' + attachment + b"\n--B--\n"
        )
        result = ingest(raw)
        assert result.status == InboundStatus.REJECTED and "larger than the limit" in result.reason
        row = db.get(InboundMail, result.inbound_id)
        assert row is not None and row.raw_size == len(raw) and row.sender == "whale@example.com"
        assert row.raw_sha256 is not None and mail_store(mail_settings).path_for(
            row.raw_sha256
        ).stat().st_size == len(raw)

    def test_a_sender_over_the_rate_limit_is_held_as_rejected(
        self, db: Session, mail_settings: Settings, support_mailbox
    ) -> None:
        limited = mail_settings.model_copy(update={"email_sender_rate_per_hour": 2})
        statuses = []
        for number in range(3):
            raw = (
                f"From: flood@example.com\nMessage-ID: <flood-{number}@x>\nSubject: s{number}\n\nhi".encode()
            )
            statuses.append(
                ingest_bytes(db, raw, mailbox_id=support_mailbox.id, source="smtp", settings=limited).status
            )
        assert statuses[:2] != [InboundStatus.REJECTED] * 2 and statuses[2] == InboundStatus.REJECTED

    def test_mail_from_firstlines_own_mailbox_is_rejected_as_a_loop(self, ingest: Ingest) -> None:
        raw = b"From: support@exchange.example\nMessage-ID: <loop@x>\nSubject: hi\n\nhi"
        assert "loop" in ingest(raw).reason


def first_received(db: Session, result: IngestResult):  # type: ignore[no-untyped-def]
    row = db.get(InboundMail, result.inbound_id)
    assert row is not None
    return row.received_at


@pytest.fixture
def fail_on(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """Make posting the mails with the given Message-IDs fail, ``times`` times each (the fault to survive)."""

    def install(*message_ids: str, times: int = 1_000) -> list[str]:
        failures: list[str] = []
        real_post = intake._post

        def post(session: Session, parsed: Any, *args: Any) -> IngestResult:
            result = real_post(session, parsed, *args)  # fail late: after the conversation was written
            if parsed.message_id in message_ids and failures.count(parsed.message_id) < times:
                failures.append(parsed.message_id)
                raise RuntimeError("storage hiccup")
            return result

        monkeypatch.setattr(intake, "_post", post)
        return failures

    return install


class TestIngestBatch:
    def test_every_mail_of_a_batch_is_stored_in_order_and_a_reply_threads_to_a_mail_of_the_same_batch(
        self, db: Session, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        mails = [
            ("a", simple_mail(1)),
            ("b", simple_mail(2, subject="Re: Question 1", reply_to="<batch-1@example.org>")),
        ]
        outcomes = ingest_batch(factory, mails, mailbox_id=None, source=Source.IMPORT, settings=mail_settings)
        assert [(o.key, o.result.status if o.result else None) for o in outcomes] == [
            ("a", InboundStatus.IMPORTED), ("b", InboundStatus.THREADED),
        ]  # fmt: skip
        first, second = (o.result for o in outcomes)
        assert first and second and first.conversation_id == second.conversation_id
        assert db.scalar(select(func.count()).select_from(InboundMail)) == 2

    def test_the_same_message_id_twice_in_one_batch_is_stored_once(
        self, db: Session, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        mails = [("first", simple_mail(3)), ("again", simple_mail(3))]
        outcomes = ingest_batch(factory, mails, mailbox_id=None, source=Source.IMPORT, settings=mail_settings)
        assert [o.result.status for o in outcomes if o.result] == [
            InboundStatus.IMPORTED,
            InboundStatus.DUPLICATE,
        ]
        assert db.scalar(select(func.count()).where(InboundMail.message_id == "<batch-3@example.org>")) == 1

    def test_a_mail_that_fails_is_rolled_back_alone_and_reported_without_its_notifications(
        self, db: Session, factory: sessionmaker[Session], mail_settings: Settings, fail_on
    ) -> None:
        fail_on("<batch-5@example.org>")
        published: list[dict[str, Any]] = []
        unsubscribe = subscribe(published.append)
        try:
            mails = [(n, simple_mail(n, sender=f"c{n}@example.org")) for n in (4, 5, 6)]
            outcomes = ingest_batch(
                factory, mails, mailbox_id=None, source=Source.IMPORT, settings=mail_settings
            )
        finally:
            unsubscribe()
        assert [o.result is not None for o in outcomes] == [True, False, True]
        assert "could not be stored" in outcomes[1].error
        stored = db.scalars(select(InboundMail.message_id).order_by(InboundMail.id)).all()
        assert stored == ["<batch-4@example.org>", "<batch-6@example.org>"]
        kept = {outcome.result.conversation_id for outcome in outcomes if outcome.result}
        notified = {p["conversation_id"] for p in published if p.get("type") == "conversation.opened"}
        assert notified == kept  # nothing announced for the mail that was rolled back

    def test_a_mail_that_failed_in_the_batch_is_stored_by_its_retry_alone(
        self, db: Session, factory: sessionmaker[Session], mail_settings: Settings, fail_on
    ) -> None:
        failures = fail_on("<batch-8@example.org>", times=1)
        mails = [(n, simple_mail(n)) for n in (7, 8)]
        outcomes = ingest_batch(factory, mails, mailbox_id=None, source=Source.IMPORT, settings=mail_settings)
        assert failures == ["<batch-8@example.org>"]
        assert all(o.result is not None and o.result.status != InboundStatus.DUPLICATE for o in outcomes)
        assert db.scalar(select(func.count()).select_from(InboundMail)) == 2

    def test_a_customer_created_by_a_mail_that_rolled_back_is_created_again_by_the_next_mail(
        self,
        db: Session,
        factory: sessionmaker[Session],
        mail_settings: Settings,
        fail_on,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        fail_on("<batch-12@example.org>")
        retried: list[int] = []
        real_alone = intake._ingest_alone
        monkeypatch.setattr(
            intake, "_ingest_alone", lambda *args: retried.append(args[1]) or real_alone(*args)
        )
        mails = [(n, simple_mail(n, sender="nuno@example.org")) for n in (12, 13)]
        outcomes = ingest_batch(factory, mails, mailbox_id=None, source=Source.IMPORT, settings=mail_settings)
        assert retried == [12]  # the second mail was stored in the batch itself, not by a retry
        second = outcomes[1].result
        assert second is not None and second.status == InboundStatus.IMPORTED
        customer = db.get(Customer, second.customer_id)
        assert customer is not None and customer.email == "nuno@example.org"

    def test_raw_mail_written_by_the_batch_is_synced_when_it_commits(
        self, factory: sessionmaker[Session], mail_settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        synced: list[set[Path]] = []
        real_sync = store_module.sync_files
        monkeypatch.setattr(
            store_module, "sync_files", lambda paths: synced.append(set(paths)) or real_sync(paths)
        )
        mails = [(n, simple_mail(n)) for n in (9, 10, 11)]
        outcomes = ingest_batch(factory, mails, mailbox_id=None, source=Source.IMPORT, settings=mail_settings)
        assert len(synced) == 1  # one round for the whole batch
        assert len(synced[0]) == 3 and all(path.exists() for path in synced[0])
        assert all(o.result is not None for o in outcomes)
