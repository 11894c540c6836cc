"""Presence and offers in the agent console, in Chromium: the header's status control, and a chat offered
to the agent popping up in the live chats workspace with a countdown, Accept and Decline.

One live server (uvicorn in a thread) serves the module; the tests queue chats through the routing service,
committing, as the customer's widget would, and watch the agent's page react over its websocket.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from firstline.agents.service import create_agent, get_agent_by_email
from firstline.conversations.models import AuthorKind, Conversation
from firstline.conversations.service import open_conversation, post_message
from firstline.customers.service import create_customer
from firstline.db import session_scope
from firstline.routing import service
from firstline.routing.models import AgentPresence, QueueEntry
from firstline.routing.presence import set_presence
from tests.browser import PASSWORD, ConsoleErrors, LiveServer, log_in, screenshot, serve_console

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("routing-offers-browser")]

AGENT_EMAIL = "emma@offers.example"
COLLEAGUE_EMAIL = "noah@offers.example"
SOCKET_READY_SECONDS = 10.0


def _seed(session: Any) -> int:
    """Emma, whose console the tests drive, and Noah, a colleague who is offline unless a test says so."""
    emma, _ = (
        create_agent(
            session, email=email, name=name, password=PASSWORD, roles=["agent_l1"], languages={"en": "native"}
        )
        for email, name in ((AGENT_EMAIL, "Emma Clarke"), (COLLEAGUE_EMAIL, "Noah Hill"))
    )
    return emma.id


@pytest.fixture(scope="module")
def console(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    with serve_console(request, "offers", _seed, run_timers=False) as server:
        yield server


@dataclass
class Workspace:
    """The agent's live chats page, with the frames its websocket received."""

    page: Page
    frames: list[str]

    def wait_for_frame(self, text: str) -> None:
        deadline = time.monotonic() + SOCKET_READY_SECONDS
        while not any(text in frame for frame in self.frames):
            assert time.monotonic() < deadline, f"no websocket frame with {text!r}: {self.frames}"
            self.page.wait_for_timeout(50)


def presence_of(console: LiveServer, agent_id: int) -> AgentPresence | None:
    with session_scope(console.factory) as session:
        presence = session.get(AgentPresence, agent_id)
        if presence is not None:
            session.expunge(presence)
        return presence


def set_colleague(console: LiveServer, status: str) -> int:
    """Noah's presence, set through the service; returns his id."""
    with session_scope(console.factory) as session:
        noah = get_agent_by_email(session, email=COLLEAGUE_EMAIL)
        assert noah is not None
        set_presence(session, agent_id=noah.id, status=status)
        return noah.id


def choose_status(page: Page, choice: str, shown: str | None = None) -> None:
    """Picks ``choice`` in the header's status menu and waits for the page to show ``shown`` (the choice)."""
    page.locator(".presence-menu summary").click()
    page.locator(".presence-choices").get_by_role("button", name=choice).click()
    # The menu stays open until the page comes back from the server, drawn afresh with the menu closed.
    expect(page.locator(".presence-menu[open]")).to_have_count(0)
    expect(page.locator(".presence-menu summary")).to_have_text(shown or choice)


def queue_chat(console: LiveServer, customer_name: str, first_message: str) -> int:
    """A customer opens a chat and writes; the chat enters the queue, as the widget's session does."""
    with session_scope(console.factory) as session:
        customer = create_customer(
            session, name=customer_name, email=f"{uuid.uuid4().hex[:8]}@example.com", preferred_language="en"
        )
        chat = open_conversation(session, customer_id=customer.id, channel="chat", language="en")
        post_message(session, conversation_id=chat.id, author_kind=AuthorKind.CUSTOMER, body=first_message)
        service.enqueue(session, conversation_id=chat.id, language="en")
        return chat.id


@pytest.fixture
def workspace(page: Page, console: LiveServer) -> Iterator[Workspace]:
    """Emma logged in, online through the header, in the live chats workspace with its socket watching."""
    errors = ConsoleErrors()
    errors.watch(page)
    frames: list[str] = []
    page.on(
        "websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(str(payload)))
    )
    log_in(page, console.url, AGENT_EMAIL)
    choose_status(page, "Online")
    page.get_by_role("link", name="Chats", exact=True).click()
    expect(page).to_have_url(console.at("/chats"))
    expect(page.locator("#chat-connection")).to_have_text("Live")
    current = Workspace(page, frames)
    current.wait_for_frame('"watch_inbox"')
    yield current
    with session_scope(console.factory) as session:  # the next test starts from an empty queue
        for entry in session.scalars(select(QueueEntry)):
            service.remove_from_queue(session, conversation_id=entry.conversation_id)
    assert errors.seen == []


