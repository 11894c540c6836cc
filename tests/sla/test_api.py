"""The JSON API of SLA policies and calendars: an integration reads and writes what the console does."""

from __future__ import annotations

import uuid

from firstline.sla import calendars, settings
from firstline.sla.models import BusinessCalendar, SlaPolicy
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


class TestDeletePolicy:
    def test_a_lead_deletes_a_policy_which_is_then_no_longer_listed(
        self, db, client, api_as, team_lead
    ) -> None:
        headers = api_as(team_lead)
        created = client.post("/api/v1/sla/policies", json=policy_body(), headers=headers).json()
        response = client.delete(f"/api/v1/sla/policies/{created['id']}", headers=headers)
        assert response.status_code == 204 and response.content == b""
        listed = client.get("/api/v1/sla/policies", headers=headers).json()
        assert created["id"] not in [policy["id"] for policy in listed]
        event = list_events_of_kinds(db, kinds=[EventKind.SLA_POLICY_DELETED], limit=1)[0]
        assert (event.actor_agent_id, event.data["deleted"]["first_response_seconds"]) == (team_lead.id, 40)

    def test_a_policy_that_is_not_there_is_a_404(self, client, api_as, team_lead) -> None:
        response = client.delete("/api/v1/sla/policies/987654", headers=api_as(team_lead))
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"

    def test_an_l1_agent_cannot_delete_a_policy(self, db, client, api_as, italian_l1_agent) -> None:
        policy = settings.create_policy(
            db,
            values=settings.PolicyValues(name="Kept", channel="chat", first_response_seconds=20),
            actor_agent_id=None,
        )
        db.commit()
        response = client.delete(f"/api/v1/sla/policies/{policy.id}", headers=api_as(italian_l1_agent))
        assert response.status_code == 403
        assert db.get(SlaPolicy, policy.id) is not None


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


class TestDeleteCalendar:
    def make_calendar(self, db) -> BusinessCalendar:
        values = calendars.CalendarValues(
            name=f"Madrid {uuid.uuid4().hex[:6]}",
            timezone="Europe/Madrid",
            hours={0: [(540, 1080)]},
            holidays={},
        )
        row = calendars.create_calendar(db, values=values, actor_agent_id=None)
        db.commit()
        return row

    def test_an_unused_calendar_is_deleted(self, db, client, api_as, team_lead) -> None:
        calendar_id = self.make_calendar(db).id
        response = client.delete(f"/api/v1/sla/calendars/{calendar_id}", headers=api_as(team_lead))
        assert response.status_code == 204
        db.expire_all()
        assert db.get(BusinessCalendar, calendar_id) is None

    def test_a_calendar_a_policy_uses_is_refused_with_409_naming_the_policy(
        self, db, client, api_as, team_lead
    ) -> None:
        row = self.make_calendar(db)
        headers = api_as(team_lead)
        body = policy_body(name="Madrid email", channel="email", calendar_id=row.id)
        assert client.post("/api/v1/sla/policies", json=body, headers=headers).status_code == 201
        response = client.delete(f"/api/v1/sla/calendars/{row.id}", headers=headers)
        assert response.status_code == 409
        assert "'Madrid email'" in response.json()["error"]["message"]
        assert db.get(BusinessCalendar, row.id) is not None
