"""Routing's share of the role matrix (tests/web/test_role_matrix.py): a chat offered to the acting agent
for each route that answers an offer, and a valid body for each state-changing route.

Each offer is made just before its route is called, since the presence routes called earlier take the
agent offline, which withdraws their offers. The offers are queue rows as the dispatcher leaves them in
offer mode, written here directly: which agent the matcher would pick depends on the role's tier and
languages, which is not what the matrix tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from firstline.conversations.service import open_conversation
from firstline.kit.time import utcnow
from firstline.routing.models import QueueEntry, QueueState

ACCEPT = ("POST", "/api/v1/conversations/{conversation_id}/offer/accept")
DECLINE = ("POST", "/api/v1/conversations/{conversation_id}/offer/decline")


# Routes whose {conversation_id} is a chat offered to the acting agent.
OFFER_ROUTES = frozenset({ACCEPT, DECLINE})


def offered_chat(db: Session, *, agent_id: int, customer_id: int) -> int:
    """A new chat of the customer, offered to ``agent_id`` for the next hour."""
    chat = open_conversation(db, customer_id=customer_id, channel="chat", language="en")
    now = utcnow()
    db.add(
        QueueEntry(
            conversation_id=chat.id,
            language=chat.language,
            tier=chat.tier,
            category=chat.category,
            enqueued_at=now,
            state=QueueState.OFFERED,
            offered_agent_id=agent_id,
            offer_expires_at=now + timedelta(hours=1),
            declined_agent_ids=[],
        )
    )
    db.flush()
    return chat.id


ROUTING_SAMPLE_BODIES: dict[tuple[str, str], Callable[[Any], dict[str, Any]]] = {
    ("POST", "/presence"): lambda _: {"status": "away", "next": "/inbox"},
    ("POST", "/presence/end-shift"): lambda _: {"next": "/inbox"},
    ACCEPT: lambda _: {},
    DECLINE: lambda _: {},
}
