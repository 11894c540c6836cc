"""The clock: aware UTC, and the replayed clock history imports run under."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from firstline.kit.time import replaying_at, utcnow


class TestReplayingAt:
    def test_the_clock_reads_the_replayed_moment_inside_and_the_real_time_after(self) -> None:
        moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
        with replaying_at(moment):
            assert utcnow() == moment
            with replaying_at(moment + timedelta(hours=1)):
                assert utcnow() == moment + timedelta(hours=1)
            assert utcnow() == moment
        assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)

    def test_a_naive_moment_is_refused(self) -> None:
        with pytest.raises(ValueError), replaying_at(datetime(2026, 3, 1)):
            pass
