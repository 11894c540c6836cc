"""The live chats workspace's queue and page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.chat.console import live_queue, pending_offers
from firstline.conversations.models import Status
from firstline.conversations.service import assign, change_status, open_conversation
from firstline.customers.models import Customer
from firstline.kit.time import utcnow
from firstline.routing import config as routing_config
from firstline.routing.config import Mode, RoutingConfig
from firstline.routing.models import QueueEntry
from firstline.routing.presence import set_presence
from firstline.routing.service import enqueue
from tests.conftest import login


class TestLiveQueue:
    def test_waiting_holds_unassigned_open_chats_and_mine_holds_my_open_and_pending_chats(
        self, db: Session, portuguese_customer: Customer, make_agent: Callable[..., Agent]
    ) -> None:
        me, colleague = make_agent(name="Giulia Rossi"), make_agent(name="Hannah Becker")

        def chat() -> int:
            return open_conversation(db, customer_id=portuguese_customer.id, channel="chat").id

        waiting, mine_open, mine_pending, theirs, resolved = chat(), chat(), chat(), chat(), chat()
        email = open_conversation(db, customer_id=portuguese_customer.id, channel="email").id
        for conversation_id in (mine_open, mine_pending, resolved):
            assign(db, conversation_id=conversation_id, assignee_id=me.id, actor=me)
        assign(db, conversation_id=theirs, assignee_id=colleague.id, actor=colleague)
        change_status(db, conversation_id=mine_pending, status=Status.PENDING, actor_agent_id=me.id)
        change_status(db, conversation_id=resolved, status=Status.RESOLVED, actor_agent_id=me.id)

        queue = live_queue(db, agent_id=me.id)

        assert [row["id"] for row in queue["waiting"]] == [waiting]
        assert {row["id"] for row in queue["mine"]} == {mine_open, mine_pending}
        assert email not in {row["id"] for rows in queue.values() for row in rows}
        row = queue["waiting"][0]
        assert row["customer"] == {"id": portuguese_customer.id, "name": portuguese_customer.name}
        assert row["channel"] == "chat" and row["status"] == "open" and row["last_seq"] == 0


class TestLiveChatsPage:
    def test_the_page_carries_the_queue_for_its_script_and_loads_no_inline_script(
        self, client: TestClient, italian_l1_agent: Agent, chat_with_joao: object
    ) -> None:
        login(client, italian_l1_agent)
        response = client.get("/chats")
        assert response.status_code == 200
        assert '<script type="application/json" id="chat-queue-data">' in response.text
        assert '<script type="application/json" id="chat-offers-data">[]</script>' in response.text
        assert '<script src="/static/agent-chat.js" defer></script>' in response.text
        assert f'data-me="{italian_l1_agent.id}"' in response.text
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", response.text)
        assert inline == []


class TestPendingOffers:
    def test_a_running_offer_is_listed_for_its_agent_only_and_not_once_expired(
        self, db: Session, portuguese_customer: Customer, make_agent: Callable[..., Agent]
    ) -> None:
        me = make_agent(name="Giulia Rossi", languages={"pt": "native", "en": "fluent"})
        other = make_agent(name="Hannah Becker", languages={"de": "native"})
        set_presence(db, agent_id=me.id, status="online")
        chat = open_conversation(db, customer_id=portuguese_customer.id, channel="chat")
        with routing_config.using(RoutingConfig(mode=Mode.OFFER, offer_timeout_seconds=30)):
            enqueue(db, conversation_id=chat.id, first_message="Olá, o meu depósito não chegou")

        offers = pending_offers(db, agent_id=me.id)

        assert [offer["conversation_id"] for offer in offers] == [chat.id]
        assert offers[0]["type"] == "offer" and offers[0]["conversation"]["customer"]["name"] == "João Silva"
        assert datetime.fromisoformat(offers[0]["expires_at"]) > utcnow()
        assert pending_offers(db, agent_id=other.id) == []
        db.execute(
            update(QueueEntry)
            .where(QueueEntry.conversation_id == chat.id)
            .values(offer_expires_at=utcnow() - timedelta(seconds=1))
        )
        assert pending_offers(db, agent_id=me.id) == []
