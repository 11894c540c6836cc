"""Presence and queue endpoints, and the console pages of routing."""

from __future__ import annotations

from firstline.routing import service
from tests.conftest import login


class TestPresenceApi:
    def test_an_agent_goes_online_and_their_heartbeat_is_recorded(
        self, client, api_as, italian_l1_agent
    ) -> None:
        headers = api_as(italian_l1_agent)
        response = client.put("/api/v1/presence", json={"status": "online"}, headers=headers)
        assert response.status_code == 200 and response.json()["status"] == "online"
        beat = client.post("/api/v1/presence/heartbeat", json={"active": False}, headers=headers)
        assert beat.status_code == 200 and beat.json()["last_heartbeat_at"] is not None

    def test_an_unknown_presence_is_refused_with_the_field_named(
        self, client, api_as, italian_l1_agent
    ) -> None:
        response = client.put("/api/v1/presence", json={"status": "busy"}, headers=api_as(italian_l1_agent))
        assert response.status_code == 422 and "status" in response.text

    def test_ending_a_shift_sets_the_agent_offline(self, client, api_as, italian_l1_agent) -> None:
        headers = api_as(italian_l1_agent)
        client.put("/api/v1/presence", json={"status": "online"}, headers=headers)
        response = client.post("/api/v1/presence/end-shift", headers=headers)
        assert response.json()["status"] == "offline" and response.json()["reason"] == "shift_end"


class TestQueueApi:
    def test_the_queue_position_of_a_waiting_chat_is_readable(
        self, db, client, api_as, team_lead, chat_with_joao
    ) -> None:
        service.enqueue(db, conversation_id=chat_with_joao.id, language="pt")
        db.commit()
        body = client.get(
            f"/api/v1/conversations/{chat_with_joao.id}/queue", headers=api_as(team_lead)
        ).json()
        assert (body["state"], body["position"]) == ("waiting", 1)
        assert body["text"].startswith("Você é o número 1 na fila")


class TestLivePage:
    def test_a_team_lead_sees_the_waiting_chat_on_the_live_page(
        self, db, client, team_lead, chat_with_joao
    ) -> None:
        service.enqueue(db, conversation_id=chat_with_joao.id, language="pt")
        db.commit()
        login(client, team_lead)
        page = client.get("/live/panel")
        assert page.status_code == 200
        assert 'id="live-total-waiting">1<' in page.text and "FL-" in page.text

    def test_an_l1_agent_is_refused_the_live_page(self, client, italian_l1_agent) -> None:
        login(client, italian_l1_agent)
        assert client.get("/live").status_code == 403

    def test_the_inbox_shows_the_sla_countdown_of_an_open_chat(
        self, client, team_lead, chat_with_joao
    ) -> None:
        login(client, team_lead)
        page = client.get("/inbox")
        assert "SLA due" in page.text and 'class="sla-due" data-countdown' in page.text
