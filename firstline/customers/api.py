"""Customer endpoints of the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.customers import service
from firstline.customers.schemas import CustomerIn, CustomerOut, CustomerPatch
from firstline.kit.api import IdPath, Limit, Offset
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1", tags=["customers"])
Reader = Annotated[Agent, Depends(require(Permission.CUSTOMERS_READ))]
Writer = Annotated[Agent, Depends(require(Permission.CUSTOMERS_WRITE))]


@router.get("/customers", response_model=list[CustomerOut])
def list_customers(
    db: DbSession,
    _: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[object]:
    return list(service.list_customers(db, query=q, limit=limit, offset=offset))


@router.post("/customers", response_model=CustomerOut, status_code=201)
def create_customer(body: CustomerIn, db: DbSession, agent: Writer) -> object:
    return service.create_customer(db, **body.model_dump(), actor_agent_id=agent.id)


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(customer_id: IdPath, db: DbSession, _: Reader) -> object:
    return service.get_customer(db, customer_id=customer_id)


@router.patch("/customers/{customer_id}", response_model=CustomerOut)
def update_customer(customer_id: IdPath, body: CustomerPatch, db: DbSession, agent: Writer) -> object:
    return service.update_customer(
        db, customer_id=customer_id, actor_agent_id=agent.id, **body.model_dump(exclude_unset=True)
    )
