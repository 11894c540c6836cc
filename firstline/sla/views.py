"""Console pages where a team lead reads and edits SLA policies and business-hour calendars.

A form refused by the service comes back with the lead's own text and the error next to its field.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from firstline.agents.models import Agent, Tier
from firstline.agents.roles import Permission
from firstline.conversations.models import Channel, Priority
from firstline.kit.api import IdPath
from firstline.kit.errors import FirstlineError
from firstline.kit.time import format_duration, utcnow
from firstline.sla import audit, calendars, settings
from firstline.sla.models import BreachAction
from firstline.sla.service import DEFAULT_POLICIES
from firstline.web.deps import DbSession
from firstline.web.pages import redirect, render
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Lead = Annotated[Agent, Depends(require(Permission.SLA_MANAGE))]
Text = Field(default="", max_length=200)


class PolicyForm(BaseModel):
    name: str = Text
    channel: str = Text
    tier: str = Text
    priority: str = Text
    first_response_seconds: str = Text
    next_response_seconds: str = Text
    resolution_seconds: str = Text
    calendar_id: str = Text
    warn_percent: str = Text
    breach_actions: list[str] = Field(default_factory=list, max_length=10)


class CalendarForm(BaseModel):
    name: str = Text
    timezone: str = Text
    hours_0: str = Text
    hours_1: str = Text
    hours_2: str = Text
    hours_3: str = Text
    hours_4: str = Text
    hours_5: str = Text
    hours_6: str = Text
    holidays: str = Field(default="", max_length=20_000)


@router.get("/settings/sla", response_class=HTMLResponse)
def sla_page(request: Request, db: DbSession, _: Lead, saved: str = "", deleted: str = "") -> Response:
    policies = settings.list_policies(db)
    return render(
        request,
        "settings/sla.html",
        policies=policies,
        defaults={channel: DEFAULT_POLICIES[channel] for channel in settings.channels_on_defaults(policies)},
        calendars=calendars.list_calendars(db),
        changes=audit.list_changes(db, kinds=audit.SLA_KINDS),
        saved=saved,
        deleted=deleted if deleted in ("policy", "calendar") else "",
    )


@router.get("/settings/sla/policies/new", response_class=HTMLResponse)
def new_policy_page(request: Request, db: DbSession, _: Lead, channel: str = "chat") -> Response:
    start = settings.default_values(channel if channel in Channel._value2member_map_ else Channel.CHAT)
    return _policy_form(request, db, form=_policy_text(start), policy_id=None)


@router.post("/settings/sla/policies", response_class=HTMLResponse)
def create_policy(
    request: Request, form: Annotated[PolicyForm, Form()], db: DbSession, lead: Lead
) -> Response:
    try:
        values = settings.policy_values_from_form(form.model_dump())
        policy = settings.create_policy(db, values=values, actor_agent_id=lead.id)
    except FirstlineError as error:
        db.rollback()
        return _policy_form(request, db, form=form.model_dump(), policy_id=None, error=error)
    return redirect(f"/settings/sla?saved=policy-{policy.id}")


@router.get("/settings/sla/policies/{policy_id}", response_class=HTMLResponse)
def policy_page(request: Request, policy_id: IdPath, db: DbSession, _: Lead, saved: str = "") -> Response:
    values = settings.values_of(settings.get_policy(db, policy_id=policy_id))
    return _policy_form(request, db, form=_policy_text(values), policy_id=policy_id, saved=saved)


@router.post("/settings/sla/policies/{policy_id}", response_class=HTMLResponse)
def update_policy(
    request: Request, policy_id: IdPath, form: Annotated[PolicyForm, Form()], db: DbSession, lead: Lead
) -> Response:
    try:
        values = settings.policy_values_from_form(form.model_dump())
        settings.update_policy(db, policy_id=policy_id, values=values, actor_agent_id=lead.id)
    except FirstlineError as error:
        db.rollback()
        return _policy_form(request, db, form=form.model_dump(), policy_id=policy_id, error=error)
    return redirect(f"/settings/sla?saved=policy-{policy_id}")


@router.get("/settings/sla/policies/{policy_id}/delete", response_class=HTMLResponse)
def delete_policy_page(request: Request, policy_id: IdPath, db: DbSession, _: Lead) -> Response:
    policy = settings.get_policy(db, policy_id=policy_id)
    return render(
        request,
        "settings/delete.html",
        policy=policy,
        successor=settings.successor(db, policy_id=policy_id),
        default=DEFAULT_POLICIES.get(policy.channel, DEFAULT_POLICIES[Channel.EMAIL]),
        clocks=settings.clocks_counting_under(db, policy_id=policy_id),
    )


@router.post("/settings/sla/policies/{policy_id}/delete")
def delete_policy(policy_id: IdPath, db: DbSession, lead: Lead) -> Response:
    settings.delete_policy(db, policy_id=policy_id, actor_agent_id=lead.id)
    return redirect("/settings/sla?deleted=policy")


def _policy_text(values: settings.PolicyValues) -> dict[str, Any]:
    return {
        "name": values.name,
        "channel": values.channel,
        "tier": values.tier or "",
        "priority": values.priority or "",
        **{name: format_duration(getattr(values, name)) for name in settings.TARGET_FIELDS},
        "calendar_id": str(values.calendar_id or ""),
        "warn_percent": str(values.warn_percent),
        "breach_actions": list(values.breach_actions),
    }


def _policy_form(
    request: Request,
    db: Session,
    *,
    form: dict[str, Any],
    policy_id: int | None,
    error: FirstlineError | None = None,
    saved: str = "",
) -> Response:
    if policy_id is not None:
        settings.get_policy(db, policy_id=policy_id)  # a 404 for a policy that is not there
    changes = (
        audit.list_changes(db, kinds=audit.POLICY_KINDS, key="policy_id", row_id=policy_id)
        if policy_id
        else []
    )
    return render(
        request,
        "settings/policy.html",
        error.status_code if error else 200,
        form=form,
        policy_id=policy_id,
        error=error,
        saved=saved,
        changes=changes,
        calendars=calendars.list_calendars(db),
        channels=[c.value for c in Channel],
        tiers=[t.value for t in Tier],
        priorities=[p.value for p in Priority],
        actions=[a.value for a in BreachAction],
    )


# --- calendars ----------------------------------------------------------------------------------------------

NEW_CALENDAR = {
    "name": "",
    "timezone": "UTC",
    **{f"hours_{day}": "09:00-18:00" for day in range(5)},
    "hours_5": "",
    "hours_6": "",
    "holidays": "",
}


@router.get("/settings/sla/calendars/new", response_class=HTMLResponse)
def new_calendar_page(request: Request, db: DbSession, _: Lead) -> Response:
    return _calendar_form(request, db, form=NEW_CALENDAR, calendar_id=None)


@router.post("/settings/sla/calendars", response_class=HTMLResponse)
def create_calendar(
    request: Request, form: Annotated[CalendarForm, Form()], db: DbSession, lead: Lead
) -> Response:
    try:
        values = calendars.calendar_values_from_form(form.model_dump())
        row = calendars.create_calendar(db, values=values, actor_agent_id=lead.id)
    except FirstlineError as error:
        db.rollback()
        return _calendar_form(request, db, form=form.model_dump(), calendar_id=None, error=error)
    return redirect(f"/settings/sla/calendars/{row.id}?saved=1")


@router.get("/settings/sla/calendars/{calendar_id}", response_class=HTMLResponse)
def calendar_page(request: Request, calendar_id: IdPath, db: DbSession, _: Lead, saved: str = "") -> Response:
    row = calendars.get_calendar(db, calendar_id=calendar_id)
    return _calendar_form(request, db, form=calendars.form_text(row), calendar_id=calendar_id, saved=saved)


@router.post("/settings/sla/calendars/{calendar_id}", response_class=HTMLResponse)
def update_calendar(
    request: Request, calendar_id: IdPath, form: Annotated[CalendarForm, Form()], db: DbSession, lead: Lead
) -> Response:
    try:
        values = calendars.calendar_values_from_form(form.model_dump())
        calendars.update_calendar(db, calendar_id=calendar_id, values=values, actor_agent_id=lead.id)
    except FirstlineError as error:
        db.rollback()
        return _calendar_form(request, db, form=form.model_dump(), calendar_id=calendar_id, error=error)
    return redirect(f"/settings/sla/calendars/{calendar_id}?saved=1")


@router.get("/settings/sla/calendars/{calendar_id}/delete", response_class=HTMLResponse)
def delete_calendar_page(request: Request, calendar_id: IdPath, db: DbSession, _: Lead) -> Response:
    return _delete_calendar_page(request, db, calendar_id=calendar_id)


@router.post("/settings/sla/calendars/{calendar_id}/delete", response_class=HTMLResponse)
def delete_calendar(request: Request, calendar_id: IdPath, db: DbSession, lead: Lead) -> Response:
    try:
        calendars.delete_calendar(db, calendar_id=calendar_id, actor_agent_id=lead.id)
    except FirstlineError as error:
        db.rollback()
        return _delete_calendar_page(request, db, calendar_id=calendar_id, error=error)
    return redirect("/settings/sla?deleted=calendar#calendars")


def _delete_calendar_page(
    request: Request, db: Session, *, calendar_id: int, error: FirstlineError | None = None
) -> Response:
    return render(
        request,
        "settings/delete.html",
        error.status_code if error else 200,
        calendar=calendars.get_calendar(db, calendar_id=calendar_id),
        used_by=calendars.policies_using(db, calendar_id=calendar_id),
        error=error,
    )


def _calendar_form(
    request: Request,
    db: Session,
    *,
    form: dict[str, Any],
    calendar_id: int | None,
    error: FirstlineError | None = None,
    saved: str = "",
) -> Response:
    row = calendars.get_calendar(db, calendar_id=calendar_id) if calendar_id else None
    return render(
        request,
        "settings/calendar.html",
        error.status_code if error else 200,
        form=form,
        calendar_id=calendar_id,
        error=error,
        saved=saved,
        weekdays=calendars.WEEKDAYS,
        openings=calendars.next_openings(row, now=utcnow()) if row else [],
        timezone=row.timezone if row else "",
        used_by=calendars.policies_using(db, calendar_id=row.id) if row else [],
        changes=audit.list_changes(db, kinds=audit.CALENDAR_KINDS, key="calendar_id", row_id=calendar_id)
        if calendar_id
        else [],
    )
