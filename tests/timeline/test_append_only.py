"""The event log is append-only, whoever tries to change it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from firstline.timeline.service import AppendOnlyViolation, list_conversation_events


class TestAppendOnly:
    def test_the_orm_refuses_to_change_an_event(self, db, chat_with_joao) -> None:
        event = list_conversation_events(db, conversation_id=chat_with_joao.id)[0]
        event.data = {"forged": True}
        with pytest.raises(AppendOnlyViolation):
            db.flush()

    def test_the_orm_refuses_to_delete_an_event(self, db, chat_with_joao) -> None:
        event = list_conversation_events(db, conversation_id=chat_with_joao.id)[0]
        db.delete(event)
        with pytest.raises(AppendOnlyViolation):
            db.flush()

    @pytest.mark.parametrize("statement", ["UPDATE event SET kind = 'forged'", "DELETE FROM event"])
    def test_the_database_refuses_raw_sql_too(self, db, chat_with_joao, statement) -> None:
        with pytest.raises(DatabaseError, match="append-only"):
            with db.begin_nested():
                db.execute(text(statement))
        assert (
            list_conversation_events(db, conversation_id=chat_with_joao.id)[0].kind == "conversation.opened"
        )
