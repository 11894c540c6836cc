"""Console pages: the inbox and one conversation with its timeline and actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.agents.service import list_agents, list_teams
from firstline.conversations import service
from firstline.conversations.models import AuthorKind, Category, Channel, Status
from firstline.conversations.timeline import conversation_timeline, inbox_rows
from firstline.customers.service import get_customer
from firstline.email.service import threading_rules
from firstline.kit.api import IdPath
from firstline.kit.errors import InvalidInput
from firstline.kit.languages import LANGUAGE_NAMES
from firstline.web.deps import DbSession
from firstline.web.pages import optional_int, redirect, render
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Reader = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_READ))]
Replier = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_REPLY))]
Manager = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_MANAGE))]
PAGE_SIZE = 50


def _choice(value: str, allowed: type[Status] | type[Channel] | type[Category]) -> str | None:
    return value if value in allowed._value2member_map_ else None


@router.get("/inbox", response_class=HTMLResponse)
def inbox(
    request: Request,
    db: DbSession,
    agent: Reader,
    status: str = "open",
    channel: str = "",
    team: str = "",
    language: str = "",
    assignee: str = "",
    category: str = "",
    page: str = "1",
) -> Response:
    """The inbox; unknown filter values are ignored rather than refused, so a stale link still works."""
    assignee_id = agent.id if assignee == "me" else optional_int(assignee)
    filters = service.InboxFilter(
        status=_choice(status, Status),
        channel=_choice(channel, Channel),
        team_id=optional_int(team),
        language=language if language in LANGUAGE_NAMES else None,
        assignee_id=assignee_id,
        unassigned=assignee == "none",
        category=_choice(category, Category),
    )
    page_number = min(optional_int(page) or 1, 10_000)
    rows = inbox_rows(db, filters=filters, limit=PAGE_SIZE + 1, offset=(page_number - 1) * PAGE_SIZE)
    return render(
        request,
        "inbox.html",
        rows=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        page=page_number,
        selected={
            "status": status,
            "channel": channel,
            "team": team,
            "language": language,
            "assignee": assignee,
            "category": category,
        },
        statuses=list(Status),
        channels=list(Channel),
        categories=list(Category),
        teams=list_teams(db),
        agents=list_agents(db, active_only=True),
    )


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation_page(request: Request, conversation_id: IdPath, db: DbSession, agent: Reader) -> Response:
    conversation = service.get_conversation(db, conversation_id=conversation_id)
    agents = list_agents(db, active_only=True)
    return render(
        request,
        "conversation.html",
        conversation=conversation,
        customer=get_customer(db, customer_id=conversation.customer_id),
        timeline=conversation_timeline(db, conversation=conversation),
        agents=agents,
        agents_by_id={a.id: a for a in list_agents(db)},
        transitions=sorted(service.TRANSITIONS[Status(conversation.status)]),
        email_mail=threading_rules(db, conversation_id=conversation.id)
        if conversation.channel == "email"
        else {},
    )


@router.post("/conversations/{conversation_id}/messages")
def post_message(
    conversation_id: IdPath,
    db: DbSession,
    agent: Replier,
    body: Annotated[str, Form(max_length=20_000)],
    kind: Annotated[str, Form()] = AuthorKind.AGENT,
    client_msg_id: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    if kind not in (AuthorKind.AGENT, AuthorKind.NOTE):
        raise InvalidInput("Choose a reply or an internal note.", field="kind")
    service.post_message(
        db,
        conversation_id=conversation_id,
        author_kind=AuthorKind(kind),
        body=body,
        author_agent_id=agent.id,
        client_msg_id=client_msg_id or None,
    )
    return redirect(f"/conversations/{conversation_id}#composer")


@router.post("/conversations/{conversation_id}/status")
def change_status(
    conversation_id: IdPath, db: DbSession, agent: Manager, status: Annotated[str, Form(max_length=16)]
) -> Response:
    service.change_status(db, conversation_id=conversation_id, status=status, actor_agent_id=agent.id)
    return redirect(f"/conversations/{conversation_id}")


@router.post("/conversations/{conversation_id}/assign")
def assign(
    conversation_id: IdPath, db: DbSession, agent: Manager, assignee: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    assignee_id = agent.id if assignee == "me" else optional_int(assignee)
    if assignee and assignee_id is None:
        raise InvalidInput("Choose an agent from the list.", field="assignee")
    service.assign(db, conversation_id=conversation_id, assignee_id=assignee_id, actor=agent)
    return redirect(f"/conversations/{conversation_id}")
