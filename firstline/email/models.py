"""The email channel's tables: mailboxes, every mail received, the outbox, and bounces."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firstline.db import Base
from firstline.kit.time import utcnow
from firstline.kit.types import UTCDateTime


class Source(StrEnum):
    IMAP = "imap"
    SMTP = "smtp"
    IMPORT = "import"


class InboundStatus(StrEnum):
    IMPORTED = "imported"  # started a new conversation
    THREADED = "threaded"  # joined an existing conversation
    DUPLICATE = "duplicate"  # its Message-ID was stored before: reported, never stored twice
    REJECTED = "rejected"  # kept raw with a reason, shown to agents, not posted
    BOUNCE = "bounce"  # a delivery status notification, attached to the outbound mail it reports on


class ThreadRule(StrEnum):
    """Which rule put an inbound mail into its conversation."""

    REPLY_TOKEN = "reply_token"  # noqa: S105 - a rule name, not a secret
    REFERENCES = "references"
    SUBJECT = "subject"
    NEW = "new"
    SPLIT = "split"  # an agent moved it into a new conversation
    MERGED = "merged"  # an agent merged its conversation into another


class OutboundState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"


class OutboundKind(StrEnum):
    REPLY = "reply"
    AUTOMATIC = "automatic"  # labelled automatic: acknowledgements and other system messages


class Mailbox(Base):
    """An address customers write to, and how to fetch its mail."""

    __tablename__ = "mailbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    imap_host: Mapped[str] = mapped_column(String(255), default="")
    imap_port: Mapped[int] = mapped_column(Integer, default=993)
    imap_ssl: Mapped[bool] = mapped_column(Boolean, default=True)
    imap_username: Mapped[str] = mapped_column(String(320), default="")
    # Sealed with a key derived from FIRSTLINE_SECRET_KEY (firstline.kit.sealing); empty when not set.
    imap_password_sealed: Mapped[str] = mapped_column(Text, default="")
    imap_folder: Mapped[str] = mapped_column(String(200), default="INBOX")
    processed_folder: Mapped[str] = mapped_column(String(200), default="")
    auto_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    signatures: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # language code -> text
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_poll_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboundMail(Base):
    """One mail received, whatever became of it. Its raw bytes are in the mail store under ``raw_sha256``."""

    __tablename__ = "inbound_mail"
    __table_args__ = (
        Index("ix_inbound_mail_sender_received", "sender", "received_at"),
        Index("ix_inbound_mail_customer_subject", "customer_id", "subject_key"),
        Index("ix_inbound_mail_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID as received, or "<sha256:…@firstline>" of the raw bytes when missing: the unique key.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailbox.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    rule: Mapped[str | None] = mapped_column(String(16))
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    raw_size: Mapped[int] = mapped_column(Integer, default=0)
    sender: Mapped[str] = mapped_column(String(320), default="")
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(500), default="")
    subject_key: Mapped[str] = mapped_column(String(200), default="")
    in_reply_to: Mapped[str] = mapped_column(String(255), default="")
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_automated: Mapped[bool] = mapped_column(Boolean, default=False)
    html_body: Mapped[str] = mapped_column(Text, default="")  # sanitized, never the customer's raw HTML
    quoted_text: Mapped[str] = mapped_column(Text, default="")  # the folded history under the new part
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)  # what parsing had to repair or leave out
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id"), index=True)
    posted_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("message.id", ondelete="SET NULL"), index=True
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the Date header, when it parses
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboundMail(Base):
    """The outbox: one row per mail to send, claimed by one sender at a time under a lease."""

    __tablename__ = "outbound_mail"
    __table_args__ = (Index("ix_outbound_mail_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=OutboundKind.REPLY)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), index=True)
    posted_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("message.id", ondelete="SET NULL"), unique=True
    )
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailbox.id", ondelete="SET NULL"))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)  # the Message-ID header it is sent with
    from_address: Mapped[str] = mapped_column(String(320))
    from_name: Mapped[str] = mapped_column(String(200), default="")
    to_address: Mapped[str] = mapped_column(String(320))
    reply_to: Mapped[str] = mapped_column(String(320), default="")
    # Random, one per conversation: comes back in the plus-address of the customer's reply (threading rule 1).
    reply_token: Mapped[str] = mapped_column(String(32), default="", index=True)
    subject: Mapped[str] = mapped_column(String(500), default="")
    in_reply_to: Mapped[str] = mapped_column(String(255), default="")
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra_headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default=OutboundState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Bounce(Base):
    """A delivery status notification about one recipient of one outbound mail."""

    __tablename__ = "email_bounce"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbound_mail.id", ondelete="SET NULL"), index=True
    )
    inbound_id: Mapped[int] = mapped_column(ForeignKey("inbound_mail.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(32), default="")
    diagnostic: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
