"""The cases domain's share of the role matrix (tests/web/test_role_matrix.py): the rows its routes point
at and a valid body for each of its state-changing routes.

The matrix calls every route once per role, API routes first, so bodies are chosen to succeed in that
order: the API escalates to L2 and sends back, the console escalates to Technical and sends back; repeated
steps (registering, admissibility, acknowledgement, decision, incident update) are idempotent; the two
delay notices move the date further each time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.attachments.models import Attachment
from firstline.cases.complaints.service import register_complaint
from firstline.cases.incidents.service import open_incident
from firstline.conversations.models import AuthorKind
from firstline.conversations.service import get_conversation, open_conversation, post_message
from firstline.customers.service import create_customer

TXID = "a" * 64  # a well-formed TRC20 transaction id
REASON = "Deposit arrived after the network backlog cleared; L1 can close it."
ADMISSIBLE = "Within scope: a deposit the customer expected to be credited."
ANSWER = "The deposit was delayed by the network and credited on 3 March."
UPDATE = {"en": "TRC20 withdrawals are flowing again.", "pt": "Os levantamentos TRC20 voltaram ao normal."}


def case_targets(db: Session, *, actor: Agent, conversation_id: int) -> dict[str, int]:
    """Rows for the cases routes: an evidence attachment, a registered complaint, an incident, a duplicate.

    The evidence rides on a message of its own: the email routes move the matrix's other message away.
    """
    screenshot = post_message(
        db, conversation_id=conversation_id, author_kind=AuthorKind.CUSTOMER, body="Here is the screenshot."
    ).message
    attachment = Attachment(
        message_id=screenshot.id, sha256="0" * 64, filename="deposit.png", content_type="image/png", size=1
    )
    db.add(attachment)
    register_complaint(
        db, conversation_id=conversation_id, summary="Deposit of 250 USDT never credited.", actor=actor
    )
    # The console's complaint routes work on a complaint of their own, so the API's decision does not
    # end it before the console's delay notice.
    console_chat = open_conversation(db, customer_id=screenshot_customer(db, conversation_id), channel="chat")
    console_complaint, _ = register_complaint(
        db, conversation_id=console_chat.id, summary="Withdrawal fee charged twice.", actor=actor
    )
    incident = open_incident(db, title="TRC20 withdrawals delayed", actor=actor)
    duplicate = create_customer(db, name="João S.", email="joao.duplicate@example.com")
    db.flush()
    return {
        "attachment_id": attachment.id,
        "incident_id": incident.id,
        "other_customer_id": duplicate.id,
        "complaint_id": console_complaint.id,
    }


def screenshot_customer(db: Session, conversation_id: int) -> int:
    return get_conversation(db, conversation_id=conversation_id).customer_id


def _handoff(ids: Any, to_tier: str) -> dict[str, Any]:
    return {
        "to_tier": to_tier,
        "summary": "USDT deposit on TRC20 not credited after 3 hours.",
        "steps_taken": "Checked the TxID on the explorer: 20 confirmations.",
        "customer_impact": "250 USDT unavailable for trading.",
    }


def _in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _tomorrow() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)


FIELDS = {"uid": "48213377", "coin": "USDT", "network": "TRC20", "amount": "250", "txid": TXID}
B = Callable[[Any], dict[str, Any]]
CONV = "/api/v1/conversations/{conversation_id}"
INC = "/api/v1/incidents/{incident_id}"
CASES_SAMPLE_BODIES: dict[tuple[str, str], B] = {
    ("PUT", f"{CONV}/case/fields"): lambda _: {
        "fields": {"uid": "48213377", "coin": "USDT", "network": "TRC20"}
    },
    ("POST", f"{CONV}/escalations"): lambda ids: {
        **_handoff(ids, "l2"),
        "fields": FIELDS,
        "evidence_attachment_ids": [ids.attachment_id],
    },
    ("POST", f"{CONV}/escalations/return"): lambda _: {"reason": REASON},
    ("POST", f"{CONV}/follow-ups"): lambda _: {
        "due_at": _tomorrow().isoformat(),
        "note": "Check the credit.",
    },
    ("POST", "/api/v1/notifications/read"): lambda _: {},
    ("POST", "/api/v1/customers/{customer_id}/merge"): lambda ids: {"duplicate_id": ids.other_customer_id},
    ("POST", "/api/v1/compliance/cases"): lambda ids: {"customer_id": ids.customer_id, "subject": "Review"},
    ("POST", "/api/v1/compliance/notes"): lambda ids: {
        "conversation_id": ids.conversation_id,
        "body": "Seen.",
    },
    ("POST", f"{CONV}/complaint"): lambda _: {"summary": "Deposit of 250 USDT never credited."},
    ("POST", f"{CONV}/complaint/admissibility"): lambda _: {"admissible": True, "reason": ADMISSIBLE},
    ("POST", f"{CONV}/complaint/acknowledgement"): lambda _: {},
    ("POST", f"{CONV}/complaint/delay"): lambda _: {
        "reason": "Waiting for the network report.",
        "new_due": _in_days(40),
    },
    ("POST", f"{CONV}/complaint/decision"): lambda _: {"outcome": "partially_upheld", "answers": [ANSWER]},
    ("POST", "/api/v1/incidents"): lambda _: {"title": "TRC20 withdrawals delayed"},
    ("POST", f"{INC}/links"): lambda ids: {"conversation_id": ids.conversation_id},
    ("PUT", f"{INC}/update"): lambda _: {"texts": UPDATE},
    ("POST", f"{INC}/resolve"): lambda _: {},
    ("POST", f"{INC}/approve"): lambda _: {},
    ("POST", f"{INC}/send"): lambda _: {},
    # console
    ("POST", "/conversations/{conversation_id}/case/fields"): lambda _: {"uid": "48213377"},
    # The category João's chat already has: the later steps still take the deposit's fields.
    ("POST", "/conversations/{conversation_id}/case/category"): lambda _: {
        "category": "deposit_not_credited"
    },
    ("POST", "/conversations/{conversation_id}/case/escalate"): lambda ids: {
        **_handoff(ids, "technical"),
        **FIELDS,
        "evidence": str(ids.attachment_id),
    },
    ("POST", "/conversations/{conversation_id}/case/return"): lambda _: {"reason": REASON},
    ("POST", "/conversations/{conversation_id}/case/follow-up"): lambda _: {
        "due_at": _tomorrow().strftime("%Y-%m-%dT%H:%M")
    },
    ("POST", "/conversations/{conversation_id}/case/compliance-note"): lambda _: {"body": "Seen."},
    ("POST", "/mentions/read"): lambda _: {},
    ("POST", "/compliance/cases"): lambda ids: {"customer_id": str(ids.customer_id), "subject": "Review"},
    ("POST", "/customers/{customer_id}/merge"): lambda ids: {"duplicate": str(ids.other_customer_id)},
    ("POST", "/conversations/{conversation_id}/complaint"): lambda _: {"summary": "Deposit never credited."},
    ("POST", "/complaints/{complaint_id}/admissibility"): lambda _: {
        "verdict": "admissible",
        "reason": ADMISSIBLE,
    },
    ("POST", "/complaints/{complaint_id}/acknowledge"): lambda _: {},
    ("POST", "/complaints/{complaint_id}/delay"): lambda _: {
        "reason": "Waiting for the network report.",
        "new_due": _in_days(50),
    },
    ("POST", "/complaints/{complaint_id}/decide"): lambda _: {
        "outcome": "partially_upheld",
        "answers": ANSWER,
    },
    ("POST", "/incidents"): lambda _: {"title": "TRC20 withdrawals delayed"},
    ("POST", "/incidents/{incident_id}/link"): lambda ids: {"conversation": f"FL-{ids.conversation_id:06d}"},
    ("POST", "/incidents/{incident_id}/update"): lambda _: UPDATE,
    ("POST", "/incidents/{incident_id}/resolve"): lambda _: {},
    ("POST", "/incidents/{incident_id}/approve"): lambda _: {},
    ("POST", "/incidents/{incident_id}/send"): lambda _: {},
}
