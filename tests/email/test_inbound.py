"""The inbound_mail row: claimed once per Message-ID, then changed by primary key."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstline.email.inbound import InboundRow, inbound_row, insert_unique, stored_as, update_row
from firstline.email.models import InboundMail, InboundStatus, Source, ThreadRule
from firstline.email.parsing import parse_mail
from tests.email.conftest import simple_mail

NOW = datetime(2024, 6, 1, 9, 30, tzinfo=UTC)


def row_of(raw: bytes) -> InboundRow:
    parsed = parse_mail(raw, max_attachment_bytes=1024 * 1024)
    return inbound_row(parsed, "0" * 64, "0" * 64, len(raw), None, Source.IMPORT, NOW)


class TestInsertUnique:
    def test_a_new_message_id_is_inserted_as_rejected_until_posted(self, db: Session) -> None:
        row = row_of(simple_mail(1, subject="Re: Withdrawal pending"))
        assert insert_unique(db, row) and row.id
        stored = db.get(InboundMail, row.id)
        assert stored is not None
        assert (stored.message_id, stored.status, stored.sender, stored.subject_key) == (
            "<batch-1@example.org>",
            InboundStatus.REJECTED,
            "ana@example.org",
            "withdrawal pending",
        )
        assert stored.received_at == NOW

    def test_a_message_id_stored_already_inserts_nothing_and_names_the_first_row(self, db: Session) -> None:
        first, again = row_of(simple_mail(2)), row_of(simple_mail(2))
        assert insert_unique(db, first)
        assert not insert_unique(db, again) and again.id == 0
        assert stored_as(db, "<batch-2@example.org>") == (first.id, None)
        count = select(func.count()).where(InboundMail.message_id == "<batch-2@example.org>")
        assert db.scalar(count) == 1


class TestStoredAs:
    def test_an_unknown_message_id_is_not_stored(self, db: Session) -> None:
        assert stored_as(db, "<never@example.org>") == (None, None)


class TestUpdateRow:
    def test_the_columns_given_change_and_the_others_stay(self, db: Session) -> None:
        row = row_of(simple_mail(3))
        insert_unique(db, row)
        update_row(db, row, status=InboundStatus.THREADED, rule=ThreadRule.SUBJECT, reason="same subject")
        db.expire_all()
        stored = db.get(InboundMail, row.id)
        assert stored is not None
        assert (stored.status, stored.rule, stored.reason, stored.sender) == (
            InboundStatus.THREADED,
            ThreadRule.SUBJECT,
            "same subject",
            "ana@example.org",
        )
        assert row.values["status"] == InboundStatus.THREADED
