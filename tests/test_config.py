"""Settings: read once from the environment, and never shown with their credentials."""

from __future__ import annotations

from pathlib import Path

from firstline.config import MailboxSettings, Settings


class TestRepr:
    def test_a_printed_settings_object_shows_no_credential(self, tmp_path: Path) -> None:
        credentials = {
            "database_url": "postgresql+psycopg://support:db-pass-7Qx@db.internal:5432/firstline",
            "redis_url": "redis://:redis-pass-9Lm@cache.internal:6379/0",
            "secret_key": "secret-key-" + "k" * 40,
            "metrics_token": "metrics-token-4Zr",
            "email_smtp_password": "smtp-pass-2Wd",
        }
        mailbox = MailboxSettings(address="support@exchange.example", imap_password="imap-pass-8Tn")
        settings = Settings(data_dir=tmp_path, email_mailboxes=[mailbox], **credentials)
        shown = repr(settings) + str(settings)
        for secret in (*credentials.values(), "db-pass-7Qx", "redis-pass-9Lm", "imap-pass-8Tn"):
            assert secret not in shown
        assert "data_dir" in shown  # the rest is still shown, for debugging
