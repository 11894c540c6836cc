"""The JSON API of SLA policies and calendars: an integration reads and writes what the console does."""

from __future__ import annotations

import uuid

from firstline.sla.models import SlaPolicy
from firstline.timeline.service import EventKind, list_events_of_kinds


def policy_body(**fields) -> dict:
    return {
        "name": f"API chat {uuid.uuid4().hex[:6]}",
        "channel": "chat",
        "first_response_seconds": 40,
        "resolution_seconds": 7200,
        "warn_percent": 70,
        "breach_actions": ["notify_team_lead", "raise_priority"],
        **fields,
    }


class TestPolicies:
    def test_a_lead_creates_a_policy_and_lists_it(self, client, api_as, team_lead) -> None:
        headers = api_as(team_lead)
        created = client.post("/api/v1/sla/policies", json=policy_body(), headers=headers)
        assert created.status_code == 201
        body = created.json()
        assert (body["first_response_seconds"], body["warn_percent"], body["calendar_id"]) == (40, 70, None)
        listed = client.get("/api/v1/sla/policies", headers=headers).json()
        assert body["id"] in [policy["id"] for policy in listed]

    def test_an_edit_is_saved_and_recorded_with_the_integration_s_agent(
        self, db, client, api_as, team_lead
    ) -> None:
        headers = api_as(team_lead)
        created = client.post("/api/v1/sla/policies", json=policy_body(), headers=headers).json()
        edited = policy_body(name=created["name"], first_response_seconds=25)
        response = client.put(f"/api/v1/sla/policies/{created['id']}", json=edited, headers=headers)
        assert response.status_code == 200 and response.json()["first_response_seconds"] == 25
        assert db.get(SlaPolicy, created["id"]).first_response_seconds == 25
        event = list_events_of_kinds(db, kinds=[EventKind.SLA_POLICY_UPDATED], limit=1)[0]
        assert event.actor_agent_id == team_lead.id

    def test_a_warning_of_100_percent_is_refused_naming_the_field(self, client, api_as, team_lead) -> None:
        response = client.post(
            "/api/v1/sla/policies", json=policy_body(warn_percent=100), headers=api_as(team_lead)
        )
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "warn_percent"

    def test_an_l1_agent_is_refused(self, client, api_as, italian_l1_agent) -> None:
        assert client.get("/api/v1/sla/policies", headers=api_as(italian_l1_agent)).status_code == 403


class TestCalendars:
    def test_a_calendar_with_a_named_holiday_is_created_and_edited(self, client, api_as, team_lead) -> None:
        headers = api_as(team_lead)
        body = {
            "name": "São Paulo desk",
            "timezone": "America/Sao_Paulo",
            "hours": {"0": [[540, 1080]], "1": [[540, 1080]]},
            "holidays": {"2026-11-20": "Consciência Negra"},
        }
        created = client.post("/api/v1/sla/calendars", json=body, headers=headers)
        assert created.status_code == 201
        assert created.json()["holiday_names"] == {"2026-11-20": "Consciência Negra"}
        body["holidays"]["2026-12-25"] = "Natal"
        edited = client.put(f"/api/v1/sla/calendars/{created.json()['id']}", json=body, headers=headers)
        assert edited.json()["holidays"] == ["2026-11-20", "2026-12-25"]

    def test_an_unknown_time_zone_is_refused_naming_the_field(self, client, api_as, team_lead) -> None:
        body = {"name": "Nowhere", "timezone": "Mars/Olympus", "hours": {"0": [[540, 1080]]}}
        response = client.post("/api/v1/sla/calendars", json=body, headers=api_as(team_lead))
        assert response.status_code == 422 and response.json()["error"]["field"] == "timezone"
