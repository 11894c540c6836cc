"""SLA policies as a team lead edits them: durations, validation, audited create and edit, and the clocks
of new conversations following what was saved."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from firstline.conversations.service import open_conversation
from firstline.kit.errors import Conflict, InvalidInput, NotFound
from firstline.sla import audit, calendars, settings
from firstline.sla.models import SlaClock, SlaPolicy
from firstline.sla.service import get_clock, pause_clock, policy_of_clock, resume_clock, start_clock
from firstline.timeline.service import EventKind, list_events_of_kinds


def chat_policy(**fields) -> settings.PolicyValues:
    values = {
        "name": f"Live chat {uuid.uuid4().hex[:6]}",
        "channel": "chat",
        "first_response_seconds": 45,
        "next_response_seconds": 90,
        "resolution_seconds": 4 * 3600,
        "warn_percent": 75,
        "breach_actions": ("notify_team_lead", "raise_priority"),
        **fields,
    }
    return settings.PolicyValues(**values)


def first_response_clock(db, customer, **fields) -> SlaClock:
    chat = open_conversation(db, customer_id=customer.id, channel="chat", **fields)
    found = get_clock(db, conversation_id=chat.id, metric="first_response")
    assert found is not None
    return found


class TestParseDuration:
    @pytest.mark.parametrize(
        ("text", "seconds"),
        [
            ("30", 30),
            ("30s", 30),
            ("15m", 900),
            ("4h", 14400),
            ("2d", 172800),
            ("1h 30m", 5400),
            ("1H30M", 5400),
        ],
    )
    def test_durations_are_read_in_seconds_minutes_hours_and_days(self, text: str, seconds: int) -> None:
        assert settings.parse_duration(text, field="f", label="First response") == seconds

    def test_an_empty_field_is_no_target(self) -> None:
        assert settings.parse_duration("  ", field="f", label="First response") is None

    @pytest.mark.parametrize("text", ["soon", "30 sec", "1h and 5m", "5x"])
    def test_text_that_is_not_a_duration_is_refused_with_an_example(self, text: str) -> None:
        with pytest.raises(InvalidInput, match="such as 30s, 15m") as refused:
            settings.parse_duration(text, field="first_response_seconds", label="First response")
        assert refused.value.field == "first_response_seconds"

    @pytest.mark.parametrize("text", ["0", "-30", "0s"])
    def test_a_duration_must_be_positive(self, text: str) -> None:
        with pytest.raises(InvalidInput, match="positive"):
            settings.parse_duration(text, field="f", label="Resolution")


class TestPolicyValuesFromForm:
    def test_the_form_s_text_becomes_typed_values(self) -> None:
        values = settings.policy_values_from_form(
            {
                "name": " Live chat ",
                "channel": "chat",
                "tier": "",
                "priority": "urgent",
                "first_response_seconds": "45s",
                "next_response_seconds": "",
                "resolution_seconds": "4h",
                "calendar_id": "",
                "warn_percent": "70",
                "breach_actions": ["requeue"],
            }
        )
        assert (values.tier, values.priority, values.calendar_id) == (None, "urgent", None)
        assert (values.first_response_seconds, values.next_response_seconds) == (45, None)
        assert (values.resolution_seconds, values.warn_percent) == (14400, 70)
        assert values.breach_actions == ("requeue",)

    @pytest.mark.parametrize("warn", ["", "eighty", "8.5"])
    def test_a_warning_that_is_not_a_whole_percentage_names_its_field(self, warn: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            settings.policy_values_from_form({"name": "x", "channel": "chat", "warn_percent": warn})
        assert refused.value.field == "warn_percent"


class TestCreatePolicy:
    def test_a_new_policy_s_first_response_target_is_what_a_new_chat_s_clock_gets(
        self, db, portuguese_customer, team_lead
    ) -> None:
        settings.create_policy(db, values=chat_policy(), actor_agent_id=team_lead.id)
        clock = first_response_clock(db, portuguese_customer)
        assert clock.target_seconds == 45
        assert clock.due_at - clock.started_at == timedelta(seconds=45)
        assert clock.warn_at - clock.started_at == timedelta(seconds=45 * 0.75)

    def test_the_creation_is_recorded_with_who_made_it(self, db, team_lead) -> None:
        policy = settings.create_policy(db, values=chat_policy(), actor_agent_id=team_lead.id)
        event = list_events_of_kinds(db, kinds=[EventKind.SLA_POLICY_CREATED], limit=1)[0]
        assert (event.actor_agent_id, event.data["policy_id"]) == (team_lead.id, policy.id)
        assert event.data["values"]["first_response_seconds"] == 45

    @pytest.mark.parametrize("warn", [0, 100, 150])
    def test_a_warning_outside_1_to_99_percent_is_refused(self, db, warn: int) -> None:
        with pytest.raises(InvalidInput, match="between 1 and 99") as refused:
            settings.create_policy(db, values=chat_policy(warn_percent=warn), actor_agent_id=None)
        assert refused.value.field == "warn_percent"

    def test_a_target_that_is_not_positive_is_refused_naming_it(self, db) -> None:
        with pytest.raises(InvalidInput) as refused:
            settings.create_policy(db, values=chat_policy(resolution_seconds=-5), actor_agent_id=None)
        assert refused.value.field == "resolution_seconds"

    def test_a_policy_without_any_target_is_refused(self, db) -> None:
        values = chat_policy(first_response_seconds=None, next_response_seconds=None, resolution_seconds=None)
        with pytest.raises(InvalidInput, match="at least one target"):
            settings.create_policy(db, values=values, actor_agent_id=None)

    def test_two_policies_cannot_share_a_name(self, db) -> None:
        first = settings.create_policy(db, values=chat_policy(), actor_agent_id=None)
        with pytest.raises(Conflict) as refused:
            settings.create_policy(db, values=chat_policy(name=first.name, tier="l2"), actor_agent_id=None)
        assert refused.value.field == "name"

    def test_two_policies_cannot_cover_the_same_channel_tier_and_priority(self, db) -> None:
        settings.create_policy(db, values=chat_policy(priority="urgent"), actor_agent_id=None)
        with pytest.raises(Conflict, match="already covers"):
            settings.create_policy(db, values=chat_policy(priority="urgent"), actor_agent_id=None)

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"channel": "fax"}, "channel"),
            ({"tier": "l9"}, "tier"),
            ({"priority": "whenever"}, "priority"),
            ({"breach_actions": ("page_the_ceo",)}, "breach_actions"),
            ({"calendar_id": 987654}, "calendar_id"),
            ({"name": "   "}, "name"),
        ],
    )
    def test_an_unknown_value_is_refused_naming_its_field(self, db, fields: dict, field: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            settings.create_policy(db, values=chat_policy(**fields), actor_agent_id=None)
        assert refused.value.field == field


class TestUpdatePolicy:
    def test_an_edited_first_response_target_is_what_the_next_chat_gets(
        self, db, portuguese_customer, team_lead
    ) -> None:
        policy = settings.create_policy(db, values=chat_policy(), actor_agent_id=team_lead.id)
        before = first_response_clock(db, portuguese_customer)
        edited = chat_policy(name=policy.name, first_response_seconds=20)
        settings.update_policy(db, policy_id=policy.id, values=edited, actor_agent_id=team_lead.id)
        assert first_response_clock(db, portuguese_customer).target_seconds == 20
        assert before.target_seconds == 45  # a clock already running keeps its target

    def test_each_changed_field_is_recorded_before_and_after_with_who_changed_it(
        self, db, team_lead, admin
    ) -> None:
        policy = settings.create_policy(db, values=chat_policy(), actor_agent_id=team_lead.id)
        edited = chat_policy(name=policy.name, first_response_seconds=20, warn_percent=90)
        settings.update_policy(db, policy_id=policy.id, values=edited, actor_agent_id=admin.id)
        event = list_events_of_kinds(db, kinds=[EventKind.SLA_POLICY_UPDATED], limit=1)[0]
        assert event.actor_agent_id == admin.id
        assert event.data["changes"] == {"first_response_seconds": [45, 20], "warn_percent": [75, 90]}

    def test_saving_without_a_change_records_nothing(self, db) -> None:
        values = chat_policy()
        policy = settings.create_policy(db, values=values, actor_agent_id=None)
        settings.update_policy(db, policy_id=policy.id, values=values, actor_agent_id=None)
        assert settings.values_of(policy) == settings.check_policy(db, values=values, policy_id=policy.id)
        assert not [
            e
            for e in list_events_of_kinds(db, kinds=[EventKind.SLA_POLICY_UPDATED], limit=50)
            if e.data["policy_id"] == policy.id
        ]

    def test_a_policy_keeps_its_own_name_and_scope_when_edited(self, db) -> None:
        policy = settings.create_policy(db, values=chat_policy(priority="high"), actor_agent_id=None)
        same = chat_policy(name=policy.name, priority="high", resolution_seconds=3600)
        assert (
            settings.update_policy(
                db, policy_id=policy.id, values=same, actor_agent_id=None
            ).resolution_seconds
            == 3600
        )

    def test_an_invalid_edit_leaves_the_policy_as_it_was(self, db) -> None:
        policy = settings.create_policy(db, values=chat_policy(), actor_agent_id=None)
        with pytest.raises(InvalidInput):
            settings.update_policy(
                db,
                policy_id=policy.id,
                values=chat_policy(name=policy.name, warn_percent=0),
                actor_agent_id=None,
            )
        assert (policy.warn_ratio, policy.first_response_seconds) == (0.75, 45)

    def test_editing_a_policy_that_is_not_there_is_not_found(self, db) -> None:
        with pytest.raises(NotFound):
            settings.update_policy(db, policy_id=987654, values=chat_policy(), actor_agent_id=None)


class TestListing:
    def test_a_channel_without_its_own_policy_shows_on_the_built_in_defaults(self, db) -> None:
        settings.create_policy(db, values=chat_policy(priority="urgent"), actor_agent_id=None)
        assert settings.channels_on_defaults(settings.list_policies(db)) == ["chat", "email"]
        settings.create_policy(db, values=chat_policy(), actor_agent_id=None)
        assert settings.channels_on_defaults(settings.list_policies(db)) == ["email"]

    def test_the_built_in_chat_default_starts_at_30_seconds_around_the_clock(self) -> None:
        start = settings.default_values("chat")
        assert (start.first_response_seconds, start.calendar_id, start.warn_percent) == (30, None, 80)


class TestDeletePolicy:
    def test_new_conversations_fall_back_to_the_next_most_specific_policy_then_the_built_in_default(
        self, db, portuguese_customer, team_lead
    ) -> None:
        broad = settings.create_policy(db, values=chat_policy(), actor_agent_id=None)
        urgent = settings.create_policy(
            db, values=chat_policy(priority="urgent", first_response_seconds=15), actor_agent_id=None
        )
        assert first_response_clock(db, portuguese_customer, priority="urgent").target_seconds == 15
        settings.delete_policy(db, policy_id=urgent.id, actor_agent_id=team_lead.id)
        assert db.get(SlaPolicy, urgent.id) is None
        fallback = first_response_clock(db, portuguese_customer, priority="urgent")
        assert (fallback.target_seconds, fallback.policy_id) == (45, broad.id)
        settings.delete_policy(db, policy_id=broad.id, actor_agent_id=team_lead.id)
        built_in = first_response_clock(db, portuguese_customer, priority="urgent")
        assert (built_in.target_seconds, built_in.policy_id) == (30, None)

    def test_the_clocks_of_conversations_under_way_keep_their_target_and_due_time(
        self, db, portuguese_customer
    ) -> None:
        policy = settings.create_policy(
            db, values=chat_policy(first_response_seconds=50), actor_agent_id=None
        )
        running = first_response_clock(db, portuguese_customer)
        due_at, warn_at = running.due_at, running.warn_at
        settings.delete_policy(db, policy_id=policy.id, actor_agent_id=None)
        db.refresh(running)
        assert (running.policy_id, running.target_seconds) == (None, 50)
        assert (running.due_at, running.warn_at, running.fire_at) == (due_at, warn_at, warn_at)

    def test_a_clock_of_a_deleted_policy_keeps_counting_in_its_business_hours_and_breach_actions(
        self, db, portuguese_customer
    ) -> None:
        lisbon = calendars.create_calendar(
            db,
            values=calendars.CalendarValues(
                name=f"Lisbon {uuid.uuid4().hex[:6]}",
                timezone="Europe/Lisbon",
                hours={day: [(540, 1080)] for day in range(5)},
                holidays={},
            ),
            actor_agent_id=None,
        )
        values = settings.PolicyValues(
            name=f"Email L1 {uuid.uuid4().hex[:6]}",
            channel="email",
            first_response_seconds=4 * 3600,
            calendar_id=lisbon.id,
            warn_percent=50,
            breach_actions=("requeue",),
        )
        policy = settings.create_policy(db, values=values, actor_agent_id=None)
        email = open_conversation(db, customer_id=portuguese_customer.id, channel="email", subject="KYC")
        friday_4pm = datetime(2026, 7, 3, 15, 0, tzinfo=UTC)  # 16:00 in Lisbon (summer time)
        clock = start_clock(db, conversation=email, metric="first_response", now=friday_4pm)
        assert clock is not None and clock.due_at == datetime(2026, 7, 6, 10, 0, tzinfo=UTC)
        settings.delete_policy(db, policy_id=policy.id, actor_agent_id=None)
        calendars.delete_calendar(db, calendar_id=lisbon.id, actor_agent_id=None)  # no policy uses it now
        db.refresh(clock)
        terms = policy_of_clock(db, clock, email)
        assert (terms.warn_ratio, terms.breach_actions) == (0.5, ("requeue",))
        pause_clock(db, clock, terms, now=friday_4pm + timedelta(hours=1))  # one business hour used
        resume_clock(db, clock, terms, now=datetime(2026, 7, 5, 12, 0, tzinfo=UTC))  # a Sunday
        # Three business hours left from Monday 09:00 in Lisbon; 24/7 would have made it Sunday 15:00.
        assert clock.due_at == datetime(2026, 7, 6, 11, 0, tzinfo=UTC)

    def test_a_clock_started_again_after_the_deletion_counts_under_the_policy_in_force(
        self, db, portuguese_customer
    ) -> None:
        policy = settings.create_policy(db, values=chat_policy(next_response_seconds=90), actor_agent_id=None)
        chat = open_conversation(db, customer_id=portuguese_customer.id, channel="chat")
        now = datetime(2026, 7, 3, 15, 0, tzinfo=UTC)
        assert start_clock(db, conversation=chat, metric="next_response", now=now) is not None
        settings.delete_policy(db, policy_id=policy.id, actor_agent_id=None)
        again = start_clock(db, conversation=chat, metric="next_response", now=now + timedelta(minutes=5))
        assert again is not None and (again.policy_id, again.policy_terms, again.target_seconds) == (
            None,
            None,
            60,
        )

    def test_the_deletion_is_recorded_with_the_policy_as_it_was_and_who_deleted_it(
        self, db, team_lead
    ) -> None:
        policy = settings.create_policy(db, values=chat_policy(), actor_agent_id=None)
        name = policy.name
        settings.delete_policy(db, policy_id=policy.id, actor_agent_id=team_lead.id)
        event = list_events_of_kinds(db, kinds=[EventKind.SLA_POLICY_DELETED], limit=1)[0]
        assert (event.actor_agent_id, event.data["policy"]) == (team_lead.id, name)
        assert event.data["deleted"]["first_response_seconds"] == 45
        assert event.data["deleted"]["breach_actions"] == ["notify_team_lead", "raise_priority"]
        latest = audit.list_changes(db, kinds=audit.POLICY_KINDS, key="policy_id", row_id=policy.id)[0]
        assert (latest.who, latest.subject, latest.summary) == (team_lead.name, name, "deleted")

    def test_deleting_a_policy_that_is_not_there_is_not_found(self, db) -> None:
        with pytest.raises(NotFound):
            settings.delete_policy(db, policy_id=987654, actor_agent_id=None)


class TestSuccessor:
    def test_the_most_specific_policy_covering_the_whole_scope_takes_over(self, db) -> None:
        broad = settings.create_policy(db, values=chat_policy(), actor_agent_id=None)
        by_priority = settings.create_policy(db, values=chat_policy(priority="urgent"), actor_agent_id=None)
        settings.create_policy(db, values=chat_policy(tier="l2"), actor_agent_id=None)  # covers one tier only
        narrow = settings.create_policy(
            db, values=chat_policy(tier="l1", priority="urgent"), actor_agent_id=None
        )
        assert settings.successor(db, policy_id=narrow.id) is by_priority
        assert settings.successor(db, policy_id=by_priority.id) is broad
        assert settings.successor(db, policy_id=broad.id) is None

    def test_the_running_clocks_under_a_policy_are_counted(self, db, portuguese_customer) -> None:
        policy = settings.create_policy(db, values=chat_policy(), actor_agent_id=None)
        first_response_clock(db, portuguese_customer)
        assert settings.clocks_counting_under(db, policy_id=policy.id) == 2  # first response, resolution
