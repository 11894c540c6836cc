"""A team lead edits the live chat first-response target, adds a holiday and deletes a policy, in Chromium
on a real server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from firstline.agents.service import create_agent
from firstline.conversations.models import Conversation
from firstline.conversations.service import open_conversation
from firstline.customers.models import Customer
from firstline.customers.service import create_customer
from firstline.db import session_scope
from firstline.sla import calendars, settings
from firstline.sla.models import BusinessCalendar, SlaPolicy
from firstline.sla.service import get_clock
from firstline.timeline.service import EventKind, list_events_of_kinds
from tests.browser import PASSWORD, ConsoleErrors, log_in, screenshot, serve_console

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("sla-settings-browser")]
LEAD = "lead@settings.example"
URGENT = "Withdrawal stuck, margin call"


@dataclass(frozen=True)
class Console:
    url: str
    factory: Any
    lead_id: int


def _seed(session: Any) -> int:
    lead = create_agent(session, email=LEAD, name="Hannah Lead", password=PASSWORD, roles=["team_lead"])
    settings.create_policy(
        session,
        values=settings.PolicyValues(
            name="Live chat", channel="chat", first_response_seconds=30, next_response_seconds=60
        ),
        actor_agent_id=None,
    )
    calendars.create_calendar(
        session,
        values=calendars.CalendarValues(
            name="Lisbon office",
            timezone="Europe/Lisbon",
            hours={day: [(540, 1080)] for day in range(5)},
            holidays={"2026-12-25": "Christmas Day"},
        ),
        actor_agent_id=None,
    )
    _seed_urgent_chats_and_malta(session)
    return lead.id


def _seed_urgent_chats_and_malta(session: Any) -> None:
    """An urgent-chat policy with a chat under way (to delete), and a calendar a policy uses (to keep)."""
    settings.create_policy(
        session,
        values=settings.PolicyValues(
            name="Urgent chats", channel="chat", priority="urgent", first_response_seconds=15
        ),
        actor_agent_id=None,
    )
    customer = create_customer(
        session, name="Luca Bianchi", email="luca@example.com", preferred_language="it"
    )
    open_conversation(session, customer_id=customer.id, channel="chat", priority="urgent", subject=URGENT)
    malta = calendars.create_calendar(
        session,
        values=calendars.CalendarValues(
            name="Malta office",
            timezone="Europe/Malta",
            hours={day: [(480, 1200)] for day in range(5)},
            holidays={},
        ),
        actor_agent_id=None,
    )
    settings.create_policy(
        session,
        values=settings.PolicyValues(
            name="Email Malta", channel="email", first_response_seconds=4 * 3600, calendar_id=malta.id
        ),
        actor_agent_id=None,
    )


@pytest.fixture(scope="module")
def console(request: pytest.FixtureRequest) -> Iterator[Console]:
    with serve_console(request, "sla_settings", _seed, run_timers=False) as server:
        yield Console(server.url, server.factory, server.seeded)


class TestSlaSettingsInTheBrowser:
    def test_a_lead_edits_the_chat_first_response_target_and_new_chats_get_it(
        self, page: Page, console: Console
    ) -> None:
        errors = ConsoleErrors()
        errors.watch(page)
        errors.expect_status(422)  # the refused target is part of the story
        log_in(page, console.url, LEAD)
        page.get_by_role("link", name="Settings").click()
        expect(page.get_by_role("heading", name="SLA policies")).to_be_visible()
        page.get_by_role("link", name="Live chat").click()
        target = page.get_by_label("First response")
        expect(target).to_have_value("30s")
        target.fill("in a bit")
        page.get_by_role("button", name="Save policy").click()
        expect(page.get_by_role("alert")).to_contain_text("'in a bit' is not a duration")
        expect(page.get_by_label("First response")).to_have_value("in a bit")  # nothing typed is lost
        screenshot(page, "sla-policy-refused")
        page.get_by_label("First response").fill("45s")
        page.get_by_role("button", name="Save policy").click()
        expect(page.get_by_role("status")).to_contain_text("Saved")
        row = page.locator("#sla-policies tr", has_text="Live chat")
        expect(row.locator(".target-first")).to_have_text("45s")
        expect(page.locator(".settings-changes")).to_contain_text("Hannah Lead")
        expect(page.locator(".settings-changes")).to_contain_text("first response: 30s → 45s")
        screenshot(page, "sla-policies")
        with session_scope(console.factory) as session:
            customer = create_customer(
                session, name="Ana Costa", email="ana@example.com", preferred_language="pt"
            )
            chat = open_conversation(session, customer_id=customer.id, channel="chat")
            clock = get_clock(session, conversation_id=chat.id, metric="first_response")
            assert clock is not None and clock.target_seconds == 45
        assert errors.seen == []

    def test_a_lead_adds_a_holiday_and_checks_the_next_opening_times(
        self, page: Page, console: Console
    ) -> None:
        log_in(page, console.url, LEAD)
        page.goto(f"{console.url}/settings/sla")
        page.get_by_role("link", name="Lisbon office").click()
        expect(page.locator("#openings li").first).to_contain_text("closes")
        holidays = page.get_by_label("Holidays")
        holidays.fill(holidays.input_value() + "\n2027-01-01 New Year's Day")
        page.get_by_role("button", name="Save calendar").click()
        expect(page.get_by_role("status")).to_contain_text("Check the opening times below")
        expect(page.get_by_label("Holidays")).to_have_value(
            "2026-12-25 Christmas Day\n2027-01-01 New Year's Day"
        )
        history = page.locator(".settings-changes li").first
        expect(history).to_contain_text("Hannah Lead")
        expect(history).to_contain_text("holidays: added 2027-01-01 New Year's Day")
        screenshot(page, "sla-calendar")
        with session_scope(console.factory) as session:
            row = session.query(BusinessCalendar).filter_by(name="Lisbon office").one()
            assert row.holiday_names["2027-01-01"] == "New Year's Day"
            changed = list_events_of_kinds(session, kinds=[EventKind.SLA_CALENDAR_UPDATED], limit=1)[0]
            assert changed.actor_agent_id == console.lead_id

    def test_a_lead_switches_routing_to_offers_and_sees_it_in_force(
        self, page: Page, console: Console
    ) -> None:
        log_in(page, console.url, LEAD)
        page.goto(f"{console.url}/settings/sla")
        page.get_by_role("link", name="Routing").click()
        page.get_by_label("How chats reach agents").select_option("offer")
        page.get_by_label("Offer timeout, seconds").fill("25")
        page.get_by_role("button", name="Save routing settings").click()
        expect(page.get_by_role("status")).to_contain_text("Saved")
        in_force = page.locator("#routing-in-force")
        expect(in_force).to_contain_text("Offer")
        expect(in_force).to_contain_text("25 s")
        expect(page.locator(".settings-changes li").first).to_contain_text("Hannah Lead")
        screenshot(page, "routing-settings")

    def test_a_lead_deletes_a_policy_and_chats_under_way_keep_their_clocks(
        self, page: Page, console: Console
    ) -> None:
        errors = ConsoleErrors()
        errors.watch(page)
        log_in(page, console.url, LEAD)
        page.goto(f"{console.url}/settings/sla")
        page.get_by_role("link", name="Urgent chats").click()
        page.get_by_role("link", name="Delete policy…").click()
        confirm = page.locator("#delete-confirm")
        expect(confirm.get_by_role("heading", name="Urgent chats")).to_be_visible()
        expect(confirm).to_contain_text("1 conversation clock running or paused under this policy keeps")
        expect(confirm).to_contain_text("get the policy Live chat")
        shot = screenshot(page, "sla-policy-delete-confirm")
        assert shot.stat().st_size > 10_000
        page.get_by_role("button", name="Delete policy").click()
        expect(page.get_by_role("status")).to_contain_text("Policy deleted")
        expect(page.locator("#sla-policies")).not_to_contain_text("Urgent chats")
        expect(page.locator(".settings-changes li").first).to_contain_text("Urgent chats: deleted")
        expect(page.locator(".settings-changes li").first).to_contain_text("Hannah Lead")
        screenshot(page, "sla-policy-deleted")
        with session_scope(console.factory) as session:
            under_way = session.query(Conversation).filter_by(subject=URGENT).one()
            kept = get_clock(session, conversation_id=under_way.id, metric="first_response")
            assert kept is not None and (kept.target_seconds, kept.policy_id) == (15, None)
            live_chat = session.query(SlaPolicy).filter_by(name="Live chat").one()
            customer = session.query(Customer).filter_by(email="luca@example.com").one()
            chat = open_conversation(session, customer_id=customer.id, channel="chat", priority="urgent")
            clock = get_clock(session, conversation_id=chat.id, metric="first_response")
            assert clock is not None and clock.policy_id == live_chat.id
            assert clock.target_seconds == live_chat.first_response_seconds
        assert errors.seen == []

    def test_a_calendar_a_policy_still_uses_cannot_be_deleted(self, page: Page, console: Console) -> None:
        log_in(page, console.url, LEAD)
        page.goto(f"{console.url}/settings/sla#calendars")
        page.locator("#sla-calendars").get_by_role("link", name="Malta office").click()
        page.get_by_role("link", name="Delete calendar…").click()
        expect(page.locator("#delete-blocked")).to_contain_text(
            "cannot be deleted while a policy uses it: Email Malta"
        )
        expect(page.get_by_role("button", name="Delete calendar")).to_have_count(0)
        screenshot(page, "sla-calendar-delete-refused")
        page.get_by_role("link", name="Cancel").click()
        expect(page.get_by_role("heading", name="Business hours: Malta office")).to_be_visible()
