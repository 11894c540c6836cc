"""The customer websocket: hello, ack after durable store, idempotent retry, order, resume, limits."""

from __future__ import annotations

import asyncio
import threading
import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from firstline.chat.models import ChatSite
from firstline.conversations.models import Message
from tests.chat.conftest import LiveServer, Peer, run, start_chat


def _stored(store: Session, conversation_id: int) -> list[Message]:
    store.expire_all()
    return list(
        store.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq))
    )


def _send(client_msg_id: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"type": "send", "client_msg_id": client_msg_id, "body": body, **extra}


class TestHello:
    def test_a_visitor_with_a_valid_token_gets_ready_with_the_conversation(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        chat = start_chat(server, site)

        async def scenario() -> dict[str, Any]:
            peer = await Peer.customer(server, chat["visitor_token"], hello=False)
            await peer.send({"type": "hello", "visitor_token": chat["visitor_token"], "last_seq": 0})
            ready = await peer.next("ready")
            await peer.close()
            return ready

        ready = run(scenario())
        assert ready["conversation"]["id"] == chat["conversation_id"]
        assert ready["conversation"]["status"] == "open"
        assert ready["last_seq"] == 0
        assert ready["queue"] is None  # nothing written yet: the chat waits for nobody

    def test_an_unknown_token_is_refused_and_the_socket_closed(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        async def scenario() -> tuple[dict[str, Any], int | None]:
            peer = await Peer.customer(server, "", hello=False)
            await peer.send({"type": "hello", "visitor_token": "fv_forged", "last_seq": 0})
            error = await peer.next("error")
            await peer.connection.wait_closed()
            return error, peer.connection.close_code

        error, code = run(scenario())
        assert error["code"] == "not_authenticated" and error["fatal"] is True
        assert code == 4401

    def test_a_first_frame_that_is_not_a_hello_closes_with_4400(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        async def scenario() -> int | None:
            peer = await Peer.customer(server, "", hello=False)
            await peer.send(_send("a", "hi"))
            await peer.next("error")
            await peer.connection.wait_closed()
            return peer.connection.close_code

        assert run(scenario()) == 4400


class TestAck:
    def test_the_ack_comes_after_the_message_is_committed(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        chat = start_chat(server, site)
        seen_at_ack: list[Message] = []

        async def scenario() -> dict[str, Any]:
            peer = await Peer.customer(server, chat["visitor_token"])
            await peer.send(_send("m-1", "Olá, o meu depósito de USDT não chegou."))
            ack = await peer.next("ack")
            # Read from another connection at the moment the ack arrives: the row must already be there.
            seen_at_ack.extend(_stored(store, chat["conversation_id"]))
            await peer.close()
            return ack

        ack = run(scenario())
        assert [(m.seq, m.client_msg_id) for m in seen_at_ack] == [(ack["seq"], "m-1")]
        assert ack["duplicate"] is False and ack["message_id"] == seen_at_ack[0].id

    def test_no_ack_when_the_commit_fails_and_a_retry_stores_it_once(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        chat = start_chat(server, site)

        def refuse_commit(session: Session) -> None:
            # Only the commit that would store a message fails, as a full disk would fail it.
            pending = session.info.get("firstline_pending_notifications", [])
            if any(payload.get("type") == "message.created" for payload in pending):
                raise RuntimeError("disk full")

        async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
            peer = await Peer.customer(server, chat["visitor_token"])
            event.listen(Session, "before_commit", refuse_commit)
            try:
                await peer.send(_send("m-1", "Hallo, meine Auszahlung hängt."))
                failure = await peer.next("error")
            finally:
                event.remove(Session, "before_commit", refuse_commit)
            await peer.send(_send("m-1", "Hallo, meine Auszahlung hängt."))
            ack = await peer.next("ack")
            await peer.close()
            return failure, ack

        failure, ack = run(scenario())
        assert failure["code"] == "unavailable" and failure["client_msg_id"] == "m-1"
        assert [m.client_msg_id for m in _stored(store, chat["conversation_id"])] == ["m-1"]
        assert ack["seq"] == 1

    def test_a_retry_with_the_same_id_gets_the_same_ack_and_one_stored_row(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        chat = start_chat(server, site)

        async def scenario() -> list[dict[str, Any]]:
            peer = await Peer.customer(server, chat["visitor_token"])
            acks = []
            for _ in range(3):
                await peer.send(_send("same-id", "Il mio prelievo è bloccato."))
                acks.append(await peer.next("ack"))
            await peer.close()
            # A reconnect (a page reload) resending it changes nothing either.
            again = await Peer.customer(server, chat["visitor_token"], last_seq=acks[0]["seq"])
            await again.send(_send("same-id", "Il mio prelievo è bloccato."))
            acks.append(await again.next("ack"))
            await again.close()
            return acks

        acks = run(scenario())
        assert {(a["seq"], a["message_id"]) for a in acks} == {(acks[0]["seq"], acks[0]["message_id"])}
        assert [a["duplicate"] for a in acks] == [False, True, True, True]
        assert len(_stored(store, chat["conversation_id"])) == 1

    def test_the_sender_gets_its_own_message_back_as_an_event(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        chat = start_chat(server, site)

        async def scenario() -> list[dict[str, Any]]:
            peer = await Peer.customer(server, chat["visitor_token"])
            await peer.send(_send("m-1", "Hola, no me llega el código 2FA."))
            frames = await peer.ack_and_echo()
            await peer.close()
            return list(frames)

        ack, event_frame = run(scenario())
        assert ack["type"] == "ack" and event_frame["type"] == "event"
        assert event_frame["message"]["client_msg_id"] == "m-1"
        assert event_frame["message"]["is_automatic"] is False
        assert event_frame["prev_seq"] == 0 and event_frame["seq"] == 1


class TestOrderingAndResume:
    def test_messages_are_numbered_in_the_order_they_were_sent(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        chat = start_chat(server, site)

        async def scenario() -> list[dict[str, Any]]:
            peer = await Peer.customer(server, chat["visitor_token"])
            for number in range(10):
                await peer.send(_send(f"m-{number}", f"message {number}"))
            acks: list[dict[str, Any]] = []
            while len(acks) < 10:  # each message's ack and echo, and the chat's place in line
                if (frame := await peer.recv())["type"] == "ack":
                    acks.append(frame)
            await peer.close()
            return acks

        acks = run(scenario())
        assert [a["client_msg_id"] for a in acks] == [f"m-{n}" for n in range(10)]
        assert [a["seq"] for a in acks] == list(range(1, 11))
        assert [m.body for m in _stored(store, chat["conversation_id"])] == [
            f"message {n}" for n in range(10)
        ]

    def test_a_reconnecting_customer_gets_every_missed_event_in_order_without_gaps(
        self, server: LiveServer, site: ChatSite, make_chat_agent: Any
    ) -> None:
        chat = start_chat(server, site)
        login = make_chat_agent()
        conversation_id = chat["conversation_id"]

        async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            customer = await Peer.customer(server, chat["visitor_token"])
            await customer.send(_send("c-1", "Olá"))
            _, first = await customer.ack_and_echo()
            await customer.close()  # the connection drops
            agent = await Peer.agent(server, login)
            await agent.send({"type": "join", "conversation_id": conversation_id})
            await agent.next("ok")
            for number in range(5):
                await agent.send(
                    {
                        "type": "send",
                        "conversation_id": conversation_id,
                        "client_msg_id": f"a-{number}",
                        "body": f"resposta {number}",
                        "last_seen_seq": 1,
                    }
                )
                await agent.next("ack")
            await agent.send(
                {"type": "send", "conversation_id": conversation_id, "client_msg_id": "note-1",
                 "body": "checking the TRC20 tx", "last_seen_seq": 1, "note": True}
            )  # fmt: skip
            await agent.next("ack")
            await agent.send(
                {"type": "send", "conversation_id": conversation_id, "client_msg_id": "a-last",
                 "body": "resolvido", "last_seen_seq": 1}
            )  # fmt: skip
            await agent.next("ack")
            await agent.close()
            back = await Peer.customer(server, chat["visitor_token"], last_seq=first["seq"])
            missed = await back.events(7)
            extra = await back.quiet()
            await back.close()
            return missed, extra

        missed, extra = run(scenario())
        assert [f["seq"] for f in missed] == [2, 3, 4, 5, 6, 7, 9]  # 8 is the internal note
        assert [f["prev_seq"] for f in missed] == [1, 2, 3, 4, 5, 6, 7]
        assert missed[0]["kind"] == "agent_joined" and missed[0]["agent"] == {"name": "Giulia Rossi"}
        assert [f["message"]["body"] for f in missed[1:]] == [f"resposta {n}" for n in range(5)] + [
            "resolvido"
        ]
        assert all("note" not in f["kind"] for f in missed) and not [f for f in extra if f["type"] == "event"]


class TestLimits:
    def test_malformed_and_oversize_frames_get_an_error_and_the_connection_stays_usable(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        chat = start_chat(server, site)

        async def scenario() -> tuple[list[str], dict[str, Any]]:
            peer = await Peer.customer(server, chat["visitor_token"])
            codes = []
            for raw in [
                "not json",
                "[1, 2]",
                '{"type": "dance"}',
                '{"type": "send", "body": 5}',
                b"\x00\x01",
            ]:
                await peer.send_raw(raw)
                codes.append((await peer.next("error"))["code"])
            await peer.send(_send("big", "x" * 200_000))
            codes.append((await peer.next("error"))["code"])
            await peer.send(_send("empty", "   "))
            codes.append((await peer.next("error"))["code"])
            await peer.send(_send("ok", "still here"))
            ack = await peer.next("ack")
            await peer.close()
            return codes, ack

        codes, ack = run(scenario())
        assert codes == [
            "malformed_frame",
            "malformed_frame",
            "unknown_type",
            "invalid",
            "malformed_frame",
            "frame_too_large",
            "invalid",
        ]
        assert ack["client_msg_id"] == "ok"

    def test_a_visitor_over_the_rate_limit_is_told_to_wait_and_nothing_is_stored(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        chat = start_chat(server, site)
        burst = server.app.state.chat.limits.customer_burst
        limiter = server.app.state.chat.customer_limiter
        refill_rate = limiter.rate

        async def scenario() -> list[dict[str, Any]]:
            peer = await Peer.customer(server, chat["visitor_token"])
            for number in range(burst + 3):
                await peer.send(_send(f"m-{number}", f"spam {number}"))
            frames: list[dict[str, Any]] = []
            while len(frames) < burst + 3:  # every send is answered: an ack or an error
                frame = await peer.recv(10.0)
                if frame["type"] in ("ack", "error"):
                    frames.append(frame)
            frames += [f for f in await peer.quiet(0.3) if f["type"] in ("ack", "error")]  # nothing more
            await peer.close()
            return frames

        # No token comes back while the burst is sent, however slowly a loaded machine sends it.
        limiter.rate = 1e-6
        try:
            frames = run(scenario())
        finally:
            limiter.rate = refill_rate
        refused = [f for f in frames if f["type"] == "error"]
        assert len([f for f in frames if f["type"] == "ack"]) == burst
        assert {f["code"] for f in refused} == {"rate_limited"} and len(refused) == 3
        assert all(f["retry_after_ms"] > 0 for f in refused)
        assert len(_stored(store, chat["conversation_id"])) == burst

    def test_a_server_with_too_many_writes_waiting_says_busy_and_a_later_resend_is_stored(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        chat = start_chat(server, site)
        runtime = server.app.state.chat
        if runtime.writer is not None:
            pytest.skip("the SQLite writer measures how long writes wait: see the test below")
        backlog = int(runtime.limits.max_write_wait_seconds / runtime.seconds_per_write) + 100

        async def scenario() -> tuple[dict[str, Any], list[Message], dict[str, Any]]:
            peer = await Peer.customer(server, chat["visitor_token"])
            runtime.pending_writes += backlog  # as if that many messages were waiting to be stored
            try:
                await peer.send(_send("m-1", "Ciao, il mio deposito non è arrivato."))
                refused = await peer.next("error")
            finally:
                runtime.pending_writes -= backlog
            stored_while_busy = _stored(store, chat["conversation_id"])
            await peer.send(_send("m-1", "Ciao, il mio deposito non è arrivato."))
            ack = await peer.next("ack")
            await peer.close()
            return refused, stored_while_busy, ack

        refused, stored_while_busy, ack = run(scenario())
        assert refused["code"] == "busy" and refused["client_msg_id"] == "m-1"
        assert refused["retry_after_ms"] > 0 and refused["fatal"] is False
        assert stored_while_busy == []
        assert ack["duplicate"] is False and ack["seq"] == 1

    def test_the_sqlite_writer_says_busy_once_a_write_has_waited_too_long_and_not_before(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        first, second = start_chat(server, site), start_chat(server, site)
        runtime = server.app.state.chat
        if runtime.writer is None:
            pytest.skip("PostgreSQL writes run side by side, without the SQLite writer")
        limits = runtime.limits
        runtime.limits = replace(limits, max_write_wait_seconds=0.3)
        released = threading.Event()

        def stuck(_session: Session) -> None:  # a write that holds the writer, as a slow disk would
            released.wait(10)

        async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            early = await Peer.customer(server, first["visitor_token"])
            late = await Peer.customer(server, second["visitor_token"])
            blocker = asyncio.create_task(runtime.write(stuck))
            while runtime.writer.storing_since is None:
                await asyncio.sleep(0.01)
            await early.send(_send("e-1", "Ciao, il mio deposito non è arrivato."))  # no wait yet: taken
            await asyncio.sleep(0.4)
            await late.send(_send("l-1", "C'è nessuno?"))  # the stuck write has waited 0.4 s by now
            refused = await late.next("error")
            released.set()
            taken = await early.next("ack")
            await blocker
            await late.send(_send("l-1", "C'è nessuno?"))
            resent = await late.next("ack")
            await early.close()
            await late.close()
            return refused, taken, resent

        try:
            refused, taken, resent = run(scenario())
        finally:
            released.set()
            runtime.limits = limits
        assert refused["code"] == "busy" and refused["client_msg_id"] == "l-1"
        assert refused["retry_after_ms"] > 0 and refused["fatal"] is False
        assert (taken["client_msg_id"], taken["seq"]) == ("e-1", 1)
        assert (resent["client_msg_id"], resent["seq"], resent["duplicate"]) == ("l-1", 1, False)
        assert [m.body for m in _stored(store, second["conversation_id"])] == ["C'è nessuno?"]

    def test_typing_and_read_receipts_reach_the_agent_and_are_never_stored(
        self, server: LiveServer, site: ChatSite, store: Session, make_chat_agent: Any
    ) -> None:
        chat = start_chat(server, site)
        login = make_chat_agent()

        async def scenario() -> list[dict[str, Any]]:
            agent = await Peer.agent(server, login)
            await agent.send({"type": "subscribe", "conversation_id": chat["conversation_id"], "last_seq": 0})
            await agent.next("subscribed")
            customer = await Peer.customer(server, chat["visitor_token"])
            await customer.send({"type": "typing", "active": True})
            await customer.send({"type": "read", "seq": 0})
            relayed = [await agent.recv(), await agent.recv()]
            await customer.close()
            await agent.close()
            return relayed

        relayed = run(scenario())
        assert [(f["type"], f["by"]) for f in relayed] == [("typing", "customer"), ("read", "customer")]
        store.expire_all()
        assert store.scalar(select(func.count()).select_from(Message).where(
            Message.conversation_id == chat["conversation_id"])) == 0  # fmt: skip


@pytest.fixture(autouse=True)
def _unique() -> str:
    return uuid.uuid4().hex


class TestPlaceInLine:
    def test_the_customer_is_told_their_place_in_line_in_their_language_and_again_on_reconnect(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        chat = start_chat(server, site, language="pt")

        async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
            peer = await Peer.customer(server, chat["visitor_token"])
            await peer.send(_send("q-1", "Olá, o meu levantamento está pendente desde ontem."))
            told = await peer.next("queue")
            await peer.close()
            again = await Peer.customer(server, chat["visitor_token"], hello=False)
            await again.send({"type": "hello", "visitor_token": chat["visitor_token"], "last_seq": 1})
            ready = await again.next("ready")
            await again.close()
            return told, ready

        told, ready = run(scenario())
        assert told["state"] == "waiting" and told["position"] >= 1
        assert told["text"].startswith("Você é o número")
        assert ready["queue"]["state"] == "waiting" and ready["queue"]["position"] == told["position"]
        assert ready["queue"]["text"] == told["text"]
