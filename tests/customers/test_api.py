"""The customers API and the customer page."""

from __future__ import annotations

from tests.conftest import login


class TestCustomersApi:
    def test_create_then_find_by_uid(self, client, api_as, italian_l1_agent) -> None:
        headers = api_as(italian_l1_agent)
        created = client.post(
            "/api/v1/customers",
            json={
                "name": "Lucia Bianchi",
                "email": "Lucia@Example.com",
                "exchange_uid": "77001",
                "preferred_language": "it",
            },
            headers=headers,
        )
        assert created.status_code == 201
        assert created.json()["email"] == "lucia@example.com"
        found = client.get("/api/v1/customers", params={"q": "77001"}, headers=headers).json()
        assert [c["name"] for c in found] == ["Lucia Bianchi"]

    def test_a_duplicate_exchange_uid_is_409(
        self, client, api_as, italian_l1_agent, portuguese_customer
    ) -> None:
        response = client.post(
            "/api/v1/customers",
            json={"exchange_uid": portuguese_customer.exchange_uid},
            headers=api_as(italian_l1_agent),
        )
        assert response.status_code == 409

    def test_patch_merges_attributes_and_records_the_change(
        self, client, api_as, italian_l1_agent, portuguese_customer
    ) -> None:
        headers = api_as(italian_l1_agent)
        url = f"/api/v1/customers/{portuguese_customer.id}"
        client.patch(url, json={"attributes": {"kyc_level": 2}}, headers=headers)
        response = client.patch(url, json={"attributes": {"country": "BR"}, "vip_tier": 2}, headers=headers)
        assert response.json()["attributes"] == {"kyc_level": 2, "country": "BR"}
        assert response.json()["vip_tier"] == 2

    def test_a_revoked_token_is_refused(self, client, db, italian_l1_agent) -> None:
        from firstline.agents.auth import create_api_token, revoke_api_token

        token, secret = create_api_token(db, agent_id=italian_l1_agent.id, name="old")
        revoke_api_token(db, agent_id=italian_l1_agent.id, token_id=token.id)
        db.commit()
        response = client.get("/api/v1/customers", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 401


class TestCustomerPage:
    def test_the_page_shows_the_customer_and_their_conversations(
        self, client, italian_l1_agent, chat_with_joao
    ) -> None:
        login(client, italian_l1_agent)
        page = client.get(f"/customers/{chat_with_joao.customer_id}")
        assert page.status_code == 200
        assert "João Silva" in page.text and chat_with_joao.reference in page.text
        assert "48213377" in page.text
