"""The SQLite group writer: several writes in one transaction, each in a SAVEPOINT of its own."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from firstline.chat.models import ChatSite
from firstline.chat.runtime import ChatRuntime, WriteRequest
from firstline.chat.service import ChatClosed, VisitorMessage, customer_send, start_chat
from firstline.conversations.models import Message
from firstline.conversations.service import change_status
from firstline.db import make_session_factory
from firstline.kit.errors import InvalidInput


def _runtime(engine: Engine) -> ChatRuntime:
    return ChatRuntime(
        session_factory=make_session_factory(engine),
        secret="runtime-test-secret",
        redis_url="",
        is_sqlite=True,
        attachments=None,
    )


def test_a_failing_write_in_a_batch_rolls_back_alone_and_the_others_are_committed(
    chat_engine: Engine, store: Session, site: ChatSite
) -> None:
    if chat_engine.dialect.name != "sqlite":
        return  # the group writer serves SQLite; PostgreSQL writes run in transactions of their own
    chats = [start_chat(store, site_key=site.public_key, origin=None, name=f"C{n}").chat for n in range(3)]
    store.commit()
    runtime = _runtime(chat_engine)

    def send(number: int) -> Any:
        def work(session: Session) -> Any:
            sent = customer_send(
                session,
                chat_session_id=chats[number].id,
                client_msg_id=f"m-{number}",
                body="hello",
                secret="s",
            )
            if number == 1:
                raise RuntimeError("disk full")
            return sent

        return work

    async def scenario() -> list[Any]:
        loop = asyncio.get_running_loop()
        batch = [WriteRequest(send(n), loop) for n in range(3)]
        await asyncio.to_thread(runtime._run_batch, batch)  # one transaction for the three
        return await asyncio.gather(*(request.future for request in batch), return_exceptions=True)

    results = asyncio.run(scenario())
    assert isinstance(results[1], RuntimeError)
    assert [results[0].seq, results[2].seq] == [1, 1]
    stored = {
        conversation_id: count
        for conversation_id, count in store.execute(
            select(Message.conversation_id, func.count())
            .where(Message.conversation_id.in_([chat.conversation_id for chat in chats]))
            .group_by(Message.conversation_id)
        )
    }
    assert stored == {chats[0].conversation_id: 1, chats[2].conversation_id: 1}


def test_a_lone_write_that_fails_gets_its_own_error_and_stores_nothing(
    chat_engine: Engine, store: Session, site: ChatSite
) -> None:
    if chat_engine.dialect.name != "sqlite":
        return  # the group writer serves SQLite; PostgreSQL writes run in transactions of their own
    chat = start_chat(store, site_key=site.public_key, origin=None, name="Alone").chat
    store.commit()
    runtime = _runtime(chat_engine)

    def work(session: Session) -> Any:
        customer_send(session, chat_session_id=chat.id, client_msg_id="m-1", body="hello", secret="s")
        raise InvalidInput("Attachment 7 was not uploaded in this chat.")

    async def scenario() -> Any:
        request = WriteRequest(work, asyncio.get_running_loop())
        await asyncio.to_thread(runtime._run_batch, [request])
        return (await asyncio.gather(request.future, return_exceptions=True))[0]

    outcome = asyncio.run(scenario())
    assert isinstance(outcome, InvalidInput) and "not uploaded" in str(outcome)
    stored = store.scalar(
        select(func.count()).select_from(Message).where(Message.conversation_id == chat.conversation_id)
    )
    assert stored == 0


def _visitor_batch(runtime: ChatRuntime, messages: list[VisitorMessage]) -> list[Any]:
    """The writer's batch of these visitor messages, as the websocket hands them over; their outcomes."""

    async def scenario() -> list[Any]:
        loop = asyncio.get_running_loop()
        batch = [
            WriteRequest(
                lambda session, m=message: customer_send(
                    session,
                    chat_session_id=m.chat_session_id,
                    client_msg_id=m.client_msg_id,
                    body=m.body,
                    secret=runtime.secret,
                ),
                loop,
                message,
            )  # fmt: skip
            for message in messages
        ]
        await asyncio.to_thread(runtime._run_batch, batch)
        return await asyncio.gather(*(request.future for request in batch), return_exceptions=True)

    return asyncio.run(scenario())


def test_visitor_messages_in_a_batch_are_inserted_with_one_statement(
    chat_engine: Engine, store: Session, site: ChatSite
) -> None:
    if chat_engine.dialect.name != "sqlite":
        return  # the group writer serves SQLite; PostgreSQL writes run in transactions of their own
    chats = [start_chat(store, site_key=site.public_key, origin=None, name=f"V{n}").chat for n in range(4)]
    store.commit()
    inserts: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO message "):
            inserts.append(statement)

    event.listen(chat_engine, "before_cursor_execute", count)
    try:
        acks = _visitor_batch(
            _runtime(chat_engine), [VisitorMessage(chat.id, f"v-{chat.id}", "hello") for chat in chats]
        )
    finally:
        event.remove(chat_engine, "before_cursor_execute", count)
    assert [ack.seq for ack in acks] == [1, 1, 1, 1]
    assert len(inserts) == 1


def test_a_refused_visitor_message_fails_alone_and_the_others_of_its_batch_are_stored(
    chat_engine: Engine, store: Session, site: ChatSite
) -> None:
    if chat_engine.dialect.name != "sqlite":
        return  # the group writer serves SQLite; PostgreSQL writes run in transactions of their own
    chats = [start_chat(store, site_key=site.public_key, origin=None, name=f"W{n}").chat for n in range(3)]
    change_status(store, conversation_id=chats[1].conversation_id, status="closed", actor_agent_id=None)
    store.commit()
    results = _visitor_batch(
        _runtime(chat_engine), [VisitorMessage(chat.id, f"w-{chat.id}", "still there?") for chat in chats]
    )
    assert isinstance(results[1], ChatClosed)
    assert [results[0].seq, results[2].seq] == [1, 1]
    stored = store.scalars(
        select(Message.conversation_id).where(Message.conversation_id.in_([c.conversation_id for c in chats]))
    ).all()
    assert sorted(stored) == sorted([chats[0].conversation_id, chats[2].conversation_id])
