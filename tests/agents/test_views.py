"""Logging in and out of the console."""

from __future__ import annotations

from fastapi.testclient import TestClient

from firstline.web.security import SESSION_COOKIE
from tests.conftest import csrf, login


class TestLogin:
    def test_an_agent_logs_in_and_lands_on_the_inbox(self, client: TestClient, italian_l1_agent) -> None:
        response = login(client, italian_l1_agent)
        assert response.status_code == 303
        assert response.headers["location"] == "/inbox"
        cookie = response.headers["set-cookie"]
        assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        inbox = client.get("/inbox")
        assert inbox.status_code == 200
        assert "Giulia Rossi" in inbox.text

    def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
        self, client, italian_l1_agent
    ) -> None:
        response = login(client, italian_l1_agent, password="not the password")
        assert response.status_code == 401
        assert "Wrong email or password" in response.text
        assert client.get("/inbox", follow_redirects=False).status_code == 303

    def test_five_failures_lock_the_account_even_for_the_right_password(
        self, client, italian_l1_agent
    ) -> None:
        for _ in range(5):
            assert login(client, italian_l1_agent, password="guess guess guess").status_code == 401
        response = login(client, italian_l1_agent)
        assert response.status_code == 429
        assert "Too many failed attempts" in response.text

    def test_a_login_form_without_the_csrf_token_is_refused(self, client, italian_l1_agent) -> None:
        client.get("/login")
        response = client.post(
            "/login", data={"email": italian_l1_agent.email, "password": "correct horse battery"}
        )
        assert response.status_code == 403
        assert SESSION_COOKIE not in client.cookies

    def test_next_never_redirects_to_another_site(self, client, italian_l1_agent) -> None:
        client.get("/login")
        response = client.post(
            "/login",
            data={
                "email": italian_l1_agent.email,
                "password": "correct horse battery",
                "next": "//evil.example/phish",
                "csrf_token": csrf(client),
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/inbox"


class TestLogout:
    def test_logging_out_ends_the_session_on_the_server(self, client: TestClient, italian_l1_agent) -> None:
        login(client, italian_l1_agent)
        stolen = client.cookies[SESSION_COOKIE]
        response = client.post("/logout", data={"csrf_token": csrf(client)}, follow_redirects=False)
        assert response.status_code == 303
        client.cookies.set(SESSION_COOKIE, stolen)
        assert client.get("/inbox", follow_redirects=False).headers["location"].startswith("/login")
