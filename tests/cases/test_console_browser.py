"""The cases console in Chromium: categorizing, escalating and sending back, @mentions, compliance
confidentiality, incidents, search and the customer timeline, clicked through as a support lead would.

One live server on a floor seeded here serves the whole module; each agent works in a browser context
of their own, logged in through the real form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.agents.service import create_agent, create_team
from firstline.attachments.models import Attachment
from firstline.cases.complaints.service import register_complaint
from firstline.cases.service import Handoff, escalate, set_case_fields
from firstline.conversations.models import AuthorKind, Conversation
from firstline.conversations.service import change_status, open_conversation, post_message
from firstline.customers.service import create_customer
from firstline.kit.time import utcnow
from firstline.sla.service import fire_due_clocks
from tests.browser import LAPTOP, PASSWORD, ConsoleErrors, screenshot, serve_console
from tests.cases.browser import Desks, main_text, submit_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("cases-browser")]

DOMAIN = "cases.example"
L1, L2, COMPLIANCE, LEAD = (f"{who}@{DOMAIN}" for who in ("giulia", "lukas", "marta", "hannah"))
TXID = "7f" * 32  # a well-formed TRC20 transaction id
WITHDRAWAL = {  # the case fields as the L1 agent types them, by label
    "Exchange UID": "48213377",
    "Coin": "usdt",
    "Network": "TRC20",
    "Amount": "250",
    "Withdrawal id": "W-88123",
    "TxID": TXID.upper(),
}
SEARCH_WORD = "kryptonite"
SECRET_WORDS = ("QX-4471", "sanctions")  # only compliance may ever read these
UPDATES = {
    "en": "TRC20 withdrawals are flowing again; yours has been sent.",
    "it": "I prelievi TRC20 sono di nuovo regolari; il suo è stato inviato.",
    "pt": "Os levantamentos TRC20 voltaram ao normal; o seu já foi enviado.",
}


@dataclass(frozen=True)
class Floor:
    url: str
    escalation_id: int  # João's pending withdrawal, category still "other", a screenshot attached
    mention_id: int
    frozen_id: int  # Dmitri's frozen account, on which compliance writes
    frozen_customer_id: int
    incident_ids: dict[str, int]  # language -> an open chat affected by the TRC20 incident
    search_ids: dict[str, int]  # label -> a conversation mentioning SEARCH_WORD
    ana_id: int  # chat, email, escalation, complaint and SLA events, in that order
    ana_duplicate_id: int  # Ana again, under another email, with a chat of her own
    ana_duplicate_chat_id: int

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": LAPTOP}


@pytest.fixture(scope="module")
def floor(request: pytest.FixtureRequest) -> Iterator[Floor]:
    with serve_console(request, "cases_browser", _seed, run_timers=False) as server:
        yield Floor(url=server.url, **server.seeded)


@pytest.fixture(scope="module")
def desks(floor: Floor, browser: Browser) -> Desks:
    return Desks(floor.url, browser)


# --- the floor --------------------------------------------------------------------------------------


def _seed(session: Session) -> dict[str, Any]:
    giulia = create_agent(
        session,
        email=L1,
        name="Giulia Rossi",
        password=PASSWORD,
        roles=["agent_l1"],
        languages={"it": "native", "en": "fluent", "pt": "fluent"},
    )
    create_agent(session, email=L2, name="Lukas Weber", password=PASSWORD, roles=["agent_l2"], tier="l2")
    create_agent(
        session,
        email=COMPLIANCE,
        name="Marta Ortega",
        password=PASSWORD,
        roles=["compliance"],
        tier="compliance",
    )
    create_agent(session, email=LEAD, name="Hannah Becker", password=PASSWORD, roles=["team_lead"])
    create_team(session, name="L2 Payments", tier="l2")
    ana = _seed_timeline(session, giulia)
    return {
        "escalation_id": _seed_escalation(session),
        "mention_id": _chat(session, "Marco Bianchi", "it", "Il mio deposito BTC non è arrivato.").id,
        **_seed_frozen(session),
        "incident_ids": {
            language: _chat(session, f"Incident {language}", language, "Where is my TRC20 withdrawal?").id
            for language in ("it", "pt", "en")
        },
        "search_ids": _seed_search(session),
        **ana,
    }


def _customer(session: Session, name: str, language: str, **fields: Any) -> Any:
    email = fields.pop("email", f"{name.lower().replace(' ', '.')}@example.com")
    return create_customer(session, name=name, email=email, preferred_language=language, **fields)


def _chat(session: Session, name: str, language: str, first_message: str, **fields: Any) -> Conversation:
    customer = _customer(session, name, language)
    conversation = open_conversation(session, customer_id=customer.id, channel="chat", **fields)
    post_message(
        session, conversation_id=conversation.id, author_kind=AuthorKind.CUSTOMER, body=first_message
    )
    return conversation


def _attach(session: Session, conversation_id: int, filename: str) -> Attachment:
    message = post_message(
        session, conversation_id=conversation_id, author_kind=AuthorKind.CUSTOMER, body="Screenshot."
    ).message
    attachment = Attachment(
        message_id=message.id, sha256="2" * 64, filename=filename, content_type="image/png", size=2048
    )
    session.add(attachment)
    session.flush()
    return attachment


def _seed_escalation(session: Session) -> int:
    customer = _customer(session, "João Silva", "pt", exchange_uid="48213377")
    chat = open_conversation(session, customer_id=customer.id, channel="chat")
    post_message(
        session,
        conversation_id=chat.id,
        author_kind=AuthorKind.CUSTOMER,
        body="Olá, o meu levantamento de 250 USDT em TRC20 está pendente há 5 horas.",
    )
    _attach(session, chat.id, "levantamento.png")
    return chat.id


def _seed_frozen(session: Session) -> dict[str, int]:
    chat = _chat(session, "Dmitri Volkov", "en", "My account is frozen. Why?", category="account_frozen")
    return {"frozen_id": chat.id, "frozen_customer_id": chat.customer_id}


def _seed_search(session: Session) -> dict[str, int]:
    found = {}
    for label, language, category, status in (
        ("it-fees-pending", "it", "fees", "pending"),
        ("it-deposit-open", "it", "deposit_not_credited", "open"),
        ("de-fees-open", "de", "fees", "open"),
        ("es-api-resolved", "es", "api", "resolved"),
    ):
        chat = _chat(
            session, f"Search {label}", language, f"Question about {SEARCH_WORD} ({label})", category=category
        )
        change_status(session, conversation_id=chat.id, status=status, actor_agent_id=None)
        found[label] = chat.id
    return found


def _seed_timeline(session: Session, giulia: Agent) -> dict[str, int]:
    """Ana's history, one thing after another; her duplicate comes from an old email address."""
    ana = _customer(session, "Ana Costa", "es", exchange_uid="77120045")
    chat = open_conversation(session, customer_id=ana.id, channel="chat", category="deposit_not_credited")
    post_message(
        session, conversation_id=chat.id, author_kind=AuthorKind.CUSTOMER, body="Hola, mi depósito no llega."
    )
    email = open_conversation(
        session, customer_id=ana.id, channel="email", subject="Comisión cobrada dos veces"
    )
    post_message(
        session,
        conversation_id=email.id,
        author_kind=AuthorKind.CUSTOMER,
        body="Me cobraron la comisión dos veces.",
    )
    evidence = _attach(session, chat.id, "deposito.png")
    fields = {"uid": "77120045", "coin": "USDT", "network": "TRC20", "amount": "90", "txid": TXID}
    set_case_fields(session, conversation_id=chat.id, fields=fields, actor_agent_id=giulia.id)
    escalate(
        session,
        conversation_id=chat.id,
        handoff=Handoff(
            to_tier="l2",
            summary="USDT deposit on TRC20 not credited after a day.",
            steps_taken="Checked the TxID on Tronscan: confirmed.",
            customer_impact="90 USDT unavailable to the customer.",
            evidence_attachment_ids=(evidence.id,),
        ),
        actor=giulia,
    )
    register_complaint(session, conversation_id=email.id, summary="Fee charged twice.", actor=giulia)
    fire_due_clocks(session, now=utcnow() + timedelta(days=3))  # Ana's first responses are long overdue
    duplicate = _customer(session, "Ana C.", "es", email="ana.old@example.com")
    old_chat = open_conversation(session, customer_id=duplicate.id, channel="chat")
    post_message(session, conversation_id=old_chat.id, author_kind=AuthorKind.CUSTOMER, body="¿Y mi retiro?")
    return {"ana_id": ana.id, "ana_duplicate_id": duplicate.id, "ana_duplicate_chat_id": old_chat.id}


