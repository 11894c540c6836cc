"""Console pages of cases: the case file (fields, escalation, follow-ups, compliance notes), mentions, search,
tier metrics, the compliance desk and merging customers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.agents.service import list_agents
from firstline.attachments.models import Attachment
from firstline.cases import compliance, notifications, service
from firstline.cases.api import case_out
from firstline.cases.categories import FIELDS, category_spec
from firstline.cases.complaints.service import get_complaint_for
from firstline.cases.customers import merge_customers
from firstline.cases.search.service import SearchFilters, search, snippet
from firstline.conversations.models import Category, Message, Status
from firstline.conversations.service import get_conversation, update_attributes
from firstline.kit.api import IdPath
from firstline.kit.errors import InvalidInput
from firstline.kit.languages import LANGUAGE_NAMES
from firstline.kit.time import utcnow
from firstline.web.deps import DbSession
from firstline.web.pages import optional_int, redirect, render
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Reader = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_READ))]
Manager = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_MANAGE))]
Escalator = Annotated[Agent, Depends(require(Permission.CASES_ESCALATE))]
Receiver = Annotated[Agent, Depends(require(Permission.CASES_RETURN))]
Reporter = Annotated[Agent, Depends(require(Permission.CASES_REPORTS))]
Myself = Annotated[Agent, Depends(require(Permission.OWN_ACCOUNT))]
Merger = Annotated[Agent, Depends(require(Permission.CUSTOMERS_MERGE))]
Compliance = Annotated[Agent, Depends(require(Permission.COMPLIANCE_ACCESS))]
_TEXT = Field(default="", max_length=4000)
_FIELD = Field(default="", max_length=200)


class CaseForm(BaseModel):
    """The case fields and, for an escalation, the handoff form."""

    to_tier: str = Field(default="", max_length=16)
    summary: str = _TEXT
    steps_taken: str = _TEXT
    customer_impact: str = _TEXT
    evidence: list[int] = Field(default_factory=list, max_length=50)
    uid: str = _FIELD
    coin: str = _FIELD
    network: str = _FIELD
    amount: str = _FIELD
    txid: str = _FIELD
    memo: str = _FIELD
    order_id: str = _FIELD
    withdrawal_id: str = _FIELD
    symbol: str = _FIELD
    api_key_label: str = _FIELD

    def fields_for(self, category: str) -> dict[str, str]:
        spec = category_spec(category)
        return {name: getattr(self, name) for name in (*spec.required, *spec.optional)}


@router.get("/conversations/{conversation_id}/case", response_class=HTMLResponse)
def case_page(request: Request, conversation_id: IdPath, db: DbSession, agent: Reader) -> Response:
    conversation = get_conversation(db, conversation_id=conversation_id)
    spec = category_spec(conversation.category)
    attachments = db.scalars(
        select(Attachment)
        .join(Message, Message.id == Attachment.message_id)
        .where(Message.conversation_id == conversation.id)
        .order_by(Attachment.id)
    )
    return render(
        request,
        "cases/case.html",
        conversation=conversation,
        case=case_out(db, conversation.id),
        field_specs=[(FIELDS[name], name in spec.required) for name in (*spec.required, *spec.optional)],
        categories=list(Category),
        targets=sorted(service.ESCALATION_TARGETS.get(conversation.tier, ())),
        attachments=list(attachments),
        complaint=get_complaint_for(db, conversation_id=conversation.id),
        compliance_notes=compliance.list_compliance_notes(db, actor=agent, conversation_id=conversation.id)
        if compliance.can_see_compliance(agent)
        else [],
        agents_by_id={a.id: a for a in list_agents(db)},
        default_follow_up=(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )


@router.post("/conversations/{conversation_id}/case/fields")
def save_fields(
    conversation_id: IdPath, form: Annotated[CaseForm, Form()], db: DbSession, agent: Manager
) -> Response:
    conversation = get_conversation(db, conversation_id=conversation_id)
    service.set_case_fields(
        db,
        conversation_id=conversation.id,
        fields=form.fields_for(conversation.category),
        actor_agent_id=agent.id,
    )
    return redirect(f"/conversations/{conversation_id}/case")


@router.post("/conversations/{conversation_id}/case/category")
def categorize(
    conversation_id: IdPath, db: DbSession, agent: Manager, category: Annotated[str, Form(max_length=40)]
) -> Response:
    update_attributes(db, conversation_id=conversation_id, actor_agent_id=agent.id, category=category)
    return redirect(f"/conversations/{conversation_id}/case")


@router.post("/conversations/{conversation_id}/case/escalate")
def escalate(
    conversation_id: IdPath, form: Annotated[CaseForm, Form()], db: DbSession, agent: Escalator
) -> Response:
    conversation = get_conversation(db, conversation_id=conversation_id)
    handoff = service.Handoff(
        to_tier=form.to_tier,
        summary=form.summary,
        steps_taken=form.steps_taken,
        customer_impact=form.customer_impact,
        fields=form.fields_for(conversation.category),
        evidence_attachment_ids=tuple(form.evidence),
    )
    service.escalate(db, conversation_id=conversation.id, handoff=handoff, actor=agent)
    return redirect(f"/conversations/{conversation_id}/case")


@router.post("/conversations/{conversation_id}/case/return")
def send_back(
    conversation_id: IdPath, db: DbSession, agent: Receiver, reason: Annotated[str, Form(max_length=4000)]
) -> Response:
    service.return_escalation(db, conversation_id=conversation_id, reason=reason, actor=agent)
    return redirect(f"/conversations/{conversation_id}/case")


@router.post("/conversations/{conversation_id}/case/follow-up")
def follow_up(
    conversation_id: IdPath,
    db: DbSession,
    agent: Manager,
    due_at: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """``due_at`` from a datetime-local input, read as UTC (the console shows UTC everywhere)."""
    try:
        moment = datetime.fromisoformat(due_at)
    except ValueError:
        raise InvalidInput("Give the follow-up time as date and time.", field="due_at") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    service.schedule_follow_up(db, conversation_id=conversation_id, agent=agent, due_at=moment, note=note)
    return redirect(f"/conversations/{conversation_id}/case")


@router.post("/conversations/{conversation_id}/case/compliance-note")
def compliance_note(
    conversation_id: IdPath, db: DbSession, agent: Compliance, body: Annotated[str, Form(max_length=20_000)]
) -> Response:
    compliance.add_compliance_note(db, actor=agent, body=body, conversation_id=conversation_id)
    return redirect(f"/conversations/{conversation_id}/case")


@router.get("/mentions", response_class=HTMLResponse)
def mentions_page(request: Request, db: DbSession, agent: Myself) -> Response:
    return render(
        request, "cases/mentions.html", items=notifications.list_notifications(db, agent=agent, limit=100)
    )


@router.post("/mentions/read")
def mark_read(db: DbSession, agent: Myself) -> Response:
    notifications.mark_read(db, agent=agent)
    return redirect("/mentions")


def _day(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None
    except ValueError:
        return None


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    db: DbSession,
    agent: Reader,
    q: str = "",
    status: str = "",
    category: str = "",
    language: str = "",
    tier: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    """Search page; unknown filter values are ignored rather than refused, like the inbox."""
    filters = SearchFilters(
        status=status if status in Status._value2member_map_ else None,
        category=category if category in Category._value2member_map_ else None,
        language=language if language in LANGUAGE_NAMES else None,
        tier=tier if tier in service.ESCALATION_TARGETS else None,
        since=_day(since[:10]),
        until=_day(until[:10]) + timedelta(days=1) if _day(until[:10]) else None,
    )
    hits = (
        search(db, viewer=agent, query=q[:500], filters=filters, limit=50)
        if q.strip() and any(c.isalnum() for c in q)
        else []
    )
    return render(
        request,
        "cases/search.html",
        q=q,
        hits=[(hit, snippet(hit.body, q)) for hit in hits],
        selected={
            "status": status,
            "category": category,
            "language": language,
            "tier": tier,
            "since": since,
            "until": until,
        },
        statuses=list(Status),
        categories=list(Category),
        tiers=list(service.ESCALATION_TARGETS),
    )


@router.get("/cases/metrics", response_class=HTMLResponse)
def metrics_page(request: Request, db: DbSession, _: Reporter, days: str = "30") -> Response:
    window = min(optional_int(days) or 30, 366)
    until = utcnow()
    metrics = service.tier_metrics(db, since=until - timedelta(days=window), until=until)
    return render(request, "cases/metrics.html", metrics=metrics, days=window)


@router.get("/compliance", response_class=HTMLResponse)
def compliance_page(request: Request, db: DbSession, agent: Compliance) -> Response:
    cases = compliance.list_compliance_cases(db, actor=agent)
    notes = compliance.list_compliance_notes(db, actor=agent)
    return render(request, "cases/compliance.html", cases=cases, notes=notes[-200:])


@router.post("/compliance/cases")
def open_compliance_case(
    db: DbSession,
    agent: Compliance,
    customer_id: Annotated[int, Form(ge=1, le=2**62)],
    subject: Annotated[str, Form(max_length=300)],
    summary: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    compliance.open_compliance_case(
        db, actor=agent, customer_id=customer_id, subject=subject, summary=summary
    )
    return redirect("/compliance")


@router.post("/customers/{customer_id}/merge")
def merge(
    customer_id: IdPath, db: DbSession, agent: Merger, duplicate: Annotated[str, Form(max_length=20)]
) -> Response:
    duplicate_id = optional_int(duplicate)
    if duplicate_id is None:
        raise InvalidInput("Give the duplicate customer's number.", field="duplicate")
    merge_customers(db, into_id=customer_id, duplicate_id=duplicate_id, actor=agent)
    return redirect(f"/customers/{customer_id}")
