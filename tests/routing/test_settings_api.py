"""Routing settings in the JSON API: what is stored, what the environment says, and what is in force."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from firstline.routing import config as routing_config


@pytest.fixture(autouse=True)
def auto_mode() -> Iterator[None]:
    """No configuration forced in this process: the API shows what routing really reads."""
    yield None


class TestRoutingSettingsApi:
    def test_stored_values_are_in_force_and_empty_ones_follow_the_environment(
        self, db, client, api_as, team_lead
    ) -> None:
        headers = api_as(team_lead)
        saved = client.put(
            "/api/v1/routing/settings", json={"mode": "offer", "offer_timeout_seconds": 15}, headers=headers
        )
        assert saved.status_code == 200
        body = client.get("/api/v1/routing/settings", headers=headers).json()
        assert body["stored"]["mode"] == "offer" and body["stored"]["english_after_seconds"] is None
        assert (body["in_force"]["mode"], body["in_force"]["offer_timeout_seconds"]) == ("offer", 15)
        environment = routing_config.current()
        assert body["in_force"]["english_after_seconds"] == environment.rules.english_after_seconds
        assert routing_config.current(db).mode == "offer"

    def test_a_timeout_out_of_range_is_refused_naming_the_field(self, client, api_as, team_lead) -> None:
        response = client.put(
            "/api/v1/routing/settings", json={"offer_timeout_seconds": 1}, headers=api_as(team_lead)
        )
        assert response.status_code == 422 and response.json()["error"]["field"] == "offer_timeout_seconds"

    def test_an_l1_agent_is_refused(self, client, api_as, italian_l1_agent) -> None:
        assert client.get("/api/v1/routing/settings", headers=api_as(italian_l1_agent)).status_code == 403
