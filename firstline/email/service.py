"""What agents do with email: see how each mail was threaded, split and merge, review rejected mail,
configure mailboxes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firstline.conversations.models import Conversation, Message, Status
from firstline.conversations.service import (
    change_status,
    get_conversation,
    move_messages,
    open_conversation,
)
from firstline.email.models import Bounce, InboundMail, InboundStatus, Mailbox, OutboundMail, ThreadRule
from firstline.kit.errors import InvalidInput, NotFound
from firstline.kit.sealing import seal, unseal

MAX_PASSWORD_CHARS = 500

RULE_EXPLANATIONS: dict[str, str] = {
    ThreadRule.REPLY_TOKEN: "The reply came back to the conversation's own reply address.",
    ThreadRule.REFERENCES: "In-Reply-To / References name a mail of this conversation.",
    ThreadRule.SUBJECT: "Same subject from the same sender within the threading window.",
    ThreadRule.NEW: "Nothing matched an open conversation of this customer: a new conversation.",
    ThreadRule.SPLIT: "An agent split this mail into its own conversation.",
    ThreadRule.MERGED: "An agent merged its conversation into this one.",
}


@dataclass(frozen=True)
class EmailDetails:
    inbound: list[InboundMail]
    outbound: list[OutboundMail]
    bounces: list[Bounce]


def email_details(session: Session, *, conversation_id: int) -> EmailDetails:
    """Every mail received and sent in a conversation, with bounces, oldest first."""
    get_conversation(session, conversation_id=conversation_id)
    inbound = session.scalars(
        select(InboundMail).where(InboundMail.conversation_id == conversation_id).order_by(InboundMail.id)
    )
    outbound = list(
        session.scalars(
            select(OutboundMail)
            .where(OutboundMail.conversation_id == conversation_id)
            .order_by(OutboundMail.id)
        )
    )
    bounces = session.scalars(
        select(Bounce).where(Bounce.outbound_id.in_([o.id for o in outbound])).order_by(Bounce.id)
    )
    return EmailDetails(list(inbound), outbound, list(bounces))


def threading_rules(session: Session, *, conversation_id: int) -> dict[int, InboundMail]:
    """The inbound mail behind each message of a conversation, by message id: its rule is on it."""
    rows = session.scalars(
        select(InboundMail).where(
            InboundMail.conversation_id == conversation_id, InboundMail.posted_message_id.is_not(None)
        )
    )
    return {row.posted_message_id: row for row in rows if row.posted_message_id is not None}


def list_rejected(session: Session, *, limit: int = 100, offset: int = 0) -> list[InboundMail]:
    query = (
        select(InboundMail)
        .where(InboundMail.status == InboundStatus.REJECTED)
        .order_by(InboundMail.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def split_message(session: Session, *, message_id: int, actor_agent_id: int) -> Conversation:
    """Move one message into a new conversation of the same customer; its mail records the split."""
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound(f"No message with id {message_id}.")
    source = get_conversation(session, conversation_id=message.conversation_id)
    inbound = session.scalar(select(InboundMail).where(InboundMail.posted_message_id == message_id))
    conversation = open_conversation(
        session,
        customer_id=source.customer_id,
        channel=source.channel,
        subject=(inbound.subject if inbound and inbound.subject else source.subject),
        language=source.language,
        actor_agent_id=actor_agent_id,
    )
    move_messages(
        session, message_ids=[message_id], to_conversation_id=conversation.id, actor_agent_id=actor_agent_id
    )
    if inbound is not None:
        inbound.conversation_id = conversation.id
        inbound.rule = ThreadRule.SPLIT
        inbound.reason = f"split from {source.reference}"
    session.flush()
    return conversation


def merge_conversations(
    session: Session, *, source_id: int, target_id: int, actor_agent_id: int
) -> Conversation:
    """Move every message and mail of ``source_id`` into ``target_id`` and close the source."""
    if source_id == target_id:
        raise InvalidInput("A conversation cannot be merged into itself.", field="other")
    source = get_conversation(session, conversation_id=source_id)
    target = get_conversation(session, conversation_id=target_id)
    message_ids = list(session.scalars(select(Message.id).where(Message.conversation_id == source.id)))
    if message_ids:
        move_messages(
            session, message_ids=message_ids, to_conversation_id=target.id, actor_agent_id=actor_agent_id
        )
    elif source.customer_id != target.customer_id:
        raise InvalidInput("Only conversations of the same customer can be merged.", field="other")
    session.execute(
        update(InboundMail)
        .where(InboundMail.conversation_id == source.id)
        .values(conversation_id=target.id, rule=ThreadRule.MERGED, reason=f"merged from {source.reference}")
        .execution_options(synchronize_session="fetch")
    )
    session.execute(  # later replies to mails sent from the source thread into the target
        update(OutboundMail)
        .where(OutboundMail.conversation_id == source.id)
        .values(conversation_id=target.id)
        .execution_options(synchronize_session="fetch")
    )
    if source.status != Status.CLOSED:
        change_status(session, conversation_id=source.id, status=Status.CLOSED, actor_agent_id=actor_agent_id)
    return target


def conversation_by_reference(session: Session, *, reference: str) -> Conversation:
    """'FL-000123', '123' or '#123' to a conversation."""
    digits = reference.strip().upper().removeprefix("FL-").lstrip("#")
    if not digits.isdigit() or len(digits) > 15:
        raise InvalidInput(f"{reference!r} is not a conversation reference like FL-000123.", field="other")
    return get_conversation(session, conversation_id=int(digits))


def mailbox_id_for(session: Session, *, address: str) -> int:
    mailbox_id = session.scalar(select(Mailbox.id).where(Mailbox.address == address.strip().lower()))
    if mailbox_id is None:
        raise NotFound(f"No mailbox with address {address}.")
    return mailbox_id


def list_mailboxes(session: Session) -> list[Mailbox]:
    return list(session.scalars(select(Mailbox).order_by(Mailbox.address)))


def save_mailbox(
    session: Session,
    *,
    address: str,
    name: str = "",
    imap_host: str = "",
    imap_port: int = 993,
    imap_ssl: bool = True,
    imap_username: str = "",
    imap_password: str | None = None,
    secret_key: str,
    imap_folder: str = "INBOX",
    processed_folder: str = "",
    auto_ack: bool = False,
    is_active: bool = True,
    signatures: dict[str, str] | None = None,
) -> Mailbox:
    """Create the mailbox for ``address`` or update it; an empty password keeps the stored one.

    The password is stored sealed under ``secret_key`` (the app's FIRSTLINE_SECRET_KEY), never in clear.
    """
    address = address.strip().lower()
    local, at, domain = address.partition("@")
    if not at or not local or "." not in domain or " " in address or "+" in local:
        raise InvalidInput("Give a plain address such as support@exchange.example.", field="address")
    if not 1 <= imap_port <= 65535:
        raise InvalidInput("The IMAP port must be between 1 and 65535.", field="imap_port")
    mailbox = session.scalar(select(Mailbox).where(Mailbox.address == address))
    if mailbox is None:
        mailbox = Mailbox(address=address, signatures={})
        session.add(mailbox)
    mailbox.name = name.strip()[:120]
    mailbox.imap_host = imap_host.strip()[:255]
    mailbox.imap_port = imap_port
    mailbox.imap_ssl = imap_ssl
    mailbox.imap_username = imap_username.strip()[:320]
    if imap_password:
        set_mailbox_password(mailbox, password=imap_password, secret_key=secret_key)
    mailbox.imap_folder = imap_folder.strip()[:200] or "INBOX"
    mailbox.processed_folder = processed_folder.strip()[:200]
    mailbox.auto_ack = auto_ack
    mailbox.is_active = is_active
    if signatures is not None:
        mailbox.signatures = {lang: text.strip()[:2000] for lang, text in signatures.items() if text.strip()}
    session.flush()
    return mailbox


def set_mailbox_password(mailbox: Mailbox, *, password: str, secret_key: str) -> None:
    """Store ``password`` sealed; an empty one clears it."""
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(
            f"The password is longer than {MAX_PASSWORD_CHARS} characters.", field="imap_password"
        )
    mailbox.imap_password_sealed = seal(secret_key, password) if password else ""


def mailbox_password(mailbox: Mailbox, *, secret_key: str) -> str:
    """The mailbox's IMAP password in clear, '' when none is set.

    Raises ``UnreadableSecret`` when it was sealed under another secret key or altered.
    """
    if not mailbox.imap_password_sealed:
        return ""
    return unseal(secret_key, mailbox.imap_password_sealed)
