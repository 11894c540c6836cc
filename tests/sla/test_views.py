"""The console pages of SLA policies and calendars: what a team lead sees, saves, and gets back on an error."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from firstline.sla import calendars, settings
from firstline.sla.models import SlaPolicy
from firstline.timeline.service import EventKind, list_events_of_kinds
from tests.conftest import csrf, login


@pytest.fixture
def lead_console(client: TestClient, team_lead) -> TestClient:
    assert login(client, team_lead).status_code == 303
    return client


@pytest.fixture
def chat_policy(db) -> SlaPolicy:
    values = settings.PolicyValues(
        name=f"Live chat {uuid.uuid4().hex[:6]}",
        channel="chat",
        first_response_seconds=30,
        resolution_seconds=14400,
    )
    policy = settings.create_policy(db, values=values, actor_agent_id=None)
    db.commit()
    return policy


def policy_form(client: TestClient, **fields: str) -> dict:
    return {
        "name": "Urgent chats",
        "channel": "chat",
        "tier": "",
        "priority": "urgent",
        "first_response_seconds": "20s",
        "next_response_seconds": "1m",
        "resolution_seconds": "2h",
        "calendar_id": "",
        "warn_percent": "80",
        "breach_actions": ["notify_team_lead", "requeue"],
        "csrf_token": csrf(client),
        **fields,
    }


class TestSlaPage:
    def test_the_lead_sees_each_policy_with_its_targets_and_the_built_in_24_7_defaults(
        self, lead_console, chat_policy
    ) -> None:
        page = lead_console.get("/settings/sla")
        assert page.status_code == 200
        assert chat_policy.name in page.text and "4h" in page.text
        assert 'data-default="email"' in page.text and 'data-default="chat"' not in page.text
        assert "Around the clock" in page.text

    def test_an_agent_without_the_permission_is_refused(self, client, italian_l1_agent) -> None:
        login(client, italian_l1_agent)
        assert client.get("/settings/sla").status_code == 403

    def test_the_navigation_links_the_settings_for_a_lead_only(
        self, client, team_lead, italian_l1_agent
    ) -> None:
        login(client, team_lead)
        assert 'href="/settings/sla"' in client.get("/inbox").text
        client.cookies.clear()
        login(client, italian_l1_agent)
        assert "/settings/" not in client.get("/inbox").text


class TestPolicyForms:
    def test_a_new_policy_is_saved_and_listed_and_its_creator_recorded(
        self, db, lead_console, team_lead
    ) -> None:
        response = lead_console.post(
            "/settings/sla/policies", data=policy_form(lead_console), follow_redirects=False
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith("/settings/sla?saved=policy-")
        policy = db.query(SlaPolicy).filter_by(name="Urgent chats").one()
        assert (policy.first_response_seconds, policy.breach_actions) == (20, ["notify_team_lead", "requeue"])
        event = list_events_of_kinds(db, kinds=[EventKind.SLA_POLICY_CREATED], limit=1)[0]
        assert event.actor_agent_id == team_lead.id
        assert "Urgent chats" in lead_console.get("/settings/sla").text

    def test_a_bad_duration_comes_back_with_a_clear_message_and_nothing_the_lead_typed_lost(
        self, db, lead_console
    ) -> None:
        form = policy_form(lead_console, first_response_seconds="soon", name="Typed with care")
        page = lead_console.post("/settings/sla/policies", data=form)
        assert page.status_code == 422
        assert "First response: &#39;soon&#39; is not a duration" in page.text
        assert (
            'value="Typed with care"' in page.text
            and 'value="soon"' in page.text
            and 'value="2h"' in page.text
        )
        assert 'value="requeue" checked' in page.text
        assert (
            'name="first_response_seconds" value="soon" placeholder="e.g. 30s" aria-invalid="true"'
            in page.text
        )
        assert db.query(SlaPolicy).filter_by(name="Typed with care").count() == 0

    @pytest.mark.parametrize("warn", ["0", "100", "abc"])
    def test_a_warning_outside_1_to_99_percent_is_refused_on_the_form(self, lead_console, warn: str) -> None:
        page = lead_console.post("/settings/sla/policies", data=policy_form(lead_console, warn_percent=warn))
        assert page.status_code == 422 and "between 1 and 99" in page.text
        assert f'name="warn_percent" value="{warn}"' in page.text

    def test_the_edit_form_shows_the_policy_s_targets_as_durations(self, lead_console, chat_policy) -> None:
        page = lead_console.get(f"/settings/sla/policies/{chat_policy.id}")
        assert 'name="first_response_seconds" value="30s"' in page.text
        assert 'name="resolution_seconds" value="4h"' in page.text

    def test_an_edit_is_saved_and_shows_in_the_policy_s_history_with_who_made_it(
        self, db, lead_console, chat_policy, team_lead
    ) -> None:
        form = policy_form(lead_console, name=chat_policy.name, priority="", first_response_seconds="45s")
        response = lead_console.post(
            f"/settings/sla/policies/{chat_policy.id}", data=form, follow_redirects=False
        )
        assert response.status_code == 303
        db.refresh(chat_policy)
        assert chat_policy.first_response_seconds == 45
        history = lead_console.get(f"/settings/sla/policies/{chat_policy.id}").text
        assert team_lead.name in history and "first response: 30s → 45s" in history

    def test_a_policy_that_is_not_there_is_a_404(self, lead_console) -> None:
        assert lead_console.get("/settings/sla/policies/987654").status_code == 404


class TestCalendarForms:
    def calendar_form(self, client: TestClient, **fields: str) -> dict:
        return {
            "name": "Lisbon office",
            "timezone": "Europe/Lisbon",
            **{f"hours_{day}": "09:00-18:00" for day in range(5)},
            "hours_5": "",
            "hours_6": "",
            "holidays": "2026-12-25 Christmas Day",
            "csrf_token": csrf(client),
            **fields,
        }

    def test_a_new_calendar_is_saved_and_its_page_shows_the_next_openings(self, lead_console) -> None:
        response = lead_console.post(
            "/settings/sla/calendars", data=self.calendar_form(lead_console), follow_redirects=False
        )
        assert response.status_code == 303
        page = lead_console.get(response.headers["location"])
        assert "Saved. Check the opening times below." in page.text
        assert "closes" in page.text and "Europe/Lisbon" in page.text
        assert "2026-12-25 Christmas Day" in page.text

    def test_an_unknown_time_zone_comes_back_with_everything_typed(self, lead_console) -> None:
        form = self.calendar_form(lead_console, timezone="Europe/Lisbo", holidays="2027-01-01 New Year")
        page = lead_console.post("/settings/sla/calendars", data=form)
        assert page.status_code == 422 and "Unknown time zone" in page.text
        assert 'value="Europe/Lisbo"' in page.text and "2027-01-01 New Year</textarea>" in page.text

    def test_an_edited_calendar_keeps_its_holidays_with_their_names(self, db, lead_console) -> None:
        values = calendars.CalendarValues(
            name="Berlin office", timezone="Europe/Berlin", hours={0: [(480, 1020)]}, holidays={}
        )
        row = calendars.create_calendar(db, values=values, actor_agent_id=None)
        db.commit()
        form = self.calendar_form(lead_console, name="Berlin office", timezone="Europe/Berlin")
        form["holidays"] = "2026-10-03 Tag der Deutschen Einheit"
        assert (
            lead_console.post(
                f"/settings/sla/calendars/{row.id}", data=form, follow_redirects=False
            ).status_code
            == 303
        )
        db.refresh(row)
        assert row.holiday_names == {"2026-10-03": "Tag der Deutschen Einheit"}


class TestDeletePages:
    def test_the_confirmation_names_the_policy_and_what_new_conversations_get_instead(
        self, lead_console, chat_policy
    ) -> None:
        page = lead_console.get(f"/settings/sla/policies/{chat_policy.id}/delete")
        assert page.status_code == 200
        assert chat_policy.name in page.text and "the built-in default (first response 30s" in page.text
        assert 'name="csrf_token"' in page.text and "Delete policy</button>" in page.text

    def test_confirming_deletes_the_policy_and_the_list_says_so(self, db, lead_console, chat_policy) -> None:
        policy_id, name = chat_policy.id, chat_policy.name
        form = {"csrf_token": csrf(lead_console)}
        response = lead_console.post(
            f"/settings/sla/policies/{policy_id}/delete", data=form, follow_redirects=False
        )
        assert (response.status_code, response.headers["location"]) == (303, "/settings/sla?deleted=policy")
        page = lead_console.get(response.headers["location"])
        assert "Policy deleted" in page.text and f"{name}: deleted" in page.text
        assert f'data-policy="{policy_id}"' not in page.text
        db.expire_all()
        assert db.get(SlaPolicy, policy_id) is None

    def test_a_deletion_without_the_csrf_token_is_refused(self, db, lead_console, chat_policy) -> None:
        response = lead_console.post(f"/settings/sla/policies/{chat_policy.id}/delete", data={})
        assert response.status_code == 403
        db.expire_all()
        assert db.get(SlaPolicy, chat_policy.id) is not None

    def test_a_calendar_in_use_offers_no_delete_button_and_a_forced_post_is_refused(
        self, db, lead_console
    ) -> None:
        values = calendars.CalendarValues(
            name="Rome office", timezone="Europe/Rome", hours={0: [(540, 1080)]}, holidays={}
        )
        row = calendars.create_calendar(db, values=values, actor_agent_id=None)
        policy = settings.PolicyValues(
            name="Email Rome", channel="email", first_response_seconds=3600, calendar_id=row.id
        )
        settings.create_policy(db, values=policy, actor_agent_id=None)
        db.commit()
        page = lead_console.get(f"/settings/sla/calendars/{row.id}/delete")
        assert "cannot be deleted while a policy uses it: Email Rome" in page.text
        assert "Delete calendar</button>" not in page.text
        refused = lead_console.post(
            f"/settings/sla/calendars/{row.id}/delete", data={"csrf_token": csrf(lead_console)}
        )
        assert refused.status_code == 409 and "used by the policy &#39;Email Rome&#39;" in refused.text

    def test_an_unused_calendar_is_deleted_after_confirming(self, db, lead_console) -> None:
        values = calendars.CalendarValues(
            name="Porto office", timezone="Europe/Lisbon", hours={0: [(540, 1080)]}, holidays={}
        )
        row = calendars.create_calendar(db, values=values, actor_agent_id=None)
        db.commit()
        assert "Delete calendar</button>" in lead_console.get(f"/settings/sla/calendars/{row.id}/delete").text
        response = lead_console.post(
            f"/settings/sla/calendars/{row.id}/delete",
            data={"csrf_token": csrf(lead_console)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert "Calendar deleted" in lead_console.get(response.headers["location"]).text
