"""The SQLite group writer: several writes in one transaction, each in a SAVEPOINT of its own."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from firstline.chat.models import ChatSite
from firstline.chat.runtime import ChatRuntime, WriteRequest
from firstline.chat.service import customer_send, start_chat
from firstline.conversations.models import Message
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
