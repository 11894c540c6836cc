"""The agent console end to end: a real server, a seeded floor, and headless Chromium driving it.

One live server (uvicorn in a thread, on a database seeded with the demo floor) serves every test
of this module; xdist keeps them in one group so they share it. Each test gets a fresh browser
context, so each logs in through the real form.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.conversations.models import AuthorKind, Conversation, Status
from firstline.conversations.service import post_message
from firstline.demo.seed import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
from tests.browser import LAPTOP, ConsoleErrors, screenshot, serve_console, submit_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ITALIAN_AGENT = f"l1.it@{DEMO_DOMAIN}"
LANGUAGES = ("EN", "IT", "PT", "DE", "ES")


# --- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """The screen of the laptop an agent works on."""
    return {**browser_context_args, "viewport": LAPTOP}


@pytest.fixture(autouse=True)
def browser_errors(page: Page) -> Iterator[ConsoleErrors]:
    """A test ends with no JavaScript or console error, e.g. nothing the Content-Security-Policy blocked."""
    errors = ConsoleErrors()
    errors.watch(page)
    yield errors
    assert errors.seen == []


# --- the live server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveConsole:
    """A running console and the seeded conversations the tests work on."""

    url: str
    showcase_id: int  # Italian, resolved: customer and agent messages, a note and an automatic message
    showcase_reference: str
    reply_id: int  # not closed, so it has a composer
    status_id: int  # open
    closing_id: int  # open; a test closes it behind the agent's back

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture(scope="module")
def live_console(request: pytest.FixtureRequest) -> Iterator[LiveConsole]:
    with serve_console(request, "browser", _seed) as server:
        yield LiveConsole(url=server.url, **server.seeded)


def _seed(session: Session) -> dict[str, Any]:
    """The demo floor, plus a note and an automatic message on one Italian conversation."""
    seed_demo(session, seed=7, customers=60, conversations=150)
    session.commit()
    conversations = list(session.scalars(select(Conversation).order_by(Conversation.id)))
    italian = [c for c in conversations if c.language == "it" and c.status == Status.RESOLVED]
    open_ones = [c for c in conversations if c.status == Status.OPEN]
    assert len(italian) >= 2 and len(open_ones) >= 2, "the demo seed lacks the conversations these tests need"
    showcase, reply_target = italian[0], italian[1]
    post_message(
        session,
        conversation_id=showcase.id,
        author_kind=AuthorKind.NOTE,
        author_agent_id=showcase.assignee_id,
        body="Deposit found on chain with 12 confirmations; credited manually. Watch for a repeat.",
    )
    post_message(
        session,
        conversation_id=showcase.id,
        author_kind=AuthorKind.SYSTEM,
        body="This conversation was marked as resolved. Reply to this message if you still need help.",
    )
    return {
        "showcase_id": showcase.id,
        "showcase_reference": showcase.reference,
        "reply_id": reply_target.id,
        "status_id": open_ones[0].id,
        "closing_id": open_ones[1].id,
    }


# --- helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def agent_page(page: Page, live_console: LiveConsole) -> Page:
    """A browser logged in as the Italian L1 agent, on the inbox."""
    submit_login(page, live_console.url, ITALIAN_AGENT, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/inbox"))
    return page


def inbox_language_badges(page: Page) -> Any:
    return page.locator("table.inbox tbody tr .badge.lang")


# --- the tests --------------------------------------------------------------------------------------


class TestLogin:
    def test_an_agent_logs_in_through_the_form_and_lands_on_the_inbox(
        self, page: Page, live_console: LiveConsole
    ) -> None:
        page.goto(live_console.at("/inbox"))
        expect(page).to_have_url(re.compile(r"/login\?next=/inbox"))
        page.get_by_label("Email").fill(ITALIAN_AGENT)
        screenshot(page, "login")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(live_console.at("/inbox"))
        expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    def test_a_wrong_password_shows_the_error_on_the_login_page(
        self, page: Page, live_console: LiveConsole, browser_errors: ConsoleErrors
    ) -> None:
        browser_errors.expect_status(401)
        submit_login(page, live_console.url, f"l1.de@{DEMO_DOMAIN}", "not-the-password")
        expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
        expect(page.get_by_label("Email")).to_have_value(f"l1.de@{DEMO_DOMAIN}")
        expect(page.get_by_label("Password")).to_have_value("")
        screenshot(page, "login-error")


class TestInbox:
    def test_any_status_shows_conversations_in_all_five_languages(
        self, agent_page: Page, live_console: LiveConsole
    ) -> None:
        agent_page.get_by_label("Status").select_option("any")
        agent_page.get_by_role("button", name="Filter").click()
        expect(agent_page).to_have_url(re.compile(r"status=any"))
        expect(inbox_language_badges(agent_page)).to_have_count(50)  # one full page
        seen = set(inbox_language_badges(agent_page).all_inner_texts())
        assert seen == set(LANGUAGES)
        expect(agent_page.locator("table.inbox .badge.vip").first).to_be_visible()
        screenshot(agent_page, "inbox")
        screenshot(agent_page, "inbox-screen", full_page=False)

    def test_filtering_by_italian_shows_only_italian_rows(
        self, agent_page: Page, live_console: LiveConsole
    ) -> None:
        agent_page.goto(live_console.at("/inbox?status=any"))
        agent_page.get_by_label("Language").select_option("it")
        agent_page.get_by_role("button", name="Filter").click()
        expect(agent_page).to_have_url(re.compile(r"language=it"))
        expect(inbox_language_badges(agent_page).filter(has_not_text="IT")).to_have_count(0)
        assert inbox_language_badges(agent_page).count() > 5
        expect(agent_page.get_by_label("Language")).to_have_value("it")

    def test_a_filter_that_matches_nothing_says_so(self, agent_page: Page, live_console: LiveConsole) -> None:
        agent_page.goto(live_console.at("/inbox?status=pending&language=de&category=api"))
        expect(agent_page.locator(".empty-state")).to_contain_text("No conversations match")
        expect(agent_page.locator("table.inbox")).to_have_count(0)


class TestConversation:
    def test_opening_a_conversation_shows_its_timeline(
        self, agent_page: Page, live_console: LiveConsole
    ) -> None:
        agent_page.goto(live_console.at("/inbox?status=any&language=it"))
        agent_page.get_by_role("link", name=live_console.showcase_reference, exact=True).click()
        expect(agent_page).to_have_url(live_console.at(f"/conversations/{live_console.showcase_id}"))
        timeline = agent_page.locator("#timeline")
        expect(timeline.locator("li.msg-customer").first).to_be_visible()
        expect(timeline.locator("li.msg-agent").first).to_be_visible()
        expect(timeline.locator("li.msg-note")).to_contain_text("Internal note")
        expect(timeline.locator("li.msg-system")).to_contain_text("Automatic")
        expect(agent_page.locator("aside .customer-card")).to_be_visible()
        expect(agent_page.locator("#composer")).to_be_in_viewport()
        screenshot(agent_page, "conversation-screen", full_page=False)  # opens at the latest message
        agent_page.emulate_media(color_scheme="dark")
        screenshot(agent_page, "conversation-dark", full_page=False)
        agent_page.emulate_media(color_scheme="light")
        screenshot(agent_page, "conversation")

    def test_a_reply_appears_in_the_timeline_and_survives_a_reload(
        self, agent_page: Page, live_console: LiveConsole
    ) -> None:
        agent_page.goto(live_console.at(f"/conversations/{live_console.reply_id}"))
        reply = f"Ciao! Ho controllato: il deposito è accreditato. Rif. {uuid.uuid4().hex[:8]}"
        agent_page.locator("textarea[name='body']").fill(reply)
        agent_page.get_by_role("button", name="Send").click()
        sent = agent_page.locator("#timeline li.msg-agent").last
        expect(sent).to_contain_text(reply)
        expect(agent_page.locator("textarea[name='body']")).to_have_value("")
        agent_page.reload()
        expect(agent_page.locator("#timeline li.msg-agent").filter(has_text=reply)).to_have_count(1)

    def test_an_internal_note_sent_with_ctrl_enter_is_shown_as_a_note(
        self, agent_page: Page, live_console: LiveConsole
    ) -> None:
        agent_page.goto(live_console.at(f"/conversations/{live_console.reply_id}"))
        note = f"Checked the TRC20 deposit on chain; customer may ask again. {uuid.uuid4().hex[:8]}"
        agent_page.get_by_label("Internal note").check()
        composer = agent_page.locator("textarea[name='body']")
        composer.fill(note)
        composer.press("Control+Enter")
        shown = agent_page.locator("#timeline li").filter(has_text=note)
        expect(shown).to_have_count(1)
        expect(shown).to_have_class(re.compile(r"\bmsg-note\b"))
        expect(shown).to_contain_text("Internal note")

    def test_the_status_goes_to_pending_and_back_to_open(
        self, agent_page: Page, live_console: LiveConsole
    ) -> None:
        agent_page.goto(live_console.at(f"/conversations/{live_console.status_id}"))
        status = agent_page.locator("#conversation-status")
        expect(status).to_have_text("Open")
        agent_page.get_by_role("button", name="Mark pending").click()
        expect(status).to_have_text("Pending")
        expect(agent_page.locator("#timeline li.event").last).to_contain_text("Open → Pending")
        agent_page.get_by_role("button", name="Reopen").click()
        expect(status).to_have_text("Open")
        expect(agent_page.locator("#timeline li.event").last).to_contain_text("Pending → Open")

    def test_a_reply_to_a_conversation_closed_meanwhile_says_why_it_was_refused(
        self, agent_page: Page, live_console: LiveConsole, browser_errors: ConsoleErrors
    ) -> None:
        browser_errors.expect_status(409)
        conversation_url = live_console.at(f"/conversations/{live_console.closing_id}")
        agent_page.goto(conversation_url)
        other_tab = agent_page.context.new_page()
        other_tab.goto(conversation_url)
        other_tab.get_by_role("button", name="Mark closed").click()
        expect(other_tab.locator("#conversation-status")).to_have_text("Closed")
        other_tab.close()

        agent_page.locator("textarea[name='body']").fill("Ciao, ci sono novità sul suo deposito.")
        agent_page.get_by_role("button", name="Send").click()
        expect(agent_page.get_by_role("alert")).to_contain_text("is closed")
        agent_page.get_by_role("link", name="Back to the page").click()
        expect(agent_page.locator("#conversation-status")).to_have_text("Closed")
        expect(agent_page.locator("#composer")).to_have_count(0)


class TestLogout:
    def test_logging_out_lands_on_the_login_page(self, agent_page: Page, live_console: LiveConsole) -> None:
        agent_page.get_by_role("button", name="Log out").click()
        expect(agent_page).to_have_url(live_console.at("/login"))
        expect(agent_page.get_by_role("button", name="Log in")).to_be_visible()
        agent_page.goto(live_console.at("/inbox"))
        expect(agent_page).to_have_url(re.compile(r"/login\?next=/inbox"))
