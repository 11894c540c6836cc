"""The complaints register: one function per step, each writing its timeline event and resetting the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.cases.complaints.clocks import ClockPolicy, due_times, next_fire_at, pending_alerts
from firstline.cases.complaints.models import Admissibility, Complaint, Outcome, Step
from firstline.cases.complaints.texts import DEFAULT_REMEDIES, day, decision_letter, texts_for
from firstline.cases.models import NotificationKind
from firstline.cases.notifications import notify_agent
from firstline.config import Settings, get_settings
from firstline.conversations.models import AuthorKind, Conversation
from firstline.conversations.service import get_conversation, post_message
from firstline.kit.errors import Conflict, InvalidInput, NotFound
from firstline.kit.time import utcnow
from firstline.timeline.service import ActorKind, EventKind, record_event

MAX_POINTS = 20
MAX_TEXT = 4000


def clock_policy(settings: Settings | None = None) -> ClockPolicy:
    settings = settings or get_settings()
    return ClockPolicy(
        acknowledgement=timedelta(hours=settings.complaint_acknowledgement_hours),
        admissibility=timedelta(days=settings.complaint_admissibility_days),
        response=timedelta(days=settings.complaint_response_days),
        warning=timedelta(hours=settings.complaint_warning_hours),
    )


def _text(value: str, field: str, *, minimum: int = 1) -> str:
    value = value.replace("\x00", "").strip()
    if len(value) < minimum:
        raise InvalidInput(f"The {field.replace('_', ' ')} needs at least {minimum} characters.", field=field)
    if len(value) > MAX_TEXT:
        raise InvalidInput(
            f"The {field.replace('_', ' ')} can hold at most {MAX_TEXT} characters.", field=field
        )
    return value


def _event(
    session: Session, complaint: Complaint, kind: EventKind, actor: Agent | None, **data: object
) -> None:
    record_event(
        session,
        kind=kind,
        actor_kind=ActorKind.AGENT if actor else ActorKind.SYSTEM,
        actor_agent_id=actor.id if actor else None,
        conversation_id=complaint.conversation_id,
        customer_id=complaint.customer_id,
        data={"complaint_id": complaint.id, "reference": complaint.reference, **data},
    )


def _rearm(complaint: Complaint, policy: ClockPolicy) -> None:
    complaint.fire_at = next_fire_at(complaint, policy.warning)


def _tell_customer(session: Session, complaint: Complaint, actor: Agent, body: str, key: str) -> int:
    """Post a letter to the complainant on the complaint's conversation, once per ``key`` (retries are safe)."""
    posted = post_message(
        session,
        conversation_id=complaint.conversation_id,
        author_kind=AuthorKind.AGENT,
        body=body,
        author_agent_id=actor.id,
        client_msg_id=f"complaint-{complaint.id}-{key}",
    )
    return posted.message.id


def register_complaint(
    session: Session,
    *,
    conversation_id: int,
    summary: str,
    points: list[str] | None = None,
    received_at: datetime | None = None,
    actor: Agent,
    policy: ClockPolicy | None = None,
) -> tuple[Complaint, bool]:
    """Register the conversation as a complaint; returns (complaint, created). Registering again is a no-op."""
    conversation = get_conversation(session, conversation_id=conversation_id)
    existing = get_complaint_for(session, conversation_id=conversation.id)
    if existing is not None:
        return existing, False
    policy = policy or clock_policy()
    summary = _text(summary, "summary", minimum=10)
    raised = [_text(point, "points") for point in (points or []) if point.strip()] or [summary]
    if len(raised) > MAX_POINTS:
        raise InvalidInput(f"At most {MAX_POINTS} points per complaint.", field="points")
    now = utcnow()
    received = received_at or now
    if received.tzinfo is None:
        raise InvalidInput("Give the date received with its time zone.", field="received_at")
    if received > now or received < conversation.created_at - timedelta(minutes=1):
        raise InvalidInput(
            "The date received lies between the conversation's start and now.", field="received_at"
        )
    complaint = Complaint(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        category=conversation.category,
        language=conversation.language,
        summary=summary,
        points=raised,
        received_at=received,
        registered_by_id=actor.id,
        alerts=[],
        answers=[],
        remedies=[],
        **due_times(received, policy),
    )
    _rearm(complaint, policy)
    session.add(complaint)
    session.flush()
    _event(session, complaint, EventKind.COMPLAINT_REGISTERED, actor, received_at=received.isoformat())
    return complaint, True