def reference(conversation_id: int) -> str:
    return f"FL-{conversation_id:06d}"


# --- the tests --------------------------------------------------------------------------------------


class TestEscalation:
    def test_an_l1_agent_categorizes_fixes_a_txid_escalates_and_reads_why_l2_sent_it_back(
        self, page: Page, desks: Desks, floor: Floor, errors: ConsoleErrors
    ) -> None:
        errors.expect_status(422)
        desks.sit(page, L1)
        page.goto(floor.at(f"/conversations/{floor.escalation_id}"))
        page.locator("#case-link").click()
        expect(page).to_have_url(floor.at(f"/conversations/{floor.escalation_id}/case"))
        page.locator("#category-form select").select_option("withdrawal_pending")
        page.get_by_role("button", name="Set category").click()
        expect(page.locator(".page-head")).to_contain_text("Withdrawal pending")
        expect(page.locator("#missing-fields")).to_contain_text("withdrawal_id")

        fields = page.locator("#case-fields")
        for label, value in {**WITHDRAWAL, "TxID": "not-a-transaction-hash"}.items():
            fields.get_by_label(label).fill(value)
        page.get_by_role("button", name="Save fields").click()
        expect(page.get_by_role("alert")).to_contain_text("TxID: A TRC20 transaction id is 64 hexadecimal")
        page.get_by_role("link", name="Back to the page").click()
        expect(fields.get_by_label("TxID")).to_have_value("")  # nothing of the refused form was stored
        for label, value in WITHDRAWAL.items():
            fields.get_by_label(label).fill(value)
        page.get_by_role("button", name="Save fields").click()
        expect(fields.get_by_label("TxID")).to_have_value(TXID)  # normalized to lower case
        expect(fields.get_by_label("Coin")).to_have_value("USDT")
        expect(page.locator("#missing-fields")).to_have_count(0)

        form = page.locator("#escalate-form")
        form.locator("select[name=to_tier]").select_option("l2")
        form.get_by_label("Summary").fill("USDT withdrawal on TRC20 pending for 5 hours.")
        form.get_by_role("button", name="Escalate").click()
        refusal = page.get_by_role("alert")
        expect(refusal).to_contain_text("The handoff is incomplete")
        for missing in ("steps already taken", "customer impact", "evidence"):
            expect(refusal).to_contain_text(missing)
        expect(refusal).not_to_contain_text("summary")
        screenshot(page, "cases-escalation-refused")

        page.get_by_role("link", name="Back to the page").click()
        form.locator("select[name=to_tier]").select_option("l2")
        form.get_by_label("Summary").fill("USDT withdrawal on TRC20 pending for 5 hours.")
        form.get_by_label("Steps already taken").fill("Checked the withdrawal queue: stuck at broadcast.")
        form.get_by_label("Customer impact").fill("250 USDT on hold; the customer needs it today.")
        form.get_by_label("levantamento.png").check()
        form.get_by_role("button", name="Escalate").click()
        handoff = page.locator("article.escalation")
        expect(handoff).to_contain_text("L1 → L2 · Open")
        expect(handoff).to_contain_text("W-88123")
        expect(page.locator(".page-head")).to_contain_text("Tier L2")

        lukas = desks.another(L2, errors)
        lukas.locator("select[name=team]").select_option(label="L2 Payments")
        lukas.get_by_role("button", name="Filter").click()
        lukas.get_by_role("link", name=reference(floor.escalation_id), exact=True).click()
        lukas.locator("#case-link").click()
        expect(lukas.locator("article.escalation")).to_contain_text("Checked the withdrawal queue")
        reason = "The withdrawal id belongs to another account; ask the customer for the right one."
        lukas.locator("#return-form").get_by_label("Send back, because").fill(reason)
        lukas.get_by_role("button", name="Send back").click()
        expect(lukas.locator("article.escalation")).to_contain_text("L1 → L2 · Returned")
        lukas.context.close()

        page.reload()
        expect(page.locator("article.escalation")).to_contain_text(f"Sent back{reason}")
        expect(page.locator(".page-head")).to_contain_text("Tier L1")
        page.get_by_role("link", name="Mentions").click()
        expect(page.locator("#mentions")).to_contain_text(
            f"Lukas Weber sent {reference(floor.escalation_id)} back"
        )


