"""Console pages of the complaints register, through the test client."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.cases.complaints.service import register_complaint
from firstline.conversations.models import Conversation
from tests.conftest import login


class TestRegisterPage:
    def test_each_row_links_to_its_conversation_and_the_export_is_a_plain_download(
        self, db: Session, client: TestClient, chat_with_joao: Conversation, team_lead: Agent
    ) -> None:
        register_complaint(
            db,
            conversation_id=chat_with_joao.id,
            summary="Deposit of 250 USDT never credited.",
            actor=team_lead,
        )
        db.commit()
        login(client, team_lead)
        page = client.get("/complaints").text
        assert f'<a href="/conversations/{chat_with_joao.id}">{chat_with_joao.reference}</a>' in page
        # A boosted link would fetch the CSV and show its text in place of the page.
        assert '<a href="/api/v1/complaints/export.csv" download hx-boost="false">' in page
        export = client.get("/api/v1/complaints/export.csv")
        assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
