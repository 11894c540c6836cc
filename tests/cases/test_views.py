"""Console pages of cases, through the test client: the category form of the case page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.conversations.models import Conversation
from firstline.timeline.service import EventKind, list_conversation_events
from tests.conftest import csrf, login


class TestCategorize:
    def test_the_case_page_offers_the_categories_with_the_current_one_selected(
        self, client: TestClient, chat_with_joao: Conversation, italian_l1_agent: Agent
    ) -> None:
        login(client, italian_l1_agent)
        page = client.get(f"/conversations/{chat_with_joao.id}/case").text
        assert f'action="/conversations/{chat_with_joao.id}/case/category"' in page
        assert '<option value="deposit_not_credited" selected>' in page
        assert '<option value="withdrawal_pending" >' in page

    def test_an_agent_changes_the_category_and_the_case_takes_its_fields(
        self, db: Session, client: TestClient, chat_with_joao: Conversation, italian_l1_agent: Agent
    ) -> None:
        login(client, italian_l1_agent)
        response = client.post(
            f"/conversations/{chat_with_joao.id}/case/category",
            data={"category": "withdrawal_pending", "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        db.refresh(chat_with_joao)
        assert chat_with_joao.category == "withdrawal_pending"
        changed = [
            event
            for event in list_conversation_events(db, conversation_id=chat_with_joao.id)
            if event.kind == EventKind.CATEGORY_CHANGED
        ]
        assert [(event.data, event.actor_agent_id) for event in changed] == [
            ({"from": "deposit_not_credited", "to": "withdrawal_pending"}, italian_l1_agent.id)
        ]
        page = client.get(f"/conversations/{chat_with_joao.id}/case").text
        assert 'name="withdrawal_id"' in page

    def test_an_unknown_category_is_refused_and_nothing_changes(
        self, db: Session, client: TestClient, chat_with_joao: Conversation, italian_l1_agent: Agent
    ) -> None:
        login(client, italian_l1_agent)
        response = client.post(
            f"/conversations/{chat_with_joao.id}/case/category",
            data={"category": "lost_seed_phrase", "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert response.status_code == 422
        db.refresh(chat_with_joao)
        assert chat_with_joao.category == "deposit_not_credited"

    def test_the_form_is_refused_without_its_csrf_token(
        self, client: TestClient, chat_with_joao: Conversation, italian_l1_agent: Agent
    ) -> None:
        login(client, italian_l1_agent)
        response = client.post(
            f"/conversations/{chat_with_joao.id}/case/category",
            data={"category": "withdrawal_pending"},
            follow_redirects=False,
        )
        assert response.status_code == 403
