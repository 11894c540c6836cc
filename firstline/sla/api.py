"""SLA policies and business-hour calendars in the JSON API (the console's pages call the same services)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.kit.api import IdPath
from firstline.sla import calendars, settings
from firstline.sla.models import BusinessCalendar, SlaPolicy
from firstline.sla.schemas import CalendarIn, CalendarOut, PolicyIn, PolicyOut
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1/sla", tags=["sla"])
Lead = Annotated[Agent, Depends(require(Permission.SLA_MANAGE))]


@router.get("/policies", response_model=list[PolicyOut])
def list_policies(db: DbSession, _: Lead) -> list[SlaPolicy]:
    return settings.list_policies(db)


@router.post("/policies", response_model=PolicyOut, status_code=201)
def create_policy(body: PolicyIn, db: DbSession, lead: Lead) -> SlaPolicy:
    values = settings.PolicyValues(**{**body.model_dump(), "breach_actions": tuple(body.breach_actions)})
    return settings.create_policy(db, values=values, actor_agent_id=lead.id)


@router.put("/policies/{policy_id}", response_model=PolicyOut)
def update_policy(policy_id: IdPath, body: PolicyIn, db: DbSession, lead: Lead) -> SlaPolicy:
    values = settings.PolicyValues(**{**body.model_dump(), "breach_actions": tuple(body.breach_actions)})
    return settings.update_policy(db, policy_id=policy_id, values=values, actor_agent_id=lead.id)


@router.delete("/policies/{policy_id}", status_code=204, response_class=Response)
def delete_policy(policy_id: IdPath, db: DbSession, lead: Lead) -> None:
    """Conversations already under way keep their clocks; new ones get the next most specific policy."""
    settings.delete_policy(db, policy_id=policy_id, actor_agent_id=lead.id)


@router.get("/calendars", response_model=list[CalendarOut])
def list_calendars(db: DbSession, _: Lead) -> list[BusinessCalendar]:
    return calendars.list_calendars(db)


@router.post("/calendars", response_model=CalendarOut, status_code=201)
def create_calendar(body: CalendarIn, db: DbSession, lead: Lead) -> BusinessCalendar:
    values = calendars.CalendarValues(**body.model_dump())
    return calendars.create_calendar(db, values=values, actor_agent_id=lead.id)


@router.put("/calendars/{calendar_id}", response_model=CalendarOut)
def update_calendar(calendar_id: IdPath, body: CalendarIn, db: DbSession, lead: Lead) -> BusinessCalendar:
    values = calendars.CalendarValues(**body.model_dump())
    return calendars.update_calendar(db, calendar_id=calendar_id, values=values, actor_agent_id=lead.id)


@router.delete("/calendars/{calendar_id}", status_code=204, response_class=Response)
def delete_calendar(calendar_id: IdPath, db: DbSession, lead: Lead) -> None:
    """Refused with 409, naming the policies, while a policy uses the calendar."""
    calendars.delete_calendar(db, calendar_id=calendar_id, actor_agent_id=lead.id)
