"""Console pages of the complaints register."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.cases.complaints import report, service
from firstline.cases.complaints.clocks import missed
from firstline.cases.complaints.models import Outcome, Step
from firstline.conversations.service import get_conversation
from firstline.kit.api import IdPath
from firstline.kit.errors import InvalidInput
from firstline.kit.time import utcnow
from firstline.web.deps import DbSession
from firstline.web.pages import redirect, render
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Reader = Annotated[Agent, Depends(require(Permission.COMPLAINTS_READ))]
Registrar = Annotated[Agent, Depends(require(Permission.COMPLAINTS_REGISTER))]
Handler = Annotated[Agent, Depends(require(Permission.COMPLAINTS_HANDLE))]


@router.get("/complaints", response_class=HTMLResponse)
def register_page(request: Request, db: DbSession, _: Reader) -> Response:
    now = utcnow()
    complaints = service.list_complaints(db, limit=500)
    late = {c.id: [step.value for step in Step if missed(c, step, now)] for c in complaints}
    return render(request, "cases/complaints.html", complaints=complaints, late=late, now=now)


@router.get("/complaints/report", response_class=HTMLResponse)
def report_page(request: Request, db: DbSession, _: Reader) -> Response:
    return render(request, "cases/complaints_report.html", report=report.complaint_report(db))


@router.post("/conversations/{conversation_id}/complaint")
def register(
    conversation_id: IdPath,
    db: DbSession,
    agent: Registrar,
    summary: Annotated[str, Form(max_length=4000)],
    points: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Points raised, one per line."""
    complaint, _ = service.register_complaint(
        db, conversation_id=conversation_id, summary=summary, points=points.splitlines(), actor=agent
    )
    return redirect(f"/complaints/{complaint.id}")


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_page(request: Request, complaint_id: IdPath, db: DbSession, _: Reader) -> Response:
    complaint = service.get_complaint(db, complaint_id=complaint_id)
    conversation = get_conversation(db, conversation_id=complaint.conversation_id)
    return render(
        request,
        "cases/complaint.html",
        conversation=conversation,
        complaint=complaint,
        outcomes=list(Outcome),
        now=utcnow(),
    )


@router.post("/complaints/{complaint_id}/admissibility")
def admissibility(
    complaint_id: IdPath,
    db: DbSession,
    agent: Handler,
    verdict: Annotated[str, Form(pattern="^(admissible|inadmissible)$")],
    reason: Annotated[str, Form(max_length=4000)],
) -> Response:
    service.decide_admissibility(
        db,
        complaint_id=complaint_id,
        admissible=verdict == "admissible",
        reason=reason,
        actor=agent,
    )
    return redirect(f"/complaints/{complaint_id}")


@router.post("/complaints/{complaint_id}/acknowledge")
def acknowledge(complaint_id: IdPath, db: DbSession, agent: Handler) -> Response:
    service.acknowledge(db, complaint_id=complaint_id, actor=agent)
    return redirect(f"/complaints/{complaint_id}")


@router.post("/complaints/{complaint_id}/delay")
def delay(
    complaint_id: IdPath,
    db: DbSession,
    agent: Handler,
    reason: Annotated[str, Form(max_length=4000)],
    new_due: Annotated[str, Form(max_length=10)],
) -> Response:
    try:
        new_date = date.fromisoformat(new_due)
    except ValueError:
        raise InvalidInput("Give the new date as YYYY-MM-DD.", field="new_due") from None
    service.send_delay_notice(db, complaint_id=complaint_id, reason=reason, new_due=new_date, actor=agent)
    return redirect(f"/complaints/{complaint_id}")


@router.post("/complaints/{complaint_id}/decide")
def decide(
    complaint_id: IdPath,
    db: DbSession,
    agent: Handler,
    outcome: Annotated[str, Form(max_length=24)],
    answers: Annotated[list[str], Form(max_length=20)],
    remedies: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """One answer field per point raised; remedies one per line (empty: the standard ones)."""
    service.decide(
        db,
        complaint_id=complaint_id,
        outcome=outcome,
        answers=answers,
        remedies=remedies.splitlines(),
        actor=agent,
    )
    return redirect(f"/complaints/{complaint_id}")
