"""Console pages of incidents: list, open, link, write, approve and send the customer update."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.cases.incidents import service
from firstline.conversations.models import Conversation
from firstline.kit.api import IdPath
from firstline.kit.errors import InvalidInput
from firstline.web.deps import DbSession
from firstline.web.pages import optional_int, redirect, render
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Reader = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_READ))]
Linker = Annotated[Agent, Depends(require(Permission.INCIDENTS_LINK))]
Manager = Annotated[Agent, Depends(require(Permission.INCIDENTS_MANAGE))]
LANGUAGES = ("en", "it", "pt", "de", "es")


class UpdateForm(BaseModel):
    en: str = Field(default="", max_length=4000)
    it: str = Field(default="", max_length=4000)
    pt: str = Field(default="", max_length=4000)
    de: str = Field(default="", max_length=4000)
    es: str = Field(default="", max_length=4000)


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, db: DbSession, _: Reader) -> Response:
    return render(request, "cases/incidents.html", incidents=service.list_incidents(db))


@router.post("/incidents")
def open_incident(
    db: DbSession,
    agent: Manager,
    title: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    incident = service.open_incident(db, title=title, description=description, actor=agent)
    return redirect(f"/incidents/{incident.id}")


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: IdPath, db: DbSession, _: Reader) -> Response:
    incident = service.get_incident(db, incident_id=incident_id)
    links = service.list_links(db, incident_id=incident.id)
    conversations = {c.id: c for c in (db.get(Conversation, link.conversation_id) for link in links) if c}
    return render(
        request,
        "cases/incident.html",
        incident=incident,
        links=links,
        conversations=conversations,
        languages=LANGUAGES,
    )


@router.post("/incidents/{incident_id}/link")
def link(
    incident_id: IdPath, db: DbSession, agent: Linker, conversation: Annotated[str, Form(max_length=20)]
) -> Response:
    conversation_id = optional_int(conversation.upper().removeprefix("FL-").lstrip("0") or "0")
    if not conversation_id:
        raise InvalidInput("Give a conversation reference such as FL-000123.", field="conversation")
    service.link_conversation(db, incident_id=incident_id, conversation_id=conversation_id, actor=agent)
    return redirect(f"/incidents/{incident_id}")


@router.post("/incidents/{incident_id}/update")
def write_update(
    incident_id: IdPath, form: Annotated[UpdateForm, Form()], db: DbSession, agent: Manager
) -> Response:
    service.write_update(db, incident_id=incident_id, texts=form.model_dump(), actor=agent)
    return redirect(f"/incidents/{incident_id}")


@router.post("/incidents/{incident_id}/resolve")
def resolve(incident_id: IdPath, db: DbSession, agent: Manager) -> Response:
    service.resolve(db, incident_id=incident_id, actor=agent)
    return redirect(f"/incidents/{incident_id}")


@router.post("/incidents/{incident_id}/approve")
def approve(incident_id: IdPath, db: DbSession, agent: Manager) -> Response:
    service.approve_update(db, incident_id=incident_id, actor=agent)
    return redirect(f"/incidents/{incident_id}")


@router.post("/incidents/{incident_id}/send")
def send(incident_id: IdPath, db: DbSession, agent: Manager) -> Response:
    service.send_update(db, incident_id=incident_id, actor=agent)
    return redirect(f"/incidents/{incident_id}")
