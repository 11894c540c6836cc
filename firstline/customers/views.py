"""Console pages: customer search and the customer profile with their whole history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.agents.service import list_agents
from firstline.conversations.service import InboxFilter, list_conversations
from firstline.customers import service
from firstline.kit.api import IdPath
from firstline.web.deps import DbSession
from firstline.web.pages import render
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Reader = Annotated[Agent, Depends(require(Permission.CUSTOMERS_READ))]


@router.get("/customers", response_class=HTMLResponse)
def customers_page(request: Request, db: DbSession, _: Reader, q: str = "") -> Response:
    return render(
        request, "customers.html", customers=service.list_customers(db, query=q[:200], limit=100), q=q
    )


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(request: Request, customer_id: IdPath, db: DbSession, agent: Reader) -> Response:
    from firstline.cases.customers import customer_timeline, merged_into  # cases builds on customers

    customer = service.get_customer(db, customer_id=customer_id)
    conversations = list_conversations(db, filters=InboxFilter(customer_id=customer.id), limit=200)
    return render(
        request,
        "customer.html",
        customer=customer,
        conversations=conversations,
        timeline=customer_timeline(db, customer_id=customer.id, viewer=agent),
        merged_into=merged_into(db, customer_id=customer.id),
        agents_by_id={a.id: a for a in list_agents(db)},
    )
