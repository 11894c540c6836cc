"""The widget's HTTP endpoints: config, starting a chat with or without identity, uploads, transcripts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from sqlalchemy.orm import Session

from firstline.chat.identity import sign_uid
from firstline.chat.models import ChatSite
from firstline.chat.service import create_site
from firstline.conversations.models import AuthorKind
from firstline.conversations.service import post_message
from firstline.customers.models import Customer
from tests.chat.conftest import ORIGIN, AgentLogin, LiveServer, Peer, run, start_chat

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def _start(server: LiveServer, body: dict[str, Any], origin: str = ORIGIN) -> httpx.Response:
    return httpx.post(f"{server.http}/api/v1/chat/sessions", json=body, headers={"Origin": origin})


def _upload(
    server: LiveServer, token: str, name: str, data: bytes, declared: str = "image/png"
) -> httpx.Response:
    return httpx.post(
        f"{server.http}/api/v1/chat/attachments",
        files={"file": (name, data, declared)},
        headers={"X-Visitor-Token": token, "Origin": ORIGIN},
    )


class TestConfig:
    def test_the_widget_config_describes_the_site(self, server: LiveServer, site: ChatSite) -> None:
        response = httpx.get(f"{server.http}/api/v1/chat/config", params={"site_key": site.public_key})
        assert response.status_code == 200
        config = response.json()
        assert config["languages"] == ["en", "it", "pt", "de", "es"]
        assert config["prechat_fields"] == ["name", "email", "topic"]
        assert "application/pdf" in config["attachments"]["content_types"]
        assert config["ws_path"] == "/api/v1/chat/ws/customer"

    def test_an_unknown_site_key_is_not_found(self, server: LiveServer) -> None:
        response = httpx.get(f"{server.http}/api/v1/chat/config", params={"site_key": "pk_nothing"})
        assert response.status_code == 404

    def test_a_page_on_an_origin_the_site_does_not_list_is_refused(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        response = _start(server, {"site_key": site.public_key}, origin="https://phishing.example")
        assert response.status_code == 403 and response.json()["error"]["code"] == "origin_not_allowed"


class TestIdentity:
    def test_an_hmac_signed_uid_identifies_the_customer(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        identity = {"uid": "uid-hmac-1", "signature": sign_uid(site.secret, "uid-hmac-1")}
        response = _start(server, {"site_key": site.public_key, "name": "Ana", "identity": identity})
        assert response.status_code == 201 and response.json()["identified"] is True
        again = _start(server, {"site_key": site.public_key, "identity": identity})
        store.expire_all()
        customers = store.query(Customer).filter(Customer.exchange_uid == "uid-hmac-1").all()
        assert len(customers) == 1 and again.json()["identified"] is True

    def test_a_jwt_signed_with_the_site_secret_identifies_the_customer(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        token = jwt.encode(
            {"sub": "uid-jwt-1", "exp": int(time.time()) + 300, "name": "Marco"}, site.secret, "HS256"
        )
        response = _start(server, {"site_key": site.public_key, "identity": {"jwt": token}})
        assert response.status_code == 201
        assert response.json()["identified"] is True and response.json()["customer"]["name"] == "Marco"

    def test_a_forged_identity_is_refused_not_downgraded_to_anonymous(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        forged = [
            {"uid": "48213377", "signature": sign_uid("not the secret", "48213377")},
            {"uid": "48213377"},
            {"jwt": jwt.encode({"sub": "48213377", "exp": int(time.time()) + 300}, "wrong", "HS256")},
            {"jwt": jwt.encode({"sub": "48213377", "exp": int(time.time()) - 300}, site.secret, "HS256")},
            {"jwt": jwt.encode({"sub": "48213377", "exp": int(time.time()) + 300}, None, "none")},
        ]
        for identity in forged:
            response = _start(server, {"site_key": site.public_key, "identity": identity})
            assert response.status_code == 401, identity
            assert response.json()["error"]["code"] == "identity_invalid"

    def test_without_enforcement_an_unsigned_claim_stays_anonymous_and_is_only_noted(
        self, server: LiveServer, store: Session
    ) -> None:
        lax = create_site(store, name="Lax", enforce_identity=False)
        store.commit()
        response = _start(server, {"site_key": lax.public_key, "identity": {"uid": "48213377"}})
        assert response.status_code == 201 and response.json()["identified"] is False
        store.expire_all()
        customer = store.get(Customer, _customer_id(store, response.json()["conversation_id"]))
        assert customer is not None and customer.exchange_uid is None
        assert customer.attributes["unverified_uid"] == "48213377"

    def test_anonymous_chat_can_be_switched_off_per_site(self, server: LiveServer, store: Session) -> None:
        closed = create_site(store, name="Members only", allow_anonymous=False)
        store.commit()
        response = _start(server, {"site_key": closed.public_key, "name": "Someone"})
        assert response.status_code == 403 and response.json()["error"]["code"] == "anonymous_disabled"
        signed = {"uid": "member-1", "signature": sign_uid(closed.secret, "member-1")}
        assert _start(server, {"site_key": closed.public_key, "identity": signed}).status_code == 201


def _customer_id(store: Session, conversation_id: int) -> int:
    from firstline.conversations.models import Conversation

    conversation = store.get(Conversation, conversation_id)
    assert conversation is not None
    return conversation.customer_id


class TestAttachments:
    def test_an_image_is_accepted_by_its_bytes_and_sent_with_a_message(
        self, server: LiveServer, site: ChatSite, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        chat = start_chat(server, site)
        uploaded = _upload(
            server, chat["visitor_token"], "screenshot", PNG, declared="application/octet-stream"
        )
        assert uploaded.status_code == 201
        attachment = uploaded.json()
        assert attachment["content_type"] == "image/png" and attachment["filename"] == "screenshot.png"
        login = make_chat_agent()

        async def scenario() -> dict[str, Any]:
            agent = await Peer.agent(server, login)
            await agent.send({"type": "subscribe", "conversation_id": chat["conversation_id"], "last_seq": 0})
            await agent.next("subscribed")
            customer = await Peer.customer(server, chat["visitor_token"])
            await customer.send(
                {
                    "type": "send",
                    "client_msg_id": "c-1",
                    "body": "Print",
                    "attachment_ids": [attachment["id"]],
                }
            )
            event = await agent.next("event")
            await customer.close()
            await agent.close()
            return event

        event = run(scenario())
        [sent] = event["message"]["attachments"]
        download = httpx.get(server.http + sent["url"])
        assert download.status_code == 200 and download.content == PNG
        assert download.headers["content-type"] == "image/png"
        assert download.headers["x-content-type-options"] == "nosniff"

    def test_a_pdf_is_accepted_and_downloaded_as_an_attachment(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        chat = start_chat(server, site)
        uploaded = _upload(
            server, chat["visitor_token"], "receipt.pdf", PDF, declared="application/pdf"
        ).json()
        download = httpx.get(server.http + uploaded["url"])
        assert download.headers["content-disposition"].startswith("attachment;")

    def test_a_file_that_only_claims_to_be_an_image_is_refused(
        self, server: LiveServer, site: ChatSite
    ) -> None:
        chat = start_chat(server, site)
        for name, data in [
            ("evil.png", b"<html><script>alert(1)</script>"),
            ("setup.pdf", b"MZ\x90\x00" + b"\0" * 60),
        ]:
            response = _upload(server, chat["visitor_token"], name, data)
            assert response.status_code == 415, name
            assert response.json()["error"]["code"] == "unsupported_type"

    def test_a_file_over_the_size_limit_is_refused(self, server: LiveServer, site: ChatSite) -> None:
        chat = start_chat(server, site)
        response = _upload(server, chat["visitor_token"], "huge.png", PNG + b"\0" * (10 * 1024 * 1024))
        assert response.status_code == 413

    def test_an_upload_needs_a_visitor_token(self, server: LiveServer, site: ChatSite) -> None:
        response = _upload(server, "fv_forged", "a.png", PNG)
        assert response.status_code == 401

    def test_another_visitors_upload_cannot_be_sent(self, server: LiveServer, site: ChatSite) -> None:
        mine, theirs = start_chat(server, site), start_chat(server, site)
        attachment = _upload(server, theirs["visitor_token"], "a.png", PNG).json()

        async def scenario() -> dict[str, Any]:
            customer = await Peer.customer(server, mine["visitor_token"])
            await customer.send(
                {"type": "send", "client_msg_id": "c-1", "body": "x", "attachment_ids": [attachment["id"]]}
            )
            error = await customer.next("error")
            await customer.close()
            return error

        assert run(scenario())["code"] == "forbidden"

    def test_a_link_with_a_wrong_signature_finds_nothing(self, server: LiveServer, site: ChatSite) -> None:
        chat = start_chat(server, site)
        attachment = _upload(server, chat["visitor_token"], "a.png", PNG).json()
        response = httpx.get(
            f"{server.http}/api/v1/chat/attachment", params={"id": attachment["id"], "sig": "0" * 40}
        )
        assert response.status_code == 404


class TestTranscript:
    def test_the_transcript_holds_the_conversation_but_no_internal_notes(
        self, server: LiveServer, site: ChatSite, make_chat_agent: Callable[..., AgentLogin]
    ) -> None:
        chat = start_chat(server, site)
        login = make_chat_agent("Giulia Rossi")
        conversation_id = chat["conversation_id"]

        async def scenario() -> None:
            customer = await Peer.customer(server, chat["visitor_token"])
            await customer.send({"type": "send", "client_msg_id": "c-1", "body": "Buongiorno"})
            await customer.ack_and_echo()
            agent = await Peer.agent(server, login)
            for client_msg_id, body, note in [("n", "sembra un phishing", True), ("a", "Buongiorno!", False)]:
                await agent.send(
                    {"type": "send", "conversation_id": conversation_id, "client_msg_id": client_msg_id,
                     "body": body, "last_seen_seq": 1, "note": note}
                )  # fmt: skip
                await agent.next("ack")
            await customer.close()
            await agent.close()

        run(scenario())
        response = httpx.get(
            f"{server.http}/api/v1/chat/transcript", headers={"X-Visitor-Token": chat["visitor_token"]}
        )
        assert response.status_code == 200
        assert response.headers["content-disposition"] == f'attachment; filename="{chat["reference"]}.txt"'
        assert "Buongiorno" in response.text and "Giulia Rossi" in response.text
        assert "phishing" not in response.text


def _said(store: Session, conversation_id: int, body: str = "Olá, o meu depósito não chegou.") -> None:
    post_message(store, conversation_id=conversation_id, author_kind=AuthorKind.CUSTOMER, body=body)
    store.commit()


def _email_transcript(server: LiveServer, token: str, **body: Any) -> httpx.Response:
    return httpx.post(
        f"{server.http}/api/v1/chat/transcript/email",
        json=body,
        headers={"X-Visitor-Token": token, "Origin": ORIGIN},
    )


class TestTranscriptByEmail:
    def test_without_a_valid_visitor_token_nothing_is_queued(self, server: LiveServer) -> None:
        response = _email_transcript(server, "fv_not-a-token", request_id="r-1")
        assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"

    def test_a_page_on_another_origin_may_ask_across_origins(self, server: LiveServer) -> None:
        response = httpx.options(
            f"{server.http}/api/v1/chat/transcript/email",
            headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
        )
        assert response.status_code == 204 and response.headers["access-control-allow-origin"] == ORIGIN

    def test_a_visitor_without_an_address_is_asked_for_a_valid_one(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        chat = start_chat(server, site)
        _said(store, chat["conversation_id"])
        asked = _email_transcript(server, chat["visitor_token"], request_id="r-1")
        assert asked.status_code == 422 and asked.json()["error"]["code"] == "email_required"
        invalid = _email_transcript(server, chat["visitor_token"], request_id="r-2", email="ana@")
        assert invalid.status_code == 422 and invalid.json()["error"]["field"] == "email"
        queued = _email_transcript(server, chat["visitor_token"], request_id="r-3", email="ana@example.org")
        assert queued.status_code == 202
        assert queued.json() == {"status": "queued", "recipient": "a***@example.org", "duplicate": False}

    def test_the_fourth_request_within_an_hour_is_refused_with_a_clear_error(
        self, server: LiveServer, site: ChatSite, store: Session
    ) -> None:
        chat = start_chat(server, site, email="joao.silva@example.com")
        _said(store, chat["conversation_id"])
        statuses = [_email_transcript(server, chat["visitor_token"]).status_code for _ in range(3)]
        assert statuses == [202, 202, 202]
        refused = _email_transcript(server, chat["visitor_token"])
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert "3 times in the last hour" in refused.json()["error"]["message"]

    def test_an_agent_sends_it_to_the_customers_address_on_file_once_per_request(
        self,
        server: LiveServer,
        site: ChatSite,
        store: Session,
        make_chat_agent: Callable[..., AgentLogin],
    ) -> None:
        chat = start_chat(server, site, email="joao.silva@example.com")
        _said(store, chat["conversation_id"])
        login = make_chat_agent("Rita Sousa")
        url = f"{server.http}/api/v1/chat/conversations/{chat['conversation_id']}/transcript/email"
        first = httpx.post(url, json={"request_id": "a-1"}, headers=login.headers)
        again = httpx.post(url, json={"request_id": "a-1"}, headers=login.headers)
        assert (first.status_code, again.status_code) == (202, 202)
        assert first.json()["recipient"] == "j***@example.com" and again.json()["duplicate"] is True
        refused = httpx.post(url, json={"email": "elsewhere@example.net"}, headers=login.headers)
        assert refused.status_code == 422  # an agent cannot send it anywhere but the address on file
