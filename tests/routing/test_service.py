"""The queue as a service: enqueue, assign or offer, hand back, and what the customer is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from firstline.conversations.models import AuthorKind, Conversation, Message
from firstline.conversations.service import change_status, open_conversation, post_message
from firstline.kit.errors import Conflict
from firstline.kit.time import utcnow
from firstline.routing import service
from firstline.routing.metrics import get_metrics
from firstline.routing.models import ConversationMetrics, QueueEntry, QueueState
from firstline.routing.presence import set_presence
from firstline.timeline.service import list_conversation_events
from tests.statements import statements_run


def kinds(db, conversation) -> list[str]:
    return [event.kind for event in list_conversation_events(db, conversation_id=conversation.id)]


class TestEnqueue:
    def test_a_chat_goes_at_once_to_a_free_agent_who_speaks_its_language(
        self, db, online_agent, start_chat
    ) -> None:
        online_agent(languages={"en": "fluent"})
        italian = online_agent(languages={"it": "native"})
        chat = start_chat("it")
        status = service.enqueue(db, conversation_id=chat.id)
        db.commit()
        assert (status.state, chat.assignee_id) == ("assigned", italian.id)
        assigned = [
            e
            for e in list_conversation_events(db, conversation_id=chat.id)
            if e.kind == "conversation.assigned"
        ]
        assert assigned[-1].actor_kind == "system"

    def test_the_language_is_detected_from_the_first_message_when_the_customer_chose_none(
        self, db, online_agent, start_chat
    ) -> None:
        german = online_agent(languages={"de": "native"})
        chat = start_chat("en")
        service.enqueue(
            db,
            conversation_id=chat.id,
            first_message="Hallo, meine Einzahlung ist seit drei Stunden nicht da",
        )
        db.commit()
        assert (chat.language, chat.assignee_id) == ("de", german.id)
        assert "conversation.language_changed" in kinds(db, chat)

    def test_the_customer_s_own_choice_of_language_wins_over_detection(
        self, db, online_agent, start_chat
    ) -> None:
        chat = start_chat("en")
        service.enqueue(
            db,
            conversation_id=chat.id,
            language="pt",
            first_message="Hello, my deposit is missing since noon",
        )
        assert chat.language == "pt"

    def test_a_short_first_message_keeps_the_conversation_s_language(self, db, start_chat) -> None:
        chat = start_chat("es")
        service.enqueue(db, conversation_id=chat.id, first_message="ok USDT TRC20")
        assert chat.language == "es"

    def test_a_chat_with_no_free_agent_waits_in_the_queue_and_is_never_dropped_on_a_busy_one(
        self, db, online_agent, start_chat
    ) -> None:
        busy = online_agent(languages={"en": "fluent"}, max_concurrent_chats=1)
        first, second = start_chat("en"), start_chat("en")
        service.enqueue(db, conversation_id=first.id)
        status = service.enqueue(db, conversation_id=second.id)
        db.commit()
        assert first.assignee_id == busy.id and second.assignee_id is None
        assert (status.state, status.position) == ("waiting", 1)
        assert db.scalar(select(QueueEntry).where(QueueEntry.conversation_id == second.id)) is not None

    def test_a_chat_opened_and_queued_in_a_transaction_rolled_back_leaves_nothing_held(
        self, db, start_chat
    ) -> None:
        earlier = start_chat("en")
        chat = open_conversation(db, customer_id=earlier.customer_id, channel="chat")
        service.enqueue(db, conversation_id=chat.id)
        undone = chat.id
        kept = [db.scalar(select(QueueEntry).where(QueueEntry.conversation_id == undone))]
        kept.append(get_metrics(db, conversation_id=undone))  # held across the rollback
        db.rollback()
        held = [
            obj
            for obj in db.identity_map.values()
            if isinstance(obj, Conversation | QueueEntry | ConversationMetrics)
            and (obj.id if isinstance(obj, Conversation) else obj.conversation_id) == undone
        ]
        assert held == []
        # The same ids come round again (SQLite reuses them): nothing stale stands in the way.
        again = open_conversation(db, customer_id=earlier.customer_id, channel="chat")
        service.enqueue(db, conversation_id=again.id)
        db.commit()
        assert service.queue_status(db, conversation_id=again.id).state == "waiting"
        assert get_metrics(db, conversation_id=again.id).queued_at is not None

    def test_enqueueing_twice_changes_nothing(self, db, start_chat) -> None:
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        service.enqueue(db, conversation_id=chat.id)
        assert kinds(db, chat).count("routing.queued") == 1

    def test_a_resolved_conversation_cannot_wait(self, db, start_chat) -> None:
        chat = start_chat("en")
        change_status(db, conversation_id=chat.id, status="resolved", actor_agent_id=None)
        with pytest.raises(Conflict):
            service.enqueue(db, conversation_id=chat.id)

    def test_a_chat_waiting_is_placed_when_an_agent_frees_a_slot(self, db, online_agent, start_chat) -> None:
        agent = online_agent(max_concurrent_chats=1)
        first, second = start_chat("en"), start_chat("en")
        service.enqueue(db, conversation_id=first.id)
        service.enqueue(db, conversation_id=second.id)
        change_status(db, conversation_id=first.id, status="resolved", actor_agent_id=agent.id)
        assert second.assignee_id == agent.id

    def test_a_chat_waiting_for_italian_overflows_to_an_english_speaker_after_the_configured_wait(
        self, db, online_agent, start_chat
    ) -> None:
        english = online_agent(languages={"en": "fluent"})
        chat = start_chat("it")
        start = utcnow()
        service.enqueue(db, conversation_id=chat.id, now=start)
        assert chat.assignee_id is None
        service.dispatch(db, now=start + timedelta(seconds=61))
        assert chat.assignee_id == english.id
        assert "routing.overflowed" in kinds(db, chat)


class TestOffers:
    def test_in_offer_mode_the_agent_is_asked_first_and_gets_the_chat_on_accepting(
        self, db, online_agent, start_chat, offer_mode, published
    ) -> None:
        agent = online_agent()
        chat = start_chat("en")
        status = service.enqueue(db, conversation_id=chat.id)
        db.commit()
        assert status.state == "offered" and chat.assignee_id is None
        assert any(p["type"] == "routing.offer" and p["agent_id"] == agent.id for p in published)
        service.accept_offer(db, conversation_id=chat.id, agent_id=agent.id)
        assert chat.assignee_id == agent.id

    def test_a_declined_offer_goes_to_the_next_agent(self, db, online_agent, start_chat, offer_mode) -> None:
        first = online_agent(name="First")
        second = online_agent(name="Second")
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        entry = db.scalar(select(QueueEntry).where(QueueEntry.conversation_id == chat.id))
        offered_to = entry.offered_agent_id
        service.decline_offer(db, conversation_id=chat.id, agent_id=offered_to)
        db.refresh(entry)
        assert entry.offered_agent_id == ({first.id, second.id} - {offered_to}).pop()

    def test_an_offer_left_unanswered_expires_and_goes_to_the_next_agent(
        self, db, online_agent, start_chat, offer_mode
    ) -> None:
        online_agent(name="First")
        online_agent(name="Second")
        chat = start_chat("en")
        start = utcnow()
        service.enqueue(db, conversation_id=chat.id, now=start)
        entry = db.scalar(select(QueueEntry).where(QueueEntry.conversation_id == chat.id))
        first_offer = entry.offered_agent_id
        assert service.expire_offers(db, now=start + timedelta(seconds=10)) == 0
        assert service.expire_offers(db, now=start + timedelta(seconds=21)) == 1
        db.refresh(entry)
        assert entry.state == QueueState.OFFERED and entry.offered_agent_id not in (None, first_offer)
        assert "routing.offer_expired" in kinds(db, chat)

    def test_only_the_agent_offered_the_chat_can_accept_it(
        self, db, online_agent, start_chat, offer_mode, make_agent
    ) -> None:
        online_agent()
        stranger = make_agent()
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        with pytest.raises(Conflict):
            service.accept_offer(db, conversation_id=chat.id, agent_id=stranger.id)

    def test_an_offer_counts_against_the_agent_s_capacity(
        self, db, online_agent, start_chat, offer_mode
    ) -> None:
        online_agent(max_concurrent_chats=1)
        first, second = start_chat("en"), start_chat("en")
        service.enqueue(db, conversation_id=first.id)
        assert service.enqueue(db, conversation_id=second.id).state == "waiting"


class TestHandBack:
    def test_an_agent_going_offline_sends_their_chats_to_the_front_with_an_automatic_message(
        self, db, online_agent, start_chat
    ) -> None:
        leaving = online_agent(languages={"pt": "native"}, max_concurrent_chats=1)
        handed_back, waiting = start_chat("pt"), start_chat("pt")
        service.enqueue(db, conversation_id=handed_back.id)
        service.enqueue(db, conversation_id=waiting.id)
        set_presence(db, agent_id=leaving.id, status="offline")
        db.commit()
        assert handed_back.assignee_id is None
        assert service.queue_status(db, conversation_id=handed_back.id).position == 1
        assert service.queue_status(db, conversation_id=waiting.id).position == 2
        automatic = db.scalars(
            select(Message).where(Message.conversation_id == handed_back.id, Message.is_automatic.is_(True))
        ).all()
        assert len(automatic) == 1 and automatic[0].author_kind == AuthorKind.SYSTEM
        assert "voltou para o início da fila" in automatic[0].body

    def test_a_handed_back_chat_counts_as_a_transfer_when_another_agent_takes_it(
        self, db, online_agent, start_chat
    ) -> None:
        leaving = online_agent()
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        set_presence(db, agent_id=leaving.id, status="offline")
        staying = online_agent()
        assert chat.assignee_id == staying.id
        metrics = get_metrics(db, conversation_id=chat.id)
        assert (metrics.transfers, metrics.requeues) == (1, 1)


class TestQueueStatus:
    @pytest.mark.parametrize(
        ("language", "phrase"),
        [
            ("en", "You are number 2 in line"),
            ("it", "Sei il numero 2 in coda"),
            ("pt", "Você é o número 2 na fila"),
            ("de", "Sie sind Nummer 2 in der Warteschlange"),
            ("es", "Eres el número 2 en la cola"),
        ],
    )
    def test_the_customer_reads_their_place_in_line_in_their_language(
        self, db, start_chat, language, phrase
    ) -> None:
        first, second = start_chat(language), start_chat(language)
        service.enqueue(db, conversation_id=first.id, language=language)
        status = service.enqueue(db, conversation_id=second.id, language=language)
        assert status.position == 2 and phrase in status.text

    def test_the_expected_wait_grows_with_the_place_in_line(self, db, online_agent, start_chat) -> None:
        online_agent(max_concurrent_chats=1)
        chats = [start_chat("en") for _ in range(4)]
        statuses = [service.enqueue(db, conversation_id=chat.id) for chat in chats]
        waits = [s.expected_wait_seconds for s in statuses[1:]]
        assert waits == sorted(waits) and waits[0] > 0

    def test_waiting_customers_are_told_when_their_place_changes(
        self, db, online_agent, start_chat, published
    ) -> None:
        agent = online_agent(max_concurrent_chats=1)
        first, second, third = start_chat("en"), start_chat("en"), start_chat("en")
        for chat in (first, second, third):
            service.enqueue(db, conversation_id=chat.id)
        db.commit()
        published.clear()
        change_status(db, conversation_id=first.id, status="resolved", actor_agent_id=agent.id)
        db.commit()
        updates = {p["conversation_id"]: p for p in published if p["type"] == "queue.updated"}
        assert updates[second.id]["state"] == "assigned"
        assert updates[third.id]["position"] == 1 and "number 1" in updates[third.id]["text"]


class TestMetrics:
    def test_wait_first_response_and_handle_time_are_recorded(self, db, online_agent, start_chat) -> None:
        agent = online_agent()
        chat = start_chat("en")
        start = utcnow()
        service.enqueue(db, conversation_id=chat.id, now=start)
        post_message(
            db, conversation_id=chat.id, author_kind=AuthorKind.AGENT, author_agent_id=agent.id, body="Hi!"
        )
        change_status(db, conversation_id=chat.id, status="resolved", actor_agent_id=agent.id)
        metrics = get_metrics(db, conversation_id=chat.id)
        assert metrics.wait_seconds >= 0 and metrics.queued_at is None
        assert metrics.first_response_seconds is not None and metrics.first_response_seconds >= 0
        assert metrics.handle_seconds > 0 and metrics.assigned_at is None and metrics.resolved_at is not None
        assert metrics.transfers == 0

    def test_the_metrics_and_the_conversation_are_stored_as_the_session_holds_them(
        self, db, online_agent, start_chat
    ) -> None:
        agent = online_agent()
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        change_status(db, conversation_id=chat.id, status="resolved", actor_agent_id=agent.id)
        metrics = get_metrics(db, conversation_id=chat.id)
        columns = (
            "queued_at",
            "wait_seconds",
            "assigned_at",
            "handle_seconds",
            "last_assignee_id",
            "resolved_at",
        )
        held = [getattr(metrics, column) for column in columns]
        held_chat = (chat.status, chat.assignee_id, chat.resolved_at, chat.updated_at)
        db.expire_all()
        assert [getattr(metrics, column) for column in columns] == held
        assert (chat.status, chat.assignee_id, chat.resolved_at, chat.updated_at) == held_chat
        assert (chat.status, chat.assignee_id, metrics.last_assignee_id) == ("resolved", agent.id, agent.id)

    def test_moving_a_chat_from_one_agent_to_another_counts_a_transfer(
        self, db, online_agent, start_chat, team_lead
    ) -> None:
        from firstline.conversations.service import assign

        first, second = online_agent(), online_agent()
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        other = second if chat.assignee_id == first.id else first
        assign(db, conversation_id=chat.id, assignee_id=other.id, actor=team_lead)
        assert get_metrics(db, conversation_id=chat.id).transfers == 1

    def test_picking_up_a_waiting_chat_by_hand_takes_it_out_of_the_queue(
        self, db, start_chat, italian_l1_agent
    ) -> None:
        from firstline.conversations.service import assign

        chat = start_chat("it")
        service.enqueue(db, conversation_id=chat.id)
        assign(db, conversation_id=chat.id, assignee_id=italian_l1_agent.id, actor=italian_l1_agent)
        assert service.queue_status(db, conversation_id=chat.id).state == "assigned"


class TestDispatchAtScale:
    def test_chats_nobody_free_can_serve_do_not_hold_up_one_that_can_however_long_the_line(
        self, db, online_agent, start_chat, monkeypatch
    ) -> None:
        monkeypatch.setattr(service, "DISPATCH_BATCH", 2)
        italians = [start_chat("it") for _ in range(5)]
        for chat in italians:
            service.enqueue(db, conversation_id=chat.id)
        english = start_chat("en")
        service.enqueue(db, conversation_id=english.id)
        agent = online_agent(languages={"en": "fluent"})
        assert english.assignee_id == agent.id
        assert all(chat.assignee_id is None for chat in italians)

    def test_the_dispatcher_reads_on_past_a_head_of_chats_it_cannot_place_yet(
        self, db, online_agent, start_chat, monkeypatch
    ) -> None:
        monkeypatch.setattr(service, "DISPATCH_BATCH", 2)
        italian_vips = [start_chat("it", vip_tier=2) for _ in range(4)]  # first in line
        english = start_chat("en")
        for chat in [*italian_vips, english]:
            service.enqueue(db, conversation_id=chat.id)
        # Speaks Italian only as a secondary language: not before the Italians' first overflow.
        agent = online_agent(languages={"en": "fluent", "it": "working"})
        assert english.assignee_id == agent.id
        assert all(chat.assignee_id is None for chat in italian_vips)

    def test_placing_an_arriving_chat_costs_the_same_whatever_the_queue_holds(
        self, db, online_agent, start_chat
    ) -> None:
        online_agent(languages={"en": "fluent"}, max_concurrent_chats=20)

        def statements_to_place_one() -> int:
            chat = start_chat("en")
            with statements_run(db) as executed:
                service.enqueue(db, conversation_id=chat.id, language="en")
            assert chat.assignee_id is not None
            return len(executed)

        short_line = statements_to_place_one()
        for _ in range(30):  # a long line of chats that no one online can take
            service.enqueue(db, conversation_id=start_chat("pt").id)
        assert statements_to_place_one() == short_line


class TestPositionsTick:
    def test_a_chat_picked_up_by_hand_moves_the_next_customer_up_at_the_next_tick(
        self, db, start_chat, italian_l1_agent, published
    ) -> None:
        from firstline.conversations.service import assign
        from firstline.routing.tasks import tell_positions

        first, second = start_chat("it"), start_chat("it")
        service.enqueue(db, conversation_id=first.id)
        service.enqueue(db, conversation_id=second.id)
        assign(db, conversation_id=first.id, assignee_id=italian_l1_agent.id, actor=italian_l1_agent)
        db.commit()
        published.clear()
        tell_positions(db)
        db.commit()
        updates = [p for p in published if p["type"] == "queue.updated"]
        assert [(u["conversation_id"], u["position"]) for u in updates] == [(second.id, 1)]
        tell_positions(db)
        db.commit()
        assert len([p for p in published if p["type"] == "queue.updated"]) == 1  # told once, not every tick
