"""Incident endpoints of the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.cases.incidents import service
from firstline.cases.incidents.schemas import (
    IncidentDetailOut,
    IncidentIn,
    IncidentOut,
    LinkIn,
    LinkOut,
    SendOut,
    UpdateIn,
)
from firstline.kit.api import IdPath
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1", tags=["incidents"])
Reader = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_READ))]
Linker = Annotated[Agent, Depends(require(Permission.INCIDENTS_LINK))]
Manager = Annotated[Agent, Depends(require(Permission.INCIDENTS_MANAGE))]


def detail(db: Session, incident_id: int) -> IncidentDetailOut:
    incident = service.get_incident(db, incident_id=incident_id)
    links = [LinkOut.model_validate(link) for link in service.list_links(db, incident_id=incident.id)]
    return IncidentDetailOut(**IncidentOut.model_validate(incident).model_dump(), links=links)


@router.get("/incidents", response_model=list[IncidentOut])
def list_incidents(db: DbSession, _: Reader) -> list[object]:
    return list(service.list_incidents(db))


@router.post("/incidents", response_model=IncidentOut, status_code=201)
def open_incident(body: IncidentIn, db: DbSession, agent: Manager) -> object:
    return service.open_incident(db, title=body.title, description=body.description, actor=agent)


@router.get("/incidents/{incident_id}", response_model=IncidentDetailOut)
def get_incident(incident_id: IdPath, db: DbSession, _: Reader) -> IncidentDetailOut:
    return detail(db, incident_id)


@router.post("/incidents/{incident_id}/links", response_model=LinkOut)
def link_conversation(incident_id: IdPath, body: LinkIn, db: DbSession, agent: Linker) -> object:
    return service.link_conversation(
        db, incident_id=incident_id, conversation_id=body.conversation_id, actor=agent
    )


@router.put("/incidents/{incident_id}/update", response_model=IncidentDetailOut)
def write_update(incident_id: IdPath, body: UpdateIn, db: DbSession, agent: Manager) -> IncidentDetailOut:
    """Write or revise the customer update (one text per language, English required); a revision is a draft."""
    service.write_update(db, incident_id=incident_id, texts=body.texts, actor=agent)
    return detail(db, incident_id)


@router.post("/incidents/{incident_id}/resolve", response_model=IncidentDetailOut)
def resolve(incident_id: IdPath, db: DbSession, agent: Manager) -> IncidentDetailOut:
    service.resolve(db, incident_id=incident_id, actor=agent)
    return detail(db, incident_id)


@router.post("/incidents/{incident_id}/approve", response_model=IncidentDetailOut)
def approve(incident_id: IdPath, db: DbSession, agent: Manager) -> IncidentDetailOut:
    service.approve_update(db, incident_id=incident_id, actor=agent)
    return detail(db, incident_id)


@router.post("/incidents/{incident_id}/send", response_model=SendOut)
def send(incident_id: IdPath, db: DbSession, agent: Manager) -> SendOut:
    """Send the approved update to every linked customer not reached yet (exactly once each)."""
    return SendOut(sent=service.send_update(db, incident_id=incident_id, actor=agent))
