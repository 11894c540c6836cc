"""Agents see how each mail was threaded, and can split, merge, review rejected mail and set up mailboxes."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.config import Settings
from firstline.conversations.models import Conversation, Message
from firstline.email.intake import IngestResult
from firstline.email.models import InboundMail, Mailbox, ThreadRule
from firstline.email.service import mailbox_password
from firstline.kit.sealing import unseal
from tests.conftest import csrf, login
from tests.email.conftest import corpus

Ingest = Callable[..., IngestResult]


def joao_twice(ingest: Ingest) -> tuple[IngestResult, IngestResult]:
    first = ingest(corpus("multipart_alternative.eml"))
    raw = "From: joao.silva@example.com\nMessage-ID: <again@x>\nSubject: Re: Depósito USDT não creditado\n\nE o saque?"
    return first, ingest(raw.encode())


class TestEmailPage:
    def test_each_mail_shows_the_rule_that_threaded_it(
        self, client: TestClient, italian_l1_agent: Agent, ingest: Ingest
    ) -> None:
        first, second = joao_twice(ingest)
        login(client, italian_l1_agent)
        page = client.get(f"/conversations/{first.conversation_id}/email")
        assert page.status_code == 200
        assert "Threaded by" in page.text and ">New<" in page.text and ">Subject<" in page.text
        assert "same subject from the same sender" in page.text

    def test_the_conversation_page_marks_each_email_message_with_its_rule(
        self, client: TestClient, italian_l1_agent: Agent, ingest: Ingest
    ) -> None:
        first, _ = joao_twice(ingest)
        login(client, italian_l1_agent)
        page = client.get(f"/conversations/{first.conversation_id}")
        assert page.status_code == 200
        assert (
            "✉ Subject" in page.text and f'href="/conversations/{first.conversation_id}/email"' in page.text
        )

    def test_customer_html_is_shown_sanitized(
        self, client: TestClient, italian_l1_agent: Agent, ingest: Ingest
    ) -> None:
        result = ingest(corpus("multipart_alternative.eml"))
        login(client, italian_l1_agent)
        page = client.get(f"/conversations/{result.conversation_id}/email").text
        assert "<b>250 USDT</b>" in page
        assert "alert(" not in page and "onclick" not in page and "tracker.example" not in page


class TestSplitAndMerge:
    def test_a_message_split_off_starts_its_own_conversation(
        self, client: TestClient, db: Session, italian_l1_agent: Agent, ingest: Ingest
    ) -> None:
        first, second = joao_twice(ingest)
        login(client, italian_l1_agent)
        response = client.post(
            f"/conversations/{first.conversation_id}/email/split",
            data={"message_id": second.message_id, "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        db.expire_all()
        message = db.get(Message, second.message_id)
        assert message is not None and message.conversation_id != first.conversation_id
        assert response.headers["location"] == f"/conversations/{message.conversation_id}"
        mail = db.get(InboundMail, second.inbound_id)
        assert mail is not None and (mail.rule, mail.conversation_id) == (
            ThreadRule.SPLIT,
            message.conversation_id,
        )

    def test_merging_moves_every_message_and_closes_the_other_conversation(
        self, client: TestClient, db: Session, italian_l1_agent: Agent, ingest: Ingest
    ) -> None:
        first = ingest(corpus("multipart_alternative.eml"))
        other = ingest(b"From: joao.silva@example.com\nMessage-ID: <o@x>\nSubject: Unrelated\n\nOutra coisa.")
        login(client, italian_l1_agent)
        target = db.get(Conversation, first.conversation_id)
        source = db.get(Conversation, other.conversation_id)
        assert target is not None and source is not None
        response = client.post(
            f"/conversations/{target.id}/email/merge",
            data={"other": source.reference, "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        db.expire_all()
        assert db.get(Conversation, source.id).status == "closed"  # type: ignore[union-attr]
        seqs = db.scalars(
            select(Message.seq).where(Message.conversation_id == target.id).order_by(Message.seq)
        ).all()
        assert seqs == [1, 2, 3, 4]  # both mails and both acknowledgements
        mail = db.get(InboundMail, other.inbound_id)
        assert mail is not None and (mail.rule, mail.conversation_id) == (ThreadRule.MERGED, target.id)

    def test_another_customers_conversation_cannot_be_merged(
        self, client: TestClient, italian_l1_agent: Agent, ingest: Ingest
    ) -> None:
        joao = ingest(corpus("multipart_alternative.eml"))
        alice = ingest(corpus("broadcast_reply_alice.eml"))
        login(client, italian_l1_agent)
        response = client.post(
            f"/conversations/{joao.conversation_id}/email/merge",
            data={"other": str(alice.conversation_id), "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert response.status_code == 422 and "same customer" in response.text


class TestRejectedAndMailboxes:
    def test_rejected_mail_is_listed_with_its_reason(
        self, client: TestClient, italian_l1_agent: Agent, ingest: Ingest
    ) -> None:
        ingest(corpus("no_sender.eml"))
        login(client, italian_l1_agent)
        page = client.get("/email/rejected")
        assert page.status_code == 200 and "no sender address" in page.text and "who am I" in page.text

    def test_an_admin_saves_a_mailbox_and_an_empty_password_keeps_the_old_one(
        self, client: TestClient, db: Session, admin: Agent, settings: Settings
    ) -> None:
        login(client, admin)
        form = {"address": "Help@Exchange.example", "imap_host": "imap.exchange.example", "imap_password": "s3cret",
                "imap_ssl": "1", "auto_ack": "1", "signature_it": "Assistenza Exchange", "csrf_token": csrf(client)}  # fmt: skip
        assert client.post("/email/mailboxes", data=form, follow_redirects=False).status_code == 303
        form.update(imap_password="", auto_ack="")
        del form["auto_ack"]
        client.post("/email/mailboxes", data=form, follow_redirects=False)
        mailbox = db.scalar(select(Mailbox).where(Mailbox.address == "help@exchange.example"))
        assert mailbox is not None
        db.refresh(mailbox)
        assert (
            mailbox_password(mailbox, secret_key=settings.effective_secret_key()),
            mailbox.auto_ack,
            mailbox.signatures,
        ) == ("s3cret", False, {"it": "Assistenza Exchange"})
        page = client.get("/email/mailboxes")
        assert "help@exchange.example" in page.text and "s3cret" not in page.text
        assert "<td>set</td>" in page.text

    def test_the_stored_password_is_sealed_when_created_and_when_changed(
        self, client: TestClient, db: Session, admin: Agent, settings: Settings
    ) -> None:
        login(client, admin)
        form = {"address": "help@exchange.example", "imap_host": "imap.exchange.example",
                "imap_password": "first-Pa55", "csrf_token": csrf(client)}  # fmt: skip
        client.post("/email/mailboxes", data=form, follow_redirects=False)
        created = stored_password_column(db, "help@exchange.example")
        client.post("/email/mailboxes", data={**form, "imap_password": "second-Pa55"}, follow_redirects=False)
        changed = stored_password_column(db, "help@exchange.example")
        assert created.startswith("fernet:") and changed.startswith("fernet:") and created != changed
        assert "Pa55" not in created + changed
        secret_key = settings.effective_secret_key()
        assert (unseal(secret_key, created), unseal(secret_key, changed)) == ("first-Pa55", "second-Pa55")

    def test_a_mailbox_without_a_password_shows_not_set(
        self, client: TestClient, admin: Agent, support_mailbox: Mailbox
    ) -> None:
        login(client, admin)
        page = client.get("/email/mailboxes")
        assert "support@exchange.example" in page.text and "<td>not set</td>" in page.text


def stored_password_column(db: Session, address: str) -> str:
    """The password column as the database holds it, read with SQL."""
    query = text("SELECT imap_password_sealed FROM mailbox WHERE address = :address")
    return str(db.execute(query, {"address": address}).scalar_one())
