"""The transcript by email in Chromium: the visitor asks from the widget, the agent from the console.

It reuses the live chat browser module's server, people and helpers (a server of its own, seeded the
same way), so the widget runs exactly as on the demo exchange's page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select

from firstline.db import make_engine, make_session_factory, session_scope
from firstline.email.models import OutboundKind, OutboundMail, OutboundState
from tests.browser import ConsoleErrors
from tests.chat import test_browser_chat as chat_module
from tests.chat.test_browser_chat import Agent, Customer, LiveSite, _conversation_id_of

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-chat-transcript")]

chat_browser = chat_module.chat_browser
live_site = chat_module.live_site
browser_errors = chat_module.browser_errors
people = chat_module.people


def _outbox(site: LiveSite, conversation_id: int) -> list[tuple[str, str, str]]:
    engine = make_engine(site.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            rows = session.scalars(
                select(OutboundMail).where(OutboundMail.conversation_id == conversation_id)
            )
            return [(row.to_address, row.kind, row.state) for row in rows]
    finally:
        engine.dispose()


class TestTranscriptByEmail:
    def test_a_german_visitor_is_asked_for_a_valid_address_and_sees_the_transcript_is_on_its_way(
        self,
        people: Callable[[str], tuple[Customer, Agent, BrowserContext]],
        browser_errors: ConsoleErrors,
        live_site: LiveSite,
    ) -> None:
        customer, agent, _ = people("de")
        browser_errors.expect_status(422)  # the server asks for an address: part of the story
        agent.log_in("l1.de")
        agent.open_workspace()
        customer.visit()
        customer.start_chat(
            launcher="Mit dem Support chatten", name_label="Name", topic_label="Thema",
            start="Chat starten", name="Lena Wagner",
        )  # fmt: skip
        customer.send("Hallo, meine SOL-Auszahlung hängt seit gestern.")
        panel = agent.take_waiting_chat("Lena Wagner")
        agent.reply(panel, "Hallo Lena! Ich sehe mir die Auszahlung an.")
        expect(customer.bubble("Ich sehe mir die Auszahlung an")).to_be_visible()

        # No address was given in the pre-chat form: the widget asks for one, and checks it.
        customer.page.get_by_role("link", name="Verlauf per E-Mail senden").click()
        address = customer.page.get_by_label("An welche E-Mail-Adresse sollen wir den Verlauf senden?")
        expect(address).to_be_focused()
        address.fill("lena.wagner@")
        customer.page.get_by_role("button", name="Verlauf senden").click()
        expect(customer.page.locator(".fl-email-form .fl-form-error")).to_have_text(
            "Geben Sie eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de."
        )
        expect(address).to_have_attribute("aria-invalid", "true")
        customer.screenshot("chat-de-customer-transcript-address")
        address.fill("lena.wagner@example.de")
        customer.page.get_by_role("button", name="Verlauf senden").click()
        confirmation = customer.page.locator(".fl-email-status.fl-ok")
        expect(confirmation).to_have_text("Der Verlauf ist unterwegs an l***@example.de.")
        expect(customer.page.locator(".fl-email-form")).to_be_hidden()
        customer.screenshot("chat-de-customer-transcript-emailed")

        conversation_id = _conversation_id_of(live_site, "Lena Wagner")
        assert _outbox(live_site, conversation_id) == [
            ("lena.wagner@example.de", OutboundKind.AUTOMATIC, OutboundState.QUEUED)
        ]

        # The agent's button goes through the same service: this customer has no address on file.
        panel.get_by_role("button", name="Email transcript").click()
        expect(panel.locator(".chat-alert")).to_have_text("The customer has no email address on file.")

        # The conversation page shows the request on the timeline, with the address masked.
        agent.page.goto(live_site.at(f"/conversations/{conversation_id}"))
        event = agent.page.locator("#timeline li.event").filter(has_text="Transcript emailed")
        expect(event).to_contain_text("l***@example.de")
        expect(agent.page.locator("#timeline")).not_to_contain_text("lena.wagner@example.de")
        agent.screenshot("chat-de-agent-transcript-timeline")

    def test_an_agent_emails_the_transcript_to_the_address_given_in_the_pre_chat_form(
        self,
        people: Callable[[str], tuple[Customer, Agent, BrowserContext]],
        live_site: LiveSite,
    ) -> None:
        customer, agent, _ = people("it")
        agent.log_in("l1.it")
        agent.open_workspace()
        customer.visit()
        customer.launcher.click()
        customer.page.get_by_label("Nome", exact=True).fill("Sara Ricci")
        customer.page.get_by_label(re.compile("^Email")).fill("sara.ricci@example.it")
        customer.page.get_by_label("Argomento", exact=True).select_option("withdrawal_pending")
        customer.page.get_by_role("button", name="Inizia la chat").click()
        customer.send("Ciao, il mio prelievo è in attesa da ore.")
        panel = agent.take_waiting_chat("Sara Ricci")
        agent.reply(panel, "Ciao Sara, verifico subito.")

        panel.get_by_role("button", name="Email transcript").click()
        expect(panel.locator(".chat-notice")).to_have_text("Transcript queued for s***@example.it.")
        agent.screenshot("chat-it-agent-transcript-emailed")
        customer.page.get_by_role("link", name="Inviami la trascrizione via email").click()
        expect(customer.page.locator(".fl-email-status.fl-ok")).to_have_text(
            "La trascrizione è in arrivo a s***@example.it."
        )
        conversation_id = _conversation_id_of(live_site, "Sara Ricci")
        assert [row[0] for row in _outbox(live_site, conversation_id)] == ["sara.ricci@example.it"] * 2

        # The conversation page has the same action, as a form.
        agent.page.goto(live_site.at(f"/conversations/{conversation_id}"))
        agent.page.get_by_role("button", name="Email the transcript to the customer").click()
        emailed = agent.page.locator("#timeline li.event").filter(has_text="Transcript emailed")
        expect(emailed).to_have_count(3)
        expect(emailed.last).to_contain_text("s***@example.it")
        assert len(_outbox(live_site, conversation_id)) == 3
        agent.screenshot("chat-it-agent-transcript-conversation-page")
