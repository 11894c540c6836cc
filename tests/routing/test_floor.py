"""The floor as the dispatcher reads it: every read shows the agents' current profile, presence and load."""

from __future__ import annotations

from datetime import UTC, datetime

from firstline.agents.service import update_agent
from firstline.conversations.service import change_status
from firstline.routing import service
from firstline.routing.floor import agent_snapshots
from firstline.routing.presence import set_presence


def snapshot_of(db, agent_id):
    return next((snapshot for snapshot in agent_snapshots(db) if snapshot.agent_id == agent_id), None)


class TestAgentSnapshots:
    def test_a_load_read_again_after_an_assignment_and_a_resolution_is_the_current_one(
        self, db, online_agent, start_chat
    ) -> None:
        agent = online_agent(languages={"en": "native"}, max_concurrent_chats=3)
        assert snapshot_of(db, agent.id).chats == 0
        first, second = start_chat("en"), start_chat("en")
        service.enqueue(db, conversation_id=first.id)
        service.enqueue(db, conversation_id=second.id)
        db.commit()
        assert snapshot_of(db, agent.id).chats == 2
        change_status(db, conversation_id=first.id, status="resolved", actor_agent_id=agent.id)
        db.commit()
        assert snapshot_of(db, agent.id).chats == 1

    def test_a_changed_language_profile_shows_on_the_next_read(self, db, online_agent, admin) -> None:
        agent = online_agent(languages={"en": "native"})
        assert dict(snapshot_of(db, agent.id).languages) == {"en": "native"}
        update_agent(
            db, agent_id=agent.id, actor_agent_id=admin.id, languages={"en": "native", "pt": "fluent"}
        )
        db.commit()
        assert dict(snapshot_of(db, agent.id).languages) == {"en": "native", "pt": "fluent"}

    def test_an_agent_who_goes_offline_leaves_the_online_floor_and_comes_back_with_it(
        self, db, online_agent
    ) -> None:
        agent = online_agent(languages={"en": "native"})
        set_presence(db, agent_id=agent.id, status="offline")
        db.commit()
        assert snapshot_of(db, agent.id) is None
        set_presence(db, agent_id=agent.id, status="online")
        db.commit()
        assert snapshot_of(db, agent.id) is not None

    def test_idle_since_is_an_aware_utc_instant_on_every_database(self, db, online_agent) -> None:
        agent = online_agent(languages={"en": "native"})
        idle_since = snapshot_of(db, agent.id).idle_since
        assert idle_since.tzinfo is not None and idle_since.utcoffset().total_seconds() == 0
        assert abs((datetime.now(UTC) - idle_since).total_seconds()) < 60
