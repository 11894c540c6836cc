"""The register as CSV and the report: average time per step, deadline misses per step, counts."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.cases.complaints.clocks import missed, step_done_at
from firstline.cases.complaints.models import Complaint, Step
from firstline.kit.time import utcnow

CSV_COLUMNS = (
    "reference",
    "conversation",
    "customer_id",
    "category",
    "language",
    "status",
    "received_at",
    "acknowledgement_due_at",
    "acknowledged_at",
    "admissibility_due_at",
    "admissibility",
    "admissibility_reason",
    "admissibility_at",
    "decision_due_at",
    "limit_at",
    "delay_reason",
    "delayed_at",
    "decided_at",
    "outcome",
    "points",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    # A leading = + - @ would be a formula in a spreadsheet: quote it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def register_csv(session: Session) -> str:
    """Every complaint, oldest first, one row each."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for complaint in session.scalars(select(Complaint).order_by(Complaint.id)):
        row = {
            "conversation": f"FL-{complaint.conversation_id:06d}",
            "points": len(complaint.points),
            "status": complaint.status,
        }
        writer.writerow(_cell(row[name] if name in row else getattr(complaint, name)) for name in CSV_COLUMNS)
    return out.getvalue()


@dataclass
class ComplaintReport:
    total: int = 0
    average_hours: dict[str, float | None] = field(default_factory=dict)  # step -> mean hours from receipt
    misses: dict[str, int] = field(default_factory=dict)  # step -> complaints late on it (done or still open)
    by_category: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)


def complaint_report(
    session: Session, *, since: datetime | None = None, now: datetime | None = None
) -> ComplaintReport:
    """Complaints received since ``since`` (all when None), summarized."""
    now = now or utcnow()
    query = select(Complaint)
    if since is not None:
        query = query.where(Complaint.received_at >= since)
    complaints = list(session.scalars(query))
    report = ComplaintReport(total=len(complaints))
    for step in Step:
        durations = [
            (done - complaint.received_at).total_seconds() / 3600
            for complaint in complaints
            if (done := step_done_at(complaint, step)) is not None
        ]
        report.average_hours[step.value] = round(sum(durations) / len(durations), 2) if durations else None
        report.misses[step.value] = sum(missed(complaint, step, now) for complaint in complaints)
    report.by_category = dict(Counter(complaint.category for complaint in complaints).most_common())
    report.by_outcome = dict(
        Counter(complaint.outcome or complaint.status for complaint in complaints).most_common()
    )
    return report
