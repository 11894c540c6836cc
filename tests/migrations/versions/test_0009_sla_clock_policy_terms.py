"""0009 gives SLA clocks a place for a deleted policy's terms, without touching the clocks already running."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text

from tests.migrations.conftest import insert_conversation


class TestPolicyTerms:
    def test_running_clocks_survive_the_upgrade_with_no_terms_and_the_downgrade_unchanged(
        self, at_revision
    ) -> None:
        database = at_revision("0008")
        now = datetime.now(UTC)
        with database.engine.begin() as connection:
            conversation_id = insert_conversation(connection)
            connection.execute(
                text(
                    "INSERT INTO sla_clock (conversation_id, metric, target_seconds, state, started_at,"
                    " running_since, elapsed_seconds, warn_at, due_at, fire_at)"
                    " VALUES (:c, 'first_response', 30, 'running', :now, :now, 0, :warn, :due, :warn)"
                ),
                {"c": conversation_id, "now": now, "warn": now + timedelta(seconds=24),
                 "due": now + timedelta(seconds=30)},
            )  # fmt: skip
        database.upgrade("0009")
        with database.engine.connect() as connection:
            row = connection.execute(text("SELECT target_seconds, state, policy_terms FROM sla_clock")).one()
        assert tuple(row) == (30, "running", None)
        database.downgrade("0008")
        columns = {column["name"] for column in inspect(database.engine).get_columns("sla_clock")}
        assert "policy_terms" not in columns
        with database.engine.connect() as connection:
            kept = connection.execute(text("SELECT conversation_id, target_seconds FROM sla_clock")).one()
        assert tuple(kept) == (conversation_id, 30)
