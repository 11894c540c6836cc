"""Presence and queue endpoints, and the console pages of routing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from firstline.kit.time import utcnow
from firstline.routing import service
from firstline.routing.models import QueueEntry, QueueState
from firstline.routing.presence import get_presence
from tests.conftest import csrf, login


def offered_entry(db, conversation_id: int) -> QueueEntry:
    db.expire_all()
    return db.scalar(select(QueueEntry).where(QueueEntry.conversation_id == conversation_id))


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


class TestAcceptOfferApi:
    def test_the_agent_offered_the_chat_takes_it_and_gets_its_summary(
        self, db, client, api_as, online_agent, start_chat, offer_mode
    ) -> None:
        agent = online_agent(name="Emma Clarke")
        chat = start_chat("en")
        assert service.enqueue(db, conversation_id=chat.id).state == "offered"
        db.commit()
        response = client.post(f"/api/v1/conversations/{chat.id}/offer/accept", headers=api_as(agent))
        assert response.status_code == 200
        body = response.json()
        assert body["queue"]["state"] == "assigned"
        assert (body["conversation"]["id"], body["conversation"]["assignee_id"]) == (chat.id, agent.id)
        assert body["conversation"]["customer"]["name"].startswith("Customer ")
        db.expire_all()
        assert chat.assignee_id == agent.id and offered_entry(db, chat.id) is None

    def test_an_agent_the_chat_is_not_offered_to_is_refused_with_a_conflict(
        self, db, client, api_as, online_agent, start_chat, offer_mode, make_agent
    ) -> None:
        offered = online_agent(name="Emma Clarke")
        stranger = make_agent(name="Tom Stranger")
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        db.commit()
        response = client.post(f"/api/v1/conversations/{chat.id}/offer/accept", headers=api_as(stranger))
        assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
        assert offered_entry(db, chat.id).offered_agent_id == offered.id

    def test_an_expired_offer_is_refused_with_a_conflict_and_the_chat_stays_unassigned(
        self, db, client, api_as, online_agent, start_chat, offer_mode
    ) -> None:
        agent = online_agent()
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        offered_entry(db, chat.id).offer_expires_at = utcnow() - timedelta(seconds=1)
        db.commit()
        response = client.post(f"/api/v1/conversations/{chat.id}/offer/accept", headers=api_as(agent))
        assert response.status_code == 409 and "expired" in response.json()["error"]["message"]
        db.expire_all()
        assert chat.assignee_id is None


class TestDeclineOfferApi:
    def test_a_declined_chat_is_offered_to_the_next_agent(
        self, db, client, api_as, online_agent, start_chat, offer_mode
    ) -> None:
        first, second = online_agent(name="First"), online_agent(name="Second")
        chat = start_chat("en")
        service.enqueue(db, conversation_id=chat.id)
        db.commit()
        declining = offered_entry(db, chat.id).offered_agent_id
        response = client.post(
            f"/api/v1/conversations/{chat.id}/offer/decline",
            headers=api_as(first if declining == first.id else second),
        )
        assert response.status_code == 200
        assert response.json()["queue"]["state"] == "offered"
        assert response.json()["conversation"]["assignee_id"] is None
        entry = offered_entry(db, chat.id)
        assert entry.state == QueueState.OFFERED
        assert entry.offered_agent_id == ({first.id, second.id} - {declining}).pop()

    def test_declining_a_chat_that_is_not_offered_to_you_is_a_conflict(
        self, db, client, api_as, online_agent, start_chat, offer_mode
    ) -> None:
        agent = online_agent()
        chat = start_chat("en")  # never queued: offered to nobody
        response = client.post(f"/api/v1/conversations/{chat.id}/offer/decline", headers=api_as(agent))
        assert response.status_code == 409


class TestPresenceControl:
    def test_the_console_header_shows_the_agent_s_status_with_its_choices(
        self, client, italian_l1_agent
    ) -> None:
        login(client, italian_l1_agent)
        page = client.get("/inbox")
        assert '<details class="presence-menu" data-presence="offline">' in page.text
        assert 'action="/presence"' in page.text and 'action="/presence/end-shift"' in page.text

    def test_an_agent_without_the_reply_permission_has_no_status_control(self, client, make_agent) -> None:
        login(client, make_agent(roles=["qa"]))
        page = client.get("/inbox")
        assert page.status_code == 200 and "presence-menu" not in page.text

    def test_choosing_online_sets_the_agent_online_and_returns_to_the_page(
        self, db, client, italian_l1_agent
    ) -> None:
        login(client, italian_l1_agent)
        response = client.post(
            "/presence",
            data={"status": "online", "next": "/chats", "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert (response.status_code, response.headers["location"]) == (303, "/chats")
        db.expire_all()
        assert get_presence(db, agent_id=italian_l1_agent.id).status == "online"
        assert '<details class="presence-menu" data-presence="online">' in client.get("/chats").text

    def test_ending_the_shift_sets_the_agent_offline_for_the_end_of_the_shift(
        self, db, client, online_agent
    ) -> None:
        agent = online_agent()
        login(client, agent)
        response = client.post(
            "/presence/end-shift", data={"next": "/inbox", "csrf_token": csrf(client)}, follow_redirects=False
        )
        assert response.status_code == 303
        db.expire_all()
        presence = get_presence(db, agent_id=agent.id)
        assert (presence.status, presence.reason) == ("offline", "shift_end")

    def test_a_return_address_on_another_site_is_not_followed(self, client, italian_l1_agent) -> None:
        login(client, italian_l1_agent)
        response = client.post(
            "/presence",
            data={"status": "away", "next": "https://evil.example/", "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/inbox"

    def test_a_change_without_the_csrf_token_is_refused(self, db, client, italian_l1_agent) -> None:
        login(client, italian_l1_agent)
        response = client.post("/presence", data={"status": "online"}, follow_redirects=False)
        assert response.status_code == 403
        db.expire_all()
        assert get_presence(db, agent_id=italian_l1_agent.id).status == "offline"


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
