"""Console pages of live chat: the workspace where an agent works several chats side by side."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.agents.service import list_agents
from firstline.chat.console import live_queue, pending_offers
from firstline.chat.transcripts import email_transcript
from firstline.kit.api import IdPath
from firstline.web.deps import DbSession
from firstline.web.pages import redirect, render
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Replier = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_REPLY))]


@router.get("/chats", response_class=HTMLResponse)
def live_chats(request: Request, db: DbSession, agent: Replier) -> Response:
    """The live chats workspace; its script keeps it current over the agent websocket."""
    return render(
        request,
        "chats.html",
        queue=live_queue(db, agent_id=agent.id),
        offers=pending_offers(db, agent_id=agent.id),
        agent_names={str(colleague.id): colleague.name for colleague in list_agents(db, active_only=True)},
    )


@router.post("/conversations/{conversation_id}/transcript/email")
def email_transcript_to_customer(
    conversation_id: IdPath,
    db: DbSession,
    agent: Replier,
    request_id: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    """The conversation page's button: the chat transcript to the customer's address on file."""
    email_transcript(db, conversation_id=conversation_id, request_key=request_id or None, agent=agent)
    return redirect(f"/conversations/{conversation_id}#timeline")
