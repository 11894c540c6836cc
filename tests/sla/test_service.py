"""SLA clocks follow the conversation, warn before a breach, and act on one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from firstline.conversations.models import AuthorKind
from firstline.conversations.service import change_status, open_conversation, post_message
from firstline.customers.service import create_customer
from firstline.db import make_engine, make_session_factory, migrate, session_scope
from firstline.kit import notify
from firstline.kit.errors import InvalidInput
from firstline.kit.time import utcnow
from firstline.routing import service as routing
from firstline.routing.presence import set_presence
from firstline.sla import tasks
from firstline.sla.models import SlaClock
from firstline.sla.service import (
    create_calendar,
    create_policy,
    due_times,
    fire_due_clocks,
    get_clock,
    policy_for,
)
from firstline.timeline.models import Event
from firstline.timeline.service import list_conversation_events
from tests.threads import at_once


def clock(db, conversation, metric: str) -> SlaClock:
    found = get_clock(db, conversation_id=conversation.id, metric=metric)
    assert found is not None
    db.refresh(found)
    return found


def sla_events(db, conversation) -> list[tuple[str, str]]:
    return [
        (e.kind, e.data["metric"])
        for e in list_conversation_events(db, conversation_id=conversation.id)
        if e.kind.startswith("sla.")
    ]


def reply(db, conversation, agent) -> None:
    post_message(
        db,
        conversation_id=conversation.id,
        author_kind=AuthorKind.AGENT,
        author_agent_id=agent.id,
        body="On it.",
    )


class TestClocks:
    def test_a_new_chat_must_be_answered_within_30_seconds_by_default(self, db, chat_with_joao) -> None:
        first = clock(db, chat_with_joao, "first_response")
        assert first.state == "running" and first.target_seconds == 30
        assert first.due_at - first.started_at == timedelta(seconds=30)
        assert first.fire_at - first.started_at == timedelta(seconds=24)  # the warning at 80 %

    def test_the_first_agent_reply_meets_the_first_response_clock(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        reply(db, chat_with_joao, italian_l1_agent)
        first = clock(db, chat_with_joao, "first_response")
        assert (first.state, first.fire_at) == ("met", None)

    def test_a_customer_message_after_a_reply_starts_the_next_response_clock(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        reply(db, chat_with_joao, italian_l1_agent)
        post_message(
            db, conversation_id=chat_with_joao.id, author_kind=AuthorKind.CUSTOMER, body="Ainda nada."
        )
        assert clock(db, chat_with_joao, "next_response").state == "running"
        reply(db, chat_with_joao, italian_l1_agent)
        assert clock(db, chat_with_joao, "next_response").state == "met"

    def test_waiting_on_the_customer_pauses_the_clocks_and_their_reply_resumes_them(
        self, db, chat_with_joao
    ) -> None:
        change_status(db, conversation_id=chat_with_joao.id, status="pending", actor_agent_id=None)
        paused = clock(db, chat_with_joao, "resolution")
        assert (paused.state, paused.fire_at, paused.due_at) == ("paused", None, None)
        post_message(
            db, conversation_id=chat_with_joao.id, author_kind=AuthorKind.CUSTOMER, body="Enviei o TXID."
        )
        resumed = clock(db, chat_with_joao, "resolution")
        assert resumed.state == "running" and resumed.due_at is not None

    def test_time_spent_pending_does_not_count(self, db, chat_with_joao) -> None:
        resolution = clock(db, chat_with_joao, "resolution")
        original_due = resolution.due_at
        start = resolution.started_at
        from firstline.sla.service import pause_clock, policy_of_clock, resume_clock

        policy = policy_of_clock(db, resolution, chat_with_joao)
        pause_clock(db, resolution, policy, now=start + timedelta(minutes=10))
        resume_clock(db, resolution, policy, now=start + timedelta(hours=2, minutes=10))
        assert resolution.due_at == original_due + timedelta(hours=2)

    def test_resolving_stops_every_clock(self, db, chat_with_joao) -> None:
        change_status(db, conversation_id=chat_with_joao.id, status="resolved", actor_agent_id=None)
        states = {
            c.metric: c.state
            for c in db.scalars(select(SlaClock).where(SlaClock.conversation_id == chat_with_joao.id))
        }
        assert states == {"first_response": "met", "resolution": "met"}

    def test_the_stopped_clocks_are_stored_as_the_session_holds_them(self, db, chat_with_joao) -> None:
        clocks = {
            c.metric: c
            for c in db.scalars(select(SlaClock).where(SlaClock.conversation_id == chat_with_joao.id))
        }
        change_status(db, conversation_id=chat_with_joao.id, status="resolved", actor_agent_id=None)
        held = {metric: (c.state, c.stopped_at, c.fire_at, c.elapsed_seconds) for metric, c in clocks.items()}
        db.expire_all()
        stored = {
            metric: (c.state, c.stopped_at, c.fire_at, c.elapsed_seconds) for metric, c in clocks.items()
        }
        assert stored == held and {state for state, *_ in stored.values()} == {"met"}

    def test_the_inbox_countdown_is_the_earliest_running_due_time(self, db, chat_with_joao) -> None:
        first = clock(db, chat_with_joao, "first_response")
        assert due_times(db, conversation_ids=[chat_with_joao.id]) == {chat_with_joao.id: first.due_at}


class TestWarningsAndBreaches:
    def test_a_warning_comes_at_80_percent_and_a_breach_at_the_target_each_on_the_timeline_once(
        self, db, chat_with_joao
    ) -> None:
        start = clock(db, chat_with_joao, "first_response").started_at
        assert fire_due_clocks(db, now=start + timedelta(seconds=20)) == 0
        assert fire_due_clocks(db, now=start + timedelta(seconds=25)) == 1
        assert fire_due_clocks(db, now=start + timedelta(seconds=25)) == 0
        assert fire_due_clocks(db, now=start + timedelta(seconds=31)) == 1
        assert fire_due_clocks(db, now=start + timedelta(seconds=40)) == 0
        assert sla_events(db, chat_with_joao) == [
            ("sla.warning", "first_response"),
            ("sla.breached", "first_response"),
        ]

    def test_a_chat_breach_raises_the_priority_and_tells_the_team_lead(self, db, chat_with_joao) -> None:
        seen: list[dict] = []
        unsubscribe = notify.subscribe(seen.append)
        try:
            due = clock(db, chat_with_joao, "first_response").due_at
            fire_due_clocks(db, now=due + timedelta(seconds=1))
            db.commit()
        finally:
            unsubscribe()
        assert chat_with_joao.priority == "high"
        assert any(p["type"] == "sla.breached" and p["audience"] == "team_lead" for p in seen)

    def test_a_policy_with_the_requeue_action_sends_a_breached_chat_back_to_the_queue(
        self, db, portuguese_customer, make_agent
    ) -> None:
        create_policy(
            db,
            name=f"chat-requeue-{uuid.uuid4().hex[:6]}",
            channel="chat",
            priority="low",
            first_response_seconds=30,
            breach_actions=["requeue"],
        )
        chat = open_conversation(db, customer_id=portuguese_customer.id, channel="chat", priority="low")
        slow = make_agent(languages={"pt": "native"})
        set_presence(db, agent_id=slow.id, status="online")
        routing.enqueue(db, conversation_id=chat.id)
        assert chat.assignee_id == slow.id
        fire_due_clocks(db, now=clock(db, chat, "first_response").due_at + timedelta(seconds=1))
        kinds = [e.kind for e in list_conversation_events(db, conversation_id=chat.id)]
        assert "routing.requeued" in kinds and kinds.index("sla.breached") < kinds.index("routing.requeued")

    def test_a_paused_clock_never_breaches(self, db, chat_with_joao) -> None:
        change_status(db, conversation_id=chat_with_joao.id, status="pending", actor_agent_id=None)
        assert fire_due_clocks(db, now=utcnow() + timedelta(days=30)) == 0


class TestPolicies:
    def test_the_most_specific_policy_wins(self, db) -> None:
        tag = uuid.uuid4().hex[:6]
        create_policy(db, name=f"email-{tag}", channel="email", first_response_seconds=3600)
        create_policy(
            db, name=f"email-urgent-{tag}", channel="email", priority="urgent", first_response_seconds=600
        )
        assert policy_for(db, channel="email", tier="l1", priority="urgent").first_response_seconds == 600
        assert policy_for(db, channel="email", tier="l1", priority="normal").first_response_seconds == 3600

    def test_a_policy_counts_in_its_business_calendar(self, db, portuguese_customer) -> None:
        tag = uuid.uuid4().hex[:6]
        lisbon = create_calendar(
            db, name=f"lisbon-{tag}", timezone="Europe/Lisbon", hours={d: [(540, 1080)] for d in range(5)}
        )
        create_policy(
            db,
            name=f"email-lisbon-{tag}",
            channel="email",
            tier="l2",
            first_response_seconds=3600,
            calendar_id=lisbon.id,
        )
        policy = policy_for(db, channel="email", tier="l2", priority="normal")
        assert policy.calendar is not None and policy.calendar.timezone == "Europe/Lisbon"

    def test_an_unknown_breach_action_is_refused(self, db) -> None:
        with pytest.raises(InvalidInput):
            create_policy(
                db, name="bad", channel="chat", first_response_seconds=30, breach_actions=["page_ceo"]
            )


class TestTheLoop:
    def test_several_workers_scanning_at_once_fire_each_clock_exactly_once(self, fresh_database_url) -> None:
        url = fresh_database_url("sla_loop")
        migrate(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            customer = create_customer(session, name="Ana", email="ana@example.com", preferred_language="es")
            for _ in range(12):
                open_conversation(session, customer_id=customer.id, channel="chat")
        later = utcnow() + timedelta(seconds=25)  # every first-response warning is due
        fired, errors = at_once(lambda: tasks.run_once(factory, now=later), 4)
        with session_scope(factory) as session:
            warnings = session.scalar(
                select(func.count()).select_from(Event).where(Event.kind == "sla.warning")
            )
        engine.dispose()
        assert errors == []
        assert sum(fired) == 12 and warnings == 12