def acknowledge(
    session: Session, *, complaint_id: int, actor: Agent, settings: Settings | None = None
) -> Complaint:
    """Send the acknowledgement (contact point, date received, response timeframe). Idempotent."""
    settings = settings or get_settings()
    complaint = get_complaint(session, complaint_id=complaint_id)
    if complaint.acknowledged_at is not None:
        return complaint
    text = texts_for(complaint.language)
    body = text["ack"].format(
        ref=complaint.reference,
        received=day(complaint.received_at),
        contact=settings.complaint_contact_point,
        days=(complaint.decision_due_at - complaint.received_at).days,
        due=day(complaint.decision_due_at),
    )
    _tell_customer(session, complaint, actor, body, "ack")
    complaint.acknowledged_at = utcnow()
    _rearm(complaint, clock_policy(settings))
    session.flush()
    _event(session, complaint, EventKind.COMPLAINT_ACKNOWLEDGED, actor)
    return complaint


def decide_admissibility(
    session: Session, *, complaint_id: int, admissible: bool, reason: str, actor: Agent
) -> Complaint:
    """Record whether the complaint is admissible, with reasons; an inadmissible one is told why.

    The same decision again changes nothing; a different one is possible until the final decision.
    """
    complaint = get_complaint(session, complaint_id=complaint_id)
    verdict = Admissibility.ADMISSIBLE if admissible else Admissibility.INADMISSIBLE
    reason = _text(reason, "reason", minimum=5)
    if complaint.admissibility == verdict and complaint.admissibility_reason == reason:
        return complaint
    if complaint.decided_at is not None:
        raise Conflict(f"{complaint.reference} is decided; its admissibility cannot change.")
    complaint.admissibility = verdict
    complaint.admissibility_reason = reason
    complaint.admissibility_at = utcnow()
    if verdict is Admissibility.INADMISSIBLE:
        body = texts_for(complaint.language)["inadmissible"].format(ref=complaint.reference, reason=reason)
        key = f"inadmissible-{int(complaint.admissibility_at.timestamp())}"
        _tell_customer(session, complaint, actor, body, key)
    _rearm(complaint, clock_policy())
    session.flush()
    _event(
        session,
        complaint,
        EventKind.COMPLAINT_ADMISSIBILITY,
        actor,
        admissibility=verdict.value,
        reason=reason,
    )
    return complaint


def _as_deadline(new_due: date | datetime) -> datetime:
    if isinstance(new_due, datetime):
        if new_due.tzinfo is None:
            raise InvalidInput("Give the new date with its time zone.", field="new_due")
        return new_due
    return datetime.combine(new_due, time(23, 59), tzinfo=UTC)


def send_delay_notice(
    session: Session, *, complaint_id: int, reason: str, new_due: date | datetime, actor: Agent
) -> Complaint:
    """Tell the complainant the decision takes longer, why, and by when: never past the two-month limit."""
    complaint = get_complaint(session, complaint_id=complaint_id)
    if complaint.decided_at is not None:
        raise Conflict(f"{complaint.reference} is already decided.")
    reason = _text(reason, "reason", minimum=10)
    deadline = _as_deadline(new_due)
    if not isinstance(new_due, datetime) and new_due == complaint.limit_at.date():
        deadline = complaint.limit_at  # "the last day" means the limit itself, not that day's evening
    if deadline > complaint.limit_at:
        raise InvalidInput(
            f"The decision cannot come later than {day(complaint.limit_at)}, two months after receipt.",
            field="new_due",
        )
    if deadline <= complaint.decision_due_at:
        raise InvalidInput(
            f"The new date must be later than the current one ({day(complaint.decision_due_at)}).",
            field="new_due",
        )
    complaint.decision_due_at = deadline
    complaint.delay_reason = reason
    complaint.delayed_at = utcnow()
    complaint.alerts = [alert for alert in complaint.alerts if alert != f"{Step.DECISION.value}:warning"]
    body = texts_for(complaint.language)["delay"].format(
        ref=complaint.reference, reason=reason, due=day(deadline)
    )
    _tell_customer(session, complaint, actor, body, f"delay-{day(deadline)}")
    _rearm(complaint, clock_policy())
    session.flush()
    _event(
        session, complaint, EventKind.COMPLAINT_DELAYED, actor, reason=reason, new_due=deadline.isoformat()
    )
    return complaint


