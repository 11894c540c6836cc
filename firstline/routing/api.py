"""Presence and queue endpoints of the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.kit.api import IdPath
from firstline.routing import presence, service
from firstline.routing.models import AgentPresence
from firstline.routing.schemas import HeartbeatIn, PresenceIn, PresenceOut, QueueStatusOut
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1", tags=["routing"])
Reader = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_READ))]
Replier = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_REPLY))]


@router.get("/presence", response_model=PresenceOut)
def my_presence(db: DbSession, agent: Replier) -> AgentPresence:
    return presence.get_presence(db, agent_id=agent.id)


@router.put("/presence", response_model=PresenceOut)
def set_my_presence(body: PresenceIn, db: DbSession, agent: Replier) -> AgentPresence:
    return presence.set_presence(db, agent_id=agent.id, status=body.status)


@router.post("/presence/heartbeat", response_model=PresenceOut)
def heartbeat(body: HeartbeatIn, db: DbSession, agent: Replier) -> AgentPresence:
    return presence.heartbeat(db, agent_id=agent.id, active=body.active)


@router.post("/presence/end-shift", response_model=PresenceOut)
def end_shift(db: DbSession, agent: Replier) -> AgentPresence:
    return presence.end_shift(db, agent_id=agent.id)


@router.get("/conversations/{conversation_id}/queue", response_model=QueueStatusOut)
def queue_status(conversation_id: IdPath, db: DbSession, _: Reader) -> service.QueueStatus:
    return service.queue_status(db, conversation_id=conversation_id)
