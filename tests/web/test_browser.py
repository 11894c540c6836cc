"""The agent console end to end: a real server, a seeded floor, and headless Chromium driving it.

One live server (uvicorn in a thread, on a database seeded with the demo floor) serves every test
of this module; xdist keeps them in one group so they share it. Each test gets a fresh browser
context, so each logs in through the real form.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import select

from firstline.config import Settings
from firstline.conversations.models import AuthorKind, Conversation, Status
from firstline.conversations.service import post_message
from firstline.db import make_engine, make_session_factory, migrate, session_scope
from firstline.demo.seed import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
from firstline.web.app import create_app
from tests import harness

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LAPTOP = {"width": 1366, "height": 768}
ITALIAN_AGENT = f"l1.it@{DEMO_DOMAIN}"
SERVER_START_SECONDS = 20.0
LANGUAGES = ("EN", "IT", "PT", "DE", "ES")


# --- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """The screen of the laptop an agent works on."""
    return {**browser_context_args, "viewport": LAPTOP}


class BrowserErrors:
    """JavaScript errors and console errors seen by the test's page."""

    _REFUSED = re.compile(r"server responded with a status of (\d{3})")

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.expected_statuses: set[int] = set()

    def expect_status(self, *statuses: int) -> None:
        """Chromium logs every refused request; these statuses are part of the story being tested."""
        self.expected_statuses.update(statuses)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        refused = self._REFUSED.search(message.text)
        if refused and int(refused.group(1)) in self.expected_statuses:
            return
        self.seen.append(f"{message.text} ({message.location.get('url')})")


@pytest.fixture(autouse=True)
def browser_errors(page: Page) -> Iterator[BrowserErrors]:
    """A test ends with no JavaScript or console error, e.g. nothing the Content-Security-Policy blocked."""
    errors = BrowserErrors()
    page.on("console", errors.on_console)
    page.on("pageerror", lambda error: errors.seen.append(f"page error: {error}"))
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
def live_console(
    fresh_database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveConsole]:
    url = fresh_database_url("browser")
    migrate(url)
    engine = make_engine(url)
    ids = _seed(make_session_factory(engine))
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("browser-data"),
        database_url=url,
        secret_key="browser-test-secret-" + "x" * 32,
    )
    port = harness.free_port()
    config = uvicorn.Config(
        create_app(settings, engine=engine),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)  # in a thread, uvicorn leaves the process's signal handlers alone
    thread = threading.Thread(target=server.run, name="firstline-live-server", daemon=True)
    thread.start()
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}/healthz", thread)
        yield LiveConsole(url=f"http://127.0.0.1:{port}", **ids)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
    assert not thread.is_alive(), "the live server did not stop within 10 s"


def _seed(factory: Any) -> dict[str, Any]:
    """The demo floor, plus a note and an automatic message on one Italian conversation."""
    with session_scope(factory) as session:
        seed_demo(session, seed=7, customers=60, conversations=150)
    with session_scope(factory) as session:
        conversations = list(session.scalars(select(Conversation).order_by(Conversation.id)))
        italian = [c for c in conversations if c.language == "it" and c.status == Status.RESOLVED]
        open_ones = [c for c in conversations if c.status == Status.OPEN]
        assert len(italian) >= 2 and len(open_ones) >= 2, (
            "the demo seed lacks the conversations these tests need"
        )
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


def _wait_until_healthy(url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if not thread.is_alive():
            pytest.fail("the live server thread exited before answering /healthz", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"the live server did not answer {url} within {SERVER_START_SECONDS:.0f}s", pytrace=False
            )
        time.sleep(0.05)


# --- helpers ----------------------------------------------------------------------------------------


def log_in(
    page: Page, console: LiveConsole, email: str = ITALIAN_AGENT, password: str = DEMO_PASSWORD
) -> None:
    page.goto(console.at("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def agent_page(page: Page, live_console: LiveConsole) -> Page:
    """A browser logged in as the Italian L1 agent, on the inbox."""
    log_in(page, live_console)
    expect(page).to_have_url(re.compile(r"/inbox"))
    return page


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """A PNG under test-artifacts/screenshots: the whole page, or what the laptop screen shows.

    The whole page is taken through a window as tall as the page, because Chromium's own full-page
    capture draws sticky elements (top bar, composer) where they sit in the scrolled window.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if full_page:
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": LAPTOP["width"], "height": max(height, LAPTOP["height"])})
        page.screenshot(path=str(path))
        page.set_viewport_size(LAPTOP)
    else:
        page.screenshot(path=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000, f"{path} is only {path.stat().st_size} bytes"
    return path


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
        self, page: Page, live_console: LiveConsole, browser_errors: BrowserErrors
    ) -> None:
        browser_errors.expect_status(401)
        log_in(page, live_console, email=f"l1.de@{DEMO_DOMAIN}", password="not-the-password")
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
        self, agent_page: Page, live_console: LiveConsole, browser_errors: BrowserErrors
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