class TestMentions:
    def test_a_colleague_mentioned_in_an_internal_note_finds_it_on_their_mentions_page(
        self, page: Page, desks: Desks, floor: Floor, errors: ConsoleErrors
    ) -> None:
        desks.sit(page, L1)
        page.goto(floor.at(f"/conversations/{floor.mention_id}"))
        note = "@lukas can you check the BTC node backlog for this deposit?"
        page.get_by_label("Internal note").check()
        page.locator("textarea[name='body']").fill(note)
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#timeline li.msg-note").filter(has_text=note)).to_have_count(1)

        lukas = desks.another(L2, errors)
        lukas.get_by_role("link", name="Mentions").click()
        mention = lukas.locator("#mentions li").filter(has_text=note)
        expect(mention).to_have_count(1)
        expect(mention).to_contain_text(f"Mentioned in a note on {reference(floor.mention_id)}")
        mention.get_by_role("link", name=reference(floor.mention_id)).click()
        expect(lukas).to_have_url(floor.at(f"/conversations/{floor.mention_id}"))
        lukas.context.close()


class TestComplianceConfidentiality:
    def test_what_compliance_writes_leaves_no_trace_an_l1_agent_can_see(
        self, page: Page, desks: Desks, floor: Floor, errors: ConsoleErrors
    ) -> None:
        giulia = desks.another(L1, errors)
        customer_page = floor.at(f"/customers/{floor.frozen_customer_id}")
        giulia.goto(customer_page)
        before = main_text(giulia)
        desks.sit(page, COMPLIANCE)
        page.goto(floor.at(f"/conversations/{floor.frozen_id}/case"))
        expect(page.locator("#neutral-replies li").first).to_be_visible()
        page.get_by_label("Note only compliance sees").fill(
            "Matched the sanctions list; report QX-4471 filed."
        )
        page.get_by_role("button", name="Add compliance note").click()
        expect(page.locator("p.note")).to_contain_text("report QX-4471 filed")
        page.get_by_role("link", name="Compliance", exact=True).click()
        page.get_by_label("Customer number").fill(str(floor.frozen_customer_id))
        page.get_by_label("Subject").fill("Enhanced due diligence QX-4471")
        page.get_by_role("button", name="Open compliance case").click()
        expect(page.locator("#compliance-cases")).to_contain_text("Enhanced due diligence QX-4471")
        page.goto(floor.at(f"/customers/{floor.frozen_customer_id}"))  # compliance sees its own records
        expect(page.locator("#customer-timeline")).to_contain_text("QX-4471")
        page.goto(floor.at("/search?q=sanctions"))
        expect(page.locator("#search-results")).to_contain_text("QX-4471")

        giulia.goto(customer_page)
        assert main_text(giulia) == before  # not a line more, not a line less
        for path, shown in (
            (f"/customers/{floor.frozen_customer_id}", "My account is frozen. Why?"),
            (f"/conversations/{floor.frozen_id}", "My account is frozen. Why?"),
            (f"/conversations/{floor.frozen_id}/case", "Neutral replies (account frozen)"),
        ):
            giulia.goto(floor.at(path))
            expect(giulia.locator("main")).to_contain_text(shown)
            _assert_no_trace(main_text(giulia), path)
        for query in ("sanctions", "QX-4471", "diligence"):
            giulia.goto(floor.at(f"/search?q={query}"))
            expect(giulia.locator("main")).to_contain_text(f"Nothing matches “{query}”")
        expect(giulia.locator("nav[aria-label='Main']")).not_to_contain_text("Compliance")
        giulia.context.close()


