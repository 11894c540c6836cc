"""Incidents: link conversations, write the resolution update, have an agent approve it, send it once each."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.cases.incidents.models import (
    DeliveryState,
    Incident,
    IncidentLink,
    IncidentStatus,
    UpdateState,
)
from firstline.conversations.models import AuthorKind, Status
from firstline.conversations.service import get_conversation, post_message, successor_of
from firstline.kit.errors import Conflict, InvalidInput, NotFound
from firstline.kit.languages import check_language
from firstline.kit.time import utcnow
from firstline.timeline.service import ActorKind, EventKind, record_event

MAX_UPDATE_CHARS = 4000


def open_incident(session: Session, *, title: str, description: str = "", actor: Agent) -> Incident:
    title = title.strip()
    if not 3 <= len(title) <= 200:
        raise InvalidInput("An incident title is 3 to 200 characters.", field="title")
    incident = Incident(
        title=title,
        description=description.strip()[:4000],
        created_by_id=actor.id,
        update_texts={},
        update_version=0,
    )
    session.add(incident)
    session.flush()
    return incident


def get_incident(session: Session, *, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"No incident with id {incident_id}.")
    return incident


def list_incidents(session: Session, *, limit: int = 200) -> list[Incident]:
    return list(session.scalars(select(Incident).order_by(Incident.id.desc()).limit(limit)))


def list_links(session: Session, *, incident_id: int) -> list[IncidentLink]:
    return list(
        session.scalars(
            select(IncidentLink).where(IncidentLink.incident_id == incident_id).order_by(IncidentLink.id)
        )
    )


def link_conversation(
    session: Session, *, incident_id: int, conversation_id: int, actor: Agent
) -> IncidentLink:
    """Link a conversation to the incident; linking it again returns the existing link."""
    incident = get_incident(session, incident_id=incident_id)
    conversation = get_conversation(session, conversation_id=conversation_id)
    existing = _link(session, incident.id, conversation.id)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            link = IncidentLink(
                incident_id=incident.id,
                conversation_id=conversation.id,
                customer_id=conversation.customer_id,
                linked_by_id=actor.id,
                delivery=DeliveryState.PENDING,
            )
            session.add(link)
            session.flush()
    except IntegrityError:  # linked concurrently
        found = _link(session, incident.id, conversation.id)
        if found is None:
            raise
        return found
    record_event(
        session,
        kind=EventKind.INCIDENT_LINKED,
        actor_kind=ActorKind.AGENT,
        actor_agent_id=actor.id,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={"incident_id": incident.id, "title": incident.title},
    )
    return link


def _link(session: Session, incident_id: int, conversation_id: int) -> IncidentLink | None:
    return session.scalar(
        select(IncidentLink).where(
            IncidentLink.incident_id == incident_id, IncidentLink.conversation_id == conversation_id
        )
    )


def write_update(session: Session, *, incident_id: int, texts: dict[str, str], actor: Agent) -> Incident:
    """Write (or revise) the customer update, one text per language; English is required as the fallback.

    A revision is a new draft: it must be approved again before anything more goes out.
    """
    incident = get_incident(session, incident_id=incident_id)
    cleaned = {}
    for language, text in texts.items():
        text = text.replace("\x00", "").strip()
        if text:
            if len(text) > MAX_UPDATE_CHARS:
                raise InvalidInput(
                    f"An update is at most {MAX_UPDATE_CHARS} characters.", field=f"texts.{language}"
                )
            cleaned[check_language(language)] = text
    if "en" not in cleaned:
        raise InvalidInput(
            "Write the update in English at least: it goes to customers of other languages.", field="texts.en"
        )
    if cleaned == incident.update_texts:
        return incident
    incident.update_texts = cleaned
    incident.update_version += 1
    session.flush()
    return incident


def resolve(session: Session, *, incident_id: int, actor: Agent) -> Incident:
    """Mark the incident resolved (again is a no-op). The update goes out only once approved and sent."""
    incident = get_incident(session, incident_id=incident_id)
    if incident.status != IncidentStatus.RESOLVED:
        incident.status = IncidentStatus.RESOLVED
        incident.resolved_at = utcnow()
        incident.resolved_by_id = actor.id
        session.flush()
    return incident


def approve_update(session: Session, *, incident_id: int, actor: Agent) -> Incident:
    """An agent reviewed the current draft: it may go. Approving the same version again is a no-op."""
    incident = get_incident(session, incident_id=incident_id)
    if incident.update_state is UpdateState.NONE:
        raise Conflict("Write the update before approving it.")
    if incident.approved_version != incident.update_version:
        incident.approved_version = incident.update_version
        incident.approved_by_id = actor.id
        incident.approved_at = utcnow()
        session.flush()
    return incident


def send_update(session: Session, *, incident_id: int, actor: Agent) -> int:
    """Send the approved update to every linked customer not reached yet; returns how many were reached now.

    Each link is claimed with ``UPDATE … WHERE delivery = 'pending'``, and each message carries a client id
    per incident, so a customer gets it exactly once, even when two agents press send together. A customer
    with several linked conversations gets it once, on the most recent one; a closed conversation's update
    goes to the case that continues it.
    """
    incident = get_incident(session, incident_id=incident_id)
    if incident.status != IncidentStatus.RESOLVED:
        raise Conflict("Resolve the incident before telling customers it is resolved.")
    if incident.update_state is not UpdateState.APPROVED:
        raise Conflict("The update must be approved by an agent before it is sent.")
    reached = {
        link.customer_id
        for link in list_links(session, incident_id=incident.id)
        if link.delivery == DeliveryState.SENT
    }
    pending = [
        link
        for link in list_links(session, incident_id=incident.id)
        if link.delivery == DeliveryState.PENDING
    ]
    sent = 0
    for link in sorted(pending, key=lambda link: -link.conversation_id):
        target = DeliveryState.COVERED if link.customer_id in reached else DeliveryState.SENT
        claimed = session.execute(
            update(IncidentLink)
            .where(IncidentLink.id == link.id, IncidentLink.delivery == DeliveryState.PENDING)
            .values(delivery=target, sent_at=utcnow(), sent_version=incident.approved_version)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed or target is DeliveryState.COVERED:
            continue
        session.refresh(link)
        _deliver(session, incident, link, actor)
        reached.add(link.customer_id)
        sent += 1
    return sent


def _deliver(session: Session, incident: Incident, link: IncidentLink, actor: Agent) -> None:
    conversation = get_conversation(session, conversation_id=link.conversation_id)
    if conversation.status == Status.CLOSED:
        conversation = successor_of(session, conversation=conversation)
    text = incident.update_texts.get(conversation.language) or incident.update_texts["en"]
    posted = post_message(
        session,
        conversation_id=conversation.id,
        author_kind=AuthorKind.AGENT,
        body=text,
        author_agent_id=actor.id,
        client_msg_id=f"incident-{incident.id}-update",
    )
    link.message_id = posted.message.id
    link.delivered_conversation_id = conversation.id
    session.flush()
    record_event(
        session,
        kind=EventKind.INCIDENT_UPDATE_SENT,
        actor_kind=ActorKind.AGENT,
        actor_agent_id=actor.id,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data={
            "incident_id": incident.id,
            "version": incident.approved_version,
            "language": conversation.language,
        },
    )
