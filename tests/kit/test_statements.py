from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.exc import MultipleResultsFound, NoResultFound, StatementError
from sqlalchemy.orm import Session

from firstline.conversations.models import Conversation
from firstline.conversations.service import open_conversation
from firstline.customers.models import Customer
from firstline.kit import statements
from firstline.kit.statements import run
from firstline.routing.models import QueueEntry

ENTRIES = QueueEntry.__table__
ENQUEUED = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)


def entry_values(conversation_id: int, **changes: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "language": "pt",
        "language_source": "detected",
        "tier": "l1",
        "category": "deposit_not_credited",
        "priority_rank": 2,
        "vip_tier": 1,
        "front": True,
        "enqueued_at": ENQUEUED,
        "state": "waiting",
        "offered_agent_id": None,
        "offer_expires_at": None,
        "declined_agent_ids": [4, 9],
        "overflow_stage": 0,
        "last_position": None,
        **changes,
    }


@pytest.fixture
def conversations(db: Session, portuguese_customer: Customer) -> list[Conversation]:
    opened = [open_conversation(db, customer_id=portuguese_customer.id, channel="chat") for _ in range(3)]
    db.flush()
    return opened


def on_driver(db: Session) -> bool:
    return db.get_bind().dialect.name == "sqlite"


class TestRun:
    def test_an_insert_returns_its_id_and_stores_what_core_stores(
        self, db: Session, conversations: list[Conversation]
    ) -> None:
        connection = db.connection()
        ours = run(connection, insert(ENTRIES).returning(ENTRIES.c.id), entry_values(conversations[0].id))
        cores = connection.execute(
            insert(ENTRIES).returning(ENTRIES.c.id), entry_values(conversations[1].id)
        ).scalar_one()
        read = select(*(column for column in ENTRIES.c if column.key not in ("id", "conversation_id")))
        stored = {
            entry_id: tuple(connection.execute(read.where(ENTRIES.c.id == entry_id)).one())
            for entry_id in (ours.scalar_one(), cores)
        }
        assert stored[ours.scalar_one()] == stored[cores]
        assert ENQUEUED in stored[cores] and [4, 9] in stored[cores] and True in stored[cores]

    def test_returned_values_are_converted_as_core_converts_them(
        self, db: Session, conversations: list[Conversation]
    ) -> None:
        connection = db.connection()
        connection.execute(insert(ENTRIES), entry_values(conversations[0].id))
        query = select(
            ENTRIES.c.enqueued_at, ENTRIES.c.front, ENTRIES.c.declined_agent_ids, ENTRIES.c.language
        ).where(ENTRIES.c.conversation_id == bindparam("conversation"))
        ours = run(connection, query, {"conversation": conversations[0].id}).first()
        assert ours == tuple(connection.execute(query, {"conversation": conversations[0].id}).one())
        assert ours == (ENQUEUED, True, [4, 9], "pt")
        assert ours[0].tzinfo is not None

    def test_a_list_of_parameters_updates_every_row_in_one_executemany(
        self, db: Session, conversations: list[Conversation]
    ) -> None:
        connection = db.connection()
        for conversation in conversations:
            connection.execute(insert(ENTRIES), entry_values(conversation.id))
        change = (
            update(ENTRIES)
            .where(ENTRIES.c.conversation_id == bindparam("conversation"))
            .values(last_position=bindparam("place"))
        )
        changed = run(
            connection,
            change,
            [
                {"conversation": conversation.id, "place": place}
                for place, conversation in enumerate(conversations)
            ],
        )
        assert changed.rowcount == len(conversations)
        places = dict(connection.execute(select(ENTRIES.c.conversation_id, ENTRIES.c.last_position)).all())
        assert [places[conversation.id] for conversation in conversations] == [0, 1, 2]

    def test_statements_that_need_sqlalchemy_while_executing_give_the_same_result(
        self, db: Session, conversations: list[Conversation]
    ) -> None:
        connection = db.connection()
        # Python-side defaults (state, front, enqueued_at…) are filled in by SQLAlchemy.
        bare = {
            key: value
            for key, value in entry_values(conversations[0].id).items()
            if key in ("conversation_id", "language", "tier", "category")
        }
        entry_id = run(connection, insert(ENTRIES).returning(ENTRIES.c.id), bare).scalar_one()
        state, front = connection.execute(
            select(ENTRIES.c.state, ENTRIES.c.front).where(ENTRIES.c.id == entry_id)
        ).one()
        assert (state, front) == ("waiting", False)
        # An expanding IN list.
        query = select(ENTRIES.c.id).where(ENTRIES.c.conversation_id.in_(bindparam("ids", expanding=True)))
        assert run(connection, query, {"ids": [conversations[0].id, 10**9]}).scalars() == [entry_id]

    def test_on_sqlite_the_statement_runs_on_the_driver_in_the_sessions_transaction(
        self, db: Session, conversations: list[Conversation]
    ) -> None:
        if not on_driver(db):
            pytest.skip("the driver path is SQLite's")
        connection = db.connection()
        through_core: list[str] = []
        on_the_driver: list[str] = []
        listener = lambda *args: through_core.append(args[2])  # noqa: E731
        event.listen(connection, "before_cursor_execute", listener)
        connection.connection.dbapi_connection.set_trace_callback(on_the_driver.append)  # type: ignore[union-attr]
        try:
            savepoint = db.begin_nested()
            run(db.connection(), insert(ENTRIES), entry_values(conversations[0].id))
            savepoint.rollback()
        finally:
            event.remove(connection, "before_cursor_execute", listener)
            connection.connection.dbapi_connection.set_trace_callback(None)  # type: ignore[union-attr]
        assert not any(statement.startswith("INSERT INTO queue_entry") for statement in through_core)
        assert any(statement.startswith("INSERT INTO queue_entry") for statement in on_the_driver)
        assert db.connection().execute(select(ENTRIES.c.id)).first() is None  # rolled back with the savepoint

    def test_a_parameter_the_statement_needs_and_was_not_given_is_refused_as_core_refuses_it(
        self, db: Session, conversations: list[Conversation]
    ) -> None:
        query = select(ENTRIES.c.id).where(ENTRIES.c.conversation_id == bindparam("conversation"))
        with pytest.raises(StatementError, match="conversation"):
            run(db.connection(), query, {"other": 1})
        with pytest.raises(StatementError, match="conversation"):
            db.connection().execute(query, {"other": 1})

    def test_statements_built_for_each_call_do_not_grow_the_plans_without_end(
        self, db: Session, conversations: list[Conversation]
    ) -> None:
        if not on_driver(db):
            pytest.skip("plans are made for SQLite's driver")
        for _ in range(statements.PLANS_KEPT + 50):
            query = select(ENTRIES.c.id).where(ENTRIES.c.conversation_id == bindparam("conversation"))
            assert run(db.connection(), query, {"conversation": conversations[0].id}).all() == []
        assert 0 < len(statements._PLANS) <= statements.PLANS_KEPT

    def test_scalar_one_insists_on_exactly_one_row(
        self, db: Session, conversations: list[Conversation]
    ) -> None:
        connection = db.connection()
        query = select(Conversation.__table__.c.id).where(
            Conversation.__table__.c.customer_id == bindparam("customer")
        )
        with pytest.raises(NoResultFound):
            run(connection, query, {"customer": 10**9}).scalar_one()
        with pytest.raises(MultipleResultsFound):
            run(connection, query, {"customer": conversations[0].customer_id}).scalar_one()
        assert run(connection, query, {"customer": 10**9}).scalar() is None
