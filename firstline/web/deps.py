"""Request-scoped dependencies: the database session and settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from firstline.config import Settings
from firstline.db import declare_write


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; the request boundary commits or rolls back."""
    session: Session = request.app.state.session_factory()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        declare_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# "function" scope: the session commits before the response is sent, so a client never reads stale data.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
