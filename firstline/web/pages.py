"""Helpers for the thin HTML views."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("agent", getattr(request.state, "agent", None))
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None, default: str = "/inbox") -> str:
    """Only same-site paths: never redirect a login to another host."""
    if not url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


def optional_int(value: str | None) -> int | None:
    """A filter value from a form or query string: digits become an int, anything else None."""
    if value and value.isdigit() and len(value) < 18:
        return int(value)
    return None
