"""The conversations API: clear 4xx for bad input, idempotent message posting, filters."""

from __future__ import annotations

import pytest


@pytest.fixture
def headers(api_as, italian_l1_agent):
    return api_as(italian_l1_agent)


class TestOpenConversation:
    def test_an_agent_opens_an_email_conversation_for_a_customer(
        self, client, headers, portuguese_customer
    ) -> None:
        response = client.post(
            "/api/v1/conversations",
            json={
                "customer_id": portuguese_customer.id,
                "channel": "email",
                "category": "withdrawal_pending",
            },
            headers=headers,
        )
        assert response.status_code == 201
        body = response.json()
        assert body["language"] == "pt"  # the customer's preferred language
        assert body["status"] == "open" and body["tier"] == "l1"
        assert body["reference"] == f"FL-{body['id']:06d}"

    def test_an_unknown_channel_is_a_422_naming_the_choices(
        self, client, headers, portuguese_customer
    ) -> None:
        response = client.post(
            "/api/v1/conversations",
            json={"customer_id": portuguese_customer.id, "channel": "fax"},
            headers=headers,
        )
        assert response.status_code == 422
        assert "chat, email" in response.json()["error"]["message"]

    def test_a_missing_customer_is_404(self, client, headers) -> None:
        response = client.post("/api/v1/conversations", json={"customer_id": 987654321}, headers=headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


class TestPostMessage:
    def test_a_retry_returns_the_stored_message_with_200(self, client, headers, chat_with_joao) -> None:
        url = f"/api/v1/conversations/{chat_with_joao.id}/messages"
        first = client.post(url, json={"body": "Olá João!", "client_msg_id": "agent-1"}, headers=headers)
        again = client.post(url, json={"body": "Olá João!", "client_msg_id": "agent-1"}, headers=headers)
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["id"] == again.json()["id"] and first.json()["seq"] == again.json()["seq"]
        listed = client.get(url, headers=headers).json()
        assert [m["body"] for m in listed] == ["Olá João!"]

    def test_agents_cannot_post_as_the_customer(self, client, headers, chat_with_joao) -> None:
        response = client.post(
            f"/api/v1/conversations/{chat_with_joao.id}/messages",
            json={"body": "I am the customer", "kind": "customer"},
            headers=headers,
        )
        assert response.status_code == 422

    def test_after_seq_pages_through_the_messages(self, client, headers, chat_with_joao) -> None:
        url = f"/api/v1/conversations/{chat_with_joao.id}/messages"
        for n in range(3):
            client.post(url, json={"body": f"m{n}"}, headers=headers)
        assert [m["seq"] for m in client.get(url, params={"after_seq": 1}, headers=headers).json()] == [2, 3]


class TestUpdateConversation:
    def test_status_assignment_and_priority_in_one_patch(
        self, client, headers, chat_with_joao, italian_l1_agent
    ) -> None:
        response = client.patch(
            f"/api/v1/conversations/{chat_with_joao.id}",
            json={"status": "pending", "assignee_id": italian_l1_agent.id, "priority": "high"},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["assignee_id"], body["priority"]) == (
            "pending",
            italian_l1_agent.id,
            "high",
        )
        events = client.get(f"/api/v1/conversations/{chat_with_joao.id}/events", headers=headers).json()
        assert {"conversation.assigned", "conversation.status_changed", "conversation.priority_changed"} <= {
            e["kind"] for e in events
        }

    def test_an_illegal_transition_is_409(self, client, headers, chat_with_joao) -> None:
        url = f"/api/v1/conversations/{chat_with_joao.id}"
        assert client.patch(url, json={"status": "closed"}, headers=headers).status_code == 200
        response = client.patch(url, json={"status": "open"}, headers=headers)
        assert response.status_code == 409
        assert "closed conversation cannot become open" in response.json()["error"]["message"]


class TestListConversations:
    def test_filters_by_language_and_channel(self, client, headers, chat_with_joao) -> None:
        found = client.get(
            "/api/v1/conversations", params={"language": "pt", "channel": "chat"}, headers=headers
        )
        assert chat_with_joao.id in [c["id"] for c in found.json()]
        none = client.get(
            "/api/v1/conversations", params={"language": "de", "channel": "chat"}, headers=headers
        )
        assert chat_with_joao.id not in [c["id"] for c in none.json()]


class TestBadInputNeverBreaksTheServer:
    @pytest.mark.parametrize(
        ("method", "url", "payload"),
        [
            ("get", "/api/v1/conversations/99999999999999999999999", None),
            ("get", "/api/v1/conversations/-1", None),
            ("get", "/api/v1/conversations/abc", None),
            ("get", "/api/v1/conversations?limit=100000", None),
            ("get", "/api/v1/conversations?status=maybe", None),
            ("get", "/api/v1/conversations?language=%00%00", None),
            ("post", "/api/v1/conversations", "not json at all"),
            ("post", "/api/v1/conversations", {"customer_id": "nine"}),
            ("post", "/api/v1/conversations", {"customer_id": 1, "unexpected": True}),
            ("post", "/api/v1/conversations", {"customer_id": 2**70}),
            ("post", "/api/v1/conversations/1/messages", {"body": ""}),
            ("post", "/api/v1/conversations/1/messages", {"body": "x", "client_msg_id": "y" * 65}),
            ("patch", "/api/v1/conversations/1", {"assignee_id": 0}),
            ("post", "/api/v1/customers", {"email": "not-an-email"}),
            ("post", "/api/v1/customers", {"vip_tier": 99}),
            ("get", "/api/v1/customers?q=" + "%" * 500, None),
            ("post", "/api/v1/agents", {"email": "x@example.com"}),
        ],
    )
    def test_bad_requests_get_a_clear_4xx_in_json(self, client, admin, api_as, method, url, payload) -> None:
        headers = api_as(admin)
        if isinstance(payload, str):
            response = client.request(
                method, url, content=payload, headers={**headers, "content-type": "application/json"}
            )
        else:
            response = client.request(method, url, json=payload, headers=headers)
        assert 400 <= response.status_code < 500, response.text
        error = response.json()["error"]
        assert error["message"] and error["code"]
