"""Compliance confidentiality: notes and cases only compliance sees, and neutral replies for frozen accounts.

Nothing here writes to a table other roles read (messages, conversations, the shared event log), so what
an L1 agent can see — counts, sequence numbers, timelines, search hits, status codes — is the same whether
or not compliance holds anything on a customer. See docs/architecture.md, "Compliance confidentiality".
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.agents.roles import Permission, has_permission
from firstline.cases.models import ComplianceCase, ComplianceNote, NotificationKind
from firstline.cases.notifications import mentioned_agents, notify_agent
from firstline.conversations.service import get_conversation
from firstline.customers.service import get_customer
from firstline.kit.errors import InvalidInput, NotFound, PermissionDenied
from firstline.kit.time import utcnow

MAX_NOTE_CHARS = 20_000


def can_see_compliance(agent: Agent | None) -> bool:
    return agent is not None and has_permission(agent.roles, Permission.COMPLIANCE_ACCESS)


def _require_compliance(agent: Agent) -> None:
    # The routes check this already; services check again so no other caller can skip it.
    if not can_see_compliance(agent):
        raise PermissionDenied("Your role does not allow this (compliance.access).")


def open_compliance_case(
    session: Session, *, actor: Agent, customer_id: int, subject: str, summary: str = ""
) -> ComplianceCase:
    """Open a record only compliance sees about a customer."""
    _require_compliance(actor)
    customer = get_customer(session, customer_id=customer_id)
    subject = subject.strip()
    if not subject:
        raise InvalidInput("Give the compliance case a subject.", field="subject")
    case = ComplianceCase(
        customer_id=customer.id,
        subject=subject[:300],
        summary=summary.strip()[:MAX_NOTE_CHARS],
        status="open",
        created_by_id=actor.id,
    )
    session.add(case)
    session.flush()
    return case


def close_compliance_case(session: Session, *, actor: Agent, compliance_case_id: int) -> ComplianceCase:
    _require_compliance(actor)
    case = get_compliance_case(session, actor=actor, compliance_case_id=compliance_case_id)
    if case.closed_at is None:
        case.status = "closed"
        case.closed_at = utcnow()
        session.flush()
    return case


def get_compliance_case(session: Session, *, actor: Agent, compliance_case_id: int) -> ComplianceCase:
    _require_compliance(actor)
    case = session.get(ComplianceCase, compliance_case_id)
    if case is None:
        raise NotFound(f"No compliance case with id {compliance_case_id}.")
    return case


def add_compliance_note(
    session: Session,
    *,
    actor: Agent,
    body: str,
    conversation_id: int | None = None,
    compliance_case_id: int | None = None,
) -> ComplianceNote:
    """A note on a conversation or a compliance case that only compliance reads.

    @mentions notify compliance colleagues; mentioning anyone else is refused, since the notification
    itself would tell them compliance is looking at the customer.
    """
    _require_compliance(actor)
    body = body.replace("\x00", "").strip()
    if not body:
        raise InvalidInput("A note cannot be empty.", field="body")
    if len(body) > MAX_NOTE_CHARS:
        raise InvalidInput(f"A note can hold at most {MAX_NOTE_CHARS} characters.", field="body")
    if (conversation_id is None) == (compliance_case_id is None):
        raise InvalidInput("A compliance note belongs to one conversation or one compliance case.")
    if conversation_id is not None:
        conversation = get_conversation(session, conversation_id=conversation_id)
        customer_id, where = conversation.customer_id, conversation.reference
    else:
        case = get_compliance_case(session, actor=actor, compliance_case_id=compliance_case_id or 0)
        customer_id, where = case.customer_id, f"compliance case {case.id}"
    mentioned = [agent for agent in mentioned_agents(session, body) if agent.id != actor.id]
    outsiders = [agent.name for agent in mentioned if not can_see_compliance(agent)]
    if outsiders:
        raise InvalidInput(
            f"{', '.join(outsiders)} cannot read compliance notes; mention compliance colleagues only.",
            field="body",
        )
    note = ComplianceNote(
        customer_id=customer_id,
        conversation_id=conversation_id,
        compliance_case_id=compliance_case_id,
        author_agent_id=actor.id,
        body=body,
    )
    session.add(note)
    session.flush()
    for agent in mentioned:
        notify_agent(
            session,
            agent_id=agent.id,
            kind=NotificationKind.MENTION,
            conversation_id=conversation_id,
            compliance=True,
            text=f"{actor.name} mentioned you in a compliance note on {where}: {body[:150]}",
        )
    return note


def list_compliance_notes(
    session: Session,
    *,
    actor: Agent,
    conversation_id: int | None = None,
    compliance_case_id: int | None = None,
    customer_ids: list[int] | None = None,
) -> list[ComplianceNote]:
    _require_compliance(actor)
    query = select(ComplianceNote).order_by(ComplianceNote.id)
    if conversation_id is not None:
        query = query.where(ComplianceNote.conversation_id == conversation_id)
    if compliance_case_id is not None:
        query = query.where(ComplianceNote.compliance_case_id == compliance_case_id)
    if customer_ids is not None:
        query = query.where(ComplianceNote.customer_id.in_(customer_ids))
    return list(session.scalars(query))


def list_compliance_cases(
    session: Session, *, actor: Agent, customer_ids: list[int] | None = None, limit: int = 200
) -> list[ComplianceCase]:
    _require_compliance(actor)
    query = select(ComplianceCase).order_by(ComplianceCase.id.desc()).limit(limit)
    if customer_ids is not None:
        query = query.where(ComplianceCase.customer_id.in_(customer_ids))
    return list(session.scalars(query))


# Replies for frozen-account conversations. They are offered on every such case, whatever compliance
# holds, say nothing about a review's reasons (no tipping-off), and promise nothing compliance must decide.
NEUTRAL_REPLIES: dict[str, list[str]] = {
    "en": [
        "Thank you for your patience. Your account is under a routine review. We cannot share details while it is in progress, and we will contact you by email as soon as there is an update.",
        "We understand this is frustrating. Access to some features is limited for now. The responsible team has your case and will reach out to you directly; there is nothing further you need to do at the moment.",
    ],
    "it": [
        "Grazie per la pazienza. Il tuo account è in fase di verifica di routine. Non possiamo condividere dettagli mentre è in corso e ti contatteremo via email non appena ci saranno aggiornamenti.",
        "Capiamo che la situazione sia frustrante. L'accesso ad alcune funzioni è limitato per ora. Il team competente ha in carico il tuo caso e ti contatterà direttamente; al momento non devi fare nient'altro.",
    ],
    "pt": [
        "Obrigado pela sua paciência. A sua conta está em revisão de rotina. Não podemos partilhar detalhes enquanto a revisão decorre e entraremos em contacto por email assim que houver novidades.",
        "Compreendemos que seja frustrante. O acesso a algumas funcionalidades está limitado por agora. A equipa responsável tem o seu caso e contactá-lo-á diretamente; de momento não precisa de fazer mais nada.",
    ],
    "de": [
        "Vielen Dank für Ihre Geduld. Ihr Konto wird routinemäßig überprüft. Solange die Prüfung läuft, können wir keine Details nennen; wir melden uns per E-Mail, sobald es Neuigkeiten gibt.",
        "Wir verstehen, dass das ärgerlich ist. Einige Funktionen sind vorübergehend eingeschränkt. Das zuständige Team bearbeitet Ihren Fall und meldet sich direkt bei Ihnen; Sie müssen derzeit nichts weiter tun.",
    ],
    "es": [
        "Gracias por tu paciencia. Tu cuenta está en una revisión rutinaria. No podemos compartir detalles mientras está en curso y te contactaremos por correo electrónico en cuanto haya novedades.",
        "Entendemos que es frustrante. El acceso a algunas funciones está limitado por ahora. El equipo responsable tiene tu caso y se pondrá en contacto contigo directamente; por ahora no necesitas hacer nada más.",
    ],
}


def neutral_replies(language: str) -> list[str]:
    return NEUTRAL_REPLIES.get(language, NEUTRAL_REPLIES["en"])