def _assert_no_trace(text: str, where: str) -> None:
    lowered = text.lower()
    for word in (*SECRET_WORDS, "diligence", "compliance note", "compliance case"):
        assert word.lower() not in lowered, f"{where} shows {word!r} to an L1 agent"


class TestIncidents:
    def test_a_resolved_incident_update_is_reviewed_sent_and_reaches_each_linked_chat_once(
        self, page: Page, desks: Desks, floor: Floor, errors: ConsoleErrors
    ) -> None:
        desks.sit(page, LEAD)
        page.get_by_role("link", name="Incidents").click()
        page.get_by_label("Title").fill("TRC20 withdrawals delayed")
        page.get_by_label("Description").fill("Node backlog; withdrawals wait for broadcast.")
        page.get_by_role("button", name="Open incident").click()
        expect(page.locator("h1")).to_contain_text("TRC20 withdrawals delayed")
        for conversation_id in floor.incident_ids.values():
            page.get_by_label("Conversation").fill(reference(conversation_id))
            page.get_by_role("button", name="Link", exact=True).click()
            expect(page.locator("#incident-links")).to_contain_text(reference(conversation_id))
        expect(page.locator("#incident-links tbody tr")).to_have_count(3)

        update = page.locator("#update-form")
        for language, text in UPDATES.items():
            update.locator(f"textarea[name={language}]").fill(text)
        page.get_by_role("button", name="Save draft").click()
        page.get_by_role("button", name="Mark resolved").click()
        expect(page.locator(".page-head")).to_contain_text("resolved")
        page.get_by_role("button", name="Approve update (reviewed)").click()
        expect(page.locator("#update-state")).to_contain_text("approved")
        expect(update.locator("textarea[name=it]")).to_have_value(UPDATES["it"])
        screenshot(page, "cases-incident-review")
        page.get_by_role("button", name="Send to every linked customer").click()
        expect(page.locator("#incident-links tbody tr").filter(has_text="sent")).to_have_count(3)
        page.get_by_role("button", name="Send to every linked customer").click()  # a second press
        expect(page.locator("#incident-links tbody tr").filter(has_text="sent")).to_have_count(3)

        for language, conversation_id in floor.incident_ids.items():
            page.goto(floor.at(f"/conversations/{conversation_id}"))
            replies = page.locator("#timeline li.msg-agent")
            expect(replies.filter(has_text=UPDATES[language])).to_have_count(1)
            expect(replies).to_have_count(1)


