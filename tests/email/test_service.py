"""Mailbox set-up: IMAP passwords are kept sealed, never in clear, and read back with the same secret key."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from firstline.email.models import Mailbox
from firstline.email.service import mailbox_password, save_mailbox
from firstline.kit.errors import InvalidInput
from firstline.kit.sealing import UnreadableSecret

SECRET_KEY = "service-test-secret-key-" + "s" * 32


def raw_password_column(db: Session, mailbox: Mailbox) -> str:
    """The column as the database holds it, read with SQL rather than through the model."""
    query = text("SELECT imap_password_sealed FROM mailbox WHERE id = :id")
    return str(db.execute(query, {"id": mailbox.id}).scalar_one())


class TestSaveMailbox:
    def test_a_new_mailbox_stores_its_password_sealed(self, db: Session) -> None:
        mailbox = save_mailbox(
            db, address="support@exchange.example", imap_password="Tr0ub4dor&3", secret_key=SECRET_KEY
        )
        stored = raw_password_column(db, mailbox)
        assert stored.startswith("fernet:") and "Tr0ub4dor" not in stored

    def test_an_update_with_a_new_password_reseals_it_and_one_without_keeps_it(self, db: Session) -> None:
        save_mailbox(db, address="support@exchange.example", imap_password="old-Pa55", secret_key=SECRET_KEY)
        mailbox = save_mailbox(
            db, address="support@exchange.example", imap_password="new-Pa55", secret_key=SECRET_KEY
        )
        changed = raw_password_column(db, mailbox)
        save_mailbox(db, address="support@exchange.example", name="Support", secret_key=SECRET_KEY)
        kept = raw_password_column(db, mailbox)
        assert changed == kept and "Pa55" not in kept
        assert mailbox_password(mailbox, secret_key=SECRET_KEY) == "new-Pa55"

    def test_a_password_longer_than_500_characters_is_refused(self, db: Session) -> None:
        with pytest.raises(InvalidInput, match="longer than 500"):
            save_mailbox(
                db, address="support@exchange.example", imap_password="p" * 501, secret_key=SECRET_KEY
            )


class TestMailboxPassword:
    def test_a_mailbox_without_a_password_reads_as_empty(self, db: Session) -> None:
        mailbox = save_mailbox(db, address="support@exchange.example", secret_key=SECRET_KEY)
        assert (raw_password_column(db, mailbox), mailbox_password(mailbox, secret_key=SECRET_KEY)) == (
            "",
            "",
        )

    def test_a_password_sealed_under_another_secret_key_cannot_be_read(self, db: Session) -> None:
        mailbox = save_mailbox(
            db, address="support@exchange.example", imap_password="Pa55", secret_key=SECRET_KEY
        )
        with pytest.raises(UnreadableSecret):
            mailbox_password(mailbox, secret_key="a-rotated-secret-key-" + "r" * 32)
