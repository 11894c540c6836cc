"""Escalation between tiers: the handoff form, sending back, mentions, and the tier metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firstline.cases import service
from firstline.cases.notifications import list_notifications, mention_handles
from firstline.cases.service import IncompleteHandoff
from firstline.conversations.models import AuthorKind
from firstline.conversations.service import change_status, post_message
from firstline.kit.errors import InvalidInput
from firstline.kit.time import utcnow
from firstline.timeline.service import list_conversation_events


class TestEscalate:
    def test_an_escalation_without_the_form_is_refused_naming_everything_missing(
        self, db, chat_with_joao, italian_l1_agent, complete_handoff
    ) -> None:
        empty = complete_handoff(
            summary="", steps_taken="", customer_impact="", fields={}, evidence_attachment_ids=()
        )
        with pytest.raises(IncompleteHandoff) as refused:
            service.escalate(db, conversation_id=chat_with_joao.id, handoff=empty, actor=italian_l1_agent)
        missing = " ".join(refused.value.missing)
        for expected in ("summary", "steps already taken", "customer impact", "'uid'", "'txid'", "evidence"):
            assert expected in missing
        assert chat_with_joao.tier == "l1"

    def test_a_handoff_missing_only_the_txid_is_still_refused(
        self, db, chat_with_joao, italian_l1_agent, complete_handoff
    ) -> None:
        fields = {k: v for k, v in complete_handoff().fields.items() if k != "txid"}
        with pytest.raises(IncompleteHandoff, match="'txid'"):
            service.escalate(
                db,
                conversation_id=chat_with_joao.id,
                handoff=complete_handoff(fields=fields),
                actor=italian_l1_agent,
            )

    def test_a_txid_that_cannot_be_one_is_refused_with_the_reason(
        self, db, chat_with_joao, italian_l1_agent, complete_handoff
    ) -> None:
        fields = {**complete_handoff().fields, "txid": "0x" + "b" * 64}
        with pytest.raises(InvalidInput, match="no 0x prefix"):
            service.escalate(
                db,
                conversation_id=chat_with_joao.id,
                handoff=complete_handoff(fields=fields),
                actor=italian_l1_agent,
            )

    def test_a_complete_handoff_moves_the_case_to_l2_unassigned_and_records_it(
        self, db, chat_with_joao, italian_l1_agent, complete_handoff
    ) -> None:
        escalation = service.escalate(
            db, conversation_id=chat_with_joao.id, handoff=complete_handoff(), actor=italian_l1_agent
        )
        assert (chat_with_joao.tier, chat_with_joao.assignee_id) == ("l2", None)
        assert escalation.fields["txid"] == "b" * 64
        kinds = [e.kind for e in list_conversation_events(db, conversation_id=chat_with_joao.id)]
        assert "case.escalated" in kinds and "conversation.tier_changed" in kinds
        assert service.get_case_file(db, conversation_id=chat_with_joao.id).escalation_count == 1

    def test_evidence_from_another_conversation_is_refused(
        self, db, chat_with_joao, italian_l1_agent, complete_handoff
    ) -> None:
        with pytest.raises(InvalidInput, match="Evidence must be attachments"):
            service.escalate(
                db,
                conversation_id=chat_with_joao.id,
                handoff=complete_handoff(evidence_attachment_ids=(987654,)),
                actor=italian_l1_agent,
            )

    def test_compliance_is_the_end_of_the_line(
        self, db, chat_with_joao, italian_l1_agent, complete_handoff
    ) -> None:
        service.escalate(
            db,
            conversation_id=chat_with_joao.id,
            handoff=complete_handoff(to_tier="compliance"),
            actor=italian_l1_agent,
        )
        with pytest.raises(InvalidInput, match="nowhere"):
            service.escalate(
                db, conversation_id=chat_with_joao.id, handoff=complete_handoff(), actor=italian_l1_agent
            )


class TestReturn:
    def test_the_receiving_tier_sends_the_case_back_to_its_sender_with_a_reason(
        self, db, chat_with_joao, italian_l1_agent, l2_agent, complete_handoff
    ) -> None:
        service.escalate(
            db, conversation_id=chat_with_joao.id, handoff=complete_handoff(), actor=italian_l1_agent
        )
        returned = service.return_escalation(
            db,
            conversation_id=chat_with_joao.id,
            reason="The deposit is credited; L1 can close it.",
            actor=l2_agent,
        )
        assert returned.status == "returned"
        assert (chat_with_joao.tier, chat_with_joao.assignee_id) == ("l1", italian_l1_agent.id)
        texts = [n.text for n in list_notifications(db, agent=italian_l1_agent)]
        assert any("sent FL-" in text and "credited" in text for text in texts)

    def test_sending_back_needs_a_reason(
        self, db, chat_with_joao, italian_l1_agent, l2_agent, complete_handoff
    ) -> None:
        service.escalate(
            db, conversation_id=chat_with_joao.id, handoff=complete_handoff(), actor=italian_l1_agent
        )
        with pytest.raises(InvalidInput, match="Say why"):
            service.return_escalation(db, conversation_id=chat_with_joao.id, reason="no", actor=l2_agent)


class TestApi:
    def test_an_incomplete_escalation_is_a_422_listing_what_is_missing(
        self, client, api_as, chat_with_joao, italian_l1_agent
    ) -> None:
        response = client.post(
            f"/api/v1/conversations/{chat_with_joao.id}/escalations",
            json={"to_tier": "l2", "summary": "Deposit missing"},
            headers=api_as(italian_l1_agent),
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "handoff_incomplete" and "steps already taken" in error["message"]

    def test_the_tier_cannot_be_patched_around_the_form(
        self, client, api_as, chat_with_joao, team_lead
    ) -> None:
        response = client.patch(
            f"/api/v1/conversations/{chat_with_joao.id}", json={"tier": "l2"}, headers=api_as(team_lead)
        )
        assert response.status_code == 422 and "escalat" in response.json()["error"]["message"]


class TestMentions:
    def test_handles_are_read_from_the_note(self) -> None:
        assert mention_handles("ping @giulia.rossi and @LukasWeber, not mail@example.com") == [
            "giulia.rossi",
            "lukasweber",
        ]

    def test_an_internal_note_mentioning_a_colleague_notifies_them(
        self, db, chat_with_joao, italian_l1_agent, l2_agent
    ) -> None:
        post_message(
            db,
            conversation_id=chat_with_joao.id,
            author_kind=AuthorKind.NOTE,
            body="@LukasWeber can you check the TRC20 node?",
            author_agent_id=italian_l1_agent.id,
        )
        (notification,) = list_notifications(db, agent=l2_agent)
        assert notification.kind == "mention" and notification.conversation_id == chat_with_joao.id
        assert list_notifications(db, agent=italian_l1_agent) == []

    def test_the_mentions_page_lists_them(
        self, db, client, chat_with_joao, italian_l1_agent, l2_agent
    ) -> None:
        from tests.conftest import login

        post_message(
            db,
            conversation_id=chat_with_joao.id,
            author_kind=AuthorKind.NOTE,
            body="@lukasweber please look",
            author_agent_id=italian_l1_agent.id,
        )
        db.commit()
        login(client, l2_agent)
        assert "please look" in client.get("/mentions").text


class TestTierMetrics:
    def test_escalation_and_l1_resolution_rates(
        self, db, chat_with_joao, portuguese_customer, italian_l1_agent, complete_handoff
    ) -> None:
        from firstline.conversations.service import open_conversation

        since = utcnow() - timedelta(minutes=5)
        simple = open_conversation(db, customer_id=portuguese_customer.id, channel="email")
        change_status(db, conversation_id=simple.id, status="resolved", actor_agent_id=italian_l1_agent.id)
        service.escalate(
            db, conversation_id=chat_with_joao.id, handoff=complete_handoff(), actor=italian_l1_agent
        )
        change_status(
            db, conversation_id=chat_with_joao.id, status="resolved", actor_agent_id=italian_l1_agent.id
        )
        metrics = service.tier_metrics(db, since=since, until=utcnow() + timedelta(minutes=1))
        assert (metrics.opened, metrics.escalated, metrics.resolved, metrics.resolved_at_l1) == (2, 1, 2, 1)
        assert metrics.escalation_rate == 0.5 and metrics.l1_resolution_rate == 0.5
