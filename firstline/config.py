"""One typed Settings object, read once from the environment (prefix ``FIRSTLINE_``)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob Firstline reads. The README's configuration table mirrors this class."""

    model_config = SettingsConfigDict(env_prefix="FIRSTLINE_", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"), description="Where the SQLite database, attachments and the secret key live."
    )
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty means SQLite at DATA_DIR/firstline.db."
    )
    redis_url: str = Field(default="", description="Redis URL for the realtime bus; empty means in-process.")
    secret_key: str = Field(
        default="", description="Signs CSRF tokens; empty means generated once into DATA_DIR/secret_key."
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
        default="", description="When set, /metrics requires 'Authorization: Bearer <token>'."
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
