"""Presence, queue and routing settings endpoints of the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.chat.stream import conversation_summary
from firstline.conversations.models import Conversation
from firstline.conversations.service import get_conversation
from firstline.kit.api import IdPath
from firstline.routing import presence, service, settings
from firstline.routing.config import RoutingConfig
from firstline.routing.models import AgentPresence
from firstline.routing.schemas import (
    HeartbeatIn,
    OfferAnswerOut,
    PresenceIn,
    PresenceOut,
    QueueStatusOut,
    RoutingSettingsIn,
    RoutingSettingsOut,
)
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1", tags=["routing"])
Reader = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_READ))]
Replier = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_REPLY))]
Configurer = Annotated[Agent, Depends(require(Permission.ROUTING_MANAGE))]


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


@router.post("/conversations/{conversation_id}/offer/accept", response_model=OfferAnswerOut)
def accept_offer(conversation_id: IdPath, db: DbSession, agent: Replier) -> dict[str, object]:
    """Take the chat offered to the calling agent; 409 when it is not (or no longer) offered to them."""
    conversation = service.accept_offer(db, conversation_id=conversation_id, agent_id=agent.id)
    return _offer_answer(db, conversation)


@router.post("/conversations/{conversation_id}/offer/decline", response_model=OfferAnswerOut)
def decline_offer(conversation_id: IdPath, db: DbSession, agent: Replier) -> dict[str, object]:
    """Pass on the chat offered to the calling agent; it is offered to the next one."""
    service.decline_offer(db, conversation_id=conversation_id, agent_id=agent.id)
    return _offer_answer(db, get_conversation(db, conversation_id=conversation_id))


def _offer_answer(db: Session, conversation: Conversation) -> dict[str, object]:
    """Where the chat stands now, and its summary as the console's live chat pages show it."""
    return {
        "queue": service.queue_status(db, conversation_id=conversation.id),
        "conversation": conversation_summary(db, conversation),
    }


def _config_out(config: RoutingConfig) -> dict[str, object]:
    return {
        "mode": config.mode,
        "offer_timeout_seconds": config.offer_timeout_seconds,
        "secondary_language_after_seconds": config.rules.secondary_after_seconds,
        "english_after_seconds": config.rules.english_after_seconds,
    }


def _settings_out(view: settings.RoutingSettingsView) -> RoutingSettingsOut:
    return RoutingSettingsOut(
        stored=RoutingSettingsIn(**view.stored.as_dict()),
        in_force=_config_out(view.in_force),
        environment=_config_out(view.defaults),
    )


@router.get("/routing/settings", response_model=RoutingSettingsOut)
def routing_settings(db: DbSession, _: Configurer) -> RoutingSettingsOut:
    return _settings_out(settings.get_routing_settings(db))


@router.put("/routing/settings", response_model=RoutingSettingsOut)
def save_routing_settings(body: RoutingSettingsIn, db: DbSession, lead: Configurer) -> RoutingSettingsOut:
    values = settings.RoutingValues(**body.model_dump())
    return _settings_out(settings.update_routing_settings(db, values=values, actor_agent_id=lead.id))
