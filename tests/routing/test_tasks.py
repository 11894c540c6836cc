"""Routing's tick (firstline/routing/tasks.py): several app processes run it at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from firstline.agents.service import create_agent
from firstline.conversations.models import Conversation
from firstline.conversations.service import open_conversation
from firstline.customers.service import create_customer
from firstline.db import make_engine, make_session_factory, migrate, session_scope
from firstline.kit.time import utcnow
from firstline.routing import tasks
from firstline.routing.models import AgentPresence, QueueEntry
from firstline.routing.presence import set_presence
from firstline.routing.service import enqueue
from tests.threads import at_once


def test_ticks_running_at_once_neither_fail_nor_give_a_chat_twice(
    fresh_database_url: Callable[[str], str],
) -> None:
    url = fresh_database_url("routing_tick")
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        agents = [
            create_agent(
                session,
                email=f"tick{n}@firstline.example",
                name=f"Agent {n}",
                password="correct horse battery",
                roles=["agent_l1"],
                languages={"en": "native"},
                max_concurrent_chats=3,
            )  # fmt: skip
            for n in range(2)
        ]
        for agent in agents:  # a presence row each, offline while the chats come in
            set_presence(session, agent_id=agent.id, status="offline")
        customer = create_customer(
            session, name="Ana Costa", email="ana@example.com", preferred_language="en"
        )
        for _ in range(10):
            chat = open_conversation(session, customer_id=customer.id, channel="chat")
            enqueue(session, conversation_id=chat.id, language="en")
    with session_scope(
        factory
    ) as session:  # online without a dispatch of their own: the ticks place the chats
        session.execute(update(AgentPresence).values(status="online", last_heartbeat_at=func.now()))
    _, errors = at_once(lambda: tasks.run_once(factory), 4)
    with session_scope(factory) as session:
        loads = dict(
            session.execute(
                select(Conversation.assignee_id, func.count())
                .where(Conversation.assignee_id.is_not(None))
                .group_by(Conversation.assignee_id)
            ).all()
        )
        waiting = session.scalar(select(func.count()).select_from(QueueEntry))
    engine.dispose()
    assert errors == []
    assert loads == {agents[0].id: 3, agents[1].id: 3} and waiting == 4


def test_a_tick_waits_for_a_writer_that_commits_while_it_reads_rather_than_failing(
    fresh_database_url: Callable[[str], str],
) -> None:
    url = fresh_database_url("routing_tick_race")
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's one writer: a read snapshot another writer moved past cannot write")
    migrate(url)
    engine, other = make_engine(url), make_engine(url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:  # an agent whose console went quiet: the sweep will write
        agent = create_agent(
            session, email="quiet@firstline.example", name="Quiet Agent", password="correct horse battery",
            roles=["agent_l1"], languages={"en": "native"},
        )  # fmt: skip
        set_presence(session, agent_id=agent.id, status="online")
        session.execute(update(AgentPresence).values(last_heartbeat_at=utcnow() - timedelta(hours=1)))
    interfered: list[threading.Thread] = []

    def colleague_writes() -> None:  # another process's write, committed as soon as it gets the lock
        with other.begin() as connection:
            connection.execute(update(AgentPresence).values(last_activity_at=utcnow()))

    def while_the_sweep_reads(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if interfered or "FROM agent_presence" not in statement:
            return
        writer = threading.Thread(target=colleague_writes)
        interfered.append(writer)
        writer.start()
        writer.join(0.5)  # done at once unless the tick holds the write lock

    event.listen(engine, "after_cursor_execute", while_the_sweep_reads)
    try:
        tasks.run_once(factory)
    finally:
        event.remove(engine, "after_cursor_execute", while_the_sweep_reads)
        for writer in interfered:
            writer.join(10)
        engine.dispose()
        other.dispose()
    assert interfered
    with session_scope(make_session_factory(make_engine(url))) as session:
        presence = session.get(AgentPresence, agent.id)
        assert presence is not None and presence.status == "offline"  # the sweep's write went through
