"""The conversation service: sequence numbers, idempotent messages, status transitions, assignment."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from firstline.conversations import service
from firstline.conversations.models import AuthorKind, Status
from firstline.kit.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from firstline.kit.notify import subscribe
from firstline.timeline.service import list_conversation_events


def post(db: Session, conversation, body: str, kind=AuthorKind.CUSTOMER, **extra):
    return service.post_message(db, conversation_id=conversation.id, author_kind=kind, body=body, **extra)


class TestPostMessage:
    def test_messages_get_consecutive_sequence_numbers(self, db, chat_with_joao) -> None:
        seqs = [post(db, chat_with_joao, f"mensagem {n}").message.seq for n in range(5)]
        assert seqs == [1, 2, 3, 4, 5]
        assert chat_with_joao.last_seq == 5

    def test_a_retry_with_the_same_client_id_is_stored_once(self, db, chat_with_joao) -> None:
        first = post(db, chat_with_joao, "Meu depósito não caiu", client_msg_id="c-1")
        retry = post(db, chat_with_joao, "Meu depósito não caiu", client_msg_id="c-1")
        assert not first.duplicate and retry.duplicate
        assert retry.message.id == first.message.id and retry.message.seq == first.message.seq
        assert len(service.list_messages(db, conversation_id=chat_with_joao.id)) == 1

    def test_a_message_undone_by_a_rolled_back_savepoint_leaves_room_for_the_next_one(
        self, db, chat_with_joao
    ) -> None:
        db.commit()
        before = post(db, chat_with_joao, "a anterior fica").message
        with pytest.raises(RuntimeError), db.begin_nested():
            undone = post(db, chat_with_joao, "escrita que é desfeita").message
            raise RuntimeError("the request failed after storing its message")
        assert undone not in db and before in db
        kept = post(db, chat_with_joao, "a seguinte fica").message
        db.commit()
        assert [m.body for m in service.list_messages(db, conversation_id=chat_with_joao.id)] == [
            "a anterior fica",
            "a seguinte fica",
        ]
        assert kept.seq == chat_with_joao.last_seq

    def test_the_same_client_id_in_another_conversation_is_a_different_message(
        self, db, chat_with_joao, portuguese_customer
    ) -> None:
        other = service.open_conversation(db, customer_id=portuguese_customer.id, channel="email")
        a = post(db, chat_with_joao, "oi", client_msg_id="same")
        b = service.post_message(
            db, conversation_id=other.id, author_kind=AuthorKind.CUSTOMER, body="oi", client_msg_id="same"
        )
        assert a.message.id != b.message.id and not b.duplicate

    def test_after_seq_returns_exactly_what_a_reconnecting_client_missed(self, db, chat_with_joao) -> None:
        for n in range(6):
            post(db, chat_with_joao, f"m{n}")
        missed = service.list_messages(db, conversation_id=chat_with_joao.id, after_seq=3)
        assert [m.seq for m in missed] == [4, 5, 6]

    @pytest.mark.parametrize("body", ["", "   ", "\x00\x00", "x" * 20_001])
    def test_empty_or_oversized_bodies_are_refused(self, db, chat_with_joao, body) -> None:
        with pytest.raises(InvalidInput):
            post(db, chat_with_joao, body)

    def test_the_first_agent_reply_sets_first_response_time_and_notes_do_not(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        post(db, chat_with_joao, "note", AuthorKind.NOTE, author_agent_id=italian_l1_agent.id)
        assert chat_with_joao.first_response_at is None
        reply = post(db, chat_with_joao, "Olá!", AuthorKind.AGENT, author_agent_id=italian_l1_agent.id)
        assert chat_with_joao.first_response_at == reply.message.created_at

    def test_notes_do_not_change_the_customer_visible_preview(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        post(db, chat_with_joao, "Cadê meu USDT?")
        post(db, chat_with_joao, "checking node", AuthorKind.NOTE, author_agent_id=italian_l1_agent.id)
        assert chat_with_joao.preview == "Cadê meu USDT?"

    def test_system_messages_are_always_labelled_automatic(self, db, chat_with_joao) -> None:
        posted = post(db, chat_with_joao, "Recebemos sua mensagem.", AuthorKind.SYSTEM)
        assert posted.message.is_automatic

    def test_a_closed_conversation_takes_no_new_agent_message(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        service.change_status(db, conversation_id=chat_with_joao.id, status="closed", actor_agent_id=None)
        with pytest.raises(Conflict):
            post(db, chat_with_joao, "hello?", kind=AuthorKind.AGENT, author_agent_id=italian_l1_agent.id)

    def test_a_customer_writing_to_a_closed_conversation_starts_a_linked_one(
        self, db, chat_with_joao
    ) -> None:
        service.change_status(db, conversation_id=chat_with_joao.id, status="closed", actor_agent_id=None)
        message = post(db, chat_with_joao, "hello?").message
        successor = service.get_conversation(db, conversation_id=message.conversation_id)
        assert successor.id != chat_with_joao.id and successor.previous_conversation_id == chat_with_joao.id

    def test_a_customer_reply_reopens_a_pending_conversation(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        service.change_status(
            db, conversation_id=chat_with_joao.id, status="pending", actor_agent_id=italian_l1_agent.id
        )
        post(db, chat_with_joao, "Ainda não chegou")
        assert chat_with_joao.status == Status.OPEN

    def test_unknown_conversation_is_not_found(self, db) -> None:
        with pytest.raises(NotFound):
            service.post_message(db, conversation_id=999_999, author_kind=AuthorKind.CUSTOMER, body="hi")


class TestNotifications:
    def test_notifications_leave_only_after_commit(self, db, chat_with_joao) -> None:
        received: list[dict] = []
        unsubscribe = subscribe(received.append)
        try:
            post(db, chat_with_joao, "um")
            assert received == []
            db.commit()
            assert [p["type"] for p in received] == ["message.created"]
            assert received[0]["seq"] == 1
        finally:
            unsubscribe()

    def test_rolled_back_changes_send_nothing(self, db, chat_with_joao) -> None:
        received: list[dict] = []
        unsubscribe = subscribe(received.append)
        try:
            post(db, chat_with_joao, "dois")
            db.rollback()
            db.commit()
            assert received == []
        finally:
            unsubscribe()


class TestStatusTransitions:
    @pytest.mark.parametrize(
        ("start", "target", "allowed"),
        [
            (start, target, target in service.TRANSITIONS[start])
            for start in Status
            for target in Status
            if start != target
        ],
    )
    def test_the_transition_table_is_enforced(self, db, chat_with_joao, start, target, allowed) -> None:
        chat_with_joao.status = start
        db.flush()
        if allowed:
            service.change_status(db, conversation_id=chat_with_joao.id, status=target, actor_agent_id=None)
            assert chat_with_joao.status == target
        else:
            with pytest.raises(Conflict):
                service.change_status(
                    db, conversation_id=chat_with_joao.id, status=target, actor_agent_id=None
                )

    def test_closed_is_final(self) -> None:
        assert service.TRANSITIONS[Status.CLOSED] == frozenset()

    def test_every_change_lands_on_the_timeline_with_its_actor(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        service.change_status(
            db, conversation_id=chat_with_joao.id, status="resolved", actor_agent_id=italian_l1_agent.id
        )
        event = list_conversation_events(db, conversation_id=chat_with_joao.id)[-1]
        assert event.kind == "conversation.status_changed"
        assert event.data == {"from": "open", "to": "resolved"}
        assert event.actor_agent_id == italian_l1_agent.id

    def test_an_unknown_status_is_a_clear_error(self, db, chat_with_joao) -> None:
        with pytest.raises(InvalidInput, match="Unknown status 'done'"):
            service.change_status(db, conversation_id=chat_with_joao.id, status="done", actor_agent_id=None)


class TestAssign:
    def test_an_l1_agent_can_take_a_conversation(self, db, chat_with_joao, italian_l1_agent) -> None:
        service.assign(
            db, conversation_id=chat_with_joao.id, assignee_id=italian_l1_agent.id, actor=italian_l1_agent
        )
        assert chat_with_joao.assignee_id == italian_l1_agent.id
        kinds = [e.kind for e in list_conversation_events(db, conversation_id=chat_with_joao.id)]
        assert kinds[-1] == "conversation.assigned"

    def test_an_l1_agent_cannot_hand_a_conversation_to_someone_else(
        self, db, chat_with_joao, italian_l1_agent, team_lead
    ) -> None:
        with pytest.raises(PermissionDenied):
            service.assign(
                db, conversation_id=chat_with_joao.id, assignee_id=team_lead.id, actor=italian_l1_agent
            )

    def test_a_team_lead_can_assign_to_an_agent(
        self, db, chat_with_joao, italian_l1_agent, team_lead
    ) -> None:
        service.assign(
            db, conversation_id=chat_with_joao.id, assignee_id=italian_l1_agent.id, actor=team_lead
        )
        assert chat_with_joao.assignee_id == italian_l1_agent.id

    def test_a_deactivated_agent_cannot_be_assigned(self, db, chat_with_joao, make_agent, team_lead) -> None:
        gone = make_agent(roles=["agent_l1"])
        gone.is_active = False
        with pytest.raises(InvalidInput, match="deactivated"):
            service.assign(db, conversation_id=chat_with_joao.id, assignee_id=gone.id, actor=team_lead)


class TestUpdateAttributes:
    def test_each_changed_attribute_is_its_own_event(self, db, chat_with_joao, team_lead) -> None:
        service.update_attributes(
            db,
            conversation_id=chat_with_joao.id,
            actor_agent_id=team_lead.id,
            tier="l2",
            priority="high",
            tags=["VIP", "vip", " trc20 "],
        )
        events = list_conversation_events(db, conversation_id=chat_with_joao.id)
        kinds = [e.kind for e in events]
        assert {
            "conversation.tier_changed",
            "conversation.priority_changed",
            "conversation.tags_changed",
        } <= set(kinds)
        assert chat_with_joao.tags == ["trc20", "vip"]

    def test_an_unknown_category_is_refused_with_the_allowed_list(self, db, chat_with_joao) -> None:
        with pytest.raises(InvalidInput, match="deposit_not_credited"):
            service.update_attributes(
                db, conversation_id=chat_with_joao.id, actor_agent_id=None, category="lost_keys"
            )


class TestInbox:
    def test_filters_combine(self, db, portuguese_customer, italian_l1_agent) -> None:
        chat = service.open_conversation(
            db, customer_id=portuguese_customer.id, channel="chat", language="pt"
        )
        mail = service.open_conversation(
            db, customer_id=portuguese_customer.id, channel="email", language="it"
        )
        service.assign(db, conversation_id=mail.id, assignee_id=italian_l1_agent.id, actor=italian_l1_agent)
        only_chat = service.list_conversations(
            db, filters=service.InboxFilter(channel="chat", customer_id=portuguese_customer.id)
        )
        assert [c.id for c in only_chat] == [chat.id]
        mine = service.list_conversations(db, filters=service.InboxFilter(assignee_id=italian_l1_agent.id))
        assert [c.id for c in mine] == [mail.id]
        unassigned_it = service.list_conversations(
            db, filters=service.InboxFilter(language="it", unassigned=True)
        )
        assert mail.id not in [c.id for c in unassigned_it]
