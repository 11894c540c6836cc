"""Agent, team and API-token endpoints of the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from firstline.agents import auth, service
from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.agents.schemas import AgentIn, AgentOut, AgentPatch, TeamOut, TokenCreated, TokenIn, TokenOut
from firstline.kit.api import IdPath
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1", tags=["agents"])
Reader = Annotated[Agent, Depends(require(Permission.AGENTS_READ))]
Manager = Annotated[Agent, Depends(require(Permission.AGENTS_MANAGE))]
Self = Annotated[Agent, Depends(require(Permission.OWN_ACCOUNT))]


@router.get("/me", response_model=AgentOut)
def me(agent: Self) -> object:
    return agent


@router.get("/agents", response_model=list[AgentOut])
def list_agents(db: DbSession, _: Reader) -> list[object]:
    return list(service.list_agents(db))


@router.post("/agents", response_model=AgentOut, status_code=201)
def create_agent(body: AgentIn, db: DbSession, agent: Manager) -> object:
    return service.create_agent(db, **body.model_dump(), actor_agent_id=agent.id)


@router.get("/agents/{agent_id}", response_model=AgentOut)
def get_agent(agent_id: IdPath, db: DbSession, _: Reader) -> object:
    return service.get_agent(db, agent_id=agent_id)


@router.patch("/agents/{agent_id}", response_model=AgentOut)
def update_agent(agent_id: IdPath, body: AgentPatch, db: DbSession, agent: Manager) -> object:
    return service.update_agent(
        db, agent_id=agent_id, actor_agent_id=agent.id, **body.model_dump(exclude_unset=True)
    )


@router.get("/teams", response_model=list[TeamOut])
def list_teams(db: DbSession, _: Annotated[Agent, Depends(require(Permission.TEAMS_READ))]) -> list[object]:
    return list(service.list_teams(db))


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(db: DbSession, agent: Self) -> list[object]:
    return list(auth.list_api_tokens(db, agent_id=agent.id))


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, db: DbSession, agent: Self) -> TokenCreated:
    token, secret = auth.create_api_token(db, agent_id=agent.id, name=body.name)
    return TokenCreated.model_validate({**TokenOut.model_validate(token).model_dump(), "token": secret})


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: IdPath, db: DbSession, agent: Self) -> object:
    return auth.revoke_api_token(db, agent_id=agent.id, token_id=token_id)
