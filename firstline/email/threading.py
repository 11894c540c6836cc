"""Which conversation an inbound mail belongs to, and which rule said so.

Rules, in order: (1) the reply token Firstline put in Reply-To comes back in a recipient's plus-address;
(2) In-Reply-To / References name a Message-ID Firstline sent or received; (3) the same subject from the
same sender within a window. Every rule looks only at the sender's own conversations, so two customers
answering one broadcast never share a conversation, and a closed conversation is never reopened.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from firstline.conversations.models import Conversation, Status
from firstline.email.models import InboundMail, OutboundMail, ThreadRule
from firstline.email.parsing import ParsedMail, subject_key

_TOKEN = re.compile(r"^r[0-9a-f]{16}$")


@dataclass(frozen=True)
class ThreadDecision:
    conversation: Conversation | None  # None: start a new conversation
    rule: ThreadRule
    detail: str = ""


def new_reply_token() -> str:
    """A token naming one conversation; unguessable, so nobody can write themselves into another's."""
    return "r" + secrets.token_hex(8)


def token_address(mailbox_address: str, token: str) -> str:
    """``support@x`` + token -> ``support+token@x``: replies come back to the same mailbox."""
    local, _, domain = mailbox_address.partition("@")
    return f"{local.split('+')[0]}+{token}@{domain}"


def tokens_in(recipients: list[str]) -> list[str]:
    """Reply tokens found in the plus-addresses of ``recipients``."""
    found = []
    for address in recipients:
        local = address.partition("@")[0]
        if "+" in local and _TOKEN.match(token := local.rsplit("+", 1)[1].lower()):
            found.append(token)
    return found


def find_conversation(
    session: Session,
    *,
    parsed: ParsedMail,
    customer_id: int,
    window: timedelta,
    now: datetime,
) -> ThreadDecision:
    """Apply the three rules in order; the first that finds an open conversation of this customer wins."""
    closed: list[str] = []
    decision = _by_token(session, parsed, customer_id, closed)
    if decision is not None:
        return decision
    decision = _by_references(session, parsed, customer_id, closed)
    if decision is not None:
        return decision
    decision = _by_subject(session, parsed, customer_id, now - window)
    if decision is not None:
        return decision
    detail = f"follows closed {closed[0]}" if closed else ""
    return ThreadDecision(None, ThreadRule.NEW, detail)


# Each rule is one prebuilt Core statement that names conversation ids; the conversations themselves
# come from the session (usually its identity map), so no ORM query is compiled or loaded per mail.
_CONVERSATION = Conversation.__table__
_INBOUND = InboundMail.__table__
_OUTBOUND = OutboundMail.__table__
_BY_TOKEN = (
    select(_OUTBOUND.c.conversation_id)
    .join(_CONVERSATION, _CONVERSATION.c.id == _OUTBOUND.c.conversation_id)
    .where(
        _OUTBOUND.c.reply_token.in_(bindparam("tokens", expanding=True)),
        _CONVERSATION.c.customer_id == bindparam("customer_id"),
    )
    .limit(1)
)
_BY_REFERENCES = (
    select(_INBOUND.c.message_id, _INBOUND.c.conversation_id)
    .where(
        _INBOUND.c.message_id.in_(bindparam("received", expanding=True)),
        _INBOUND.c.customer_id == bindparam("customer_id"),
        _INBOUND.c.conversation_id.is_not(None),
    )
    .union_all(
        select(_OUTBOUND.c.message_id, _OUTBOUND.c.conversation_id)
        .join(_CONVERSATION, _CONVERSATION.c.id == _OUTBOUND.c.conversation_id)
        .where(
            _OUTBOUND.c.message_id.in_(bindparam("sent", expanding=True)),
            _CONVERSATION.c.customer_id == bindparam("customer_id"),
        )
    )
)
_BY_SUBJECT = (
    select(_INBOUND.c.conversation_id)
    .join(_CONVERSATION, _CONVERSATION.c.id == _INBOUND.c.conversation_id)
    .where(
        _INBOUND.c.customer_id == bindparam("customer_id"),
        _INBOUND.c.subject_key == bindparam("subject_key"),
        _INBOUND.c.received_at >= bindparam("since"),
        _CONVERSATION.c.status != Status.CLOSED,
    )
    .order_by(_INBOUND.c.id.desc())
    .limit(1)
)


def _by_token(
    session: Session, parsed: ParsedMail, customer_id: int, closed: list[str]
) -> ThreadDecision | None:
    tokens = tokens_in(parsed.recipients)
    if not tokens:
        return None
    conversation_id = session.scalar(_BY_TOKEN, {"tokens": tokens, "customer_id": customer_id})
    conversation = None if conversation_id is None else session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    if conversation.status == Status.CLOSED:
        closed.append(conversation.reference)
        return None
    return ThreadDecision(conversation, ThreadRule.REPLY_TOKEN, "reply token in the address")


def _by_references(
    session: Session, parsed: ParsedMail, customer_id: int, closed: list[str]
) -> ThreadDecision | None:
    # In-Reply-To first, then References newest first: the closest ancestor decides.
    wanted = [ref for ref in dict.fromkeys([parsed.in_reply_to, *reversed(parsed.references)]) if ref]
    if not wanted:
        return None
    rows = session.execute(_BY_REFERENCES, {"received": wanted, "sent": wanted, "customer_id": customer_id})
    found = {ref: conversation_id for ref, conversation_id in rows}
    for ref in wanted:
        if ref not in found:
            continue
        conversation = session.get(Conversation, found[ref])
        if conversation is None:
            continue
        if conversation.status == Status.CLOSED:
            closed.append(conversation.reference)
            continue
        return ThreadDecision(conversation, ThreadRule.REFERENCES, f"replies to {ref}")
    return None


def _by_subject(
    session: Session, parsed: ParsedMail, customer_id: int, since: datetime
) -> ThreadDecision | None:
    key = subject_key(parsed.subject)
    if not key:
        return None
    conversation_id = session.scalar(
        _BY_SUBJECT, {"customer_id": customer_id, "subject_key": key, "since": since}
    )
    conversation = None if conversation_id is None else session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    return ThreadDecision(
        conversation, ThreadRule.SUBJECT, f"same subject from the same sender: {key[:80]!r}"
    )
