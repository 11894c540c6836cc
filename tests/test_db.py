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
    load,
    load_by,
    make_engine,
    make_session_factory,
    migrate,
    save_changes,
    working_copy,
    write_columns,
)
from firstline.kit.time import utcnow
from firstline.routing.models import ConversationMetrics
from firstline.sla.models import SlaClock
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


def empty_metrics(conversation: Conversation) -> ConversationMetrics:
    return ConversationMetrics(
        conversation_id=conversation.id, wait_seconds=0.0, handle_seconds=0.0, transfers=0, requeues=0
    )


class TestSaveChanges:
    def test_what_differs_is_written_and_the_held_object_shows_it_without_being_marked_changed(
        self, db: Session, chat_with_joao: Conversation
    ) -> None:
        first = empty_metrics(chat_with_joao)
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
        pending = empty_metrics(chat_with_joao)
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


def loaded_columns(obj: object) -> dict[str, object]:
    return {
        key: getattr(obj, key) for key in ("id", "customer_id", "status", "language", "tags", "created_at")
    }


class TestLoad:
    def test_a_row_is_read_and_attached_as_the_orm_would_load_it(
        self, db: Session, chat_with_joao: Conversation
    ) -> None:
        conversation_id = chat_with_joao.id
        expected = loaded_columns(chat_with_joao)
        db.expunge_all()
        loaded = load(db, Conversation, conversation_id)
        assert loaded is not None and loaded_columns(loaded) == expected
        assert loaded in db and loaded not in db.dirty and loaded not in db.new
        assert db.get(Conversation, conversation_id) is loaded  # the session now holds it
        loaded.subject = "Withdrawal stuck"  # a change is an UPDATE at the next flush, as for any loaded row
        db.flush()
        db.expire_all()
        assert db.get(Conversation, conversation_id).subject == "Withdrawal stuck"

    def test_an_object_the_session_holds_comes_back_as_held_and_an_expired_one_is_read_again(
        self, db: Session, chat_with_joao: Conversation
    ) -> None:
        chat_with_joao.subject = "not flushed yet"
        assert load(db, Conversation, chat_with_joao.id) is chat_with_joao
        db.flush()
        db.execute(
            text("UPDATE conversation SET subject = 'changed behind it' WHERE id = :id"),
            {"id": chat_with_joao.id},
        )
        db.expire(chat_with_joao)
        assert load(db, Conversation, chat_with_joao.id).subject == "changed behind it"

    def test_a_missing_row_is_none(self, db: Session) -> None:
        assert load(db, Conversation, 10**9) is None


class TestLoadBy:
    def test_every_matching_row_in_key_order_held_ones_as_held(
        self, db: Session, chat_with_joao: Conversation
    ) -> None:
        clocks = sorted(
            db.scalars(select(SlaClock).where(SlaClock.conversation_id == chat_with_joao.id)),
            key=lambda c: c.id,
        )
        assert len(clocks) >= 2
        held = clocks[0]
        held.target_seconds = 99  # a change the session holds, not flushed
        expected = [(clock.id, clock.metric) for clock in clocks]
        db.expunge(clocks[1])
        found = load_by(db, SlaClock, "conversation_id", chat_with_joao.id)
        assert [(clock.id, clock.metric) for clock in found] == expected
        assert found[0] is held and found[0].target_seconds == 99
        assert found[1] is not clocks[1] and found[1] in db and found[1] not in db.dirty
        assert load_by(db, SlaClock, "conversation_id", 10**9) == []
