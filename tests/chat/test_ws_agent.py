"""The agent websocket: live inbox, subscribe and resume, join/leave, stale-view conflicts, permissions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import websockets
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstline.agents.auth import LoginPolicy, start_session
from firstline.chat.models import ChatSite
from firstline.conversations.models import AuthorKind, Conversation, Message
from firstline.conversations.service import post_message
from firstline.customers.models import Customer
from firstline.db import declare_write
from firstline.routing import config as routing_config
from firstline.routing.config import Mode, RoutingConfig
from firstline.routing.models import AgentPresence, PresenceReason
from firstline.routing.presence import set_presence
from tests.chat.conftest import AgentLogin, LiveServer, Peer, run, start_chat


def _reply(
    conversation_id: int, client_msg_id: str, body: str, last_seen_seq: int, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "send",
        "conversation_id": conversation_id,
        "client_msg_id": client_msg_id,
        "body": body,
        "last_seen_seq": last_seen_seq,
        **extra,
    }


def _count(store: Session, conversation_id: int) -> int:
    store.expire_all()
    return store.scalar(
        select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id)
    )


class TestInbox:
    def test_a_new_chat_appears_live_for_agents_watching_the_inbox(
        self, server: LiveServer, site: ChatSite, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        login = make_chat_agent()

        async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            agent = await Peer.agent(server, login)
            await agent.send({"type": "watch_inbox"})
            await agent.next("ok")
            chat = start_chat(server, site, language="de", name="Lukas Weber")
            opened = await agent.next("conversation.opened")
            customer = await Peer.customer(server, chat["visitor_token"])
            await customer.send(
                {"type": "send", "client_msg_id": "c-1", "body": "Hallo, meine Einzahlung fehlt."}
            )
            activity = await agent.recv()
            await customer.close()
            await agent.close()
            return chat, opened, activity

        chat, opened, activity = run(scenario())
        assert opened["conversation"]["id"] == chat["conversation_id"]
        assert opened["conversation"]["channel"] == "chat" and opened["conversation"]["language"] == "de"
        assert opened["conversation"]["customer"]["name"] == "Lukas Weber"
        assert activity["type"] == "conversation.activity"
        assert activity["preview"] == "Hallo, meine Einzahlung fehlt." and activity["last_seq"] == 1


class TestConversation:
    def test_the_customer_sees_the_agent_join_reply_and_leave(
        self, server: LiveServer, site: ChatSite, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        chat = start_chat(server, site)
        login = make_chat_agent("Giulia Rossi")
        conversation_id = chat["conversation_id"]

        async def scenario() -> list[dict[str, Any]]:
            customer = await Peer.customer(server, chat["visitor_token"])
            agent = await Peer.agent(server, login)
            await agent.send({"type": "subscribe", "conversation_id": conversation_id, "last_seq": 0})
            await agent.next("subscribed")
            await agent.send({"type": "join", "conversation_id": conversation_id})
            await agent.send(_reply(conversation_id, "a-1", "Ciao! Come posso aiutarti?", 1))
            await agent.send({"type": "leave", "conversation_id": conversation_id})
            seen = await customer.events(3)
            await customer.close()
            await agent.close()
            return seen

        joined, reply, left = run(scenario())
        assert (joined["kind"], joined["agent"]) == ("agent_joined", {"name": "Giulia Rossi"})
        assert (
            reply["message"]["author_kind"] == "agent" and reply["message"]["author_name"] == "Giulia Rossi"
        )
        assert (
            reply["message"]["body"] == "Ciao! Come posso aiutarti?"
            and reply["message"]["client_msg_id"] is None
        )
        assert left["kind"] == "agent_left"
        assert [joined["seq"], reply["seq"], left["seq"]] == [1, 2, 3]

    def test_an_automatic_message_is_flagged_as_automatic_to_customer_and_agent(
        self, server: LiveServer, site: ChatSite, store: Session, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        chat = start_chat(server, site)
        login = make_chat_agent()

        async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
            customer = await Peer.customer(server, chat["visitor_token"])
            agent = await Peer.agent(server, login)
            await agent.send({"type": "subscribe", "conversation_id": chat["conversation_id"], "last_seq": 0})
            await agent.next("subscribed")
            post_message(
                store,
                conversation_id=chat["conversation_id"],
                author_kind=AuthorKind.SYSTEM,
                body="Thanks, an agent will be with you shortly.",
            )
            store.commit()  # a notification without a frame: the feed reads the event back from the database
            seen = await customer.next("event"), await agent.next("event")
            await customer.close()
            await agent.close()
            return seen

        for frame in run(scenario()):
            assert frame["message"]["is_automatic"] is True
            assert frame["message"]["author_kind"] == "system"

    def test_status_changes_reach_the_customer(
        self, server: LiveServer, site: ChatSite, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        chat = start_chat(server, site)
        login = make_chat_agent()

        async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
            customer = await Peer.customer(server, chat["visitor_token"])
            agent = await Peer.agent(server, login)
            await agent.send(
                {"type": "set_status", "conversation_id": chat["conversation_id"], "status": "resolved"}
            )
            ok = await agent.next("ok")
            status = await customer.recv()
            await customer.close()
            await agent.close()
            return ok, status

        ok, status = run(scenario())
        assert ok["status"] == "resolved"
        assert status == {
            "type": "conversation.status",
            "conversation_id": chat["conversation_id"],
            "status": "resolved",
        }


class TestStaleView:
    def test_a_reply_from_a_stale_view_is_refused_with_what_was_missed(
        self, server: LiveServer, site: ChatSite, store: Session, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        chat = start_chat(server, site)
        conversation_id = chat["conversation_id"]
        giulia, hannah = make_chat_agent("Giulia Rossi"), make_chat_agent("Hannah Becker")

        async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            customer = await Peer.customer(server, chat["visitor_token"])
            await customer.send({"type": "send", "client_msg_id": "c-1", "body": "Hello?"})
            await customer.ack_and_echo()
            first, second = await Peer.agent(server, giulia), await Peer.agent(server, hannah)
            await second.send(_reply(conversation_id, "h-1", "Hi, I'm on it.", 1))
            await second.next("ack")
            # Giulia's view still ends at seq 1: Hannah's answer is news to her.
            await first.send(_reply(conversation_id, "g-1", "Hello! How can I help?", 1))
            conflict = await first.next("conflict")
            await first.send(_reply(conversation_id, "g-1", "Hello! How can I help?", conflict["latest_seq"]))
            ack = await first.next("ack")
            # Her own message does not make her view stale.
            await first.send(
                _reply(conversation_id, "g-2", "Could you share the TXID?", conflict["latest_seq"])
            )
            own = await first.next("ack")
            for peer in (customer, first, second):
                await peer.close()
            return conflict, ack, own

        conflict, ack, own = run(scenario())
        assert conflict["code"] == "stale_view" and conflict["client_msg_id"] == "g-1"
        assert conflict["latest_seq"] == 2
        assert [(e["seq"], e["message"]["author_name"]) for e in conflict["missed"]] == [(2, "Hannah Becker")]
        assert (ack["seq"], own["seq"]) == (3, 4)
        assert _count(store, conversation_id) == 4

    def test_a_customer_message_makes_the_agents_view_stale(
        self, server: LiveServer, site: ChatSite, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        chat = start_chat(server, site)
        login = make_chat_agent()

        async def scenario() -> dict[str, Any]:
            customer = await Peer.customer(server, chat["visitor_token"])
            agent = await Peer.agent(server, login)
            await customer.send({"type": "send", "client_msg_id": "c-1", "body": "Are you there?"})
            await customer.ack_and_echo()
            await agent.send(_reply(chat["conversation_id"], "a-1", "Yes!", 0))
            conflict = await agent.next("conflict")
            await customer.close()
            await agent.close()
            return conflict

        conflict = run(scenario())
        assert [e["message"]["body"] for e in conflict["missed"]] == ["Are you there?"]


class TestAgentResume:
    def test_an_agent_reconnecting_gets_everything_missed_in_order_notes_included(
        self, server: LiveServer, site: ChatSite, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        chat = start_chat(server, site)
        conversation_id = chat["conversation_id"]
        giulia, hannah = make_chat_agent("Giulia Rossi"), make_chat_agent("Hannah Becker")

        async def scenario() -> list[dict[str, Any]]:
            agent = await Peer.agent(server, giulia)
            await agent.send({"type": "subscribe", "conversation_id": conversation_id, "last_seq": 0})
            await agent.next("subscribed")
            await agent.close()  # Giulia's laptop sleeps
            customer = await Peer.customer(server, chat["visitor_token"])
            colleague = await Peer.agent(server, hannah)
            for number in range(4):
                await customer.send({"type": "send", "client_msg_id": f"c-{number}", "body": f"msg {number}"})
                await customer.ack_and_echo()
            await colleague.send(_reply(conversation_id, "note", "VIP, be quick", 4, note=True))
            await colleague.next("ack")
            back = await Peer.agent(server, giulia)
            await back.send({"type": "subscribe", "conversation_id": conversation_id, "last_seq": 0})
            await back.next("subscribed")
            missed = await back.events(5)
            await customer.send({"type": "send", "client_msg_id": "c-live", "body": "live one"})
            live = await back.next("event")
            for peer in (back, customer, colleague):
                await peer.close()
            return [*missed, live]

        frames = run(scenario())
        assert [f["seq"] for f in frames] == [1, 2, 3, 4, 5, 6]
        assert [f["prev_seq"] for f in frames] == [0, 1, 2, 3, 4, 5]
        assert frames[4]["kind"] == "note" and frames[4]["message"]["body"] == "VIP, be quick"


class TestAgentAuthentication:
    def test_a_qa_analyst_may_read_but_not_reply(
        self, server: LiveServer, site: ChatSite, store: Session, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        chat = start_chat(server, site)
        login = make_chat_agent("Quinn Analyst", roles=["qa"])

        async def scenario() -> dict[str, Any]:
            agent = await Peer.agent(server, login)
            await agent.send({"type": "subscribe", "conversation_id": chat["conversation_id"], "last_seq": 0})
            await agent.next("subscribed")
            await agent.send(_reply(chat["conversation_id"], "q-1", "hi", 0))
            error = await agent.next("error")
            await agent.close()
            return error

        error = run(scenario())
        assert error["code"] == "forbidden" and error["client_msg_id"] == "q-1"
        assert _count(store, chat["conversation_id"]) == 0

    def test_a_revoked_or_unknown_token_is_refused(self, server: LiveServer) -> None:
        async def scenario() -> tuple[dict[str, Any], int | None]:
            connection = await websockets.connect(
                f"{server.ws}/api/v1/chat/ws/agent", additional_headers={"Authorization": "Bearer fl_nope"}
            )
            peer = Peer(connection)
            error = await peer.next("error")
            await connection.wait_closed()
            return error, connection.close_code

        error, code = run(scenario())
        assert error["code"] == "not_authenticated" and code == 4401

    def test_a_session_cookie_from_a_foreign_origin_is_refused(
        self, server: LiveServer, store: Session, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        login = make_chat_agent()
        cookie = start_session(store, agent=login.agent, policy=LoginPolicy())
        store.commit()

        async def connect(origin: str) -> dict[str, Any]:
            connection = await websockets.connect(
                f"{server.ws}/api/v1/chat/ws/agent",
                origin=origin,  # type: ignore[arg-type]
                additional_headers={"Cookie": f"firstline_session={cookie}"},
            )
            frame = await Peer(connection).recv()
            await connection.close()
            return frame

        assert run(connect("https://evil.example"))["code"] == "forbidden"
        assert run(connect(f"http://127.0.0.1:{server.port}"))["type"] == "ready"


def test_the_widget_endpoints_answer_cors_preflights(server: LiveServer) -> None:
    response = httpx.options(
        f"{server.http}/api/v1/chat/sessions",
        headers={"Origin": "https://www.exchange.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "https://www.exchange.example"
    assert "x-visitor-token" in response.headers["access-control-allow-headers"]


class TestRouting:
    def test_a_chat_offered_to_an_agent_reaches_their_console_with_its_summary(
        self, server: LiveServer, site: ChatSite, store: Session, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        login = make_chat_agent(name="Chiara Bianchi")
        chat = start_chat(server, site, language="it", name="Marco Verdi")
        conversation = store.get(Conversation, chat["conversation_id"])
        assert conversation is not None
        customer = store.get(Customer, conversation.customer_id)
        assert customer is not None
        customer.vip_tier = 3  # ahead of any chat other tests left waiting
        store.commit()

        async def scenario() -> dict[str, Any]:
            agent = await Peer.agent(server, login)
            await agent.send({"type": "watch_inbox"})
            await agent.next("ok")
            customer_peer = await Peer.customer(server, chat["visitor_token"])
            await customer_peer.send(
                {"type": "send", "client_msg_id": "o-1", "body": "Buongiorno, il bonifico non risulta."}
            )
            await customer_peer.next("queue")  # waiting: nobody is online yet
            declare_write(store)
            set_presence(store, agent_id=login.agent.id, status="online")  # offers what waits, VIPs first
            store.commit()
            offer = await _next_offer(agent, chat["conversation_id"])
            await customer_peer.close()
            await agent.close()
            return offer

        with routing_config.using(RoutingConfig(mode=Mode.OFFER, offer_timeout_seconds=30)):
            offer = run(scenario())
        declare_write(store)
        set_presence(store, agent_id=login.agent.id, status="offline")
        store.commit()
        assert offer["conversation"]["customer"]["name"] == "Marco Verdi"
        assert offer["conversation"]["language"] == "it" and offer["expires_at"]

    def test_an_open_console_keeps_its_agent_present_and_brings_back_one_whose_connection_dropped(
        self, server: LiveServer, store: Session, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        login = make_chat_agent()
        declare_write(store)
        set_presence(store, agent_id=login.agent.id, status="online")
        set_presence(store, agent_id=login.agent.id, status="offline", reason=PresenceReason.HEARTBEAT_LOST)
        store.commit()

        async def scenario() -> None:
            agent = await Peer.agent(server, login)
            await agent.send({"type": "watch_inbox"})
            await agent.next("ok")
            await asyncio.sleep(0.5)  # the first heartbeat is written as the console starts watching
            await agent.close()

        run(scenario())
        store.expire_all()
        presence = store.get(AgentPresence, login.agent.id)
        assert presence is not None and presence.last_heartbeat_at is not None
        assert presence.status == "online"
        declare_write(store)
        set_presence(store, agent_id=login.agent.id, status="offline")
        store.commit()


async def _next_offer(agent: Peer, conversation_id: int) -> dict[str, Any]:
    """The offer of this chat, past any other the agent gets meanwhile (chats other tests left waiting)."""
    while True:
        frame = await agent.recv()
        if frame["type"] == "offer" and frame["conversation_id"] == conversation_id:
            return frame
