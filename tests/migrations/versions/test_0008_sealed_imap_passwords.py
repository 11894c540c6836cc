"""0008 seals the IMAP passwords already stored in clear, and its downgrade restores them."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Connection, text

from firstline.db import alembic_config, make_engine, migrate
from firstline.kit.sealing import unseal


class TestSealedImapPasswords:
    """0008 seals the IMAP passwords already stored in clear, and its downgrade restores them."""

    SECRET_KEY = "migration-secret-key-" + "m" * 32

    def test_upgrade_seals_stored_passwords_and_downgrade_restores_them(self, fresh_database_url) -> None:
        url = fresh_database_url("sealing")
        migrate(url, "0007")
        engine = make_engine(url)
        with engine.begin() as connection:
            _insert_legacy_mailboxes(connection)
        config = alembic_config(url)
        config.attributes["secret_key"] = self.SECRET_KEY
        command.upgrade(config, "0008")
        with engine.connect() as connection:
            sealed: dict[int, str] = dict(
                connection.execute(text("SELECT id, imap_password_sealed FROM mailbox")).all()
            )
            mail_mailbox = connection.execute(text("SELECT mailbox_id FROM inbound_mail")).scalar_one()
        assert sealed[1].startswith("fernet:") and "legacy" not in sealed[1] and sealed[2] == ""
        assert unseal(self.SECRET_KEY, sealed[1]) == "legacy-Pa55"
        assert mail_mailbox == 1  # the mailbox table was altered in place, not rebuilt
        command.downgrade(config, "0007")
        with engine.connect() as connection:
            restored: dict[int, str] = dict(
                connection.execute(text("SELECT id, imap_password FROM mailbox")).all()
            )
            mail_mailbox = connection.execute(text("SELECT mailbox_id FROM inbound_mail")).scalar_one()
        assert (restored, mail_mailbox) == ({1: "legacy-Pa55", 2: ""}, 1)
        engine.dispose()


def _insert_legacy_mailboxes(connection: Connection) -> None:
    """Two mailboxes as revision 0007 stored them (one password in clear, one without) and a mail."""
    now = datetime.now(UTC)
    for mailbox_id, password in ((1, "legacy-Pa55"), (2, "")):
        connection.execute(
            text(
                "INSERT INTO mailbox (id, address, name, is_active, imap_host, imap_port, imap_ssl,"
                " imap_username, imap_password, imap_folder, processed_folder, auto_ack, signatures,"
                " last_poll_error, created_at) VALUES (:id, :address, '', :yes, 'imap.example', 993, :yes,"
                " 'support', :password, 'INBOX', '', :no, '{}', '', :now)"
            ),
            {"id": mailbox_id, "address": f"box{mailbox_id}@exchange.example", "password": password,
             "yes": True, "no": False, "now": now},
        )  # fmt: skip
    connection.execute(
        text(
            "INSERT INTO inbound_mail (message_id, mailbox_id, source, status, reason, raw_size, sender,"
            ' sender_name, recipients, subject, subject_key, in_reply_to, "references", is_automated,'
            " html_body, quoted_text, notes, received_at) VALUES ('<m@x>', 1, 'imap', 'imported', '', 0,"
            " 'a@example.org', '', '[]', '', '', '', '[]', :no, '', '', '[]', :now)"
        ),
        {"no": False, "now": now},
    )
