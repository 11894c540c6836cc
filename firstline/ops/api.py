"""Liveness, readiness and metrics for the people who run Firstline."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """The process can serve: the database answers (and Redis, when configured)."""
    checks: dict[str, str] = {}
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readiness: database unreachable", extra={"error": str(exc)[:200]})
        checks["database"] = "unreachable"
    redis_url = request.app.state.settings.redis_url
    if redis_url:
        checks["redis"] = _check_redis(redis_url)
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503
    )


def _check_redis(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
        return "ok"
    except redis.RedisError as exc:
        log.warning("readiness: redis unreachable", extra={"error": str(exc)[:200]})
        return "unreachable"


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus exposition; guarded by FIRSTLINE_METRICS_TOKEN when it is set."""
    expected = request.app.state.settings.metrics_token
    if expected:
        supplied = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(supplied, expected):
            log.info("metrics refused: wrong or missing token")
            return JSONResponse(
                {
                    "error": {
                        "code": "not_authenticated",
                        "message": "Metrics need the FIRSTLINE_METRICS_TOKEN bearer token.",
                    }
                },
                status_code=401,
            )
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
