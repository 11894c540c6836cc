"""Cases endpoints of the JSON API: case files, escalation, follow-ups, notifications, search, customer 360,
tier metrics and the compliance records."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AwareDatetime
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.cases import compliance, customers, notifications, service
from firstline.cases.categories import CATEGORIES, FIELDS, missing_fields
from firstline.cases.models import CaseFile
from firstline.cases.schemas import (
    CaseOut,
    CategoryOut,
    ComplianceCaseIn,
    ComplianceCaseOut,
    ComplianceNoteIn,
    ComplianceNoteOut,
    EscalationOut,
    FieldsIn,
    FieldSpecOut,
    FollowUpIn,
    FollowUpOut,
    HandoffIn,
    MergeIn,
    MergeOut,
    MetricsOut,
    NotificationOut,
    ReturnIn,
    SearchHitOut,
    TimelineItemOut,
)
from firstline.cases.search.service import SearchFilters, search, snippet
from firstline.conversations.models import Category
from firstline.conversations.service import get_conversation
from firstline.kit.api import MAX_ID, IdPath, Limit
from firstline.kit.time import utcnow
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1", tags=["cases"])
Reader = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_READ))]
Manager = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_MANAGE))]
Escalator = Annotated[Agent, Depends(require(Permission.CASES_ESCALATE))]
Receiver = Annotated[Agent, Depends(require(Permission.CASES_RETURN))]
Reporter = Annotated[Agent, Depends(require(Permission.CASES_REPORTS))]
Myself = Annotated[Agent, Depends(require(Permission.OWN_ACCOUNT))]
CustomerReader = Annotated[Agent, Depends(require(Permission.CUSTOMERS_READ))]
Merger = Annotated[Agent, Depends(require(Permission.CUSTOMERS_MERGE))]
Compliance = Annotated[Agent, Depends(require(Permission.COMPLIANCE_ACCESS))]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/case-categories", response_model=list[CategoryOut])
def list_categories(_: Reader) -> list[CategoryOut]:
    """Every category with the structured fields it takes (required ones must be filled to escalate)."""
    return [
        CategoryOut(
            category=spec.category.value,
            label=spec.label,
            fields=[
                FieldSpecOut(
                    name=name,
                    label=FIELDS[name].label,
                    hint=FIELDS[name].hint,
                    required=name in spec.required,
                )
                for name in (*spec.required, *spec.optional)
            ],
        )
        for spec in CATEGORIES.values()
    ]


def case_out(db: Session, conversation_id: int) -> CaseOut:
    conversation = get_conversation(db, conversation_id=conversation_id)
    case = db.get(CaseFile, conversation.id)
    fields = dict(case.fields) if case else {}
    return CaseOut(
        conversation_id=conversation.id,
        reference=conversation.reference,
        category=conversation.category,
        tier=conversation.tier,
        fields=fields,
        missing_fields=missing_fields(conversation.category, fields),
        reopen_count=case.reopen_count if case else 0,
        escalation_count=case.escalation_count if case else 0,
        previous_conversation_id=conversation.previous_conversation_id,
        escalations=[
            EscalationOut.model_validate(e)
            for e in service.list_escalations(db, conversation_id=conversation.id)
        ],
        follow_ups=[
            FollowUpOut.model_validate(f)
            for f in service.list_follow_ups(db, conversation_id=conversation.id)
        ],
        neutral_replies=compliance.neutral_replies(conversation.language)
        if conversation.category == Category.ACCOUNT_FROZEN
        else [],
    )


@router.get("/conversations/{conversation_id}/case", response_model=CaseOut)
def get_case(conversation_id: IdPath, db: DbSession, _: Reader) -> CaseOut:
    return case_out(db, conversation_id)


@router.put("/conversations/{conversation_id}/case/fields", response_model=CaseOut)
def set_fields(conversation_id: IdPath, body: FieldsIn, db: DbSession, agent: Manager) -> CaseOut:
    service.set_case_fields(db, conversation_id=conversation_id, fields=body.fields, actor_agent_id=agent.id)
    return case_out(db, conversation_id)


@router.post("/conversations/{conversation_id}/escalations", response_model=EscalationOut, status_code=201)
def escalate(conversation_id: IdPath, body: HandoffIn, db: DbSession, agent: Escalator) -> object:
    """Escalate with the handoff form; 422 ``handoff_incomplete`` names everything still missing."""
    handoff = service.Handoff(
        to_tier=body.to_tier,
        summary=body.summary,
        steps_taken=body.steps_taken,
        customer_impact=body.customer_impact,
        fields=body.fields,
        evidence_attachment_ids=tuple(body.evidence_attachment_ids),
    )
    return service.escalate(db, conversation_id=conversation_id, handoff=handoff, actor=agent)


@router.post("/conversations/{conversation_id}/escalations/return", response_model=EscalationOut)
def return_escalation(conversation_id: IdPath, body: ReturnIn, db: DbSession, agent: Receiver) -> object:
    return service.return_escalation(db, conversation_id=conversation_id, reason=body.reason, actor=agent)


@router.post("/conversations/{conversation_id}/follow-ups", response_model=FollowUpOut, status_code=201)
def schedule_follow_up(conversation_id: IdPath, body: FollowUpIn, db: DbSession, agent: Manager) -> object:
    return service.schedule_follow_up(
        db, conversation_id=conversation_id, agent=agent, due_at=body.due_at, note=body.note
    )


@router.get("/notifications", response_model=list[NotificationOut])
def list_notifications(db: DbSession, agent: Myself, unread: bool = False, limit: Limit = 50) -> list[object]:
    return list(notifications.list_notifications(db, agent=agent, unread_only=unread, limit=limit))


@router.post("/notifications/read")
def mark_notifications_read(db: DbSession, agent: Myself) -> dict[str, int]:
    return {"marked": notifications.mark_read(db, agent=agent)}


@router.get("/search", response_model=list[SearchHitOut])
def search_messages(
    db: DbSession,
    agent: Reader,
    q: Annotated[str, Query(max_length=500)] = "",
    status: Annotated[str | None, Query(max_length=16)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    tier: Annotated[str | None, Query(max_length=16)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[SearchHitOut]:
    """Messages and internal notes containing every word of ``q``, newest first (no ``q``: no hits)."""
    if not q.strip():
        return []
    filters = SearchFilters(
        status=status, category=category, language=language, tier=tier, since=since, until=until
    )
    hits = search(db, viewer=agent, query=q, filters=filters, limit=limit, offset=offset)
    return [
        SearchHitOut(
            kind=hit.kind,
            id=hit.id,
            conversation_id=hit.conversation_id,
            reference=hit.reference,
            customer_id=hit.customer_id,
            author_kind=hit.author_kind,
            snippet=snippet(hit.body, q),
            created_at=hit.created_at,
            status=hit.status,
            category=hit.category,
            language=hit.language,
            tier=hit.tier,
        )
        for hit in hits
    ]


@router.get("/customers/{customer_id}/timeline", response_model=list[TimelineItemOut])
def customer_timeline(customer_id: IdPath, db: DbSession, agent: CustomerReader) -> list[object]:
    return list(customers.customer_timeline(db, customer_id=customer_id, viewer=agent))


@router.post("/customers/{customer_id}/merge", response_model=MergeOut)
def merge_customer(customer_id: IdPath, body: MergeIn, db: DbSession, agent: Merger) -> object:
    """Fold the duplicate customer into this one (again: returns the recorded merge)."""
    return customers.merge_customers(db, into_id=customer_id, duplicate_id=body.duplicate_id, actor=agent)


@router.get("/cases/metrics", response_model=MetricsOut)
def tier_metrics(
    db: DbSession, _: Reporter, since: AwareDatetime | None = None, until: AwareDatetime | None = None
) -> MetricsOut:
    """Escalation rate and L1 resolution rate of the cases opened in the window (default: 30 days)."""
    until = until or utcnow()
    since = since or until - timedelta(days=30)
    metrics = service.tier_metrics(db, since=since, until=until)
    return MetricsOut(
        since=since,
        until=until,
        opened=metrics.opened,
        escalated=metrics.escalated,
        resolved=metrics.resolved,
        resolved_at_l1=metrics.resolved_at_l1,
        reopened=metrics.reopened,
        escalation_rate=metrics.escalation_rate,
        l1_resolution_rate=metrics.l1_resolution_rate,
    )


@router.get("/compliance/cases", response_model=list[ComplianceCaseOut])
def list_compliance_cases(db: DbSession, agent: Compliance, customer_id: OptionalId = None) -> list[object]:
    ids = [customer_id] if customer_id is not None else None
    return list(compliance.list_compliance_cases(db, actor=agent, customer_ids=ids))


@router.post("/compliance/cases", response_model=ComplianceCaseOut, status_code=201)
def open_compliance_case(body: ComplianceCaseIn, db: DbSession, agent: Compliance) -> object:
    return compliance.open_compliance_case(db, actor=agent, **body.model_dump())


@router.get("/compliance/notes", response_model=list[ComplianceNoteOut])
def list_compliance_notes(
    db: DbSession,
    agent: Compliance,
    conversation_id: OptionalId = None,
    compliance_case_id: OptionalId = None,
    customer_id: OptionalId = None,
) -> list[object]:
    return list(
        compliance.list_compliance_notes(
            db,
            actor=agent,
            conversation_id=conversation_id,
            compliance_case_id=compliance_case_id,
            customer_ids=[customer_id] if customer_id is not None else None,
        )
    )


@router.post("/compliance/notes", response_model=ComplianceNoteOut, status_code=201)
def add_compliance_note(
    body: ComplianceNoteIn, db: DbSession, agent: Compliance, response: Response
) -> object:
    return compliance.add_compliance_note(db, actor=agent, **body.model_dump())