class TestStatusControl:
    def test_the_header_control_sets_the_agent_online_away_and_ends_the_shift(
        self, page: Page, console: LiveServer
    ) -> None:
        errors = ConsoleErrors()
        errors.watch(page)
        log_in(page, console.url, AGENT_EMAIL)
        current = page.locator(".presence-menu summary")
        expect(current).to_have_text("Offline")
        choose_status(page, "Online")
        expect(page).to_have_url(console.at("/inbox"))
        assert presence_of(console, console.seeded).status == "online"
        choose_status(page, "Away")
        assert presence_of(console, console.seeded).status == "away"
        page.locator(".presence-menu summary").click()
        screenshot(page, "presence-menu", full_page=False)
        page.locator(".presence-menu summary").click()
        choose_status(page, "End shift", "Offline")
        presence = presence_of(console, console.seeded)
        assert presence is not None and (presence.status, presence.reason) == ("offline", "shift_end")
        assert errors.seen == []


class TestOfferCard:
    def test_an_offered_chat_pops_up_and_accepting_it_opens_it_in_my_chats(
        self, workspace: Workspace, console: LiveServer, offer_mode: Any
    ) -> None:
        page = workspace.page
        chat_id = queue_chat(console, "Oliver Wright", "My USDT deposit has not arrived after 2 hours.")
        card = page.locator("#chat-offers .offer-card")
        expect(card).to_be_visible()
        expect(card).to_contain_text("Oliver Wright")
        expect(card).to_contain_text("EN")
        expect(card).to_contain_text("My USDT deposit has not arrived")
        expect(card.locator(".offer-countdown")).to_have_text(re.compile(r"^(1\d|20) s$"))  # 20 s to answer
        screenshot(page, "offer-card", full_page=False)
        card.get_by_role("button", name="Accept").click()
        expect(card).to_have_count(0)
        mine = page.locator("#queue-mine .queue-item").filter(has_text="Oliver Wright")
        expect(mine).to_be_visible()
        expect(mine.locator(".badge.new")).to_have_count(0)  # opened, as if clicked
        expect(page.locator("#queue-waiting .queue-item").filter(has_text="Oliver Wright")).to_have_count(0)
        panel = page.locator(".chat-panel").filter(has=page.locator(".chat-name", has_text="Oliver Wright"))
        expect(panel).to_be_visible()
        expect(panel.locator("li.msg-customer").first).to_contain_text("My USDT deposit")
        screenshot(page, "offer-accepted", full_page=False)
        with session_scope(console.factory) as session:
            assert session.get(Conversation, chat_id).assignee_id == console.seeded

    def test_an_offer_still_running_shows_again_after_a_reload(
        self, workspace: Workspace, console: LiveServer, offer_mode: Any
    ) -> None:
        page = workspace.page
        queue_chat(console, "Amelia Scott", "My KYC was rejected, why?")
        card = page.locator("#chat-offers .offer-card").filter(has_text="Amelia Scott")
        expect(card).to_be_visible()
        page.reload()  # the page is drawn with the offers still running, not only those that arrive live
        expect(card).to_be_visible()
        expect(card.locator(".offer-countdown")).to_have_text(re.compile(r"^\d+ s$"))

    def test_declining_an_offer_takes_the_card_away_and_the_chat_goes_to_a_colleague(
        self, workspace: Workspace, console: LiveServer, offer_mode: Any
    ) -> None:
        page = workspace.page
        chat_id = queue_chat(console, "Sophie Turner", "I cannot reset my 2FA.")
        card = page.locator("#chat-offers .offer-card").filter(has_text="Sophie Turner")
        expect(card).to_be_visible()
        noah = set_colleague(console, "online")  # after the offer to Emma, so the chat is hers to decline
        try:
            card.get_by_role("button", name="Decline").click()
            expect(card).to_have_count(0)
            expect(page.locator("#chat-offers-section")).to_be_hidden()
            with session_scope(console.factory) as session:
                entry = session.scalar(select(QueueEntry).where(QueueEntry.conversation_id == chat_id))
                assert entry is not None and entry.offered_agent_id == noah
                assert console.seeded in entry.declined_agent_ids
        finally:
            with session_scope(console.factory) as session:
                service.remove_from_queue(session, conversation_id=chat_id)
            set_colleague(console, "offline")


class TestAutoAssignment:
    def test_a_chat_assigned_automatically_lands_in_my_chats_live(
        self, workspace: Workspace, console: LiveServer
    ) -> None:
        page = workspace.page
        chat_id = queue_chat(console, "Liam Baker", "Withdrawal pending for an hour.")
        mine = page.locator("#queue-mine .queue-item").filter(has_text="Liam Baker")
        expect(mine).to_be_visible()
        expect(page.locator("#queue-waiting .queue-item").filter(has_text="Liam Baker")).to_have_count(0)
        expect(page.locator("#chat-offers .offer-card")).to_have_count(0)
        with session_scope(console.factory) as session:
            assert session.get(Conversation, chat_id).assignee_id == console.seeded
