"""The complaints register in Chromium: registering a conversation, admissibility, acknowledgement, the
register with its clocks, the CSV export and the report, clicked through by a team lead."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from firstline.agents.service import create_agent
from firstline.cases.complaints.service import register_complaint
from firstline.conversations.models import AuthorKind
from firstline.conversations.service import open_conversation, post_message
from firstline.customers.service import create_customer
from firstline.kit.time import utcnow
from tests.browser import LAPTOP, PASSWORD, ConsoleErrors, screenshot, serve_console
from tests.cases.browser import Desks

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("cases-complaints-browser")]

LEAD = "hannah@complaints.example"
OVERDUE_SUMMARY = "Withdrawal fee charged twice on 2 October."


@dataclass(frozen=True)
class Register:
    url: str
    conversation_id: int  # Pedro's chat, not a complaint yet
    overdue_reference: str  # received 70 days ago and never answered

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": LAPTOP, "accept_downloads": True}


@pytest.fixture(scope="module")
def register(request: pytest.FixtureRequest) -> Iterator[Register]:
    with serve_console(request, "complaints_browser", _seed, run_timers=False) as server:
        yield Register(url=server.url, **server.seeded)


def _seed(session: Session) -> dict[str, Any]:
    lead = create_agent(session, email=LEAD, name="Hannah Becker", password=PASSWORD, roles=["team_lead"])
    pedro = create_customer(session, name="Pedro Alves", email="pedro@example.com", preferred_language="pt")
    chat = open_conversation(session, customer_id=pedro.id, channel="chat", category="fees")
    post_message(
        session,
        conversation_id=chat.id,
        author_kind=AuthorKind.CUSTOMER,
        body="Cobraram-me a taxa de levantamento duas vezes e ninguém me responde. Quero reclamar.",
    )
    lena = create_customer(session, name="Lena Braun", email="lena@example.com", preferred_language="de")
    old_chat = open_conversation(session, customer_id=lena.id, channel="email", category="fees")
    old_chat.created_at = utcnow() - timedelta(days=71)  # an email from ten weeks ago
    session.flush()
    overdue, _ = register_complaint(
        session,
        conversation_id=old_chat.id,
        summary=OVERDUE_SUMMARY,
        received_at=utcnow() - timedelta(days=70),
        actor=lead,
    )
    return {"conversation_id": chat.id, "overdue_reference": overdue.reference}


@pytest.fixture(scope="module")
def desks(register: Register, browser: Browser) -> Desks:
    return Desks(register.url, browser)


class TestComplaintsRegister:
    def test_a_complaint_is_registered_found_admissible_acknowledged_and_shown_with_its_clocks(
        self, page: Page, desks: Desks, register: Register, errors: ConsoleErrors
    ) -> None:
        desks.sit(page, LEAD)
        page.goto(register.at(f"/conversations/{register.conversation_id}"))
        page.locator("#case-link").click()
        page.get_by_label("Summary").last.fill("Withdrawal fee charged twice; no answer for a week.")
        page.get_by_label("Points raised (one per line)").fill(
            "The withdrawal fee was charged twice.\nNobody answered for a week."
        )
        page.get_by_role("button", name="Register").click()
        expect(page).to_have_url(re.compile(r"/complaints/\d+$"))
        heading = page.locator("h1")
        expect(heading).to_contain_text("Complaint")
        reference = heading.inner_text().split()[1]
        clocks = page.locator("#complaint-clocks")
        expect(clocks).to_contain_text("Acknowledgement due")
        expect(clocks).to_contain_text("Legal limit")
        expect(page.locator("ol li")).to_have_count(2)

        page.get_by_label("Reasons").fill("A fee charged by the exchange: within the complaints policy.")
        page.get_by_role("button", name="Record admissibility").click()
        expect(clocks).to_contain_text("admissible: A fee charged by the exchange")
        page.get_by_role("button", name="Send acknowledgement").click()
        expect(page.get_by_role("button", name="Send acknowledgement")).to_be_disabled()
        expect(clocks).to_contain_text("(sent ")

        page.get_by_role("link", name=f"FL-{register.conversation_id:06d}").click()
        acknowledgement = page.locator("#timeline li.msg-agent").filter(has_text=reference)
        expect(acknowledgement).to_have_count(1)
        expect(acknowledgement).to_contain_text("Recebemos a sua reclamação")

        page.get_by_role("link", name="Complaints").click()
        rows = page.locator("#complaints tbody tr")
        ours = rows.filter(has_text=reference)
        expect(ours.locator("td").nth(6)).to_have_text("done")
        expect(ours.locator("td").nth(7)).not_to_be_empty()
        expect(ours.locator("td").nth(9)).to_have_text("")
        overdue = rows.filter(has_text=register.overdue_reference)
        expect(overdue.locator("td .overdue")).to_contain_text("decision")
        screenshot(page, "cases-complaint-register")
        ours.get_by_role("link", name=f"FL-{register.conversation_id:06d}").click()
        expect(page).to_have_url(register.at(f"/conversations/{register.conversation_id}"))

    def test_the_register_exports_to_csv_and_the_report_counts_it(
        self, page: Page, desks: Desks, register: Register, errors: ConsoleErrors
    ) -> None:
        desks.sit(page, LEAD)
        page.get_by_role("link", name="Complaints").click()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Export CSV").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        path = download.path()
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        assert register.overdue_reference in {row.get("reference") for row in rows}, rows[:1]

        page.get_by_role("link", name="Report").click()
        expect(page.locator("h1")).to_have_text("Complaints report")
        expect(page.locator("main")).to_contain_text(f"{len(rows)} complaints.")
        expect(page.locator("#report-steps tbody tr").first).to_be_visible()
        expect(page.locator("main")).to_contain_text("Fees: ")
