"""Conversation and message endpoints of the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.conversations import service
from firstline.conversations.models import AuthorKind
from firstline.conversations.schemas import (
    ConversationIn,
    ConversationOut,
    ConversationPatch,
    EventOut,
    MessageIn,
    MessageOut,
)
from firstline.kit.api import MAX_ID, IdPath, Limit, Offset
from firstline.kit.errors import InvalidInput
from firstline.timeline.service import list_conversation_events
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1", tags=["conversations"])
Reader = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_READ))]
Replier = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_REPLY))]
Manager = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_MANAGE))]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/conversations", response_model=list[ConversationOut])
def list_conversations(
    db: DbSession,
    _: Reader,
    status: str | None = None,
    channel: str | None = None,
    team_id: OptionalId = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    assignee_id: OptionalId = None,
    unassigned: bool = False,
    category: str | None = None,
    customer_id: OptionalId = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[object]:
    filters = service.InboxFilter(
        status=status,
        channel=channel,
        team_id=team_id,
        language=language,
        assignee_id=assignee_id,
        unassigned=unassigned,
        category=category,
        customer_id=customer_id,
    )
    return list(service.list_conversations(db, filters=filters, limit=limit, offset=offset))


@router.post("/conversations", response_model=ConversationOut, status_code=201)
def open_conversation(body: ConversationIn, db: DbSession, agent: Manager) -> object:
    return service.open_conversation(db, **body.model_dump(), actor_agent_id=agent.id)


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
def get_conversation(conversation_id: IdPath, db: DbSession, _: Reader) -> object:
    return service.get_conversation(db, conversation_id=conversation_id)


@router.patch("/conversations/{conversation_id}", response_model=ConversationOut)
def update_conversation(
    conversation_id: IdPath, body: ConversationPatch, db: DbSession, agent: Manager
) -> object:
    fields = body.model_dump(exclude_unset=True)
    if "tier" in fields:
        # A tier change is an escalation (with its handoff form) or a send-back (with its reason).
        raise InvalidInput(
            "Change the tier by escalating (POST …/escalations) or sending back (POST …/escalations/return).",
            field="tier",
        )
    if "assignee_id" in fields:
        service.assign(
            db, conversation_id=conversation_id, assignee_id=fields.pop("assignee_id"), actor=agent
        )
    if (status := fields.pop("status", None)) is not None:
        service.change_status(db, conversation_id=conversation_id, status=status, actor_agent_id=agent.id)
    return service.update_attributes(db, conversation_id=conversation_id, actor_agent_id=agent.id, **fields)


@router.get("/conversations/{conversation_id}/messages", response_model=list[MessageOut])
def list_messages(
    conversation_id: IdPath, db: DbSession, _: Reader, after_seq: Annotated[int, Query(ge=0, le=MAX_ID)] = 0
) -> list[object]:
    return list(service.list_messages(db, conversation_id=conversation_id, after_seq=after_seq))


@router.post("/conversations/{conversation_id}/messages", response_model=MessageOut, status_code=201)
def post_message(
    conversation_id: IdPath, body: MessageIn, db: DbSession, agent: Replier, response: Response
) -> object:
    """Reply to the customer (kind 'agent') or add an internal note (kind 'note').

    Send a ``client_msg_id`` to make retries safe: the same id returns the stored message with 200.
    """
    if body.kind not in (AuthorKind.AGENT, AuthorKind.NOTE):
        raise InvalidInput(
            "Agents post messages of kind 'agent' (a reply) or 'note' (internal).", field="kind"
        )
    posted = service.post_message(
        db,
        conversation_id=conversation_id,
        author_kind=body.kind,
        body=body.body,
        author_agent_id=agent.id,
        client_msg_id=body.client_msg_id,
    )
    if posted.duplicate:
        response.status_code = 200
    return posted.message


@router.get("/conversations/{conversation_id}/events", response_model=list[EventOut])
def list_events(conversation_id: IdPath, db: DbSession, _: Reader) -> list[object]:
    service.get_conversation(db, conversation_id=conversation_id)
    return list(list_conversation_events(db, conversation_id=conversation_id))
