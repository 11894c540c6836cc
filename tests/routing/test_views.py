"""The routing settings page: what is in force, saving over the environment's values, and errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from firstline.routing import config as routing_config
from tests.conftest import csrf, login


@pytest.fixture(autouse=True)
def auto_mode() -> Iterator[None]:
    """No configuration forced in this process: the page shows what routing really reads."""
    yield None


def form(client, **fields: str) -> dict:
    return {
        "mode": "",
        "offer_timeout_seconds": "",
        "secondary_language_after_seconds": "",
        "english_after_seconds": "",
        "csrf_token": csrf(client),
        **fields,
    }


class TestRoutingSettingsPage:
    def test_the_page_shows_the_environment_s_values_in_force_before_anything_is_saved(
        self, client, team_lead
    ) -> None:
        login(client, team_lead)
        page = client.get("/settings/routing")
        assert page.status_code == 200
        defaults = routing_config.current()
        assert f"<td>{defaults.offer_timeout_seconds} s</td>" in page.text
        assert "Environment default" in page.text

    def test_a_saved_offer_mode_is_in_force_and_recorded_with_who_saved_it(
        self, db, client, team_lead
    ) -> None:
        login(client, team_lead)
        response = client.post(
            "/settings/routing",
            data=form(client, mode="offer", offer_timeout_seconds="25"),
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert routing_config.current(db).mode == "offer"
        page = client.get("/settings/routing").text
        assert "<td>Offer</td>" in page and "<td>25 s</td>" in page
        assert team_lead.name in page and "offer timeout: environment default → 25 s" in page

    def test_an_english_overflow_before_the_secondary_one_is_refused_keeping_the_form(
        self, client, team_lead
    ) -> None:
        login(client, team_lead)
        data = form(client, secondary_language_after_seconds="120", english_after_seconds="30")
        page = client.post("/settings/routing", data=data)
        assert page.status_code == 422 and "Overflow to English comes at or after" in page.text
        assert 'name="secondary_language_after_seconds" value="120"' in page.text

    def test_an_agent_without_the_permission_is_refused(self, client, italian_l1_agent) -> None:
        login(client, italian_l1_agent)
        assert client.get("/settings/routing").status_code == 403
