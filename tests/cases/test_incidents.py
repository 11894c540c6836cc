"""Incidents: one reviewed update reaches every linked customer exactly once, on their channel, in their language."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from firstline.cases.incidents import service
from firstline.conversations.models import AuthorKind, Message
from firstline.conversations.service import change_status, open_conversation
from firstline.customers.service import create_customer
from firstline.email.models import OutboundMail
from firstline.kit.errors import Conflict

TEXTS = {
    "en": "TRC20 withdrawals are processing again. Thank you for your patience.",
    "it": "I prelievi TRC20 sono di nuovo in elaborazione. Grazie per la pazienza.",
    "pt": "Os levantamentos TRC20 voltaram a ser processados. Obrigado pela paciência.",
}


@pytest.fixture
def incident_with_customers(db, team_lead):
    incident = service.open_incident(db, title="TRC20 withdrawals delayed", actor=team_lead)
    conversations = []
    for number, (language, channel) in enumerate(
        [("pt", "chat"), ("it", "email"), ("de", "chat"), ("pt", "email")]
    ):
        customer = create_customer(
            db, name=f"Customer {number}", email=f"c{number}@example.com", preferred_language=language
        )
        conversation = open_conversation(
            db, customer_id=customer.id, channel=channel, category="withdrawal_pending"
        )
        conversations.append(conversation)
        service.link_conversation(
            db, incident_id=incident.id, conversation_id=conversation.id, actor=team_lead
        )
    # the first customer wrote twice: both conversations are linked, the update reaches them once
    second = open_conversation(db, customer_id=conversations[0].customer_id, channel="chat")
    service.link_conversation(db, incident_id=incident.id, conversation_id=second.id, actor=team_lead)
    # one case closed meanwhile: its update goes to the case that continues it
    change_status(db, conversation_id=conversations[3].id, status="closed", actor_agent_id=team_lead.id)
    return incident, [*conversations, second]


def updates_for(db, incident_id: int) -> list[Message]:
    return list(db.scalars(select(Message).where(Message.client_msg_id == f"incident-{incident_id}-update")))


class TestSendUpdate:
    def test_nothing_goes_out_before_an_agent_approves_the_update(
        self, db, incident_with_customers, team_lead
    ) -> None:
        incident, _ = incident_with_customers
        service.write_update(db, incident_id=incident.id, texts=TEXTS, actor=team_lead)
        service.resolve(db, incident_id=incident.id, actor=team_lead)
        with pytest.raises(Conflict, match="approved"):
            service.send_update(db, incident_id=incident.id, actor=team_lead)
        assert updates_for(db, incident.id) == []

    def test_every_linked_customer_gets_it_exactly_once_in_their_language(
        self, db, incident_with_customers, team_lead
    ) -> None:
        incident, conversations = incident_with_customers
        service.write_update(db, incident_id=incident.id, texts=TEXTS, actor=team_lead)
        service.resolve(db, incident_id=incident.id, actor=team_lead)
        service.approve_update(db, incident_id=incident.id, actor=team_lead)
        assert service.send_update(db, incident_id=incident.id, actor=team_lead) == 4
        assert service.send_update(db, incident_id=incident.id, actor=team_lead) == 0
        messages = updates_for(db, incident.id)
        customers = [m.conversation_id for m in messages]
        assert len(messages) == 4 and all(m.author_kind == AuthorKind.AGENT for m in messages)
        by_language = {db.get(type(conversations[0]), m.conversation_id).language: m.body for m in messages}
        assert by_language["pt"] == TEXTS["pt"] and by_language["it"] == TEXTS["it"]
        assert by_language["de"] == TEXTS["en"]  # no German text: the English fallback
        assert conversations[3].id not in customers  # closed: went to its successor
        successor = db.scalar(
            select(type(conversations[0])).where(
                type(conversations[0]).previous_conversation_id == conversations[3].id
            )
        )
        assert successor is not None and successor.id in customers

    def test_email_customers_get_it_by_email(self, db, incident_with_customers, team_lead) -> None:
        incident, conversations = incident_with_customers
        service.write_update(db, incident_id=incident.id, texts=TEXTS, actor=team_lead)
        service.resolve(db, incident_id=incident.id, actor=team_lead)
        service.approve_update(db, incident_id=incident.id, actor=team_lead)
        service.send_update(db, incident_id=incident.id, actor=team_lead)
        queued = db.scalar(select(func.count()).select_from(OutboundMail))
        assert queued >= 2

    def test_a_revised_update_must_be_approved_again(self, db, incident_with_customers, team_lead) -> None:
        incident, _ = incident_with_customers
        service.write_update(db, incident_id=incident.id, texts=TEXTS, actor=team_lead)
        service.approve_update(db, incident_id=incident.id, actor=team_lead)
        service.write_update(db, incident_id=incident.id, texts={**TEXTS, "en": "Revised."}, actor=team_lead)
        assert incident.update_state == "draft"

    def test_the_update_needs_english_as_the_fallback(self, db, incident_with_customers, team_lead) -> None:
        from firstline.kit.errors import InvalidInput

        incident, _ = incident_with_customers
        with pytest.raises(InvalidInput, match="English"):
            service.write_update(db, incident_id=incident.id, texts={"pt": "Olá"}, actor=team_lead)
