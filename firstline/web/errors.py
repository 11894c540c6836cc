"""One place that turns errors into responses: JSON under /api, a page elsewhere. Never a bare 500."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from firstline.kit.errors import FirstlineError, NotAuthenticated

log = logging.getLogger(__name__)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_response(request: Request, status: int, code: str, message: str, **extra: Any) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)
    templates = request.app.state.templates
    agent = getattr(request.state, "viewer", None)
    context = {"status": status, "message": message, "agent": agent}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


async def _firstline_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FirstlineError)
    if exc.status_code >= 400:
        log.info("request refused", extra={"path": request.url.path, "code": exc.code, "reason": exc.message})
    if isinstance(exc, NotAuthenticated) and not wants_json(request) and request.method == "GET":
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    extra = {"field": exc.field} if exc.field else {}
    return error_response(request, exc.status_code, exc.code, exc.message, **extra)


def _describe(error: dict[str, Any]) -> dict[str, Any]:
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    return {"field": location, "message": error.get("msg", "invalid value")}


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [_describe(error) for error in exc.errors()]
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems) or "Invalid request."
    log.info("invalid request", extra={"path": request.url.path, "problems": summary[:500]})
    return error_response(request, 422, "invalid", summary, problems=problems)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    messages = {404: "There is nothing at this address.", 405: "This address does not accept that method."}
    message = messages.get(exc.status_code, str(exc.detail))
    response = error_response(request, exc.status_code, "http_error", message)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error", extra={"path": request.url.path})
    return error_response(request, 500, "internal", "Something went wrong on our side; it has been logged.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FirstlineError, _firstline_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
