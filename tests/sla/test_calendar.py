"""Business time across opening hours, holidays and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firstline.kit.errors import InvalidInput
from firstline.sla.calendar import add_business_seconds, business_seconds_between, check_calendar

ROME = ZoneInfo("Europe/Rome")
NINE_TO_SIX = [(9 * 60, 18 * 60)]
WEEKDAYS_ROME = check_calendar(
    timezone="Europe/Rome",
    hours={day: NINE_TO_SIX for day in range(5)},
    holidays=["2026-12-25", "2026-12-24"],
)
EVERY_DAY_8_TO_20 = check_calendar(
    timezone="Europe/Rome", hours={day: [(8 * 60, 20 * 60)] for day in range(7)}, holidays=[]
)
HOUR = 3600


def rome(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME)


class TestBusinessHours:
    def test_time_inside_opening_hours_counts_in_full(self) -> None:
        assert add_business_seconds(WEEKDAYS_ROME, rome(2026, 11, 25, 10), 2 * HOUR) == rome(2026, 11, 25, 12)

    def test_time_left_at_closing_continues_the_next_morning(self) -> None:
        due = add_business_seconds(WEEKDAYS_ROME, rome(2026, 11, 25, 17), 2 * HOUR)
        assert due == rome(2026, 11, 26, 10)

    def test_a_clock_started_on_friday_evening_continues_on_monday(self) -> None:
        due = add_business_seconds(WEEKDAYS_ROME, rome(2026, 11, 27, 17, 30), HOUR)
        assert due == rome(2026, 11, 30, 9, 30)

    def test_a_clock_started_at_night_starts_counting_at_opening(self) -> None:
        assert add_business_seconds(WEEKDAYS_ROME, rome(2026, 11, 25, 3), 60) == rome(2026, 11, 25, 9, 1)

    def test_holidays_are_skipped(self) -> None:
        # Wednesday 23 December 17:00 + 2 h: the 24th and 25th are holidays, the 26th-27th a weekend.
        due = add_business_seconds(WEEKDAYS_ROME, rome(2026, 12, 23, 17), 2 * HOUR)
        assert due == rome(2026, 12, 28, 10)

    def test_business_time_between_two_instants_leaves_out_nights_and_weekends(self) -> None:
        spent = business_seconds_between(WEEKDAYS_ROME, rome(2026, 11, 27, 17), rome(2026, 11, 30, 10))
        assert spent == 2 * HOUR

    def test_no_calendar_means_around_the_clock(self) -> None:
        start = datetime(2026, 11, 28, 23, 59, 50, tzinfo=UTC)
        assert add_business_seconds(None, start, 30) == start + timedelta(seconds=30)
        assert business_seconds_between(None, start, start + timedelta(hours=5)) == 5 * HOUR


class TestDaylightSaving:
    def test_a_due_time_across_the_spring_change_keeps_local_opening_hours(self) -> None:
        # Rome moves from UTC+1 to UTC+2 on Sunday 29 March 2026.
        start = rome(2026, 3, 28, 12)  # Saturday noon, UTC+1
        due = add_business_seconds(EVERY_DAY_8_TO_20, start, 24 * HOUR)  # 8 h Sat + 12 h Sun + 4 h Mon
        assert due == rome(2026, 3, 30, 12)
        assert due.astimezone(UTC) == datetime(2026, 3, 30, 10, tzinfo=UTC)

    def test_the_autumn_change_night_has_one_hour_more_around_the_clock(self) -> None:
        always = check_calendar(timezone="Europe/Rome", hours={d: [(0, 1440)] for d in range(7)}, holidays=[])
        saturday, monday = rome(2026, 10, 24, 0), rome(2026, 10, 26, 0)
        assert business_seconds_between(always, saturday, monday) == 49 * HOUR

    def test_opening_hours_around_the_change_still_count_their_local_length(self) -> None:
        spent = business_seconds_between(EVERY_DAY_8_TO_20, rome(2026, 3, 29, 0), rome(2026, 3, 30, 0))
        assert spent == 12 * HOUR


class TestProperties:
    @settings(max_examples=150, deadline=None)
    @given(
        start=st.datetimes(
            min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
        ),
        seconds=st.integers(0, 30 * 24 * HOUR),
    )
    def test_the_business_time_up_to_a_due_time_is_the_target(self, start: datetime, seconds: int) -> None:
        due = add_business_seconds(WEEKDAYS_ROME, start, seconds)
        assert due >= start
        assert business_seconds_between(WEEKDAYS_ROME, start, due) == pytest.approx(seconds, abs=1e-6)


class TestCheckCalendar:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"hours": {0: [(600, 500)]}}, "hours"),
            ({"hours": {}}, "hours"),
            ({"holidays": ["25/12/2026"]}, "holidays"),
        ],
    )
    def test_a_bad_calendar_is_refused_naming_the_field(self, fields: dict, field: str) -> None:
        values = {"timezone": "UTC", "hours": {0: NINE_TO_SIX}, "holidays": [], **fields}
        with pytest.raises(InvalidInput) as refused:
            check_calendar(**values)
        assert refused.value.field == field
