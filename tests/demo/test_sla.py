"""The demo's SLA settings: a realistic set of policies and an office calendar, in force for its clocks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.conversations.service import open_conversation
from firstline.customers.models import Customer
from firstline.demo.sla import MALTA_OFFICE
from firstline.sla import audit, calendars, settings
from firstline.sla.models import BusinessCalendar, SlaClock
from firstline.sla.service import get_clock, start_clock


def _policies(session: Session) -> list[tuple]:
    rows = settings.list_policies(session)
    return [(p.name, p.channel, p.tier, p.priority, p.first_response_seconds, p.calendar_id) for p in rows]


class TestSeedSla:
    def test_the_lead_finds_chat_email_and_compliance_policies_in_the_console(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            by_name = {row[0]: row[1:5] for row in _policies(session)}
            assert by_name == {
                "Live chat": ("chat", None, None, 30),
                "Live chat, VIP urgent": ("chat", None, "urgent", 15),
                "Email, first line (office hours)": ("email", "l1", None, 4 * 3600),
                "Email, compliance": ("email", "compliance", None, 24 * 3600),
            }
            lead = session.scalar(select(Agent).where(Agent.email.startswith("lead@")))
            changes = audit.list_changes(session, kinds=audit.SLA_KINDS)
            assert len(changes) == 5 and {change.who for change in changes} == {lead.name}

    def test_first_line_email_counts_in_the_malta_office_hours_with_named_holidays(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            office = session.scalar(select(BusinessCalendar).where(BusinessCalendar.name == MALTA_OFFICE))
            assert office is not None and office.timezone == "Europe/Malta"
            assert calendars.form_text(office)["hours_0"] == "08:00-20:00"
            assert calendars.form_text(office)["hours_5"] == ""
            year = datetime.now(UTC).year
            assert office.holiday_names[f"{year}-12-25"] == "Christmas Day"
            assert office.holiday_names[f"{year + 1}-09-21"] == "Independence Day"
            assert calendars.policies_using(session, calendar_id=office.id) == [
                "Email, first line (office hours)"
            ]

    def test_new_conversations_get_their_clocks_from_the_seeded_policies(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            customer = session.scalars(select(Customer).order_by(Customer.id)).first()
            assert customer is not None
            urgent = open_conversation(session, customer_id=customer.id, channel="chat", priority="urgent")
            chat_clock = get_clock(session, conversation_id=urgent.id, metric="first_response")
            assert chat_clock is not None and chat_clock.target_seconds == 15
            email = open_conversation(session, customer_id=customer.id, channel="email", subject="KYC")
            friday_evening = datetime(2026, 7, 3, 17, 0, tzinfo=UTC)  # 19:00 in Malta, an hour before closing
            clock = start_clock(session, conversation=email, metric="first_response", now=friday_evening)
            # One hour on Friday, three from 08:00 on Monday (06:00 UTC).
            assert clock is not None and clock.due_at == datetime(2026, 7, 6, 9, 0, tzinfo=UTC)
            session.rollback()

    def test_the_seeded_past_starts_no_clock_the_loop_would_breach_at_once(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(SlaClock)) == 0

    def test_the_same_seed_gives_the_same_policies(self, seeded_twice) -> None:
        prints = seeded_twice(_policies, seed=11, customers=20, conversations=30)
        assert prints[0] == prints[1] and len(prints[0]) == 4
