"""The customer timeline's wording of events (tests/cases/test_search.py covers its order and merging)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.agents.service import create_team
from firstline.cases.customers import customer_timeline
from firstline.conversations.models import Conversation
from firstline.conversations.service import assign, update_attributes
from firstline.kit.time import utcnow
from firstline.sla.service import fire_due_clocks
from firstline.timeline.service import EventKind


class TestCustomerTimeline:
    def test_an_sla_breach_says_which_clock_was_missed(
        self, db: Session, chat_with_joao: Conversation, italian_l1_agent: Agent
    ) -> None:
        fire_due_clocks(db, now=utcnow() + timedelta(days=30))
        items = customer_timeline(db, customer_id=chat_with_joao.customer_id, viewer=italian_l1_agent)
        breaches = {item.text for item in items if item.title == EventKind.SLA_BREACHED}
        assert breaches == {"first response", "resolution"}

    def test_team_and_assignee_changes_name_the_team_and_the_agents_not_their_ids(
        self, db: Session, chat_with_joao: Conversation, italian_l1_agent: Agent, team_lead: Agent
    ) -> None:
        team = create_team(db, name="Portuguese desk")
        update_attributes(db, conversation_id=chat_with_joao.id, actor_agent_id=team_lead.id, team_id=team.id)
        assign(db, conversation_id=chat_with_joao.id, assignee_id=italian_l1_agent.id, actor=team_lead)
        assign(db, conversation_id=chat_with_joao.id, assignee_id=None, actor=team_lead)
        items = customer_timeline(db, customer_id=chat_with_joao.customer_id, viewer=team_lead)
        texts = {item.title: item.text for item in items if item.kind == "event"}
        assert texts[EventKind.TEAM_CHANGED] == "nobody → Portuguese desk"
        assert texts[EventKind.ASSIGNED] == "nobody → Giulia Rossi"
        assert texts[EventKind.UNASSIGNED] == "Giulia Rossi → nobody"
