"""Prometheus metrics for requests, labelled by route template so ids never explode the label space."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from prometheus_client import Counter, Histogram

REQUESTS = Counter("firstline_http_requests_total", "HTTP requests handled", ["method", "route", "status"])
LATENCY = Histogram(
    "firstline_http_request_duration_seconds",
    "Time to handle an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
LOGINS = Counter("firstline_logins_total", "Console login attempts", ["outcome"])


async def record_request(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    label = getattr(route, "path", "unmatched")
    LATENCY.labels(request.method, label).observe(time.perf_counter() - started)
    REQUESTS.labels(request.method, label, str(response.status_code)).inc()
    return response
