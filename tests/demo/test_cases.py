"""The demo's cases: what a support lead, an L1 agent and a compliance officer find when they open it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.attachments.models import Attachment
from firstline.cases.categories import check_fields, missing_fields, txid_problem
from firstline.cases.complaints.models import Complaint
from firstline.cases.complaints.texts import texts_for
from firstline.cases.compliance import list_compliance_cases
from firstline.cases.customers import customer_timeline
from firstline.cases.incidents.models import DeliveryState, Incident, IncidentLink, UpdateState
from firstline.cases.models import (
    CaseFile,
    ComplianceCase,
    ComplianceNote,
    Escalation,
    FollowUp,
    Notification,
)
from firstline.cases.search.service import search
from firstline.conversations.models import AuthorKind, Conversation, Message
from firstline.demo import corpus
from firstline.demo.seed import DEMO_DOMAIN
from firstline.kit.errors import PermissionDenied
from firstline.kit.time import utcnow


def _agent(session: Session, login: str) -> Agent:
    return session.scalars(select(Agent).where(Agent.email == f"{login}@{DEMO_DOMAIN}")).one()


def _count(session: Session, model: type, *where: Any) -> int:
    query: Any = select(func.count()).select_from(model).where(*where)
    return int(session.scalar(query) or 0)


class TestCaseFields:
    def test_every_conversation_has_fields_that_pass_its_category_validation(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            rows = session.execute(select(Conversation.category, CaseFile.fields).join(CaseFile)).all()
        assert len(rows) == 2000
        for category, fields in rows:
            assert check_fields(category, fields) == fields
            assert missing_fields(category, fields) == [], (category, fields)

    def test_every_txid_is_valid_on_its_network_and_every_network_appears(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            fields = [f for f in session.scalars(select(CaseFile.fields)) if "txid" in f]
        assert len(fields) > 300
        assert [f["txid"] for f in fields if txid_problem(f["txid"], f["network"])] == []
        assert {f["network"] for f in fields} >= {"TRC20", "ERC20", "BTC", "SOL", "XRP", "TON", "POLYGON"}


class TestEscalations:
    def test_about_sixty_cases_were_escalated_with_complete_forms_and_evidence(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            escalations = list(session.scalars(select(Escalation)))
            for escalation in escalations:
                assert (
                    min(len(escalation.summary), len(escalation.steps_taken), len(escalation.customer_impact))
                    >= 10
                )
                assert "{" not in escalation.summary + escalation.steps_taken + escalation.customer_impact
                evidence = session.scalars(
                    select(Attachment.id)
                    .join(Message, Message.id == Attachment.message_id)
                    .where(Message.conversation_id == escalation.conversation_id)
                ).all()
                assert set(escalation.evidence_attachment_ids) <= set(evidence) and evidence
        assert 55 <= len(escalations) <= 70
        assert Counter(e.to_tier for e in escalations).keys() == {"l2", "technical", "compliance"}
        statuses = Counter(e.status for e in escalations)
        assert statuses["returned"] >= 5 and statuses["open"] >= 40

    def test_returned_escalations_say_why_and_the_case_is_back_at_its_tier(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            returned = list(session.scalars(select(Escalation).where(Escalation.status == "returned")))
            for escalation in returned:
                assert len(escalation.return_reason) >= 10 and escalation.returned_at is not None
                conversation = session.get(Conversation, escalation.conversation_id)
                assert conversation is not None and conversation.tier == escalation.from_tier

    def test_notes_mention_colleagues_and_notify_them(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            notes = session.scalars(
                select(Message.body).where(
                    Message.author_kind == AuthorKind.NOTE, Message.body.startswith("@")
                )
            ).all()
            mentions = _count(session, Notification, Notification.kind == "mention")
        assert len(notes) >= 25 and mentions >= len(notes)


class TestComplianceConfidentiality:
    def test_compliance_notes_and_cases_exist_for_the_compliance_officer(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            officer = _agent(session, "compliance")
            assert len(list_compliance_cases(session, actor=officer)) == 3
            hits = search(session, viewer=officer, query="FIU")
        assert _count_kind(hits, "compliance_note") >= 1

    def test_an_l1_agent_finds_nothing_of_them_in_search_or_on_the_customer_timeline(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            agent, officer = _agent(session, "l1.en"), _agent(session, "compliance")
            for word in ("FIU", "diligence", "screening"):
                assert search(session, viewer=agent, query=word) == []
                assert search(session, viewer=officer, query=word)
            customers = set(session.scalars(select(ComplianceNote.customer_id)))
            customers |= set(session.scalars(select(ComplianceCase.customer_id)))
            for customer_id in customers:
                seen = customer_timeline(session, customer_id=customer_id, viewer=agent)
                full = customer_timeline(session, customer_id=customer_id, viewer=officer)
                assert not {item.kind for item in seen} & {"compliance_note", "compliance_case"}
                assert {item.kind for item in full} & {"compliance_note", "compliance_case"}
            with pytest.raises(PermissionDenied):
                list_compliance_cases(session, actor=agent)


def _count_kind(hits: list, kind: str) -> int:
    return sum(1 for hit in hits if hit.kind == kind)


class TestComplaints:
    def test_twenty_five_complaints_in_every_state(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            complaints = list(session.scalars(select(Complaint)))
        states = Counter(c.status for c in complaints)
        assert len(complaints) == 25
        assert states["received"] >= 2 and states["acknowledged"] >= 8
        assert states["inadmissible"] >= 3 and states["decided"] >= 6
        assert {c.outcome for c in complaints if c.outcome} == {"upheld", "partially_upheld", "rejected"}
        assert all(c.admissibility_reason for c in complaints if c.status == "inadmissible")

    def test_one_delay_notice_and_one_decision_close_to_its_deadline(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            complaints = list(session.scalars(select(Complaint)))
        delayed = [c for c in complaints if c.delayed_at is not None]
        assert len(delayed) == 1 and delayed[0].delay_reason
        assert delayed[0].decision_due_at <= delayed[0].limit_at
        now = utcnow()
        due_soon = [
            c
            for c in complaints
            if c.status == "acknowledged"
            and c.admissibility == "admissible"
            and now < c.decision_due_at < now + timedelta(days=3)
        ]
        assert len(due_soon) == 1 and "decision:warning" in due_soon[0].alerts

    def test_steps_were_taken_in_time_and_letters_are_in_the_complaint_language(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            for complaint in session.scalars(select(Complaint)):
                if complaint.acknowledged_at is not None:
                    assert (
                        complaint.received_at < complaint.acknowledged_at <= complaint.acknowledgement_due_at
                    )
                if complaint.decided_at is not None:
                    assert complaint.decided_at <= complaint.decision_due_at
                    letter = session.scalars(
                        select(Message.body).where(
                            Message.client_msg_id == f"complaint-{complaint.id}-decision"
                        )
                    ).one()
                    head = texts_for(complaint.language)["decision_head"].split("{")[0]
                    assert letter.startswith(head) and all(answer in letter for answer in complaint.answers)


class TestFollowUpsAndIncidents:
    def test_follow_ups_come_due_within_two_days(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            due = list(session.scalars(select(FollowUp.due_at)))
        now = utcnow()
        assert len(due) >= 12 and all(now - timedelta(minutes=5) < d < now + timedelta(days=2) for d in due)

    def test_the_resolved_incident_update_reached_every_linked_customer_in_their_language(
        self, full_demo
    ) -> None:
        factory, _ = full_demo
        with factory() as session:
            incidents = {i.title: i for i in session.scalars(select(Incident))}
            assert set(incidents) == {"TRC20 withdrawals delayed", "Solana deposits delayed"}
            resolved = incidents["TRC20 withdrawals delayed"]
            assert resolved.status == "resolved" and resolved.update_state is UpdateState.APPROVED
            links = list(session.scalars(select(IncidentLink).where(IncidentLink.incident_id == resolved.id)))
            assert len(links) >= 4
            for link in links:
                assert link.delivery in (DeliveryState.SENT, DeliveryState.COVERED)
                if link.delivery == DeliveryState.SENT:
                    message = session.get(Message, link.message_id)
                    conversation = session.get(Conversation, link.conversation_id)
                    texts = corpus.INCIDENT_UPDATES["trc20"]
                    assert message.body == texts.get(conversation.language, texts["en"])
            still_open = incidents["Solana deposits delayed"]
            assert still_open.status == "open" and still_open.update_state is UpdateState.DRAFT
            assert _count(session, IncidentLink, IncidentLink.incident_id == still_open.id) >= 2


def _cases_fingerprint(session: Session) -> list[tuple]:
    rows: list[tuple] = []
    rows += session.execute(
        select(
            Escalation.conversation_id, Escalation.to_tier, Escalation.status, Escalation.summary
        ).order_by(Escalation.id)
    ).all()
    rows += session.execute(
        select(Complaint.conversation_id, Complaint.admissibility, Complaint.outcome).order_by(Complaint.id)
    ).all()
    rows += session.execute(
        select(CaseFile.conversation_id, CaseFile.fields).order_by(CaseFile.conversation_id)
    ).all()
    rows += session.execute(select(ComplianceNote.body).order_by(ComplianceNote.id)).all()
    rows += session.execute(select(FollowUp.conversation_id, FollowUp.note).order_by(FollowUp.id)).all()
    return [tuple(row) for row in rows]


class TestDeterminism:
    def test_the_same_seed_gives_the_same_cases(self, seeded_twice) -> None:
        prints = seeded_twice(_cases_fingerprint, seed=11, customers=80, conversations=400)
        assert prints[0] == prints[1]
        assert sum(1 for row in prints[0] if len(row) == 4) >= 10  # escalations happened
