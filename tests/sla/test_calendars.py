"""Business-hour calendars as a team lead edits them: typed hours, named holidays, audited changes, and
the next opening times the SLA clocks will count with."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from firstline.conversations.service import open_conversation
from firstline.kit.errors import Conflict, InvalidInput, NotFound
from firstline.sla import audit, calendars, settings
from firstline.sla.service import start_clock
from firstline.timeline.service import EventKind, list_events_of_kinds

WEEKDAYS_9_TO_6 = {day: [(540, 1080)] for day in range(5)}


def lisbon(**fields) -> calendars.CalendarValues:
    values = {
        "name": f"Lisbon office {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Lisbon",
        "hours": WEEKDAYS_9_TO_6,
        "holidays": {"2026-12-25": "Christmas Day"},
        **fields,
    }
    return calendars.CalendarValues(**values)


class TestParseHours:
    def test_one_range_a_day(self) -> None:
        assert calendars.parse_hours("09:00-18:00", weekday=0) == [(540, 1080)]

    def test_several_ranges_separated_by_commas(self) -> None:
        assert calendars.parse_hours("9:00-12:00, 13:30-18:00", weekday=0) == [(540, 720), (810, 1080)]

    @pytest.mark.parametrize(("text", "spans"), [("", []), ("closed", []), ("24h", [(0, 1440)])])
    def test_closed_and_whole_days_have_words_of_their_own(self, text: str, spans: list) -> None:
        assert calendars.parse_hours(text, weekday=6) == spans

    @pytest.mark.parametrize("text", ["9 to 5", "18:00-09:00", "09:75-10:00", "09:00-25:00"])
    def test_hours_that_do_not_read_as_a_range_name_the_weekday(self, text: str) -> None:
        with pytest.raises(InvalidInput, match="Wednesday") as refused:
            calendars.parse_hours(text, weekday=2)
        assert refused.value.field == "hours_2"


class TestParseHolidays:
    def test_each_line_is_a_date_and_its_name(self) -> None:
        text = "2026-12-26 Boxing Day\n\n2026-12-25  Christmas Day\n2027-01-01"
        assert calendars.parse_holidays(text) == {
            "2026-12-25": "Christmas Day",
            "2026-12-26": "Boxing Day",
            "2027-01-01": "",
        }

    @pytest.mark.parametrize("line", ["Christmas 2026-12-25", "2026-02-30 Nope", "25/12/2026 Christmas"])
    def test_a_line_without_a_real_date_first_is_refused(self, line: str) -> None:
        with pytest.raises(InvalidInput, match="2026-12-25") as refused:
            calendars.parse_holidays(line)
        assert refused.value.field == "holidays"


class TestCreateCalendar:
    def test_hours_and_named_holidays_are_stored_and_recorded_with_who_made_them(self, db, team_lead) -> None:
        row = calendars.create_calendar(db, values=lisbon(), actor_agent_id=team_lead.id)
        assert (row.timezone, row.hours["0"], row.holidays) == (
            "Europe/Lisbon",
            [[540, 1080]],
            ["2026-12-25"],
        )
        assert row.holiday_names == {"2026-12-25": "Christmas Day"}
        event = list_events_of_kinds(db, kinds=[EventKind.SLA_CALENDAR_CREATED], limit=1)[0]
        assert (event.actor_agent_id, event.data["calendar_id"]) == (team_lead.id, row.id)

    def test_an_unknown_time_zone_is_refused_naming_it(self, db) -> None:
        with pytest.raises(InvalidInput, match="Europe/Lisbo") as refused:
            calendars.create_calendar(db, values=lisbon(timezone="Europe/Lisbo"), actor_agent_id=None)
        assert refused.value.field == "timezone"

    def test_a_calendar_that_never_opens_is_refused(self, db) -> None:
        with pytest.raises(InvalidInput, match="at least one day"):
            calendars.create_calendar(
                db, values=lisbon(hours={day: [] for day in range(7)}), actor_agent_id=None
            )

    def test_two_calendars_cannot_share_a_name(self, db) -> None:
        first = calendars.create_calendar(db, values=lisbon(), actor_agent_id=None)
        with pytest.raises(Conflict):
            calendars.create_calendar(db, values=lisbon(name=first.name), actor_agent_id=None)


class TestUpdateCalendar:
    def test_an_added_holiday_is_recorded_and_the_form_shows_it_back(self, db, team_lead) -> None:
        row = calendars.create_calendar(db, values=lisbon(), actor_agent_id=None)
        holidays = {"2026-12-25": "Christmas Day", "2027-01-01": "New Year"}
        calendars.update_calendar(
            db,
            calendar_id=row.id,
            values=lisbon(name=row.name, holidays=holidays),
            actor_agent_id=team_lead.id,
        )
        event = list_events_of_kinds(db, kinds=[EventKind.SLA_CALENDAR_UPDATED], limit=1)[0]
        assert event.actor_agent_id == team_lead.id and list(event.data["changes"]) == ["holidays"]
        assert calendars.form_text(row)["holidays"] == "2026-12-25 Christmas Day\n2027-01-01 New Year"

    def test_a_policy_counts_in_its_calendar_s_new_holiday(self, db, portuguese_customer) -> None:
        every_day = {day: [(0, 1440)] for day in range(7)}
        row = calendars.create_calendar(db, values=lisbon(hours=every_day, holidays={}), actor_agent_id=None)
        values = settings.PolicyValues(
            name=f"Email Lisbon {uuid.uuid4().hex[:4]}",
            channel="email",
            first_response_seconds=3600,
            calendar_id=row.id,
        )
        settings.create_policy(db, values=values, actor_agent_id=None)
        email = open_conversation(db, customer_id=portuguese_customer.id, channel="email", subject="KYC")
        christmas_eve = datetime(2026, 12, 24, 23, 30, tzinfo=UTC)  # 23:30 in Lisbon (winter time)
        before = start_clock(db, conversation=email, metric="first_response", now=christmas_eve)
        assert before is not None and before.due_at == datetime(2026, 12, 25, 0, 30, tzinfo=UTC)
        calendars.update_calendar(
            db,
            calendar_id=row.id,
            values=lisbon(name=row.name, hours=every_day, holidays={"2026-12-25": "Christmas Day"}),
            actor_agent_id=None,
        )
        after = start_clock(db, conversation=email, metric="first_response", now=christmas_eve)
        assert after is not None and after.due_at == datetime(2026, 12, 26, 0, 30, tzinfo=UTC)


class TestNextOpenings:
    def test_after_friday_closing_the_next_opening_is_monday_morning_local_time(self, db) -> None:
        row = calendars.create_calendar(db, values=lisbon(holidays={}), actor_agent_id=None)
        friday_evening = datetime(2026, 7, 3, 19, 0, tzinfo=UTC)  # 20:00 in Lisbon (summer time)
        first = calendars.next_openings(row, now=friday_evening, count=2)[0]
        assert not first.open_now
        assert (first.opens_local.strftime("%a %H:%M"), first.closes_local.strftime("%a %H:%M")) == (
            "Mon 09:00",
            "Mon 18:00",
        )
        assert first.opens == datetime(2026, 7, 6, 8, 0, tzinfo=UTC)

    def test_a_holiday_moves_the_next_opening_to_the_day_after(self, db) -> None:
        row = calendars.create_calendar(
            db, values=lisbon(holidays={"2026-07-06": "Local holiday"}), actor_agent_id=None
        )
        first = calendars.next_openings(row, now=datetime(2026, 7, 3, 19, 0, tzinfo=UTC))[0]
        assert first.opens_local.strftime("%a %d") == "Tue 07"

    def test_during_opening_hours_it_says_open_now_until_closing(self, db) -> None:
        row = calendars.create_calendar(db, values=lisbon(holidays={}), actor_agent_id=None)
        openings = calendars.next_openings(row, now=datetime(2026, 7, 1, 10, 0, tzinfo=UTC), count=3)
        assert openings[0].open_now and openings[0].closes_local.strftime("%H:%M") == "18:00"
        assert [o.open_now for o in openings[1:]] == [False, False]

    def test_back_to_back_whole_days_read_as_one_stretch(self, db) -> None:
        always = lisbon(hours={day: [(0, 1440)] for day in range(7)}, holidays={})
        row = calendars.create_calendar(db, values=always, actor_agent_id=None)
        openings = calendars.next_openings(row, now=datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
        assert len(openings) == 1 and openings[0].open_now
        assert openings[0].closes - openings[0].opens > timedelta(days=30)


class TestDeleteCalendar:
    def test_a_calendar_no_policy_uses_is_deleted_and_recorded_as_it_was(self, db, team_lead) -> None:
        row = calendars.create_calendar(db, values=lisbon(), actor_agent_id=None)
        calendar_id, name = row.id, row.name
        calendars.delete_calendar(db, calendar_id=calendar_id, actor_agent_id=team_lead.id)
        with pytest.raises(NotFound):
            calendars.get_calendar(db, calendar_id=calendar_id)
        event = list_events_of_kinds(db, kinds=[EventKind.SLA_CALENDAR_DELETED], limit=1)[0]
        assert (event.actor_agent_id, event.data["calendar_id"]) == (team_lead.id, calendar_id)
        assert event.data["deleted"]["holidays"] == {"2026-12-25": "Christmas Day"}
        assert event.data["deleted"]["timezone"] == "Europe/Lisbon"
        latest = audit.list_changes(db, kinds=audit.CALENDAR_KINDS, key="calendar_id", row_id=calendar_id)[0]
        assert (latest.who, latest.subject, latest.summary) == (team_lead.name, name, "deleted")

    def test_a_calendar_a_policy_uses_is_refused_naming_the_policies(self, db) -> None:
        row = calendars.create_calendar(db, values=lisbon(), actor_agent_id=None)
        for name, priority in (("Email Lisbon", None), ("Email Lisbon urgent", "urgent")):
            values = settings.PolicyValues(
                name=name, channel="email", priority=priority, first_response_seconds=3600, calendar_id=row.id
            )
            settings.create_policy(db, values=values, actor_agent_id=None)
        with pytest.raises(Conflict, match="used by the policies 'Email Lisbon', 'Email Lisbon urgent'"):
            calendars.delete_calendar(db, calendar_id=row.id, actor_agent_id=None)
        assert calendars.get_calendar(db, calendar_id=row.id) is row
        assert list_events_of_kinds(db, kinds=[EventKind.SLA_CALENDAR_DELETED], limit=1) == []
