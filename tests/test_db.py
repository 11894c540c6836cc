"""SQLite transactions: writers take the write lock up front, so read-then-write never fails half way."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from firstline.conversations.models import Conversation
from firstline.db import (
    declare_write,
    insert_many,
    make_engine,
    make_session_factory,
    migrate,
    save_changes,
    working_copy,
    write_columns,
)
from firstline.kit.time import utcnow
from firstline.routing.models import ConversationMetrics
from firstline.timeline.models import Event


class TestDeclareWrite:
    def test_a_second_writer_waits_for_the_first_instead_of_failing(self, tmp_path) -> None:
        url = f"sqlite:///{tmp_path}/firstline.db"
        migrate(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        first = factory()
        declare_write(first)
        first.execute(
            text(
                "INSERT INTO team (name, description, tier, created_at) VALUES ('A', '', 'l1', '2026-01-01')"
            )
        )

        def finish_first() -> None:
            time.sleep(0.3)
            first.commit()

        releaser = threading.Thread(target=finish_first)
        started = time.monotonic()
        releaser.start()
        second = factory()
        declare_write(second)  # blocks on BEGIN IMMEDIATE until the first commits
        waited = time.monotonic() - started
        count = second.execute(text("SELECT count(*) FROM team")).scalar_one()
        second.execute(
            text(
                "INSERT INTO team (name, description, tier, created_at) VALUES ('B', '', 'l1', '2026-01-01')"
            )
        )
        second.commit()
        releaser.join()
        engine.dispose()
        assert waited >= 0.25
        assert count == 1  # the second writer saw the first one's row: no lost update


class TestInsertMany:
    def test_the_new_ids_come_back_in_the_order_of_the_rows(self, db: Session) -> None:
        rows = [
            {"kind": "customer.updated", "actor_kind": "system", "data": {"n": n}, "created_at": utcnow()}
            for n in range(120)
        ]
        ids = insert_many(db.connection(), Event.__table__, rows)
        stored = dict(db.execute(select(Event.id, Event.data).where(Event.id.in_(ids))).all())
        assert [stored[event_id]["n"] for event_id in ids] == list(range(120))

    def test_no_rows_insert_nothing(self, db: Session) -> None:
        assert insert_many(db.connection(), Event.__table__, []) == []


class TestSaveChanges:
    def test_what_differs_is_written_and_the_held_object_shows_it_without_being_marked_changed(
        self, db: Session, chat_with_joao: Conversation
    ) -> None:
        first = ConversationMetrics(
            conversation_id=chat_with_joao.id, wait_seconds=0.0, handle_seconds=0.0, transfers=0, requeues=0
        )
        db.add(first)
        db.flush()
        work = working_copy(first)
        work.transfers, work.requeues = 2, 1
        save_changes(db, [(first, work)])
        assert (first.transfers, first.requeues) == (2, 1)
        assert first not in db.dirty
        stored = db.execute(
            select(ConversationMetrics.transfers, ConversationMetrics.requeues).where(
                ConversationMetrics.conversation_id == chat_with_joao.id
            )
        ).one()
        assert tuple(stored) == (2, 1)

    def test_an_object_not_inserted_yet_takes_the_changes_for_its_flush(
        self, db: Session, chat_with_joao: Conversation
    ) -> None:
        pending = ConversationMetrics(
            conversation_id=chat_with_joao.id, wait_seconds=0.0, handle_seconds=0.0, transfers=0, requeues=0
        )
        db.add(pending)
        work = working_copy(pending)
        work.wait_seconds = 12.5
        save_changes(db, [(pending, work)])
        db.flush()
        db.expire_all()
        assert db.get(ConversationMetrics, chat_with_joao.id).wait_seconds == 12.5


class TestWriteColumns:
    def test_the_row_is_written_and_the_object_brought_along(
        self, db: Session, chat_with_joao: Conversation
    ) -> None:
        write_columns(db, chat_with_joao, {"subject": "Deposit of 250 USDT"})
        assert chat_with_joao.subject == "Deposit of 250 USDT" and chat_with_joao not in db.dirty
        assert (
            db.scalar(select(Conversation.subject).where(Conversation.id == chat_with_joao.id))
            == "Deposit of 250 USDT"
        )
