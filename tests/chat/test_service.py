"""Visitors' messages stored as a group: the same acks, in the same order, as one by one."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstline.chat.models import ChatSession
from firstline.chat.service import (
    ChatClosed,
    VisitorMessage,
    create_site,
    customer_send,
    customer_send_many,
    start_chat,
)
from firstline.conversations import service as conversations
from firstline.conversations.models import Conversation, Message
from firstline.kit.errors import PermissionDenied
from firstline.routing.models import QueueEntry

SECRET = "service-test-secret"


def _chats(db: Session, count: int) -> list[ChatSession]:
    site = create_site(db, name="Help", public_key=f"pk_{uuid.uuid4().hex[:10]}", enforce_identity=False)
    return [
        start_chat(db, site_key=site.public_key, origin=None, name=f"Visitante {n}").chat
        for n in range(count)
    ]


def _bodies(db: Session, chat: ChatSession) -> list[tuple[int, str]]:
    return [
        tuple(row)
        for row in db.execute(
            select(Message.seq, Message.body)
            .where(Message.conversation_id == chat.conversation_id)
            .order_by(Message.seq)
        )
    ]


class TestCustomerSendMany:
    def test_acks_come_back_in_the_order_given_with_each_chats_next_seq(self, db: Session) -> None:
        first, second = _chats(db, 2)
        customer_send(db, chat_session_id=first.id, client_msg_id="a-0", body="olá", secret=SECRET)
        acks = customer_send_many(
            db,
            [
                VisitorMessage(second.id, "b-1", "O saque não chegou", author_name="Visitante 1"),
                VisitorMessage(first.id, "a-1", "Alguma novidade?", author_name="Visitante 0"),
            ],
            secret=SECRET,
        )
        assert [(ack.seq, ack.duplicate) for ack in acks] == [(1, False), (2, False)]
        assert acks[0].frame["message"]["body"] == "O saque não chegou"
        assert acks[0].frame["message"]["author_name"] == "Visitante 1"
        assert acks[1].frame["message"]["client_msg_id"] == "a-1"
        assert _bodies(db, first) == [(1, "olá"), (2, "Alguma novidade?")]

    def test_a_chats_messages_keep_their_order_and_a_repeated_id_is_stored_once(self, db: Session) -> None:
        (chat,) = _chats(db, 1)
        acks = customer_send_many(
            db,
            [
                VisitorMessage(chat.id, "m-1", "primeira"),
                VisitorMessage(chat.id, "m-2", "segunda"),
                VisitorMessage(chat.id, "m-1", "primeira"),  # the client resent it before its ack came
            ],
            secret=SECRET,
        )
        assert [(ack.seq, ack.duplicate) for ack in acks] == [(1, False), (2, False), (1, True)]
        assert acks[2].message_id == acks[0].message_id
        assert _bodies(db, chat) == [(1, "primeira"), (2, "segunda")]

    def test_a_retry_of_a_stored_message_gets_its_first_ack(self, db: Session) -> None:
        chat, other = _chats(db, 2)
        first = customer_send(db, chat_session_id=chat.id, client_msg_id="r-1", body="oi", secret=SECRET)
        acks = customer_send_many(
            db,
            [VisitorMessage(chat.id, "r-1", "oi"), VisitorMessage(other.id, "o-1", "bom dia")],
            secret=SECRET,
        )
        assert (acks[0].seq, acks[0].message_id, acks[0].duplicate) == (first.seq, first.message_id, True)
        assert len(_bodies(db, chat)) == 1

    def test_a_message_to_a_pending_chat_reopens_it_as_one_alone_would(self, db: Session) -> None:
        waiting, other = _chats(db, 2)
        conversations.change_status(
            db, conversation_id=waiting.conversation_id, status="pending", actor_agent_id=None
        )
        customer_send_many(
            db,
            [
                VisitorMessage(waiting.id, "w-1", "enviei o comprovativo"),
                VisitorMessage(other.id, "o-1", "olá"),
            ],
            secret=SECRET,
        )
        conversation = db.get(Conversation, waiting.conversation_id)
        assert conversation is not None and conversation.status == "open"
        assert _bodies(db, waiting) == [(1, "enviei o comprovativo")]

    def test_a_closed_chat_refuses_the_group_so_each_can_be_stored_alone(self, db: Session) -> None:
        closed, other = _chats(db, 2)
        conversations.change_status(
            db, conversation_id=closed.conversation_id, status="closed", actor_agent_id=None
        )
        with pytest.raises(ChatClosed):
            customer_send_many(
                db,
                [VisitorMessage(other.id, "o-1", "olá"), VisitorMessage(closed.id, "c-1", "ainda aí?")],
                secret=SECRET,
            )

    def test_an_attachment_from_another_chat_is_refused_as_alone(self, db: Session) -> None:
        chat, other = _chats(db, 2)
        with pytest.raises(PermissionDenied):
            customer_send_many(
                db,
                [
                    VisitorMessage(other.id, "o-1", "olá"),
                    VisitorMessage(chat.id, "c-1", "anexo", attachment_ids=[987654]),
                ],
                secret=SECRET,
            )

    def test_the_group_stores_as_many_messages_as_it_was_given(self, db: Session) -> None:
        chats = _chats(db, 5)
        before = db.scalar(select(func.count()).select_from(Message))
        customer_send_many(
            db, [VisitorMessage(c.id, f"g-{c.id}", f"mensagem {c.id}") for c in chats], secret=SECRET
        )
        assert db.scalar(select(func.count()).select_from(Message)) == before + 5


class TestRoutingOfNewChats:
    def test_a_customers_first_message_puts_the_chat_in_line_in_the_language_it_is_written_in(
        self, db: Session
    ) -> None:
        (chat,) = _chats(db, 1)
        customer_send(
            db,
            chat_session_id=chat.id,
            client_msg_id="f-1",
            body="Ciao, il mio prelievo è bloccato da ieri sera",
            secret=SECRET,
        )
        entry = db.scalar(select(QueueEntry).where(QueueEntry.conversation_id == chat.conversation_id))
        assert entry is not None and entry.language == "it" and entry.language_source == "detected"

    def test_later_messages_leave_the_chat_where_it_stands_in_line(self, db: Session) -> None:
        (chat,) = _chats(db, 1)
        for number in range(3):
            customer_send(
                db, chat_session_id=chat.id, client_msg_id=f"n-{number}", body=f"Olá {number}", secret=SECRET
            )
        entries = db.scalars(
            select(QueueEntry).where(QueueEntry.conversation_id == chat.conversation_id)
        ).all()
        assert len(entries) == 1

    def test_a_chat_an_agent_has_taken_does_not_go_in_line(self, db: Session, italian_l1_agent: Any) -> None:
        (chat,) = _chats(db, 1)
        conversations.assign(
            db, conversation_id=chat.conversation_id, assignee_id=italian_l1_agent.id, actor=None
        )
        customer_send(db, chat_session_id=chat.id, client_msg_id="t-1", body="Ciao di nuovo", secret=SECRET)
        assert (
            db.scalar(select(QueueEntry.id).where(QueueEntry.conversation_id == chat.conversation_id)) is None
        )

    def test_chats_stored_as_a_group_go_in_line_too(self, db: Session) -> None:
        chats = _chats(db, 2)
        customer_send_many(
            db,
            [
                VisitorMessage(chats[0].id, "g-1", "Hallo, meine Auszahlung hängt seit gestern fest"),
                VisitorMessage(chats[1].id, "g-2", "Hola, mi depósito no aparece en la cuenta"),
            ],
            secret=SECRET,
        )
        languages = dict(
            db.execute(
                select(QueueEntry.conversation_id, QueueEntry.language).where(
                    QueueEntry.conversation_id.in_([c.conversation_id for c in chats])
                )
            ).all()
        )
        assert languages == {chats[0].conversation_id: "de", chats[1].conversation_id: "es"}
