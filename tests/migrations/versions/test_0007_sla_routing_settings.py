"""0007 names the holidays of existing calendars and adds the stored routing settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import inspect, text


class TestHolidayNamesAndRoutingSettings:
    def test_an_existing_calendar_keeps_its_hours_and_gets_no_names_and_the_downgrade_undoes_it(
        self, at_revision
    ) -> None:
        database = at_revision("0006")
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO business_calendar (id, name, timezone, hours, holidays, created_at)"
                    " VALUES (1, 'Lisbon office', 'Europe/Lisbon', :hours, :holidays, :now)"
                ),
                {"hours": json.dumps({"0": [[540, 1080]]}), "holidays": json.dumps(["2026-12-08"]),
                 "now": datetime.now(UTC)},
            )  # fmt: skip
        database.upgrade("0007")
        assert "routing_setting" in inspect(database.engine).get_table_names()
        with database.engine.connect() as connection:
            row = connection.execute(
                text("SELECT name, hours, holidays, holiday_names FROM business_calendar")
            ).one()
        name, *documents = row
        assert name == "Lisbon office"
        assert [_json(value) for value in documents] == [{"0": [[540, 1080]]}, ["2026-12-08"], {}]
        database.downgrade("0006")
        assert "routing_setting" not in inspect(database.engine).get_table_names()
        columns = {column["name"] for column in inspect(database.engine).get_columns("business_calendar")}
        assert "holiday_names" not in columns
        with database.engine.connect() as connection:
            assert (
                connection.execute(text("SELECT name FROM business_calendar")).scalar_one() == "Lisbon office"
            )


def _json(value: object) -> object:
    """A JSON column as read without the models: text on SQLite, already parsed on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value
