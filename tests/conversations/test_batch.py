"""Customers' messages stored together: what each leaves behind is what post_message leaves."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.conversations import service
from firstline.conversations.batch import CustomerMessage, post_customer_messages
from firstline.conversations.models import AuthorKind, Conversation, Message
from firstline.customers.models import Customer
from firstline.customers.service import create_customer
from firstline.kit.errors import Conflict, InvalidInput
from firstline.kit.notify import subscribe
from firstline.sla.models import ClockState, Metric, SlaClock
from firstline.timeline.models import Event
from firstline.timeline.service import EventKind, list_conversation_events


def _chat(db: Session, customer: Customer) -> Conversation:
    return service.open_conversation(db, customer_id=customer.id, channel="chat")


def _customers(db: Session, count: int) -> list[Customer]:
    return [
        create_customer(db, name=f"Cliente {n}", email=f"batch{n}@example.com", preferred_language="it")
        for n in range(count)
    ]


def _message_row(db: Session, message_id: int) -> dict[str, Any]:
    message = db.get(Message, message_id)
    assert message is not None
    fields = ("seq", "author_kind", "author_agent_id", "body", "client_msg_id", "is_automatic")
    return {field: getattr(message, field) for field in fields}


def _message_events(db: Session, conversation: Conversation) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (event.kind, event.actor_kind, {**event.data, "message_id": "*"})
        for event in list_conversation_events(db, conversation_id=conversation.id)
        if event.kind == EventKind.MESSAGE_POSTED
    ]


class TestPostCustomerMessages:
    def test_each_message_is_stored_as_post_message_would_store_it(self, db: Session) -> None:
        one_by_one, together, other = (_chat(db, customer) for customer in _customers(db, 3))
        single = service.post_message(
            db,
            conversation_id=one_by_one.id,
            author_kind=AuthorKind.CUSTOMER,
            body="  Il prelievo è bloccato  ",
            client_msg_id="w-1",
        ).message
        stored = post_customer_messages(
            db,
            [
                CustomerMessage(together, "  Il prelievo è bloccato  ", "w-1"),
                CustomerMessage(other, "Deposito non accreditato", "d-1"),
            ],
        )
        db.commit()
        assert _message_row(db, stored[0].id) == _message_row(db, single.id)
        assert _message_events(db, together) == _message_events(db, one_by_one)
        event = db.scalar(
            select(Event).where(Event.conversation_id == other.id, Event.kind == EventKind.MESSAGE_POSTED)
        )
        assert event is not None and event.data["message_id"] == stored[1].id
        assert event.customer_id == other.customer_id

    def test_each_conversation_gets_its_next_seq_and_its_activity(self, db: Session) -> None:
        first, second = (_chat(db, customer) for customer in _customers(db, 2))
        service.post_message(db, conversation_id=first.id, author_kind=AuthorKind.CUSTOMER, body="prima")
        stored = post_customer_messages(
            db, [CustomerMessage(first, "seconda", "a-2"), CustomerMessage(second, "x" * 300, "b-1")]
        )
        db.commit()
        assert [message.seq for message in stored] == [2, 1]
        db.expire_all()
        assert (first.last_seq, first.preview) == (2, "seconda")
        assert (second.last_seq, second.preview) == (1, "x" * 200)
        assert second.last_message_at == stored[1].created_at

    def test_the_loaded_conversations_show_the_new_seq_without_a_read(self, db: Session) -> None:
        conversation = _chat(db, _customers(db, 1)[0])
        stored = post_customer_messages(db, [CustomerMessage(conversation, "ciao", "c-1")])
        assert conversation.last_seq == stored[0].seq == 1
        assert conversation.preview == "ciao"

    def test_an_invalid_message_is_refused_before_anything_is_written(self, db: Session) -> None:
        good, bad = (_chat(db, customer) for customer in _customers(db, 2))
        db.commit()
        with pytest.raises(InvalidInput):
            post_customer_messages(
                db, [CustomerMessage(good, "ok", "g-1"), CustomerMessage(bad, "   ", "b-1")]
            )
        db.expire_all()
        assert (good.last_seq, bad.last_seq) == (0, 0)
        assert db.scalar(select(Message.id).where(Message.conversation_id.in_([good.id, bad.id]))) is None

    def test_two_messages_for_one_conversation_are_refused(self, db: Session) -> None:
        conversation = _chat(db, _customers(db, 1)[0])
        with pytest.raises(Conflict):
            post_customer_messages(
                db, [CustomerMessage(conversation, "uno", "u-1"), CustomerMessage(conversation, "due", "u-2")]
            )

    def test_a_conversation_that_is_not_open_is_refused(self, db: Session) -> None:
        conversation = _chat(db, _customers(db, 1)[0])
        service.change_status(db, conversation_id=conversation.id, status="pending", actor_agent_id=None)
        with pytest.raises(Conflict):
            post_customer_messages(db, [CustomerMessage(conversation, "ci sono", "p-1")])

    def test_the_events_reactions_run_for_each_message(self, db: Session, italian_l1_agent: Any) -> None:
        answered = [_chat(db, customer) for customer in _customers(db, 2)]
        for conversation in answered:  # an agent replied: the customer's next message starts a clock
            service.post_message(
                db,
                conversation_id=conversation.id,
                author_kind=AuthorKind.AGENT,
                author_agent_id=italian_l1_agent.id,
                body="Buongiorno, controllo subito.",
            )
        post_customer_messages(db, [CustomerMessage(c, "Grazie, attendo", f"n-{c.id}") for c in answered])
        clocks = db.scalars(
            select(SlaClock).where(
                SlaClock.conversation_id.in_([c.id for c in answered]),
                SlaClock.metric == Metric.NEXT_RESPONSE,
            )
        ).all()
        assert sorted(clock.conversation_id for clock in clocks) == sorted(c.id for c in answered)
        assert all(clock.state == ClockState.RUNNING for clock in clocks)

    def test_each_message_is_announced_once_the_transaction_commits(self, db: Session) -> None:
        first, second = (_chat(db, customer) for customer in _customers(db, 2))
        db.commit()
        heard: list[dict[str, Any]] = []
        unsubscribe = subscribe(heard.append)
        try:
            stored = post_customer_messages(
                db, [CustomerMessage(first, "uno", "x-1"), CustomerMessage(second, "due", "x-2")]
            )
            assert not [p for p in heard if p["type"] == "message.created"]
            db.commit()
        finally:
            unsubscribe()
        announced = [
            (p["conversation_id"], p["seq"], p["message_id"]) for p in heard if p["type"] == "message.created"
        ]
        assert announced == [(first.id, 1, stored[0].id), (second.id, 1, stored[1].id)]
