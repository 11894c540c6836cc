"""Follow-ups come back when due; the grace period reopens or closes a resolved case; a later message starts
a new case linked to the old one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from firstline.cases import service
from firstline.cases.models import CaseFile
from firstline.cases.notifications import list_notifications
from firstline.cases.tasks import run_once
from firstline.conversations.models import AuthorKind, Conversation
from firstline.conversations.service import assign, change_status, post_message
from firstline.kit.errors import InvalidInput
from firstline.kit.time import utcnow
from firstline.routing.presence import set_presence


class TestFollowUps:
    def test_a_due_follow_up_comes_back_to_its_agent_when_they_are_online(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        set_presence(db, agent_id=italian_l1_agent.id, status="online")
        change_status(
            db, conversation_id=chat_with_joao.id, status="pending", actor_agent_id=italian_l1_agent.id
        )
        follow_up = service.schedule_follow_up(
            db,
            conversation_id=chat_with_joao.id,
            agent=italian_l1_agent,
            due_at=utcnow() + timedelta(hours=2),
            note="Check the credit",
        )
        assert run_once(db, now=utcnow()) == 0
        assert run_once(db, now=utcnow() + timedelta(hours=3)) == 1
        assert run_once(db, now=utcnow() + timedelta(hours=3)) == 0
        assert (follow_up.status, follow_up.routed_to_agent_id) == ("due", italian_l1_agent.id)
        assert (chat_with_joao.status, chat_with_joao.assignee_id) == ("open", italian_l1_agent.id)
        assert any("Check the credit" in n.text for n in list_notifications(db, agent=italian_l1_agent))

    def test_when_the_agent_is_off_it_goes_to_their_team(
        self, db, chat_with_joao, italian_l1_agent, make_agent, l1_team
    ) -> None:
        colleague = make_agent(name="Paolo Bianchi", roles=["agent_l1"])
        l1_team.agents.extend([italian_l1_agent, colleague])
        assign(db, conversation_id=chat_with_joao.id, assignee_id=italian_l1_agent.id, actor=italian_l1_agent)
        follow_up = service.schedule_follow_up(
            db,
            conversation_id=chat_with_joao.id,
            agent=italian_l1_agent,
            due_at=utcnow() + timedelta(minutes=5),
        )
        run_once(db, now=utcnow() + timedelta(minutes=10))
        assert follow_up.routed_to_team_id == l1_team.id and follow_up.routed_to_agent_id is None
        assert (chat_with_joao.assignee_id, chat_with_joao.team_id) == (None, l1_team.id)
        assert list_notifications(db, agent=colleague)

    def test_a_follow_up_in_the_past_is_refused(self, db, chat_with_joao, italian_l1_agent) -> None:
        with pytest.raises(InvalidInput, match="future"):
            service.schedule_follow_up(
                db,
                conversation_id=chat_with_joao.id,
                agent=italian_l1_agent,
                due_at=utcnow() - timedelta(minutes=1),
            )


class TestGracePeriod:
    def test_a_reply_within_the_grace_period_reopens_the_case_and_counts_it(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        change_status(
            db, conversation_id=chat_with_joao.id, status="resolved", actor_agent_id=italian_l1_agent.id
        )
        post_message(
            db, conversation_id=chat_with_joao.id, author_kind=AuthorKind.CUSTOMER, body="Ainda não chegou!"
        )
        case = service.get_case_file(db, conversation_id=chat_with_joao.id)
        assert chat_with_joao.status == "open" and case.reopen_count == 1 and case.close_at is None

    def test_resolving_starts_the_grace_period_on_a_case_file_the_session_holds(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        held = service.get_case_file(db, conversation_id=chat_with_joao.id)
        assert held.close_at is None
        change_status(
            db, conversation_id=chat_with_joao.id, status="resolved", actor_agent_id=italian_l1_agent.id
        )
        assert held.close_at is not None
        assert abs((held.close_at - utcnow() - service.grace_period()).total_seconds()) < 60

    def test_resolving_a_conversation_older_than_case_files_gives_it_one_with_the_grace_period(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        db.execute(delete(CaseFile).where(CaseFile.conversation_id == chat_with_joao.id))
        db.expunge_all()
        change_status(
            db, conversation_id=chat_with_joao.id, status="resolved", actor_agent_id=italian_l1_agent.id
        )
        case = db.scalar(select(CaseFile).where(CaseFile.conversation_id == chat_with_joao.id))
        assert case is not None and case.close_at is not None

    def test_after_the_grace_period_the_case_closes_and_a_new_message_starts_a_linked_case(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        change_status(
            db, conversation_id=chat_with_joao.id, status="resolved", actor_agent_id=italian_l1_agent.id
        )
        assert run_once(db, now=utcnow() + service.grace_period() + timedelta(minutes=1)) == 1
        assert chat_with_joao.status == "closed"
        first = post_message(
            db,
            conversation_id=chat_with_joao.id,
            author_kind=AuthorKind.CUSTOMER,
            body="Outro problema",
            client_msg_id="m-1",
        )
        retry = post_message(
            db,
            conversation_id=chat_with_joao.id,
            author_kind=AuthorKind.CUSTOMER,
            body="Outro problema",
            client_msg_id="m-1",
        )
        again = post_message(
            db, conversation_id=chat_with_joao.id, author_kind=AuthorKind.CUSTOMER, body="Olá?"
        )
        successor = db.get(Conversation, first.message.conversation_id)
        assert successor.id != chat_with_joao.id and successor.previous_conversation_id == chat_with_joao.id
        assert retry.duplicate and retry.message.id == first.message.id
        assert again.message.conversation_id == successor.id
        assert service.get_case_file(db, conversation_id=chat_with_joao.id).reopen_count == 0
        successors = db.scalars(
            select(Conversation).where(Conversation.previous_conversation_id == chat_with_joao.id)
        )
        assert len(list(successors)) == 1
