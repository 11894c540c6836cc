"""The complaints register: clocks across the two-month limit, each step, timers, export and report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firstline.cases.complaints import service
from firstline.cases.complaints.clocks import ClockPolicy, add_months, due_times
from firstline.cases.complaints.report import complaint_report, register_csv
from firstline.conversations.service import list_messages
from firstline.kit.errors import Conflict, InvalidInput
from firstline.timeline.service import list_conversation_events

POLICY = ClockPolicy(
    acknowledgement=timedelta(hours=24),
    admissibility=timedelta(days=5),
    response=timedelta(days=30),
    warning=timedelta(hours=48),
)


class TestAddMonths:
    @pytest.mark.parametrize(
        ("received", "due"),
        [
            (datetime(2025, 12, 31, 10, 0, tzinfo=UTC), datetime(2026, 2, 28, 10, 0, tzinfo=UTC)),
            (datetime(2027, 12, 31, 10, 0, tzinfo=UTC), datetime(2028, 2, 29, 10, 0, tzinfo=UTC)),
            (datetime(2026, 12, 30, 23, 59, tzinfo=UTC), datetime(2027, 2, 28, 23, 59, tzinfo=UTC)),
            (datetime(2026, 11, 30, 8, 0, tzinfo=UTC), datetime(2027, 1, 30, 8, 0, tzinfo=UTC)),
            (datetime(2026, 8, 31, 8, 0, tzinfo=UTC), datetime(2026, 10, 31, 8, 0, tzinfo=UTC)),
            (datetime(2026, 7, 31, 8, 0, tzinfo=UTC), datetime(2026, 9, 30, 8, 0, tzinfo=UTC)),
        ],
    )
    def test_two_months_after_receipt_clamps_to_the_month_end(
        self, received: datetime, due: datetime
    ) -> None:
        assert add_months(received, 2) == due

    @given(
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
    )
    def test_the_decision_is_never_due_after_the_two_month_limit(self, received: datetime) -> None:
        long_policy = ClockPolicy(
            POLICY.acknowledgement, timedelta(days=90), timedelta(days=90), POLICY.warning
        )
        due = due_times(received, long_policy)
        limit = add_months(received, 2)
        assert due["decision_due_at"] == limit == due["limit_at"]
        assert timedelta(days=59) <= limit - received <= timedelta(days=62)


@pytest.fixture
def complaint(db, chat_with_joao, italian_l1_agent):
    registered, created = service.register_complaint(
        db,
        conversation_id=chat_with_joao.id,
        summary="Deposit of 250 USDT never credited and no answer for days.",
        points=["The deposit is missing.", "Nobody answered for three days."],
        actor=italian_l1_agent,
        policy=POLICY,
    )
    assert created
    return registered


class TestSteps:
    def test_registering_again_returns_the_same_complaint(
        self, db, complaint, chat_with_joao, italian_l1_agent
    ) -> None:
        again, created = service.register_complaint(
            db, conversation_id=chat_with_joao.id, summary="other words entirely", actor=italian_l1_agent
        )
        assert (again.id, created) == (complaint.id, False)

    def test_the_acknowledgement_states_contact_point_date_received_and_timeframe_once(
        self, db, complaint, l2_agent
    ) -> None:
        service.acknowledge(db, complaint_id=complaint.id, actor=l2_agent)
        service.acknowledge(db, complaint_id=complaint.id, actor=l2_agent)
        letters = [
            m.body for m in list_messages(db, conversation_id=complaint.conversation_id) if "CMP-" in m.body
        ]
        assert len(letters) == 1
        assert "Recebemos a sua reclamação" in letters[0]  # João writes in Portuguese
        assert complaint.received_at.strftime("%Y-%m-%d") in letters[0]
        assert "complaints@" in letters[0] and "30 dias" in letters[0]

    def test_an_inadmissible_complaint_is_told_why_and_needs_no_decision(
        self, db, complaint, l2_agent
    ) -> None:
        service.decide_admissibility(
            db,
            complaint_id=complaint.id,
            admissible=False,
            reason="It concerns a third-party wallet.",
            actor=l2_agent,
        )
        assert complaint.status == "inadmissible" and complaint.fire_at is not None
        assert any(
            "third-party wallet" in m.body
            for m in list_messages(db, conversation_id=complaint.conversation_id)
        )

    def test_the_decision_answers_every_point_and_lists_remedies_when_not_upheld(
        self, db, complaint, l2_agent
    ) -> None:
        service.acknowledge(db, complaint_id=complaint.id, actor=l2_agent)
        service.decide_admissibility(
            db, complaint_id=complaint.id, admissible=True, reason="In scope.", actor=l2_agent
        )
        with pytest.raises(InvalidInput, match="unanswered: 2"):
            service.decide(
                db,
                complaint_id=complaint.id,
                outcome="partially_upheld",
                answers=["Credited today."],
                actor=l2_agent,
            )
        service.decide(
            db,
            complaint_id=complaint.id,
            outcome="partially_upheld",
            answers=["Credited today.", "We apologise for the wait."],
            actor=l2_agent,
        )
        letter = list_messages(db, conversation_id=complaint.conversation_id)[-1].body
        assert "parcialmente procedente" in letter and "Ponto 2" in letter
        assert "autoridade nacional competente" in letter
        assert complaint.fire_at is None

    def test_deciding_before_admissibility_is_refused(self, db, complaint, l2_agent) -> None:
        with pytest.raises(Conflict, match="admissible"):
            service.decide(
                db, complaint_id=complaint.id, outcome="upheld", answers=["a", "b"], actor=l2_agent
            )

    def test_a_delay_notice_moves_the_date_but_never_past_two_months(self, db, complaint, l2_agent) -> None:
        too_late = (complaint.limit_at + timedelta(days=1)).date()
        with pytest.raises(InvalidInput, match="two months"):
            service.send_delay_notice(
                db,
                complaint_id=complaint.id,
                reason="Waiting for the node operator.",
                new_due=too_late,
                actor=l2_agent,
            )
        last_day = complaint.limit_at.date()
        service.send_delay_notice(
            db,
            complaint_id=complaint.id,
            reason="Waiting for the node operator.",
            new_due=last_day,
            actor=l2_agent,
        )
        assert complaint.decision_due_at == complaint.limit_at
        notice = list_messages(db, conversation_id=complaint.conversation_id)[-1].body
        assert "Waiting for the node operator." in notice and last_day.isoformat() in notice


class TestClocks:
    def test_warnings_then_misses_fire_once_each_across_the_two_month_limit(
        self, db, complaint, chat_with_joao
    ) -> None:
        received = complaint.received_at
        assert service.fire_due_clocks(db, now=received, policy=POLICY) == 0
        # past every deadline, two months and a day later: each step warns and misses, once
        later = add_months(received, 2) + timedelta(days=1)
        assert service.fire_due_clocks(db, now=later, policy=POLICY) == 1
        assert service.fire_due_clocks(db, now=later, policy=POLICY) == 0
        assert set(complaint.alerts) == {
            f"{step}:{kind}"
            for step in ("acknowledgement", "admissibility", "decision")
            for kind in ("warning", "missed")
        }
        kinds = [e.kind for e in list_conversation_events(db, conversation_id=chat_with_joao.id)]
        assert (
            kinds.count("complaint.deadline_missed") == 3 and kinds.count("complaint.deadline_warning") == 3
        )

    def test_a_step_shorter_than_the_warning_lead_warns_halfway(self, db, complaint) -> None:
        assert complaint.fire_at == complaint.received_at + POLICY.acknowledgement / 2
        service.fire_due_clocks(db, now=complaint.fire_at, policy=POLICY)
        assert complaint.alerts == ["acknowledgement:warning"]


class TestRegisterExport:
    def test_the_register_exports_to_csv(self, db, complaint) -> None:
        rows = list(csv.DictReader(io.StringIO(register_csv(db))))
        row = next(r for r in rows if r["reference"] == complaint.reference)
        assert row["category"] == "deposit_not_credited" and row["language"] == "pt" and row["points"] == "2"

    def test_the_report_counts_misses_per_step_and_groups_by_category_and_outcome(
        self, db, complaint, l2_agent
    ) -> None:
        service.acknowledge(db, complaint_id=complaint.id, actor=l2_agent)
        late = add_months(complaint.received_at, 2) + timedelta(days=1)
        report = complaint_report(db, since=complaint.received_at - timedelta(seconds=1), now=late)
        assert report.total == 1
        assert report.misses == {"acknowledgement": 0, "admissibility": 1, "decision": 1}
        assert (
            report.average_hours["acknowledgement"] is not None and report.average_hours["decision"] is None
        )
        assert report.by_category == {"deposit_not_credited": 1} and report.by_outcome == {"acknowledged": 1}

    def test_the_api_exports_csv(self, client, api_as, complaint, team_lead) -> None:
        response = client.get("/api/v1/complaints/export.csv", headers=api_as(team_lead))
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert complaint.reference in response.text

    def test_a_date_in_the_future_cannot_be_the_date_received(
        self, db, chat_with_joao, italian_l1_agent
    ) -> None:
        with pytest.raises(InvalidInput, match="date received"):
            service.register_complaint(
                db,
                conversation_id=chat_with_joao.id,
                summary="A complaint from the future.",
                received_at=datetime.now(UTC) + timedelta(days=1),
                actor=italian_l1_agent,
            )
