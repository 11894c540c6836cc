"""The team lead's live page (its panel refreshes itself with htmx polling), the routing settings, and the
status control in the console header (online / away / offline, end of shift)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.kit.errors import FirstlineError
from firstline.kit.time import utcnow
from firstline.routing import presence, settings
from firstline.routing.live import live_view
from firstline.sla import audit
from firstline.web.deps import DbSession
from firstline.web.pages import redirect, render, safe_next
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Monitor = Annotated[Agent, Depends(require(Permission.ROUTING_MONITOR))]
Configurer = Annotated[Agent, Depends(require(Permission.ROUTING_MANAGE))]
Replier = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_REPLY))]
POLL_SECONDS = 5


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request, db: DbSession, _: Monitor) -> Response:
    return render(request, "live.html", view=live_view(db, now=utcnow()), poll_seconds=POLL_SECONDS)


@router.get("/live/panel", response_class=HTMLResponse)
def live_panel(request: Request, db: DbSession, _: Monitor) -> Response:
    return render(request, "_live_panel.html", view=live_view(db, now=utcnow()), poll_seconds=POLL_SECONDS)


class PresenceForm(BaseModel):
    status: str = Field(max_length=16)
    next: str = Field(default="", max_length=500)


class ShiftForm(BaseModel):
    next: str = Field(default="", max_length=500)


@router.post("/presence")
def set_my_presence(form: Annotated[PresenceForm, Form()], db: DbSession, agent: Replier) -> Response:
    """The header's status control; back to the page it was used on."""
    presence.set_presence(db, agent_id=agent.id, status=form.status)
    return redirect(safe_next(form.next))


@router.post("/presence/end-shift")
def end_my_shift(form: Annotated[ShiftForm, Form()], db: DbSession, agent: Replier) -> Response:
    """Offline for the end of the shift: the agent's open chats go back to the queue."""
    presence.end_shift(db, agent_id=agent.id)
    return redirect(safe_next(form.next))


class RoutingForm(BaseModel):
    mode: str = Field(default="", max_length=16)
    offer_timeout_seconds: str = Field(default="", max_length=12)
    secondary_language_after_seconds: str = Field(default="", max_length=12)
    english_after_seconds: str = Field(default="", max_length=12)


@router.get("/settings/routing", response_class=HTMLResponse)
def routing_settings_page(request: Request, db: DbSession, _: Configurer, saved: str = "") -> Response:
    view = settings.get_routing_settings(db)
    form = {name: "" if value is None else str(value) for name, value in view.stored.as_dict().items()}
    return _routing_form(request, db, form=form, saved=saved)


@router.post("/settings/routing", response_class=HTMLResponse)
def save_routing_settings(
    request: Request, form: Annotated[RoutingForm, Form()], db: DbSession, lead: Configurer
) -> Response:
    try:
        values = settings.routing_values_from_form(form.model_dump())
        settings.update_routing_settings(db, values=values, actor_agent_id=lead.id)
    except FirstlineError as error:
        db.rollback()
        return _routing_form(request, db, form=form.model_dump(), error=error)
    return redirect("/settings/routing?saved=1")


def _routing_form(
    request: Request,
    db: DbSession,
    *,
    form: dict[str, str],
    error: FirstlineError | None = None,
    saved: str = "",
) -> Response:
    return render(
        request,
        "settings/routing.html",
        error.status_code if error else 200,
        form=form,
        view=settings.get_routing_settings(db),
        changes=audit.list_changes(db, kinds=audit.ROUTING_KINDS),
        error=error,
        saved=saved,
    )
