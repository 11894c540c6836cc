"""The change log's triggers on SQLite: each change to what the dispatcher reads of an agent appends the
agent's id, and nothing else does."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, insert, select, update

from firstline.agents.models import Agent
from firstline.agents.service import update_agent
from firstline.conversations.models import Conversation, Status
from firstline.conversations.service import assign, change_status
from firstline.customers.service import create_customer
from firstline.kit.time import utcnow
from firstline.routing import service
from firstline.routing.models import AgentPresence, QueueEntry, QueueState
from firstline.routing.presence import set_presence
from tests.routing.test_floor_changes import add_agent, logged_since, newest_change, open_chat, sqlite_only

__all__ = ["sqlite_only"]  # autouse: these tests skip on PostgreSQL


class TestChangeLog:
    def test_assigning_unassigning_and_resolving_log_the_old_and_new_assignee(self, db, make_agent) -> None:
        first, second = make_agent(), make_agent()
        chat = open_chat(db)
        last = newest_change(db)
        assert logged_since(db, last) == []  # opened unassigned: nobody's load changed
        assign(db, conversation_id=chat.id, assignee_id=first.id, actor=None)
        assert logged_since(db, last) == [first.id]
        last = newest_change(db)
        assign(db, conversation_id=chat.id, assignee_id=second.id, actor=None)
        assert sorted(logged_since(db, last)) == sorted([first.id, second.id])
        last = newest_change(db)
        change_status(db, conversation_id=chat.id, status="resolved", actor_agent_id=second.id)
        assert logged_since(db, last) == [second.id]

    def test_a_conversation_change_that_moves_no_load_logs_nothing(self, db, make_agent) -> None:
        agent = make_agent()
        chat = open_chat(db)
        assign(db, conversation_id=chat.id, assignee_id=agent.id, actor=None)
        last = newest_change(db)
        db.execute(update(Conversation).where(Conversation.id == chat.id).values(last_seq=7, preview="hi"))
        db.execute(update(Conversation).where(Conversation.id == chat.id).values(status=Status.OPEN))
        assert logged_since(db, last) == []

    def test_a_conversation_inserted_assigned_or_deleted_logs_its_assignee(self, db, make_agent) -> None:
        agent = make_agent()
        customer = create_customer(db, name="Ana", email=f"a-{uuid.uuid4().hex[:6]}@example.com")
        db.flush()
        last = newest_change(db)
        inserted = db.execute(
            insert(Conversation)
            .values(customer_id=customer.id, channel="email", assignee_id=agent.id)
            .returning(Conversation.id)
        ).scalar_one()
        db.execute(delete(Conversation).where(Conversation.id == inserted))
        assert logged_since(db, last) == [agent.id, agent.id]

    def test_a_changed_channel_logs_the_assignee(self, db, make_agent) -> None:
        agent = make_agent()
        chat = open_chat(db)
        assign(db, conversation_id=chat.id, assignee_id=agent.id, actor=None)
        last = newest_change(db)
        db.execute(update(Conversation).where(Conversation.id == chat.id).values(channel="email"))
        assert logged_since(db, last) == [agent.id]

    def test_agents_created_edited_and_deleted_are_logged_but_not_for_a_new_name(self, db, admin) -> None:
        last = newest_change(db)
        agent = add_agent(db, online=False)
        assert logged_since(db, last) == [agent.id]
        last = newest_change(db)
        update_agent(db, agent_id=agent.id, actor_agent_id=admin.id, name="Renamed")
        assert logged_since(db, last) == []
        for change in ({"languages": {"pt": "native"}}, {"tier": "l2"}, {"skills": ["kyc"]},
                       {"max_concurrent_chats": 5}, {"is_active": False}):  # fmt: skip
            last = newest_change(db)
            update_agent(db, agent_id=agent.id, actor_agent_id=admin.id, **change)
            assert logged_since(db, last) == [agent.id], change
        last = newest_change(db)
        db.execute(delete(Agent).where(Agent.id == agent.id))
        assert logged_since(db, last) == [agent.id]

    def test_presence_and_idle_changes_are_logged_but_not_heartbeats(self, db) -> None:
        agent = add_agent(db, online=False)
        last = newest_change(db)
        set_presence(db, agent_id=agent.id, status="online")
        assert set(logged_since(db, last)) == {agent.id}
        last = newest_change(db)
        presence = AgentPresence.__table__
        db.execute(update(presence).where(presence.c.agent_id == agent.id).values(last_heartbeat_at=utcnow()))
        assert logged_since(db, last) == []
        db.execute(update(presence).where(presence.c.agent_id == agent.id).values(idle_since=utcnow()))
        set_presence(db, agent_id=agent.id, status="away")
        db.execute(delete(presence).where(presence.c.agent_id == agent.id))
        assert logged_since(db, last) == [agent.id] * 3

    def test_offers_made_withdrawn_and_taken_log_the_offered_agent(self, db, offer_mode) -> None:
        agent = add_agent(db)
        chat = open_chat(db)
        last = newest_change(db)
        service.enqueue(db, conversation_id=chat.id)
        entry = db.scalar(select(QueueEntry).where(QueueEntry.conversation_id == chat.id))
        assert entry.state == QueueState.OFFERED and entry.offered_agent_id == agent.id
        assert set(logged_since(db, last)) == {agent.id}
        last = newest_change(db)
        service.decline_offer(db, conversation_id=chat.id, agent_id=agent.id)  # offered again: only agent
        assert set(logged_since(db, last)) == {agent.id}
        last = newest_change(db)
        service.accept_offer(db, conversation_id=chat.id, agent_id=agent.id)
        assert set(logged_since(db, last)) == {agent.id}  # entry gone, chat assigned, idle time
