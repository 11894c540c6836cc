"""The team lead's live view in Chromium: a real server, a floor with waiting chats, htmx polling."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from firstline.agents.service import create_agent
from firstline.conversations.service import open_conversation
from firstline.customers.service import create_customer
from firstline.db import session_scope
from firstline.routing import service
from firstline.routing.presence import set_presence
from tests.browser import PASSWORD, ConsoleErrors, log_in, screenshot, serve_console

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("routing-browser")]


@dataclass(frozen=True)
class Floor:
    url: str
    factory: Any
    lead_email: str
    agent_email: str


def _enqueue_chat(session: Any, language: str) -> int:
    customer = create_customer(
        session,
        name=f"C {uuid.uuid4().hex[:4]}",
        email=f"{uuid.uuid4().hex[:8]}@example.com",
        preferred_language=language,
    )
    conversation = open_conversation(session, customer_id=customer.id, channel="chat", language=language)
    service.enqueue(session, conversation_id=conversation.id, language=language)
    return conversation.id


def _seed(session: Any) -> None:
    create_agent(
        session, email="lead@floor.example", name="Hannah Lead", password=PASSWORD, roles=["team_lead"]
    )
    giulia = create_agent(
        session,
        email="giulia@floor.example",
        name="Giulia Rossi",
        password=PASSWORD,
        roles=["agent_l1"],
        languages={"it": "native", "en": "fluent"},
        max_concurrent_chats=1,
    )
    set_presence(session, agent_id=giulia.id, status="online")
    for language in ("it", "it", "pt"):
        _enqueue_chat(session, language)


@pytest.fixture(scope="module")
def floor(request: pytest.FixtureRequest) -> Iterator[Floor]:
    with serve_console(request, "live", _seed, run_timers=False) as server:
        yield Floor(server.url, server.factory, "lead@floor.example", "giulia@floor.example")


class TestLiveView:
    def test_the_team_lead_sees_waiting_chats_agents_and_risks_and_the_panel_refreshes_itself(
        self, page: Page, floor: Floor
    ) -> None:
        errors = ConsoleErrors()
        errors.watch(page)
        log_in(page, floor.url, floor.lead_email)
        page.get_by_role("link", name="Live").click()
        expect(page).to_have_url(f"{floor.url}/live")
        expect(page.locator("#live-total-waiting")).to_have_text("2")  # one Italian chat went to Giulia
        waiting = page.locator("#live-waiting")
        expect(waiting).to_contain_text("IT")
        expect(waiting).to_contain_text("PT")
        expect(page.locator("#live-agents")).to_contain_text("Giulia Rossi · 1/1")
        expect(page.locator("#live-risk")).to_be_visible()  # first-response clocks of 30 s are due soon
        with session_scope(floor.factory) as session:
            _enqueue_chat(session, "de")
        expect(page.locator("#live-total-waiting")).to_have_text("3", timeout=12_000)  # htmx polling
        expect(page.locator("#live-waiting")).to_contain_text("DE")
        screenshot(page, "live-floor", full_page=False)
        assert errors.seen == []

    def test_an_l1_agent_has_no_live_link_and_is_refused_the_page(self, page: Page, floor: Floor) -> None:
        log_in(page, floor.url, floor.agent_email)
        expect(page.get_by_role("link", name="Live")).to_have_count(0)
        response = page.goto(f"{floor.url}/live")
        assert response is not None and response.status == 403

    def test_the_inbox_shows_an_sla_countdown_that_ticks(self, page: Page, floor: Floor) -> None:
        log_in(page, floor.url, floor.lead_email)
        countdown = page.locator("time.sla-due").first
        expect(countdown).to_be_visible()
        first = countdown.text_content()
        page.wait_for_timeout(2100)
        assert countdown.text_content() != first
