"""Customer 360: one timeline of everything that happened with a customer, and merging duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firstline.agents.models import Agent, Team
from firstline.cases.complaints.models import Complaint
from firstline.cases.compliance import can_see_compliance
from firstline.cases.incidents.models import IncidentLink
from firstline.cases.models import ComplianceCase, ComplianceNote, CustomerMerge
from firstline.conversations.models import AuthorKind, Conversation, Message
from firstline.customers.models import Customer
from firstline.customers.service import get_customer
from firstline.kit.errors import Conflict, InvalidInput
from firstline.timeline.models import Event
from firstline.timeline.service import ActorKind, EventKind, list_customer_events, record_event

MAX_ITEMS = 1000
_MESSAGE_EVENTS = {EventKind.MESSAGE_POSTED.value, EventKind.NOTE_ADDED.value}


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # message, note, event, compliance_note, compliance_case
    conversation_id: int | None
    channel: str | None
    title: str
    text: str
    actor_agent_id: int | None
    actor_kind: str


def merged_ids(session: Session, *, customer_id: int) -> list[int]:
    """The customer and every duplicate merged into it (transitively)."""
    ids, frontier = [customer_id], [customer_id]
    while frontier:
        found = list(
            session.scalars(select(CustomerMerge.duplicate_id).where(CustomerMerge.into_id.in_(frontier)))
        )
        frontier = [i for i in found if i not in ids]
        ids += frontier
    return ids


def merged_into(session: Session, *, customer_id: int) -> int | None:
    return session.scalar(select(CustomerMerge.into_id).where(CustomerMerge.duplicate_id == customer_id))


def customer_timeline(session: Session, *, customer_id: int, viewer: Agent) -> list[TimelineItem]:
    """Every chat and email message, internal note, case, complaint, escalation and SLA event, oldest first.

    Compliance notes and cases appear only for a viewer who may read them; for anyone else they are not
    read at all (nothing about them is in the shared tables this draws from).
    """
    get_customer(session, customer_id=customer_id)
    customer_ids = merged_ids(session, customer_id=customer_id)
    conversations = {
        c.id: c
        for c in session.scalars(select(Conversation).where(Conversation.customer_id.in_(customer_ids)))
    }
    items: list[TimelineItem] = []
    messages = session.scalars(
        select(Message)
        .where(Message.conversation_id.in_(list(conversations)))
        .order_by(Message.id.desc())
        .limit(MAX_ITEMS)
    )
    for message in messages:
        conversation = conversations[message.conversation_id]
        note = message.author_kind == AuthorKind.NOTE
        items.append(
            TimelineItem(
                at=message.created_at,
                kind="note" if note else "message",
                conversation_id=conversation.id,
                channel=conversation.channel,
                title="Internal note" if note else f"{message.author_kind.title()} · {conversation.channel}",
                text=message.body,
                actor_agent_id=message.author_agent_id,
                actor_kind=message.author_kind,
            )
        )
    events: list[Event] = []
    for one_id in customer_ids:
        events += list_customer_events(session, customer_id=one_id, conversation_ids=list(conversations))
    names = _names_in(session, events)
    seen: set[int] = set()
    for event in events:
        if event.id in seen or event.kind in _MESSAGE_EVENTS:
            continue
        seen.add(event.id)
        conversation = conversations.get(event.conversation_id or 0)
        items.append(
            TimelineItem(
                at=event.created_at,
                kind="event",
                conversation_id=event.conversation_id,
                channel=conversation.channel if conversation else None,
                title=event.kind,
                text=_describe(event, names),
                actor_agent_id=event.actor_agent_id,
                actor_kind=event.actor_kind,
            )
        )
    if can_see_compliance(viewer):
        items += _compliance_items(session, customer_ids)
    items.sort(key=lambda item: item.at)
    return items[-MAX_ITEMS:]


# Events whose from/to are ids: shown with the names they stand for.
_TEAM_EVENTS = {EventKind.TEAM_CHANGED.value}
_AGENT_EVENTS = {EventKind.ASSIGNED.value, EventKind.UNASSIGNED.value}


def _names_in(session: Session, events: list[Event]) -> dict[tuple[str, int], str]:
    """Names of the teams and agents that the events' from/to ids refer to, read in one query each."""
    wanted: dict[str, set[int]] = {"team": set(), "agent": set()}
    for event in events:
        kind = "team" if event.kind in _TEAM_EVENTS else "agent" if event.kind in _AGENT_EVENTS else None
        if kind is not None:
            data = event.data or {}
            wanted[kind] |= {v for v in (data.get("from"), data.get("to")) if isinstance(v, int)}
    names: dict[tuple[str, int], str] = {}
    if wanted["team"]:
        rows = session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted["team"])))
        names |= {("team", row_id): name for row_id, name in rows}
    if wanted["agent"]:
        rows = session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(wanted["agent"])))
        names |= {("agent", row_id): name for row_id, name in rows}
    return names


