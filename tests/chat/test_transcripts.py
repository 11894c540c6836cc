"""Chat transcripts as text and by email: language, notes left out, the outbox, the timeline, the limit."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.chat import service
from firstline.chat.models import ChatSite
from firstline.chat.transcripts import (
    EMAILS_PER_WINDOW,
    EmailRequired,
    EmptyTranscript,
    TranscriptMail,
    TranscriptRateLimited,
    email_transcript,
    mask_address,
    render_transcript,
    transcript,
)
from firstline.config import Settings
from firstline.conversations.models import AuthorKind, Conversation
from firstline.conversations.service import open_conversation, post_message
from firstline.customers.models import Customer
from firstline.customers.service import create_customer
from firstline.db import declare_write, make_session_factory, session_scope
from firstline.email.models import OutboundKind, OutboundMail, OutboundState
from firstline.kit.errors import InvalidInput
from firstline.kit.time import utcnow
from firstline.timeline.service import list_conversation_events
from firstline.web.app import create_app
from tests.chat.conftest import ORIGIN, AgentLogin, LiveServer, Peer, run, start_chat
from tests.email import conftest as email_fixtures
from tests.email.conftest import CapturingHandler

smtp_server = email_fixtures.smtp_server  # the email tests' capturing SMTP server on loopback


def _talk(db: Session, conversation: Conversation, agent: Agent) -> None:
    post_message(
        db,
        conversation_id=conversation.id,
        author_kind=AuthorKind.CUSTOMER,
        body="O meu depósito não chegou.",
    )
    post_message(
        db, conversation_id=conversation.id, author_kind=AuthorKind.NOTE, body="TXID parece phishing",
        author_agent_id=agent.id,
    )  # fmt: skip
    post_message(
        db, conversation_id=conversation.id, author_kind=AuthorKind.SYSTEM, body="Tempo de espera: 2 min.",
        is_automatic=True,
    )  # fmt: skip
    post_message(
        db, conversation_id=conversation.id, author_kind=AuthorKind.AGENT, body="Olá João, vou verificar.",
        author_agent_id=agent.id,
    )  # fmt: skip
    db.commit()


@pytest.fixture
def agent(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(name="Rita Sousa", languages={"pt": "native"})


@pytest.fixture
def talked(db: Session, chat_with_joao: Conversation, agent: Agent) -> Conversation:
    _talk(db, chat_with_joao, agent)
    return chat_with_joao


def _outbox(db: Session, conversation_id: int) -> list[OutboundMail]:
    return list(db.scalars(select(OutboundMail).where(OutboundMail.conversation_id == conversation_id)))


def _anonymous_chat(db: Session, *, email: str | None = None) -> Conversation:
    customer = create_customer(db, name="Visitante", email=email, preferred_language="pt")
    conversation = open_conversation(db, customer_id=customer.id, channel="chat", language="pt")
    post_message(db, conversation_id=conversation.id, author_kind=AuthorKind.CUSTOMER, body="Olá?")
    db.commit()
    return conversation


class TestRenderTranscript:
    def test_the_transcript_is_in_the_chats_language_in_order_and_without_internal_notes(
        self, db: Session, talked: Conversation
    ) -> None:
        text = render_transcript(db, conversation=talked)
        assert text.startswith(f"{talked.reference} — transcrição do chat")
        assert "phishing" not in text
        positions = [text.index(part) for part in ("não chegou", "Tempo de espera", "vou verificar")]
        assert positions == sorted(positions)
        assert "[automático]:" in text and "Rita Sousa:" in text and "João Silva:" in text

    def test_message_text_is_kept_as_plain_text(self, db: Session, chat_with_joao: Conversation) -> None:
        body = "<b>não</b> & <script>alert(1)</script>"
        post_message(db, conversation_id=chat_with_joao.id, author_kind=AuthorKind.CUSTOMER, body=body)
        assert f"  {body}" in render_transcript(db, conversation=chat_with_joao)

    def test_the_download_is_still_reachable_from_the_chat_service(self) -> None:
        assert service.transcript is transcript


class TestMaskAddress:
    def test_only_the_first_letter_and_the_domain_are_shown(self) -> None:
        assert mask_address("joao.silva@example.com") == "j***@example.com"


class TestEmailTranscript:
    def test_it_queues_one_automatic_mail_in_the_customers_language_and_sends_nothing_inline(
        self, db: Session, talked: Conversation
    ) -> None:
        sent = email_transcript(db, conversation_id=talked.id, request_key="r-1")
        (row,) = _outbox(db, talked.id)
        assert (row.id, row.state, row.kind) == (
            sent.outbound_id,
            OutboundState.QUEUED,
            OutboundKind.AUTOMATIC,
        )
        assert row.to_address == "joao.silva@example.com" and row.attempts == 0
        assert row.subject == f"Transcrição do seu chat {talked.reference}"
        assert row.body_text.startswith("[Mensagem automática]")
        assert "Nunca lhe pediremos a palavra-passe" in row.body_text  # the anti-phishing line
        assert "Olá João, vou verificar." in row.body_text and "phishing" not in row.body_text.split("--")[0]
        assert row.extra_headers == {"Auto-Submitted": "auto-generated"}

    def test_the_timeline_records_it_with_the_address_masked(
        self, db: Session, talked: Conversation, agent: Agent
    ) -> None:
        email_transcript(db, conversation_id=talked.id, agent=agent)
        (event,) = [
            e
            for e in list_conversation_events(db, conversation_id=talked.id)
            if e.kind == "chat.transcript_emailed"
        ]
        assert event.data["recipient"] == "j***@example.com"
        assert "joao.silva" not in str(event.data)
        assert (event.actor_kind, event.actor_agent_id) == ("agent", agent.id)

    def test_a_retry_with_the_same_request_key_queues_nothing_more(
        self, db: Session, talked: Conversation
    ) -> None:
        first = email_transcript(db, conversation_id=talked.id, request_key="r-1")
        again = email_transcript(db, conversation_id=talked.id, request_key="r-1")
        assert (again.outbound_id, again.duplicate, first.duplicate) == (first.outbound_id, True, False)
        assert len(_outbox(db, talked.id)) == 1
        events = list_conversation_events(db, conversation_id=talked.id)
        assert [e.kind for e in events].count("chat.transcript_emailed") == 1

    def test_the_same_key_in_another_chat_is_another_request(self, db: Session, talked: Conversation) -> None:
        other = _anonymous_chat(db, email="ana@example.org")
        first = email_transcript(db, conversation_id=talked.id, request_key="r-1")
        second = email_transcript(db, conversation_id=other.id, request_key="r-1")
        assert first.outbound_id != second.outbound_id and not second.duplicate

    def test_a_visitor_without_an_address_is_asked_for_a_valid_one(self, db: Session) -> None:
        conversation = _anonymous_chat(db)
        with pytest.raises(EmailRequired):
            email_transcript(db, conversation_id=conversation.id)
        with pytest.raises(InvalidInput) as refused:
            email_transcript(db, conversation_id=conversation.id, email="ana@@example")
        assert refused.value.field == "email"
        sent = email_transcript(db, conversation_id=conversation.id, email=" Ana.Costa@example.org ")
        assert sent.recipient == "A***@example.org"
        assert _outbox(db, conversation.id)[0].to_address == "Ana.Costa@example.org"

    def test_the_address_on_file_wins_over_one_given_in_the_request(
        self, db: Session, talked: Conversation
    ) -> None:
        email_transcript(db, conversation_id=talked.id, email="someone.else@example.net")
        assert [row.to_address for row in _outbox(db, talked.id)] == ["joao.silva@example.com"]

    def test_the_customers_anti_phishing_code_is_in_the_mail(
        self, db: Session, talked: Conversation, portuguese_customer: Customer
    ) -> None:
        portuguese_customer.attributes = {"anti_phishing_code": "LUA-42"}
        db.flush()
        email_transcript(db, conversation_id=talked.id)
        (row,) = _outbox(db, talked.id)
        assert "O seu código anti-phishing: LUA-42." in row.body_text

    def test_the_html_part_escapes_everything_the_chat_said(
        self, db: Session, chat_with_joao: Conversation
    ) -> None:
        post_message(
            db, conversation_id=chat_with_joao.id, author_kind=AuthorKind.CUSTOMER,
            body='<img src=x onerror="alert(1)"> & <a href="https://evil.example">aqui</a>',
        )  # fmt: skip
        email_transcript(db, conversation_id=chat_with_joao.id)
        (row,) = _outbox(db, chat_with_joao.id)
        assert "<img" not in row.body_html and "<a " not in row.body_html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;a href=" in row.body_html
        assert '<img src=x onerror="alert(1)">' in row.body_text  # plain text stays as written

    def test_an_empty_chat_has_nothing_to_send(self, db: Session, chat_with_joao: Conversation) -> None:
        with pytest.raises(EmptyTranscript):
            email_transcript(db, conversation_id=chat_with_joao.id)
        assert _outbox(db, chat_with_joao.id) == []


class TestRateLimit:
    def test_a_fourth_email_within_the_hour_is_refused_and_an_hour_later_allowed(
        self, db: Session, talked: Conversation
    ) -> None:
        for _ in range(EMAILS_PER_WINDOW):
            email_transcript(db, conversation_id=talked.id)
        with pytest.raises(TranscriptRateLimited) as refused:
            email_transcript(db, conversation_id=talked.id)
        assert refused.value.status_code == 429 and "3 times in the last hour" in refused.value.message
        assert len(_outbox(db, talked.id)) == EMAILS_PER_WINDOW
        later = utcnow() + timedelta(hours=1, seconds=5)
        assert not email_transcript(db, conversation_id=talked.id, now=later).duplicate

    def test_a_retry_of_an_accepted_request_is_answered_even_at_the_limit(
        self, db: Session, talked: Conversation
    ) -> None:
        keys = [f"r-{number}" for number in range(EMAILS_PER_WINDOW)]
        first = [email_transcript(db, conversation_id=talked.id, request_key=key) for key in keys]
        assert email_transcript(db, conversation_id=talked.id, request_key=keys[0]) == (
            type(first[0])(first[0].outbound_id, first[0].recipient, duplicate=True)
        )


class TestConcurrentRepeats:
    def test_the_same_request_racing_in_from_two_sessions_queues_one_mail(
        self, chat_engine: Engine, store: Session
    ) -> None:
        """Two tabs (or processes) send the same request at once: whichever commits second gets a duplicate."""
        customer = create_customer(store, name="Ana Costa", email=f"ana.{uuid.uuid4().hex[:6]}@example.pt")
        conversation = open_conversation(store, customer_id=customer.id, channel="chat", language="pt")
        post_message(store, conversation_id=conversation.id, author_kind=AuthorKind.CUSTOMER, body="Olá")
        store.commit()
        factory = make_session_factory(chat_engine)
        results: list[TranscriptMail] = []

        def second_tab() -> None:
            with session_scope(factory) as session:
                declare_write(session)
                results.append(email_transcript(session, conversation_id=conversation.id, request_key="race"))

        first = factory()
        try:
            declare_write(first)
            winner = email_transcript(first, conversation_id=conversation.id, request_key="race")
            other = threading.Thread(target=second_tab)
            other.start()
            time.sleep(0.3)  # the second request is now waiting on the first one's write
            first.commit()
        finally:
            first.close()
        other.join(10)
        assert [(r.outbound_id, r.duplicate) for r in results] == [(winner.outbound_id, True)]
        store.expire_all()
        assert len(_outbox(store, conversation.id)) == 1


# --- end to end: the widget's request, the app's own outbox sender, a real SMTP server -------------------


@pytest.fixture
def mailing_server(
    chat_settings: Settings, chat_engine: Engine, smtp_server: tuple[CapturingHandler, int]
) -> Iterator[LiveServer]:
    """The chat server with its outbox sender on, delivering to the capturing SMTP server."""
    settings = chat_settings.model_copy(
        update={
            "email_outbound_enabled": True,
            "email_smtp_host": "127.0.0.1",
            "email_smtp_port": smtp_server[1],
            "email_smtp_timeout_seconds": 5,
            "email_outbox_poll_seconds": 0.05,
            "email_from_address": "support@exchange.example",
        }
    )
    live = LiveServer(create_app(settings, engine=chat_engine))
    live.start()
    yield live
    live.stop()


def _mails_to(handler: CapturingHandler, address: str) -> list[EmailMessage]:
    return [mail for mail in handler.messages() if mail["To"] == address]


def _wait_for_mail(handler: CapturingHandler, address: str, seconds: float = 10.0) -> EmailMessage:
    deadline = time.monotonic() + seconds
    while not (mails := _mails_to(handler, address)):
        assert time.monotonic() < deadline, f"no mail to {address} within {seconds:.0f} s"
        time.sleep(0.05)
    return mails[0]


class TestDeliveryEndToEnd:
    def test_an_italian_visitor_receives_the_transcript_once_even_when_the_request_is_repeated(
        self,
        mailing_server: LiveServer,
        site: ChatSite,
        store: Session,
        make_chat_agent: Callable[..., AgentLogin],
        smtp_server: tuple[CapturingHandler, int],
    ) -> None:
        address = f"giulia.{uuid.uuid4().hex[:8]}@example.it"
        chat = start_chat(mailing_server, site, name="Giulia Bianchi", email=address, language="it")
        login = make_chat_agent("Marco Conti")
        conversation_id = chat["conversation_id"]
        lines = ["Il mio prelievo è bloccato", "TXID 9f2c…e41", "Controllo subito, un momento."]

        async def conversation() -> None:
            customer = await Peer.customer(mailing_server, chat["visitor_token"])
            for number, body in enumerate(lines[:2]):
                await customer.send({"type": "send", "client_msg_id": f"c-{number}", "body": body})
                await customer.ack_and_echo()
            agent = await Peer.agent(mailing_server, login)
            for client_msg_id, body, note in [("n", "possibile phishing?", True), ("a", lines[2], False)]:
                await agent.send(
                    {"type": "send", "conversation_id": conversation_id, "client_msg_id": client_msg_id,
                     "body": body, "last_seen_seq": 2, "note": note}
                )  # fmt: skip
                await agent.next("ack")
            await customer.close()
            await agent.close()

        run(conversation())
        url = f"{mailing_server.http}/api/v1/chat/transcript/email"
        headers = {"X-Visitor-Token": chat["visitor_token"], "Origin": ORIGIN}
        answers = [httpx.post(url, json={"request_id": "tr-1"}, headers=headers) for _ in range(2)]
        assert [answer.status_code for answer in answers] == [202, 202]
        assert [answer.json()["duplicate"] for answer in answers] == [False, True]

        mail = _wait_for_mail(smtp_server[0], address)
        time.sleep(0.5)  # several more rounds of the sender: nothing else may go out
        assert len(_mails_to(smtp_server[0], address)) == 1
        assert mail["Subject"] == f"Trascrizione della tua chat {chat['reference']}"
        assert mail["Auto-Submitted"] == "auto-generated" and mail["X-Auto-Response-Suppress"] == "All"
        plain, rich = mail.get_body(("plain",)), mail.get_body(("html",))
        assert plain is not None and rich is not None
        text = plain.get_content()
        assert text.startswith("[Messaggio automatico] Come richiesto")
        assert f"{chat['reference']} — trascrizione della chat" in text
        positions = [text.index(line) for line in lines]
        assert positions == sorted(positions)
        assert "Giulia Bianchi:" in text and "Marco Conti:" in text and "phishing?" not in text
        assert "Non ti chiederemo mai password, codici 2FA o seed phrase." in text
        html = rich.get_content()
        assert "Il mio prelievo è bloccato" in html and "phishing?" not in html

        store.expire_all()
        (row,) = store.scalars(select(OutboundMail).where(OutboundMail.conversation_id == conversation_id))
        assert row.state == OutboundState.SENT and row.attempts == 1
        events = [e for e in list_conversation_events(store, conversation_id=conversation_id)]
        emailed = [e for e in events if e.kind == "chat.transcript_emailed"]
        assert [(e.actor_kind, e.data["recipient"]) for e in emailed] == [("customer", "g***@example.it")]
