"""Complaints register endpoints of the JSON API."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.cases.complaints import report, service
from firstline.cases.complaints.schemas import (
    AdmissibilityIn,
    ComplaintIn,
    ComplaintOut,
    DecisionIn,
    DelayIn,
    ReportOut,
)
from firstline.kit.api import IdPath, Limit, Offset
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1", tags=["complaints"])
Reader = Annotated[Agent, Depends(require(Permission.COMPLAINTS_READ))]
Registrar = Annotated[Agent, Depends(require(Permission.COMPLAINTS_REGISTER))]
Handler = Annotated[Agent, Depends(require(Permission.COMPLAINTS_HANDLE))]


@router.get("/complaints", response_model=list[ComplaintOut])
def list_complaints(db: DbSession, _: Reader, limit: Limit = 50, offset: Offset = 0) -> list[object]:
    return list(service.list_complaints(db, limit=limit, offset=offset))


@router.get("/complaints/export.csv")
def export_register(db: DbSession, _: Reader) -> Response:
    return Response(
        report.register_csv(db),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="complaints-register.csv"'},
    )


@router.get("/complaints/report", response_model=ReportOut)
def complaints_report(db: DbSession, _: Reader) -> ReportOut:
    return ReportOut(**asdict(report.complaint_report(db)))


@router.post("/conversations/{conversation_id}/complaint", response_model=ComplaintOut, status_code=201)
def register(
    conversation_id: IdPath, body: ComplaintIn, db: DbSession, agent: Registrar, response: Response
) -> object:
    """Register the conversation as a complaint; 200 with the existing one if it already is."""
    complaint, created = service.register_complaint(
        db,
        conversation_id=conversation_id,
        summary=body.summary,
        points=body.points,
        received_at=body.received_at,
        actor=agent,
    )
    if not created:
        response.status_code = 200
    return complaint


@router.get("/conversations/{conversation_id}/complaint", response_model=ComplaintOut)
def get_complaint(conversation_id: IdPath, db: DbSession, _: Reader) -> object:
    return service.require_complaint_for(db, conversation_id=conversation_id)


def _id(db: DbSession, conversation_id: int) -> int:
    return service.require_complaint_for(db, conversation_id=conversation_id).id


@router.post("/conversations/{conversation_id}/complaint/admissibility", response_model=ComplaintOut)
def decide_admissibility(
    conversation_id: IdPath, body: AdmissibilityIn, db: DbSession, agent: Handler
) -> object:
    return service.decide_admissibility(
        db, complaint_id=_id(db, conversation_id), admissible=body.admissible, reason=body.reason, actor=agent
    )


@router.post("/conversations/{conversation_id}/complaint/acknowledgement", response_model=ComplaintOut)
def acknowledge(conversation_id: IdPath, db: DbSession, agent: Handler) -> object:
    """Send the acknowledgement to the complainant (again: no second letter)."""
    return service.acknowledge(db, complaint_id=_id(db, conversation_id), actor=agent)


@router.post("/conversations/{conversation_id}/complaint/delay", response_model=ComplaintOut)
def send_delay_notice(conversation_id: IdPath, body: DelayIn, db: DbSession, agent: Handler) -> object:
    return service.send_delay_notice(
        db, complaint_id=_id(db, conversation_id), reason=body.reason, new_due=body.new_due, actor=agent
    )


@router.post("/conversations/{conversation_id}/complaint/decision", response_model=ComplaintOut)
def decide(conversation_id: IdPath, body: DecisionIn, db: DbSession, agent: Handler) -> object:
    return service.decide(
        db,
        complaint_id=_id(db, conversation_id),
        outcome=body.outcome,
        answers=body.answers,
        remedies=body.remedies,
        actor=agent,
    )