def _describe(event: Event, names: dict[tuple[str, int], str]) -> str:
    data = event.data or {}
    if "reason" in data:
        return str(data["reason"])[:300]
    if "from" in data and "to" in data:
        kind = "team" if event.kind in _TEAM_EVENTS else "agent" if event.kind in _AGENT_EVENTS else None
        if kind is not None:
            before, after = (
                "nobody" if value is None else names.get((kind, value), f"#{value}")
                for value in (data["from"], data["to"])
            )
            return f"{before} → {after}"
        return f"{data['from']} → {data['to']}"
    if "reference" in data:
        return str(data["reference"])
    if "title" in data:
        return str(data["title"])
    if "step" in data:
        return f"step: {data['step']}"
    if "metric" in data:  # SLA warnings and breaches: which clock
        return str(data["metric"]).replace("_", " ")
    return ""


def _compliance_items(session: Session, customer_ids: list[int]) -> list[TimelineItem]:
    items = [
        TimelineItem(
            at=case.created_at,
            kind="compliance_case",
            conversation_id=None,
            channel=None,
            title=f"Compliance case {case.id}: {case.subject}",
            text=case.summary,
            actor_agent_id=case.created_by_id,
            actor_kind=ActorKind.AGENT,
        )
        for case in session.scalars(
            select(ComplianceCase).where(ComplianceCase.customer_id.in_(customer_ids))
        )
    ]
    items += [
        TimelineItem(
            at=note.created_at,
            kind="compliance_note",
            conversation_id=note.conversation_id,
            channel=None,
            title="Compliance note",
            text=note.body,
            actor_agent_id=note.author_agent_id,
            actor_kind=ActorKind.AGENT,
        )
        for note in session.scalars(
            select(ComplianceNote).where(ComplianceNote.customer_id.in_(customer_ids))
        )
    ]
    return items


def merge_customers(session: Session, *, into_id: int, duplicate_id: int, actor: Agent) -> CustomerMerge:
    """Fold ``duplicate_id`` into ``into_id``: its conversations, complaints and records move; blanks of the
    survivor are filled from the duplicate. Merging the same pair again returns the recorded merge."""
    if into_id == duplicate_id:
        raise InvalidInput("A customer cannot be merged into itself.", field="duplicate_id")
    survivor = get_customer(session, customer_id=into_id)
    duplicate = get_customer(session, customer_id=duplicate_id)
    done = session.get(CustomerMerge, duplicate.id)
    if done is not None:
        if done.into_id == survivor.id:
            return done
        raise Conflict(f"Customer {duplicate.id} was already merged into customer {done.into_id}.")
    if (target := merged_into(session, customer_id=survivor.id)) is not None:
        raise Conflict(f"Customer {survivor.id} was merged into customer {target}; merge into that one.")
    moved = {
        "conversations": _move(session, Conversation, duplicate.id, survivor.id),
        "complaints": _move(session, Complaint, duplicate.id, survivor.id),
    }
    _move(session, IncidentLink, duplicate.id, survivor.id)
    # Compliance records follow the customer too, without being counted where others can read it.
    _move(session, ComplianceCase, duplicate.id, survivor.id)
    _move(session, ComplianceNote, duplicate.id, survivor.id)
    _fill_blanks(session, survivor, duplicate)
    merge = CustomerMerge(duplicate_id=duplicate.id, into_id=survivor.id, merged_by_id=actor.id, moved=moved)
    session.add(merge)
    session.flush()
    for customer_id, data in (
        (survivor.id, {"duplicate_id": duplicate.id, **moved}),
        (duplicate.id, {"into_id": survivor.id}),
    ):
        record_event(
            session,
            kind=EventKind.CUSTOMER_MERGED,
            actor_kind=ActorKind.AGENT,
            actor_agent_id=actor.id,
            customer_id=customer_id,
            data=data,
        )
    return merge


def _move(session: Session, model: type, from_id: int, to_id: int) -> int:
    return session.execute(
        update(model)
        .where(model.customer_id == from_id)  # type: ignore[attr-defined]
        .values(customer_id=to_id)
        .execution_options(synchronize_session="fetch")
    ).rowcount


def _fill_blanks(session: Session, survivor: Customer, duplicate: Customer) -> None:
    if not survivor.exchange_uid and duplicate.exchange_uid:
        uid, duplicate.exchange_uid = duplicate.exchange_uid, None
        session.flush()  # the UID is unique: free it before the survivor takes it
        survivor.exchange_uid = uid
    survivor.email = survivor.email or duplicate.email
    survivor.name = survivor.name or duplicate.name
    survivor.attributes = {**duplicate.attributes, **survivor.attributes}
    survivor.vip_tier = max(survivor.vip_tier, duplicate.vip_tier)
    session.flush()
