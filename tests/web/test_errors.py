"""Refused console requests show a page that says why, never a bare 500."""

from __future__ import annotations

from tests.conftest import csrf, login


class TestConsoleErrorPages:
    def test_a_missing_conversation_is_a_404_page_for_a_logged_in_agent(self, app, italian_l1_agent) -> None:
        from fastapi.testclient import TestClient

        # A client that does not share the test's session, as in production: the request's session is
        # rolled back and closed before the error page renders.
        with TestClient(app, raise_server_exceptions=False) as client:
            login(client, italian_l1_agent)
            response = client.get("/conversations/999999")
        assert response.status_code == 404
        assert "No conversation with id 999999" in response.text
        assert "Giulia Rossi" in response.text  # the page still knows who is looking

    def test_a_refused_status_change_explains_itself(self, client, italian_l1_agent, chat_with_joao) -> None:
        login(client, italian_l1_agent)
        response = client.post(
            f"/conversations/{chat_with_joao.id}/status", data={"status": "bogus", "csrf_token": csrf(client)}
        )
        assert response.status_code == 422
        assert "Unknown status &#39;bogus&#39;" in response.text