class TestSearch:
    def test_filters_narrow_the_hits_to_the_matching_conversations(
        self, page: Page, desks: Desks, floor: Floor, errors: ConsoleErrors
    ) -> None:
        desks.sit(page, L1)
        page.get_by_role("link", name="Search").click()
        expect(page).to_have_url(floor.at("/search"))
        page.get_by_label("Words, UID or TxID").fill(SEARCH_WORD)
        submit_and_wait(page, page.get_by_role("button", name="Search"))
        assert self._found(page, floor) == set(floor.search_ids)
        for filters, expected in (
            ({"status": "pending"}, {"it-fees-pending"}),
            ({"status": "", "language": "it"}, {"it-fees-pending", "it-deposit-open"}),
            ({"language": "", "category": "fees"}, {"it-fees-pending", "de-fees-open"}),
            ({"language": "it"}, {"it-fees-pending"}),
            ({"language": "", "category": "api", "status": "resolved"}, {"es-api-resolved"}),
        ):
            for name, value in filters.items():
                page.locator(f"select[name={name}]").select_option(value)
            submit_and_wait(page, page.get_by_role("button", name="Search"))
            expect(page).to_have_url(re.compile(rf"q={SEARCH_WORD}"))
            assert self._found(page, floor) == expected, filters
        page.locator("select[name=category]").select_option("")
        page.locator("select[name=status]").select_option("open")
        submit_and_wait(page, page.get_by_role("button", name="Search"))
        assert self._found(page, floor) == {"it-deposit-open", "de-fees-open"}
        screenshot(page, "cases-search-results")

    @staticmethod
    def _found(page: Page, floor: Floor) -> set[str]:
        expect(page.locator("main h1")).to_have_text("Search messages and notes")
        links = page.locator("#search-results li a").all_inner_texts()
        by_reference = {
            reference(conversation_id): label for label, conversation_id in floor.search_ids.items()
        }
        return {by_reference[ref] for ref in links if ref in by_reference}


class TestCustomerTimeline:
    def test_the_timeline_shows_chat_email_case_complaint_and_sla_events_newest_first(
        self, page: Page, desks: Desks, floor: Floor, errors: ConsoleErrors
    ) -> None:
        desks.sit(page, LEAD)
        page.get_by_role("link", name="Customers").click()
        page.goto(floor.at(f"/customers/{floor.ana_id}"))
        items = page.locator("#customer-timeline > li").all_inner_texts()
        order = [
            _first_index(items, "Sla breached FL-"),
            _first_index(items, "Complaint registered"),
            _first_index(items, "Case escalated"),
            _first_index(items, "Me cobraron la comisión dos veces"),
            _first_index(items, "Hola, mi depósito no llega"),
        ]
        assert order == sorted(order), items
        screenshot(page, "cases-customer-timeline")

    def test_a_duplicate_customer_is_merged_and_its_chat_moves_over(
        self, page: Page, desks: Desks, floor: Floor, errors: ConsoleErrors
    ) -> None:
        desks.sit(page, LEAD)
        page.goto(floor.at(f"/customers/{floor.ana_id}"))
        old_chat = reference(floor.ana_duplicate_chat_id)
        expect(page.locator("main")).not_to_contain_text(old_chat)
        page.get_by_label("Merge a duplicate into this customer (its number)").fill(
            str(floor.ana_duplicate_id)
        )
        page.get_by_role("button", name="Merge").click()
        expect(page).to_have_url(floor.at(f"/customers/{floor.ana_id}"))
        expect(page.get_by_role("link", name=old_chat, exact=True).first).to_be_visible()
        expect(page.locator("#customer-timeline")).to_contain_text("¿Y mi retiro?")
        expect(page.locator("#customer-timeline")).to_contain_text("Customer merged")
        page.goto(floor.at(f"/customers/{floor.ana_duplicate_id}"))
        expect(page.locator("#merged-into")).to_contain_text(f"customer {floor.ana_id}")


def _first_index(items: list[str], text: str) -> int:
    for index, item in enumerate(items):
        if text in item:
            return index
    raise AssertionError(f"{text!r} is not on the timeline: {items}")
