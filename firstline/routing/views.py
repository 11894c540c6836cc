"""The team lead's live page; its panel refreshes itself with htmx polling."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.kit.time import utcnow
from firstline.routing.live import live_view
from firstline.web.deps import DbSession
from firstline.web.pages import render
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Monitor = Annotated[Agent, Depends(require(Permission.ROUTING_MONITOR))]
POLL_SECONDS = 5


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request, db: DbSession, _: Monitor) -> Response:
    return render(request, "live.html", view=live_view(db, now=utcnow()), poll_seconds=POLL_SECONDS)


@router.get("/live/panel", response_class=HTMLResponse)
def live_panel(request: Request, db: DbSession, _: Monitor) -> Response:
    return render(request, "_live_panel.html", view=live_view(db, now=utcnow()), poll_seconds=POLL_SECONDS)
