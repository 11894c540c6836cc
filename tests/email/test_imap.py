"""IMAP polling against a real Dovecot: mail is stored, then flagged or moved, never lost or doubled."""

from __future__ import annotations

import asyncio
import imaplib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from firstline.config import MailboxSettings, Settings
from firstline.email import intake
from firstline.email.imap import (
    PROCESSED_KEYWORD,
    TOO_LARGE_KEYWORD,
    UNREADABLE_PASSWORD,
    poll_mailbox,
    sync_configured_mailboxes,
)
from firstline.email.models import InboundMail, InboundStatus, Mailbox
from firstline.email.service import mailbox_password, set_mailbox_password
from firstline.email.tasks import _poll_all
from firstline.kit.sealing import seal
from tests import harness
from tests.email.conftest import corpus

USERS = {f"support{n}": "secret" for n in range(1, 8)}
SECRET_KEY = "imap-test-secret-key-" + "k" * 32


@pytest.fixture(scope="module")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.RunningService]:
    try:
        server = harness.start_dovecot(tmp_path_factory.mktemp("dovecot"), USERS)
    except harness.ServiceUnavailable as exc:
        harness.require_or_skip(exc)
    with server:
        yield server


@pytest.fixture
def mail_settings(mail_settings: Settings) -> Settings:
    """The settings of these tests, whose secret key seals the mailboxes' passwords."""
    return mail_settings.model_copy(update={"secret_key": SECRET_KEY})


def imap_login(dovecot: harness.RunningService, user: str) -> imaplib.IMAP4:
    client = imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=5)
    client.login(user, USERS[user])
    return client


def append(
    dovecot: harness.RunningService, user: str, raw: bytes, *, folder: str = "INBOX", flags: str = ""
) -> None:
    with imap_login(dovecot, user) as client:
        status, _ = client.append(folder, flags or None, imaplib.Time2Internaldate(time.time()), raw)
        assert status == "OK"


def flags_in(dovecot: harness.RunningService, user: str, folder: str = "INBOX") -> list[bytes]:
    with imap_login(dovecot, user) as client:
        _, count = client.select(folder)
        if count[0] == b"0":
            return []
        _, data = client.fetch("1:*", "(FLAGS)")
        return [item for item in data if isinstance(item, bytes)]


def mailbox_for(db: Session, dovecot: harness.RunningService, user: str, **fields: object) -> Mailbox:
    mailbox = Mailbox(
        address=f"{user}@exchange.example", imap_host="127.0.0.1", imap_port=dovecot.port, imap_ssl=False,
        imap_username=user, **fields,
    )  # fmt: skip
    set_mailbox_password(mailbox, password=USERS[user], secret_key=SECRET_KEY)
    db.add(mailbox)
    db.commit()
    return mailbox


class TestPolling:
    def test_new_mail_is_stored_then_flagged_seen_and_processed(
        self, db: Session, dovecot, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        mailbox = mailbox_for(db, dovecot, "support1")
        append(dovecot, "support1", corpus("multipart_alternative.eml"))
        append(dovecot, "support1", corpus("broadcast_reply_alice.eml"))
        summary = poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings)
        assert (summary.fetched, summary.error) == (2, "")
        assert summary.statuses == {InboundStatus.IMPORTED: 2}
        flags = flags_in(dovecot, "support1")
        assert len(flags) == 2 and all(b"\\Seen" in f and PROCESSED_KEYWORD.encode() in f for f in flags)
        stored = db.scalars(select(InboundMail.message_id).where(InboundMail.mailbox_id == mailbox.id)).all()
        assert sorted(stored) == ["<alt-1@mail.example.com>", "<broadcast-reply-alice@example.net>"]

    def test_a_second_poll_fetches_nothing_and_a_redelivered_mail_is_stored_once(
        self, db: Session, dovecot, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        mailbox = mailbox_for(db, dovecot, "support2")
        append(dovecot, "support2", corpus("nested_multipart.eml"))
        poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings)
        assert poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings).fetched == 0
        append(dovecot, "support2", corpus("nested_multipart.eml"))  # the relay delivered it twice
        again = poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings)
        assert again.statuses == {InboundStatus.DUPLICATE: 1}
        assert db.scalar(select(func.count()).where(InboundMail.message_id == "<nested-1@example.it>")) == 1

    def test_mail_already_read_by_a_person_is_still_imported(
        self, db: Session, dovecot, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        mailbox = mailbox_for(db, dovecot, "support3")
        append(dovecot, "support3", corpus("wrong_charset.eml"), flags="(\\Seen)")
        assert poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings).fetched == 1

    def test_processed_mail_is_moved_to_the_processed_folder_after_it_is_stored(
        self, db: Session, dovecot, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        mailbox = mailbox_for(db, dovecot, "support4", processed_folder="Firstline Processed")
        with imap_login(dovecot, "support4") as client:
            assert client.create('"Firstline Processed"')[0] == "OK"
        append(dovecot, "support4", corpus("rfc2047_headers.eml"))
        assert poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings).fetched == 1
        assert flags_in(dovecot, "support4") == []
        (moved,) = flags_in(dovecot, "support4", '"Firstline Processed"')
        assert PROCESSED_KEYWORD.encode() in moved
        assert (
            db.scalar(select(InboundMail).where(InboundMail.message_id == "<rfc2047-1@example.fr>"))
            is not None
        )

    def test_a_mail_too_large_to_keep_is_listed_as_rejected_and_left_on_the_server(
        self, db: Session, dovecot, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        mailbox = mailbox_for(db, dovecot, "support5")
        small_limit = mail_settings.model_copy(update={"email_raw_max_bytes": 2000})
        big = (
            b"From: whale@example.com\r\nMessage-ID: <whale@x>\r\nSubject: big\r\n\r\n"
            + b"x" * 5000
            + b"\r\n"
        )
        append(dovecot, "support5", big)
        summary = poll_mailbox(factory, mailbox_id=mailbox.id, settings=small_limit)
        assert summary.statuses == {InboundStatus.REJECTED: 1}
        row = db.scalar(select(InboundMail).where(InboundMail.message_id == "<whale@x>"))
        assert row is not None and row.raw_sha256 is None and "left on the IMAP server" in row.reason
        (flags,) = flags_in(dovecot, "support5")
        assert TOO_LARGE_KEYWORD.encode() in flags and b"\\Deleted" not in flags


class TestBatches:
    def test_a_mail_that_cannot_be_stored_stays_unflagged_while_the_rest_of_its_batch_is_stored(
        self,
        db: Session,
        dovecot,
        factory: sessionmaker[Session],
        mail_settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        real_post = intake._post

        def post(session: Session, parsed: Any, *args: Any) -> Any:
            if parsed.message_id == "<alt-1@mail.example.com>":
                raise RuntimeError("storage hiccup")
            return real_post(session, parsed, *args)

        monkeypatch.setattr(intake, "_post", post)
        mailbox = mailbox_for(db, dovecot, "support6")
        for name in ("nested_multipart.eml", "multipart_alternative.eml", "rfc2047_headers.eml"):
            append(dovecot, "support6", corpus(name))
        summary = poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings)
        assert summary.statuses == {InboundStatus.IMPORTED: 2, "failed": 1}
        flagged = [PROCESSED_KEYWORD.encode() in flags for flags in flags_in(dovecot, "support6")]
        assert flagged == [True, False, True]  # the failed one is fetched again next poll
        monkeypatch.setattr(intake, "_post", real_post)
        again = poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings)
        assert (again.fetched, again.statuses) == (1, {InboundStatus.IMPORTED: 1})


