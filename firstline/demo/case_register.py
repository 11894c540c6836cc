"""Demo complaints register and incidents, written through their services and dated in the past days.

Complaints cover every state a complaints desk meets: just received, acknowledged, admissible and waiting
for the decision (one of them close to its deadline), delayed with a notice, inadmissible with reasons,
and decided with a letter. One incident is resolved and its reviewed update went to every linked customer;
the other is still open with a draft update.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from firstline.agents.models import Agent
from firstline.cases.complaints.clocks import ClockPolicy
from firstline.cases.complaints.models import Complaint
from firstline.cases.complaints.service import (
    acknowledge,
    clock_policy,
    decide,
    decide_admissibility,
    fire_due_clocks,
    register_complaint,
    send_delay_notice,
)
from firstline.cases.incidents.models import Incident
from firstline.cases.incidents.service import (
    approve_update,
    link_conversation,
    open_incident,
    resolve,
    send_update,
    write_update,
)
from firstline.conversations.models import Conversation
from firstline.demo import corpus
from firstline.kit.time import replaying_at

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from firstline.demo.cases import CasesSummary, Floor, Placed


@dataclass(frozen=True)
class _Plan:
    state: str  # received, acknowledged, admissible, due_soon, delayed, inadmissible, or an outcome
    age_days: float  # how long ago the complaint was received


def _plans(rng: random.Random, policy: ClockPolicy) -> list[_Plan]:
    """About 25 complaints, oldest first so the oldest conversations go to the oldest complaints."""
    response_days = policy.response.total_seconds() / 86400
    plans = [_Plan("received", rng.uniform(0.1, 0.6)) for _ in range(3)]
    plans += [_Plan("acknowledged", rng.uniform(1, 3)) for _ in range(4)]
    plans += [_Plan("admissible", rng.uniform(6, max(7, response_days - 8))) for _ in range(5)]
    plans += [_Plan("due_soon", max(1.0, response_days - 1.5)), _Plan("delayed", max(2.0, response_days - 5))]
    plans += [_Plan("inadmissible", rng.uniform(3, 15)) for _ in range(4)]
    plans += [_Plan(outcome, rng.uniform(15, 50)) for outcome in ("upheld",) * 3 + ("partially_upheld",) * 2]
    plans += [_Plan("rejected", rng.uniform(15, 50)) for _ in range(2)]
    return sorted(plans, key=lambda plan: -plan.age_days)


def seed_complaints(
    session: Session, *, rng: random.Random, now: datetime, floor: Floor, live: Placed, summary: CasesSummary
) -> int:
    """Register and take complaints through their steps; returns how many were registered."""
    policy = clock_policy()
    candidates = sorted(
        (c for c, _ in live if c.category in corpus.COMPLAINTS["en"] and c.id not in summary.used),
        key=lambda c: c.created_at,
        reverse=True,
    )
    count = 0
    for plan in _plans(rng, policy):
        received = (now - timedelta(days=plan.age_days)).replace(second=0, microsecond=0)
        conversation = next((c for c in candidates if c.created_at <= received), None)
        if conversation is None:
            continue
        candidates.remove(conversation)
        summary.used.add(conversation.id)
        _take_through(session, rng, floor, conversation, plan, received)
        count += 1
    fire_due_clocks(session, policy=policy)  # warnings already due, as the timer loop would have sent them
    return count


def _take_through(
    session: Session,
    rng: random.Random,
    floor: Floor,
    conversation: Conversation,
    plan: _Plan,
    received: datetime,
) -> None:
    agent = floor.agent_for(conversation)
    desk, reviewer = floor.lead, floor.by_login["l2"]
    summary_text, points, answers = corpus.COMPLAINTS[conversation.language][conversation.category]
    with replaying_at(received):
        complaint, _ = register_complaint(
            session,
            conversation_id=conversation.id,
            summary=summary_text,
            points=points,
            received_at=received,
            actor=agent,
        )
    if plan.state == "received":
        return
    at = floor.later(received, 60, 18 * 60)
    with replaying_at(at):
        acknowledge(session, complaint_id=complaint.id, actor=desk)
    if plan.state == "acknowledged":
        return
    at = floor.later(at, 12 * 60, 3 * 24 * 60)
    admissible = plan.state != "inadmissible"
    reason = (
        "Concerns a service we provide; raised by the account holder."
        if admissible
        else rng.choice(corpus.INADMISSIBLE_REASONS[conversation.language])
    )
    with replaying_at(at):
        decide_admissibility(
            session, complaint_id=complaint.id, admissible=admissible, reason=reason, actor=reviewer
        )
    if plan.state in ("admissible", "due_soon", "inadmissible"):
        return
    if plan.state == "delayed":
        _delay(session, floor, conversation, complaint, at)
        return
    _decide(session, floor, conversation, complaint, plan.state, answers, at)


def _delay(
    session: Session, floor: Floor, conversation: Conversation, complaint: Complaint, after: datetime
) -> None:
    at = floor.later(after, 24 * 60, 4 * 24 * 60)
    new_due = complaint.decision_due_at + (complaint.limit_at - complaint.decision_due_at) / 2
    with replaying_at(at):
        send_delay_notice(
            session,
            complaint_id=complaint.id,
            reason=corpus.DELAY_REASONS[conversation.language],
            new_due=new_due,
            actor=floor.lead,
        )


def _decide(
    session: Session,
    floor: Floor,
    conversation: Conversation,
    complaint: Complaint,
    outcome: str,
    answers: list[str],
    after: datetime,
) -> None:
    latest = min(complaint.decision_due_at, floor.now) - after
    at = floor.later(after, 60, max(61, int(latest.total_seconds() // 60)))
    with replaying_at(at):
        decide(session, complaint_id=complaint.id, outcome=outcome, answers=answers, actor=floor.lead)


def seed_incidents(
    session: Session, *, rng: random.Random, now: datetime, floor: Floor, live: Placed, summary: CasesSummary
) -> int:
    """A resolved TRC20 withdrawal incident whose reviewed update went out, and an open Solana one."""
    fresh = [(c, v) for c, v in live if c.id not in summary.used]
    withdrawals = [(c, v) for c, v in fresh if c.category == "withdrawal_pending"]
    trc20 = [c for c, v in withdrawals if v["network"] == "TRC20"]
    trc20 += [c for c, v in withdrawals if v["coin"] == "USDT" and c not in trc20]  # customers guess
    solana = [c for c, v in fresh if c.category == "deposit_not_credited" and v["network"] == "Solana"]
    resolved_at = now - timedelta(hours=rng.randint(2, 5))
    count = 0
    linked = _during(trc20, resolved_at - timedelta(hours=1), want=10)
    if linked:
        opened = min(c.created_at for c in linked) - timedelta(minutes=30)
        incident = _open_with_links(session, floor, "trc20", linked, opened)
        _resolve_and_send(session, floor, incident, resolved_at)
        summary.used.update(c.id for c in linked)
        count += 1
    linked = _during([c for c in solana if c.id not in summary.used], now - timedelta(minutes=30), want=6)
    if linked:
        opened = min(c.created_at for c in linked) - timedelta(minutes=30)
        incident = _open_with_links(session, floor, "solana", linked, opened)
        with replaying_at(now - timedelta(minutes=20)):
            write_update(
                session, incident_id=incident.id, texts=corpus.INCIDENT_UPDATES["solana"], actor=floor.lead
            )
        summary.used.update(c.id for c in linked)
        count += 1
    return count


def _during(conversations: list[Conversation], until: datetime, *, want: int) -> list[Conversation]:
    """Up to ``want`` conversations opened in the days before ``until``, the most recent first: an
    incident lasts hours or days, so its customers wrote in that time."""
    before = sorted(
        (c for c in conversations if c.created_at < until), key=lambda c: c.created_at, reverse=True
    )
    for days in (2, 7, 30):
        recent = [c for c in before if c.created_at >= until - timedelta(days=days)]
        if len(recent) >= min(want, 3):
            return recent[:want]
    return before[:want]


def _open_with_links(
    session: Session, floor: Floor, key: str, conversations: list[Conversation], opened: datetime
) -> Incident:
    title, description = corpus.INCIDENTS[key]
    technical: Agent = floor.by_login["technical"]
    with replaying_at(opened):
        incident = open_incident(session, title=title, description=description, actor=technical)
    for conversation in conversations:
        at = floor.later(max(conversation.created_at, opened), 5, 30)
        with replaying_at(at):
            link_conversation(
                session,
                incident_id=incident.id,
                conversation_id=conversation.id,
                actor=floor.agent_for(conversation),
            )
    return incident


def _resolve_and_send(session: Session, floor: Floor, incident: Incident, resolved_at: datetime) -> None:
    """Resolved by Technical; the lead reviews the update in five languages, approves it and sends it."""
    with replaying_at(resolved_at - timedelta(minutes=10)):
        write_update(
            session, incident_id=incident.id, texts=corpus.INCIDENT_UPDATES["trc20"], actor=floor.lead
        )
    with replaying_at(resolved_at):
        resolve(session, incident_id=incident.id, actor=floor.by_login["technical"])
    with replaying_at(resolved_at + timedelta(minutes=25)):
        approve_update(session, incident_id=incident.id, actor=floor.lead)
    with replaying_at(resolved_at + timedelta(minutes=40)):
        send_update(session, incident_id=incident.id, actor=floor.lead)
