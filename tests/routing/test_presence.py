"""Presence: set by hand, detected from lost heartbeats and idleness; only online agents get chats."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firstline.kit.errors import InvalidInput
from firstline.kit.time import utcnow
from firstline.routing import service
from firstline.routing.config import RoutingConfig
from firstline.routing.presence import end_shift, get_presence, heartbeat, set_presence, sweep

TIMEOUTS = RoutingConfig(heartbeat_timeout_seconds=60, idle_timeout_seconds=300)


class TestPresence:
    def test_an_agent_without_a_presence_is_offline_and_gets_no_chat(
        self, db, make_agent, start_chat
    ) -> None:
        agent = make_agent()
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        assert get_presence(db, agent_id=agent.id).status == "offline" and chat.assignee_id is None

    def test_an_away_agent_gets_no_new_chat_but_keeps_the_ones_they_have(
        self, db, online_agent, start_chat
    ) -> None:
        agent = online_agent()
        first, second = start_chat("en"), start_chat("en")
        service.enqueue(db, conversation_id=first.id)
        set_presence(db, agent_id=agent.id, status="away")
        service.enqueue(db, conversation_id=second.id)
        assert (first.assignee_id, second.assignee_id) == (agent.id, None)

    def test_coming_online_takes_the_waiting_chats(self, db, make_agent, start_chat) -> None:
        agent = make_agent()
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        set_presence(db, agent_id=agent.id, status="online")
        assert chat.assignee_id == agent.id

    def test_ending_a_shift_hands_the_chats_back_and_records_why(self, db, online_agent, start_chat) -> None:
        agent = online_agent()
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        presence = end_shift(db, agent_id=agent.id)
        assert (presence.status, presence.reason, chat.assignee_id) == ("offline", "shift_end", None)

    def test_an_unknown_presence_is_refused(self, db, make_agent) -> None:
        with pytest.raises(InvalidInput):
            set_presence(db, agent_id=make_agent().id, status="busy")


class TestDetection:
    def test_an_agent_whose_heartbeats_stop_goes_offline_and_their_chats_go_back(
        self, db, online_agent, start_chat
    ) -> None:
        agent = online_agent()
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        seen = get_presence(db, agent_id=agent.id).last_heartbeat_at
        assert sweep(db, now=seen + timedelta(seconds=30), config=TIMEOUTS) == 0
        assert sweep(db, now=seen + timedelta(seconds=61), config=TIMEOUTS) == 1
        presence = get_presence(db, agent_id=agent.id)
        assert (presence.status, presence.reason, chat.assignee_id) == ("offline", "heartbeat_lost", None)

    def test_a_sweep_run_twice_changes_an_agent_once(self, db, online_agent) -> None:
        agent = online_agent()
        later = get_presence(db, agent_id=agent.id).last_heartbeat_at + timedelta(seconds=61)
        assert sweep(db, now=later, config=TIMEOUTS) == 1
        assert sweep(db, now=later, config=TIMEOUTS) == 0

    def test_an_idle_agent_is_set_away_and_comes_back_online_when_active(self, db, online_agent) -> None:
        agent = online_agent()
        start = utcnow()
        heartbeat(db, agent_id=agent.id, active=True, now=start)
        heartbeat(db, agent_id=agent.id, active=False, now=start + timedelta(seconds=280))
        sweep(db, now=start + timedelta(seconds=301), config=TIMEOUTS)
        assert get_presence(db, agent_id=agent.id).status == "away"
        heartbeat(db, agent_id=agent.id, active=True, now=start + timedelta(seconds=310))
        assert get_presence(db, agent_id=agent.id).status == "online"

    def test_an_agent_who_chose_away_stays_away_when_active(self, db, online_agent) -> None:
        agent = online_agent()
        set_presence(db, agent_id=agent.id, status="away")
        heartbeat(db, agent_id=agent.id, active=True)
        assert get_presence(db, agent_id=agent.id).status == "away"

    def test_a_lost_connection_that_returns_brings_the_agent_back_online(self, db, online_agent) -> None:
        agent = online_agent()
        later = get_presence(db, agent_id=agent.id).last_heartbeat_at + timedelta(seconds=61)
        sweep(db, now=later, config=TIMEOUTS)
        heartbeat(db, agent_id=agent.id, now=later + timedelta(seconds=1))
        assert get_presence(db, agent_id=agent.id).status == "online"
