"""Compliance confidentiality: what an L1 agent sees is the same whether or not compliance holds anything."""

from __future__ import annotations

from typing import Any

import pytest

from firstline.cases import compliance
from firstline.cases.search.service import search
from firstline.conversations.models import AuthorKind
from firstline.conversations.service import post_message
from firstline.kit.errors import InvalidInput, PermissionDenied
from tests.conftest import login

SECRET = "suspicious structuring pattern"


def l1_view(client: Any, headers: dict[str, str], conversation_id: int, customer_id: int) -> dict[str, Any]:
    """Everything an L1 agent can read about the customer through the API."""
    urls = [
        f"/api/v1/conversations/{conversation_id}",
        f"/api/v1/conversations/{conversation_id}/messages",
        f"/api/v1/conversations/{conversation_id}/events",
        f"/api/v1/conversations/{conversation_id}/case",
        f"/api/v1/conversations?customer_id={customer_id}",
        f"/api/v1/customers/{customer_id}",
        f"/api/v1/customers/{customer_id}/timeline",
        "/api/v1/search?q=suspicious",
        "/api/v1/search?q=deposito",
        "/api/v1/notifications",
    ]
    view = {}
    for url in urls:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        view[url] = response.json()
    return view


class TestCompliance:
    def test_an_l1_agent_sees_exactly_the_same_before_and_after_compliance_acts(
        self, db, client, api_as, chat_with_joao, italian_l1_agent, compliance_officer
    ) -> None:
        post_message(
            db, conversation_id=chat_with_joao.id, author_kind=AuthorKind.CUSTOMER, body="O meu deposito?"
        )
        db.commit()
        headers = api_as(italian_l1_agent)
        customer_id = chat_with_joao.customer_id
        before = l1_view(client, headers, chat_with_joao.id, customer_id)
        officer = api_as(compliance_officer)
        case = client.post(
            "/api/v1/compliance/cases",
            json={"customer_id": customer_id, "subject": "Internal review", "summary": SECRET},
            headers=officer,
        )
        assert case.status_code == 201
        for target in ({"conversation_id": chat_with_joao.id}, {"compliance_case_id": case.json()["id"]}):
            note = client.post("/api/v1/compliance/notes", json={"body": SECRET, **target}, headers=officer)
            assert note.status_code == 201
        after = l1_view(client, headers, chat_with_joao.id, customer_id)
        assert after == before
        # compliance, meanwhile, finds its note by search and on the timeline
        assert any(
            hit["kind"] == "compliance_note"
            for hit in client.get("/api/v1/search?q=suspicious", headers=officer).json()
        )
        timeline = client.get(f"/api/v1/customers/{customer_id}/timeline", headers=officer).json()
        assert {"compliance_note", "compliance_case"} <= {item["kind"] for item in timeline}

    def test_compliance_routes_answer_403_to_others_whether_or_not_anything_exists(
        self, client, api_as, chat_with_joao, italian_l1_agent, compliance_officer
    ) -> None:
        client.post(
            "/api/v1/compliance/cases",
            json={"customer_id": chat_with_joao.customer_id, "subject": "Review"},
            headers=api_as(compliance_officer),
        )
        headers = api_as(italian_l1_agent)
        answers = {
            url: (response.status_code, response.json())
            for url in (
                f"/api/v1/compliance/cases?customer_id={chat_with_joao.customer_id}",
                "/api/v1/compliance/cases?customer_id=999999",
                f"/api/v1/compliance/notes?conversation_id={chat_with_joao.id}",
                "/api/v1/compliance/notes?conversation_id=999999",
            )
            for response in [client.get(url, headers=headers)]
        }
        assert {status for status, _ in answers.values()} == {403}
        assert len({str(body) for _, body in answers.values()}) == 1

    def test_the_console_shows_an_l1_agent_no_trace_of_a_compliance_note(
        self, db, client, chat_with_joao, italian_l1_agent, compliance_officer
    ) -> None:
        compliance.add_compliance_note(
            db, actor=compliance_officer, body=SECRET, conversation_id=chat_with_joao.id
        )
        db.commit()
        login(client, italian_l1_agent)
        for url in (
            f"/conversations/{chat_with_joao.id}",
            f"/conversations/{chat_with_joao.id}/case",
            f"/customers/{chat_with_joao.customer_id}",
            "/search?q=suspicious",
            "/mentions",
        ):
            page = client.get(url)
            assert (
                page.status_code == 200 and SECRET not in page.text and "Compliance note" not in page.text
            ), url
        assert client.get("/compliance", follow_redirects=False).status_code == 403

    def test_search_never_queries_compliance_notes_for_others(
        self, db, chat_with_joao, italian_l1_agent, compliance_officer
    ) -> None:
        compliance.add_compliance_note(
            db, actor=compliance_officer, body=SECRET, conversation_id=chat_with_joao.id
        )
        assert search(db, viewer=italian_l1_agent, query="structuring") == []
        assert [hit.kind for hit in search(db, viewer=compliance_officer, query="structuring")] == [
            "compliance_note"
        ]

    def test_a_compliance_note_takes_no_sequence_number(self, db, chat_with_joao, compliance_officer) -> None:
        seq_before = chat_with_joao.last_seq
        compliance.add_compliance_note(
            db, actor=compliance_officer, body=SECRET, conversation_id=chat_with_joao.id
        )
        db.refresh(chat_with_joao)
        assert chat_with_joao.last_seq == seq_before

    def test_mentioning_someone_outside_compliance_in_a_compliance_note_is_refused(
        self, db, chat_with_joao, italian_l1_agent, compliance_officer
    ) -> None:
        handle = italian_l1_agent.email.split("@")[0]
        with pytest.raises(InvalidInput, match="cannot read compliance notes"):
            compliance.add_compliance_note(
                db, actor=compliance_officer, body=f"@{handle} look", conversation_id=chat_with_joao.id
            )

    def test_only_compliance_writes_compliance_notes_even_called_directly(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        with pytest.raises(PermissionDenied):
            compliance.add_compliance_note(
                db, actor=italian_l1_agent, body="x", conversation_id=chat_with_joao.id
            )

    def test_frozen_account_cases_offer_neutral_replies_in_the_customer_language(
        self, db, client, api_as, portuguese_customer, italian_l1_agent
    ) -> None:
        from firstline.conversations.service import open_conversation

        frozen = open_conversation(
            db, customer_id=portuguese_customer.id, channel="chat", category="account_frozen"
        )
        db.commit()
        case = client.get(f"/api/v1/conversations/{frozen.id}/case", headers=api_as(italian_l1_agent)).json()
        assert case["neutral_replies"] == compliance.NEUTRAL_REPLIES["pt"]
        assert len(compliance.NEUTRAL_REPLIES) == 5
