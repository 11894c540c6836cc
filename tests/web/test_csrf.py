"""CSRF protection of the console forms, the bearer-token exemption, and the shape of refusals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from firstline.agents.auth import LoginPolicy, start_session
from firstline.agents.models import Agent
from firstline.config import Settings
from firstline.conversations.models import Conversation
from firstline.conversations.service import list_messages
from firstline.web.security import CSRF_COOKIE, SESSION_COOKIE, csrf_token_is_valid, new_csrf_token
from tests.conftest import csrf

REPLY = "Olá João, já encontrámos o seu depósito."


@dataclass(frozen=True)
class ConsoleForm:
    path: str
    fields: dict[str, str]
    took_effect: Callable[[Session, TestClient, Conversation], bool]


def _reply_was_stored(db: Session, _: TestClient, conversation: Conversation) -> bool:
    return any(message.body == REPLY for message in list_messages(db, conversation_id=conversation.id))


def _conversation_is_pending(db: Session, _: TestClient, conversation: Conversation) -> bool:
    db.refresh(conversation)
    return conversation.status == "pending"


def _session_ended(_: Session, client: TestClient, __: Conversation) -> bool:
    return client.get("/inbox", follow_redirects=False).status_code == 303


FORMS = {
    "reply": ConsoleForm("/conversations/{id}/messages", {"body": REPLY}, _reply_was_stored),
    "status": ConsoleForm("/conversations/{id}/status", {"status": "pending"}, _conversation_is_pending),
    "logout": ConsoleForm("/logout", {}, _session_ended),
}

OTHER_SECRET = "a-secret-that-is-not-the-server-secret-" + "y" * 16


def _replace_csrf_cookie(client: TestClient, value: str) -> None:
    client.cookies.delete(CSRF_COOKIE)
    client.cookies.set(CSRF_COOKIE, value)


def _post(client: TestClient, form: ConsoleForm, conversation: Conversation, **extra: str) -> httpx.Response:
    return client.post(
        form.path.format(id=conversation.id), data={**form.fields, **extra}, follow_redirects=False
    )


def _cookie_sent(response: httpx.Response) -> str:
    return response.request.headers.get("cookie", "")


@pytest.fixture
def logged_in(client: TestClient, db: Session, italian_l1_agent: Agent) -> TestClient:
    """A browser holding a console session and the CSRF cookie the server issued to it.

    The session starts directly, not through the login form (tests/agents/test_views.py covers that),
    to spare one argon2 verification per test.
    """
    client.cookies.set(SESSION_COOKIE, start_session(db, agent=italian_l1_agent, policy=LoginPolicy()))
    db.commit()
    assert client.get("/inbox").status_code == 200
    assert CSRF_COOKIE in client.cookies
    return client


@pytest.mark.parametrize("form_name", list(FORMS))
class TestConsoleForms:
    def test_the_server_issued_token_is_accepted(
        self, form_name: str, logged_in: TestClient, db: Session, chat_with_joao: Conversation
    ) -> None:
        form = FORMS[form_name]
        response = _post(logged_in, form, chat_with_joao, csrf_token=csrf(logged_in))
        assert response.status_code == 303
        assert form.took_effect(db, logged_in, chat_with_joao)

    def test_the_token_in_the_htmx_header_is_accepted(
        self, form_name: str, logged_in: TestClient, db: Session, chat_with_joao: Conversation
    ) -> None:
        form = FORMS[form_name]
        response = logged_in.post(
            form.path.format(id=chat_with_joao.id),
            data=form.fields,
            headers={"X-CSRF-Token": csrf(logged_in)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert form.took_effect(db, logged_in, chat_with_joao)

    def test_a_form_without_the_token_is_refused(
        self, form_name: str, logged_in: TestClient, db: Session, chat_with_joao: Conversation
    ) -> None:
        form = FORMS[form_name]
        response = _post(logged_in, form, chat_with_joao)
        assert response.status_code == 403
        assert not form.took_effect(db, logged_in, chat_with_joao)

    @pytest.mark.parametrize(
        "submitted",
        [
            pytest.param(lambda secret: new_csrf_token(secret), id="signed-but-not-this-browsers"),
            pytest.param(lambda secret: "not-a-token", id="garbage"),
            pytest.param(lambda secret: "", id="empty"),
        ],
    )
    def test_a_form_with_a_token_other_than_the_cookie_is_refused(
        self,
        form_name: str,
        submitted: Callable[[str], str],
        logged_in: TestClient,
        settings: Settings,
        db: Session,
        chat_with_joao: Conversation,
    ) -> None:
        form = FORMS[form_name]
        response = _post(
            logged_in, form, chat_with_joao, csrf_token=submitted(settings.effective_secret_key())
        )
        assert response.status_code == 403
        assert not form.took_effect(db, logged_in, chat_with_joao)

    @pytest.mark.parametrize(
        "forged",
        [
            pytest.param(new_csrf_token(OTHER_SECRET), id="signed-with-another-secret"),
            pytest.param("attacker-chosen-nonce", id="unsigned"),
            pytest.param("attacker-chosen-nonce." + "0" * 32, id="made-up-signature"),
        ],
    )
    def test_a_cookie_forged_without_the_server_signature_is_refused_even_when_the_form_matches_it(
        self, form_name: str, forged: str, logged_in: TestClient, db: Session, chat_with_joao: Conversation
    ) -> None:
        form = FORMS[form_name]
        _replace_csrf_cookie(logged_in, forged)
        response = _post(logged_in, form, chat_with_joao, csrf_token=forged)
        assert f"{CSRF_COOKIE}={forged}" in _cookie_sent(response)
        assert response.status_code == 403
        assert not form.took_effect(db, logged_in, chat_with_joao)

    def test_a_cookie_set_by_hand_but_signed_with_the_server_secret_is_accepted(
        self,
        form_name: str,
        logged_in: TestClient,
        settings: Settings,
        db: Session,
        chat_with_joao: Conversation,
    ) -> None:
        """The control for the forged cookies above: only the signature differs."""
        form = FORMS[form_name]
        token = new_csrf_token(settings.effective_secret_key())
        _replace_csrf_cookie(logged_in, token)
        response = _post(logged_in, form, chat_with_joao, csrf_token=token)
        assert f"{CSRF_COOKIE}={token}" in _cookie_sent(response)
        assert response.status_code == 303
        assert form.took_effect(db, logged_in, chat_with_joao)


class TestForgedCookieIsReplaced:
    def test_the_server_answers_a_forged_cookie_with_a_freshly_signed_one(
        self, client: TestClient, settings: Settings
    ) -> None:
        _replace_csrf_cookie(client, "attacker-chosen-nonce")
        response = client.get("/login")
        issued = response.cookies[CSRF_COOKIE]
        assert csrf_token_is_valid(settings.effective_secret_key(), issued)
        assert f'value="{issued}"' in response.text
        assert 'value="attacker-chosen-nonce"' not in response.text


class TestApi:
    def test_a_bearer_token_post_needs_no_csrf_token(
        self,
        client: TestClient,
        api_as: Callable[[Agent], dict[str, str]],
        italian_l1_agent: Agent,
        chat_with_joao: Conversation,
    ) -> None:
        response = client.post(
            f"/api/v1/conversations/{chat_with_joao.id}/messages",
            json={"body": REPLY},
            headers=api_as(italian_l1_agent),
        )
        assert CSRF_COOKIE not in _cookie_sent(response)
        assert response.status_code == 201
        assert response.json()["body"] == REPLY

    def test_an_api_post_authenticated_by_the_session_cookie_still_needs_the_token(
        self, logged_in: TestClient, db: Session, chat_with_joao: Conversation
    ) -> None:
        response = logged_in.post(f"/api/v1/conversations/{chat_with_joao.id}/messages", json={"body": REPLY})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "csrf_failed"
        assert list_messages(db, conversation_id=chat_with_joao.id) == []

    def test_an_api_post_authenticated_by_the_session_cookie_is_accepted_with_the_header(
        self, logged_in: TestClient, chat_with_joao: Conversation
    ) -> None:
        response = logged_in.post(
            f"/api/v1/conversations/{chat_with_joao.id}/messages",
            json={"body": REPLY},
            headers={"X-CSRF-Token": csrf(logged_in)},
        )
        assert response.status_code == 201


class TestRefusalShape:
    def test_a_403_under_the_api_is_a_json_error_with_code_and_message(
        self, client: TestClient, api_as: Callable[[Agent], dict[str, str]], make_agent: Callable[..., Agent]
    ) -> None:
        quality_analyst = make_agent(name="Quinn QA", roles=["qa"])
        response = client.post(
            "/api/v1/customers", json={"name": "Ana Costa"}, headers=api_as(quality_analyst)
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {
            "error": {"code": "forbidden", "message": "Your role does not allow this (customers.write)."}
        }

    def test_a_csrf_refusal_under_the_api_is_a_json_error(
        self, logged_in: TestClient, chat_with_joao: Conversation
    ) -> None:
        response = logged_in.patch(f"/api/v1/conversations/{chat_with_joao.id}", json={"priority": "high"})
        assert response.status_code == 403
        error = response.json()["error"]
        assert set(error) == {"code", "message"}
        assert error["code"] == "csrf_failed"
        assert "Reload the page" in error["message"]

    def test_a_401_under_the_api_is_a_json_error(self, client: TestClient) -> None:
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json() == {"error": {"code": "not_authenticated", "message": "Log in to continue."}}

    def test_a_refused_console_form_shows_the_error_page(
        self, logged_in: TestClient, chat_with_joao: Conversation
    ) -> None:
        response = _post(logged_in, FORMS["status"], chat_with_joao)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert "Not allowed" in response.text
        assert "The form expired or came from another site." in response.text