class TestFailures:
    def test_a_wrong_password_is_recorded_on_the_mailbox(
        self, db: Session, dovecot, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        mailbox = mailbox_for(db, dovecot, "support1")
        set_mailbox_password(mailbox, password="wrong", secret_key=SECRET_KEY)
        db.commit()
        summary = poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings)
        db.refresh(mailbox)
        assert summary.error and mailbox.last_poll_error == summary.error
        assert "wrong" not in summary.error

    def test_a_password_sealed_under_another_secret_key_is_shown_as_a_mailbox_error(
        self,
        db: Session,
        dovecot,
        factory: sessionmaker[Session],
        mail_settings: Settings,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        mailbox = mailbox_for(db, dovecot, "support1")
        mailbox.imap_password_sealed = seal("the-key-before-rotation-" + "z" * 32, USERS["support1"])
        db.commit()
        summary = poll_mailbox(factory, mailbox_id=mailbox.id, settings=mail_settings)
        db.refresh(mailbox)
        assert (summary.fetched, summary.error) == (0, UNREADABLE_PASSWORD)
        assert mailbox.last_poll_error == UNREADABLE_PASSWORD and mailbox.last_polled_at is not None
        assert "IMAP password unreadable" in caplog.text

    def test_the_poll_loop_goes_on_to_the_next_mailbox_after_an_unreadable_password(
        self, db: Session, dovecot, factory: sessionmaker[Session], mail_settings: Settings
    ) -> None:
        unreadable = mailbox_for(db, dovecot, "support1")
        unreadable.imap_password_sealed = seal("the-key-before-rotation-" + "z" * 32, USERS["support1"])
        readable = mailbox_for(db, dovecot, "support7")
        db.commit()
        append(dovecot, "support7", corpus("multipart_alternative.eml"))
        asyncio.run(_poll_all(factory, mail_settings))  # raises nothing
        db.refresh(unreadable)
        db.refresh(readable)
        assert (unreadable.last_poll_error, readable.last_poll_error) == (UNREADABLE_PASSWORD, "")
        stored = db.scalar(
            select(InboundMail.mailbox_id).where(InboundMail.message_id == "<alt-1@mail.example.com>")
        )
        assert stored == readable.id


def test_mailboxes_given_by_environment_are_created_and_updated(db: Session) -> None:
    configured = [
        MailboxSettings(address="Help@Exchange.example", imap_host="imap.exchange.example", auto_ack=True)
    ]
    (created,) = sync_configured_mailboxes(db, configured=configured, secret_key=SECRET_KEY)
    assert (created.address, created.auto_ack) == ("help@exchange.example", True)
    configured[0].auto_ack = False
    (updated,) = sync_configured_mailboxes(db, configured=configured, secret_key=SECRET_KEY)
    assert updated.id == created.id and not updated.auto_ack


def test_a_password_given_by_environment_is_stored_sealed(db: Session) -> None:
    configured = [MailboxSettings(address="help@exchange.example", imap_password="env-pa55word")]
    (mailbox,) = sync_configured_mailboxes(db, configured=configured, secret_key=SECRET_KEY)
    raw = db.execute(text("SELECT imap_password_sealed FROM mailbox WHERE id = :id"), {"id": mailbox.id})
    stored = raw.scalar_one()
    assert stored.startswith("fernet:") and "env-pa55word" not in stored
    assert mailbox_password(mailbox, secret_key=SECRET_KEY) == "env-pa55word"