def decide(
    session: Session,
    *,
    complaint_id: int,
    outcome: str,
    answers: list[str],
    remedies: list[str] | None = None,
    actor: Agent,
) -> Complaint:
    """Send the decision letter: it answers every point raised and, unless fully upheld, lists the remedies.

    Sending the same decision again is a no-op (a retry); a different one is refused.
    """
    complaint = get_complaint(session, complaint_id=complaint_id)
    if outcome not in Outcome._value2member_map_:
        raise InvalidInput(f"Outcome is one of: {', '.join(Outcome)}.", field="outcome")
    answers = [answer.strip() for answer in answers]
    remedies = [remedy.strip() for remedy in (remedies or []) if remedy.strip()]
    if outcome != Outcome.UPHELD and not remedies:
        remedies = DEFAULT_REMEDIES.get(complaint.language, DEFAULT_REMEDIES["en"])
    if complaint.decided_at is not None:
        if complaint.outcome == outcome and complaint.answers == answers:
            return complaint
        raise Conflict(f"{complaint.reference} is already decided ({complaint.outcome}).")
    if complaint.admissibility != Admissibility.ADMISSIBLE:
        raise Conflict(f"Decide whether {complaint.reference} is admissible before deciding on it.")
    if len(answers) > len(complaint.points):
        raise InvalidInput(
            f"The complaint raised {len(complaint.points)} points; give one answer for each.", field="answers"
        )
    unanswered = [
        str(n) for n in range(1, len(complaint.points) + 1) if n > len(answers) or not answers[n - 1]
    ]
    if unanswered:
        raise InvalidInput(
            f"Answer every point raised; unanswered: {', '.join(unanswered)}.", field="answers"
        )
    body = decision_letter(
        language=complaint.language,
        reference=complaint.reference,
        outcome=outcome,
        points=complaint.points,
        answers=answers,
        remedies=remedies,
    )
    _tell_customer(session, complaint, actor, body, "decision")
    complaint.outcome = outcome
    complaint.answers = answers
    complaint.remedies = remedies
    complaint.decided_at = utcnow()
    complaint.decided_by_id = actor.id
    _rearm(complaint, clock_policy())
    session.flush()
    _event(session, complaint, EventKind.COMPLAINT_DECIDED, actor, outcome=outcome)
    return complaint


def fire_due_clocks(
    session: Session, *, now: datetime | None = None, limit: int = 200, policy: ClockPolicy | None = None
) -> int:
    """Fire every complaint warning or miss whose time has come; claims each row with a conditional UPDATE."""
    now = now or utcnow()
    policy = policy or clock_policy()
    due = session.execute(
        select(Complaint.id, Complaint.fire_at)
        .where(Complaint.fire_at <= now)
        .order_by(Complaint.fire_at)
        .limit(limit)
    ).all()
    fired = 0
    for complaint_id, fire_at in due:
        claimed = session.execute(
            update(Complaint)
            .where(Complaint.id == complaint_id, Complaint.fire_at == fire_at)
            .values(fire_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        complaint = session.get(Complaint, complaint_id)
        if not claimed or complaint is None:
            continue
        session.refresh(complaint)
        alerts = [key for instant, key in pending_alerts(complaint, policy.warning) if instant <= now]
        complaint.alerts = [*complaint.alerts, *alerts]
        _rearm(complaint, policy)
        session.flush()
        for key in alerts:
            _announce(session, complaint, key)
        fired += 1
    return fired


def _announce(session: Session, complaint: Complaint, key: str) -> None:
    step, _, kind = key.partition(":")
    event = EventKind.COMPLAINT_DEADLINE_MISSED if kind == "missed" else EventKind.COMPLAINT_DEADLINE_WARNING
    _event(session, complaint, event, None, step=step)
    conversation = session.get(Conversation, complaint.conversation_id)
    recipient = (conversation.assignee_id if conversation else None) or complaint.registered_by_id
    if recipient is not None:
        verb = "missed its deadline" if kind == "missed" else "is due soon"
        notify_agent(
            session,
            agent_id=recipient,
            kind=NotificationKind.COMPLAINT_CLOCK,
            conversation_id=complaint.conversation_id,
            text=f"Complaint {complaint.reference}: the {step} step {verb}.",
        )


def get_complaint(session: Session, *, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"No complaint with id {complaint_id}.")
    return complaint


def get_complaint_for(session: Session, *, conversation_id: int) -> Complaint | None:
    return session.scalar(select(Complaint).where(Complaint.conversation_id == conversation_id))


def require_complaint_for(session: Session, *, conversation_id: int) -> Complaint:
    complaint = get_complaint_for(session, conversation_id=conversation_id)
    if complaint is None:
        raise NotFound(f"Conversation {conversation_id} is not registered as a complaint.")
    return complaint


def list_complaints(session: Session, *, limit: int = 500, offset: int = 0) -> list[Complaint]:
    return list(session.scalars(select(Complaint).order_by(Complaint.id.desc()).limit(limit).offset(offset)))
