"""One typed Settings object, read once from the environment (prefix ``FIRSTLINE_``)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MailboxSettings(BaseModel):
    """A mailbox configured by environment (FIRSTLINE_EMAIL_MAILBOXES, a JSON list of these)."""

    model_config = ConfigDict(extra="forbid")

    address: str
    imap_host: str = ""
    imap_port: int = 993
    imap_ssl: bool = True
    imap_username: str = ""
    imap_password: str = Field(default="", repr=False)  # stored sealed (firstline.kit.sealing), never shown
    imap_folder: str = "INBOX"
    processed_folder: str = ""  # empty: flag processed mail \Seen plus a keyword instead of moving it
    auto_ack: bool = False
    signatures: dict[str, str] = Field(default_factory=dict)


class Settings(BaseSettings):
    """Every knob Firstline reads. The README's configuration table mirrors this class."""

    model_config = SettingsConfigDict(env_prefix="FIRSTLINE_", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"), description="Where the SQLite database, attachments and the secret key live."
    )
    # repr=False on every field that can hold a credential: a logged or printed Settings shows none of them.
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty means SQLite at DATA_DIR/firstline.db.", repr=False
    )
    redis_url: str = Field(
        default="", description="Redis URL for the realtime bus; empty means in-process.", repr=False
    )
    secret_key: str = Field(
        default="",
        description="Signs CSRF tokens; empty means generated once into DATA_DIR/secret_key.",
        repr=False,
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_json: bool = False
    log_level: str = "INFO"
    cookie_secure: bool = Field(default=False, description="Send session cookies only over HTTPS.")
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    attachment_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    metrics_token: str = Field(
        default="", description="When set, /metrics requires 'Authorization: Bearer <token>'.", repr=False
    )
    routing_mode: str = Field(
        default="auto",
        pattern="^(auto|offer)$",
        description="'auto' assigns chats; 'offer' asks the agent first.",
    )
    routing_offer_timeout_seconds: int = Field(default=20, ge=5, le=600)
    routing_secondary_language_after_seconds: int = Field(
        default=30, ge=0, description="Wait before agents with the language as a secondary one are offered."
    )
    routing_english_after_seconds: int = Field(
        default=60, ge=0, description="Wait before English-speaking agents are offered a chat."
    )
    routing_email_weight: float = Field(
        default=0.5, ge=0, le=5, description="Share of a chat slot one open email conversation takes."
    )
    presence_heartbeat_timeout_seconds: int = Field(default=60, ge=5)
    presence_idle_timeout_seconds: int = Field(default=600, ge=30)
    run_timers: bool = Field(default=True, description="Run the SLA and routing timer loops in this process.")
    # Email channel. Every background part is off by default, so tests and the demo start none of them.
    email_from_address: str = Field(
        default="support@firstline.localhost", description="From address when no mailbox is configured."
    )
    email_from_name: str = Field(default="Support", description="Display name on outgoing mail.")
    email_default_language: str = Field(default="en", description="Language of customers first met by email.")
    email_mailboxes: list[MailboxSettings] = Field(
        default_factory=list, description="Mailboxes to poll, as a JSON list; merged with the console's."
    )
    email_imap_enabled: bool = Field(default=False, description="Poll the active mailboxes over IMAP.")
    email_imap_poll_seconds: float = Field(default=60.0, gt=0)
    email_smtp_listener_enabled: bool = Field(default=False, description="Accept mail by SMTP directly.")
    email_smtp_listener_host: str = "127.0.0.1"
    email_smtp_listener_port: int = 2525
    email_outbound_enabled: bool = Field(default=False, description="Deliver the outbox through SMTP.")
    email_smtp_host: str = "127.0.0.1"
    email_smtp_port: int = 25
    email_smtp_username: str = ""
    email_smtp_password: str = Field(default="", repr=False)
    email_smtp_starttls: bool = False
    email_smtp_tls: bool = False
    email_smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    email_outbox_poll_seconds: float = Field(default=5.0, gt=0)
    email_outbox_lease_seconds: int = Field(
        default=300, ge=10, description="How long a sender owns a claimed row; must exceed the SMTP timeout."
    )
    email_outbox_max_attempts: int = Field(default=8, ge=1)
    email_outbox_backoff_seconds: float = Field(default=30.0, gt=0, description="First retry delay; doubles.")
    email_max_message_bytes: int = Field(
        default=25 * 1024 * 1024, ge=1024, description="Larger mail is kept raw and listed as rejected."
    )
    email_raw_max_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1024, description="Largest raw mail kept at all; SMTP refuses larger."
    )
    email_thread_window_hours: float = Field(
        default=72.0, gt=0, description="Subject plus sender threads into a conversation this recent."
    )
    email_sender_rate_per_hour: int = Field(
        default=60, ge=1, description="Live mail from one sender beyond this per hour is held as rejected."
    )
    # Cases: complaints register clocks, follow-ups, the grace period of resolved cases.
    complaint_contact_point: str = Field(
        default="Complaints Desk, complaints@exchange.example",
        description="Named in every complaint acknowledgement as the contact point.",
    )
    complaint_acknowledgement_hours: int = Field(
        default=24, ge=1, le=24 * 14, description="Acknowledge a complaint within this many hours of receipt."
    )
    complaint_admissibility_days: int = Field(
        default=5, ge=1, le=30, description="Decide a complaint's admissibility within this many days."
    )
    complaint_response_days: int = Field(
        default=30, ge=1, le=62, description="The operator's timeframe for a decision (capped at two months)."
    )
    complaint_warning_hours: int = Field(
        default=48, ge=1, description="Warn this long before a complaint step is due."
    )
    case_grace_days: float = Field(
        default=7.0, gt=0, description="A reply within this long reopens a resolved case; then it closes."
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'firstline.db').resolve()}"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    def effective_secret_key(self) -> str:
        """The configured secret, or one generated on first use and kept in DATA_DIR."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
