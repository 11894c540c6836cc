"""0010 adds the routing floor's change log; on SQLite its triggers log what changes, and go on downgrade."""

from __future__ import annotations

from sqlalchemy import inspect, text

from tests.migrations.conftest import insert_conversation

TRIGGERS = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'routing_floor_%'"


class TestRoutingFloorChange:
    def test_the_log_is_added_filled_on_sqlite_only_and_removed_with_its_triggers(self, at_revision) -> None:
        database = at_revision("0009")
        with database.engine.begin() as connection:
            conversation_id = insert_conversation(connection)
        database.upgrade("0010")
        with database.engine.begin() as connection:
            agent_id = connection.execute(
                text(
                    "INSERT INTO agent (email, name, password_hash, roles, languages, tier, skills,"
                    " max_concurrent_chats, is_active, failed_logins, created_at)"
                    " VALUES ('a@example.com', 'A', '', '[]', '{}', 'l1', '[]', 3, true, 0, CURRENT_TIMESTAMP)"
                    " RETURNING id"
                )
            ).scalar_one()
            connection.execute(
                text("UPDATE conversation SET assignee_id = :agent WHERE id = :id"),
                {"agent": agent_id, "id": conversation_id},
            )
            logged = connection.execute(
                text("SELECT agent_id FROM routing_floor_change ORDER BY id")
            ).scalars()
            assert list(logged) == ([agent_id, agent_id] if database.dialect == "sqlite" else [])
        database.downgrade("0009")
        assert "routing_floor_change" not in inspect(database.engine).get_table_names()
        if database.dialect == "sqlite":
            with database.engine.connect() as connection:
                assert connection.execute(text(TRIGGERS)).scalar_one() == 0
