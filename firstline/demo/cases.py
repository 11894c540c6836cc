"""Demo cases: structured fields, escalations with their handoff forms, @mentions, compliance-only records
and follow-ups, written through the cases services on top of the seeded conversations.

The demo tells a story that happened over the past days: each service call runs under ``replaying_at``,
so what it stamps (messages, events, escalations, notes, timers) carries the moment it happened.
Complaints and incidents are in ``firstline.demo.case_register``.
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent, Tier
from firstline.agents.roles import Role
from firstline.attachments.models import Attachment
from firstline.attachments.store import FileStore
from firstline.cases.categories import check_fields
from firstline.cases.compliance import add_compliance_note, open_compliance_case
from firstline.cases.models import CaseFile
from firstline.cases.service import (
    Handoff,
    escalate,
    return_escalation,
    schedule_follow_up,
    set_case_fields,
)
from firstline.conversations.models import AuthorKind, Conversation, Message, Status
from firstline.conversations.service import assign, post_message
from firstline.demo import corpus
from firstline.demo.case_register import seed_complaints, seed_incidents
from firstline.kit.time import replaying_at

# The networks as the demo conversations name them, and as the case fields take them.
NETWORK_CODES = {
    "TRC20": "TRC20",
    "ERC20": "ERC20",
    "BEP20": "BEP20",
    "Bitcoin": "BTC",
    "Solana": "SOL",
    "XRP Ledger": "XRP",
    "TON": "TON",
    "Polygon": "POLYGON",
}
# Where each category goes when L1 cannot close it.
ESCALATE_TO = {
    "account_frozen": Tier.COMPLIANCE,
    "wrong_network_or_memo": Tier.TECHNICAL,
    "withdrawal_pending": Tier.TECHNICAL,
}
FULL_FLOOR = 2000  # conversations of `firstline demo`; smaller floors get proportionally fewer cases
ESCALATIONS = 60
RETURNED = 8
FURTHER = 4  # L2 cases that went on to Technical
FOLLOW_UPS = 16
_HANDLE = re.compile(r"^[A-Za-z0-9]+$")

Placed = list[tuple[Conversation, dict[str, str]]]


@dataclass
class CasesSummary:
    categorized: int = 0
    escalations: int = 0
    returned: int = 0
    mention_notes: int = 0
    compliance_notes: int = 0
    compliance_cases: int = 0
    follow_ups: int = 0
    complaints: int = 0
    incidents: int = 0
    used: set[int] = field(default_factory=set)  # conversations given a story already


def seed_cases(
    session: Session,
    *,
    rng: random.Random,
    now: datetime,
    agents: list[Agent],
    placed: Placed,
    files: FileStore | None = None,
) -> CasesSummary:
    """Give the seeded conversations their cases: fields, escalations, notes, compliance records,
    complaints, follow-ups and incidents."""
    floor = Floor(session, rng, now, agents, files)
    summary = CasesSummary()
    summary.categorized = floor.categorize(placed)
    live = [(c, v) for c, v in placed if c.status != Status.CLOSED]
    floor.escalations(placed, summary)
    floor.compliance(placed, summary)
    summary.incidents = seed_incidents(session, rng=rng, now=now, floor=floor, live=live, summary=summary)
    summary.complaints = seed_complaints(session, rng=rng, now=now, floor=floor, live=live, summary=summary)
    floor.follow_ups(live, summary)
    return summary


def case_fields(conversation: Conversation, values: dict[str, str], rng: random.Random) -> dict[str, str]:
    """The structured fields an agent records for the conversation, from what the customer wrote."""
    category = conversation.category
    uid = values["uid"]
    network = NETWORK_CODES[values["network"]]
    money = {"coin": values["coin"], "amount": values["amount"]}
    memo = {"memo": str(rng.randint(100_000, 999_999_999))} if network in ("XRP", "TON") else {}
    if category in ("deposit_not_credited", "wrong_network_or_memo"):
        fields = {"uid": uid, **money, "network": network, "txid": values["txid"]}
        return fields | (memo if category == "deposit_not_credited" else {})
    if category == "withdrawal_pending":
        withdrawal_id = f"W{rng.randint(10**11, 10**12 - 1)}"
        return {"uid": uid, **money, "network": network, "withdrawal_id": withdrawal_id, **memo}
    if category == "p2p_appeal":
        return {"uid": uid, "order_id": values["order_id"], **money}
    if category == "futures_liquidation":
        symbol = ("BTC" if values["coin"] in ("USDT", "USDC") else values["coin"]) + "USDT"
        return {"uid": uid, "symbol": symbol, "order_id": values["order_id"]}
    if category == "fees" and rng.random() < 0.5:
        return {"uid": uid, "order_id": values["order_id"]}
    return {"uid": uid}


def tiny_png(red: int, green: int, blue: int) -> bytes:
    """A one-pixel PNG: the demo's stand-in for a customer's screenshot."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, red, green, blue]))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


class Floor:
    """The demo staff and the shared helpers of the cases seeding."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        now: datetime,
        agents: list[Agent],
        files: FileStore | None,
    ) -> None:
        self.session, self.rng, self.now, self.files = session, rng, now, files
        self.by_login = {agent.email.split("@", 1)[0]: agent for agent in agents}
        self.receivers = {
            Tier.L2: [self.by_login["l2"], self.by_login["l2.b"]],
            Tier.TECHNICAL: [self.by_login["technical"]],
            Tier.COMPLIANCE: [self.by_login["compliance"]],
        }
        self.front_line = [a for a in agents if Role.AGENT_L1.value in a.roles]
        self.lead = self.by_login["lead"]

    def later(self, start: datetime, low: int, high: int) -> datetime:
        """A moment ``low``..``high`` minutes after ``start``, never in the future."""
        moment = start + timedelta(minutes=self.rng.randint(low, high))
        return min(moment, self.now - timedelta(minutes=1))

    def handle(self, agent: Agent) -> str:
        name = agent.name.replace(" ", "")
        return name if _HANDLE.match(name) else agent.email.split("@", 1)[0]

    def agent_for(self, conversation: Conversation) -> Agent:
        if conversation.assignee_id is not None:
            return self.session.get(Agent, conversation.assignee_id) or self.front_line[0]
        speakers = [a for a in self.front_line if conversation.language in a.languages] or self.front_line
        return self.rng.choice(speakers)

    def categorize(self, placed: Placed) -> int:
        """Every conversation gets its fields, checked by the category rules. Those of the conversations still
        being worked on go through the service, as recorded with the first reply (or on arrival, for what
        nobody answered yet); the finished ones are history, written directly like their messages."""
        history: list[dict[str, Any]] = []
        for conversation, values in placed:
            fields = case_fields(conversation, values, self.rng)
            if conversation.status not in (Status.OPEN, Status.PENDING):
                history.append(
                    {
                        "conversation_id": conversation.id,
                        "fields": check_fields(conversation.category, fields),
                        "reopen_count": 0,
                        "escalation_count": 0,
                    }
                )
                continue
            agent = self.agent_for(conversation)
            with replaying_at(conversation.first_response_at or conversation.created_at):
                set_case_fields(
                    self.session, conversation_id=conversation.id, fields=fields, actor_agent_id=agent.id
                )
        if history:
            self.session.execute(insert(CaseFile), history)
        return len(placed)

    def evidence(self, conversation: Conversation) -> int:
        """A screenshot on the customer's first message, as the chat widget would have stored it."""
        first = self.session.execute(
            select(Message.id, Message.created_at).where(
                Message.conversation_id == conversation.id, Message.seq == 1
            )
        ).one()  # every seeded conversation opens with the customer's message
        data = tiny_png(*(self.rng.randrange(256) for _ in range(3)))
        digest = self.files.put(data) if self.files is not None else hashlib.sha256(data).hexdigest()
        attachment = Attachment(
            message_id=first.id,
            sha256=digest,
            filename=f"screenshot-{conversation.id}.png",
            content_type="image/png",
            size=len(data),
            created_at=first.created_at,
        )
        self.session.add(attachment)
        self.session.flush()
        return attachment.id

    def escalations(self, placed: Placed, summary: CasesSummary) -> None:
        """About 3% of the cases handed on with complete forms (60 on the full floor); some sent back,
        some taken further."""
        count = min(ESCALATIONS, len(placed) * ESCALATIONS // FULL_FLOOR)
        returned, further = count * RETURNED // ESCALATIONS, count * FURTHER // ESCALATIONS
        candidates = [(c, v) for c, v in placed if c.status in (Status.OPEN, Status.PENDING)]
        candidates += [(c, v) for c, v in placed if c.status == Status.RESOLVED and c.category != "fees"]
        for index, (conversation, values) in enumerate(candidates[:count]):
            target = ESCALATE_TO.get(conversation.category, Tier.L2)
            sender = self.agent_for(conversation)
            at = self.later(conversation.updated_at, 3, 40)
            self._escalate(conversation, values, target, sender, at)
            summary.used.add(conversation.id)
            summary.escalations += 1
            receiver = self.rng.choice(self.receivers[target])
            at = self.later(at, 2, 30)
            if index % 2 == 0:  # every other one with a note; every tenth one asks the team lead
                self._mention(conversation, sender, self.lead if index % 10 == 4 else receiver, at)
                summary.mention_notes += 1
            if index < returned and target != Tier.COMPLIANCE:
                with replaying_at(self.later(at, 20, 240)):
                    return_escalation(
                        self.session,
                        conversation_id=conversation.id,
                        reason=corpus.RETURN_REASONS[conversation.category],
                        actor=receiver,
                    )
                summary.returned += 1
            elif index < returned + further and target == Tier.L2:
                self._escalate(conversation, values, Tier.TECHNICAL, receiver, self.later(at, 30, 300))
                summary.escalations += 1
            elif self.rng.random() < 0.5:
                with replaying_at(self.later(at, 1, 60)):
                    assign(self.session, conversation_id=conversation.id, assignee_id=receiver.id, actor=None)

    def _escalate(
        self, conversation: Conversation, values: dict[str, str], target: Tier, sender: Agent, at: datetime
    ) -> None:
        summary_text, steps, impact = (
            text.format(**values) for text in corpus.HANDOFFS[conversation.category]
        )
        handoff = Handoff(
            to_tier=target,
            summary=summary_text,
            steps_taken=steps,
            customer_impact=impact,
            evidence_attachment_ids=(self.evidence(conversation),),
        )
        with replaying_at(at):
            escalation = escalate(
                self.session, conversation_id=conversation.id, handoff=handoff, actor=sender
            )
        escalation.created_at = at

    def _mention(self, conversation: Conversation, author: Agent, mentioned: Agent, at: datetime) -> None:
        body = f"@{self.handle(mentioned)} {self.rng.choice(corpus.MENTION_NOTES)}"
        with replaying_at(at):
            post_message(
                self.session,
                conversation_id=conversation.id,
                author_kind=AuthorKind.NOTE,
                body=body,
                author_agent_id=author.id,
            )

    def compliance(self, placed: Placed, summary: CasesSummary) -> None:
        """Notes and cases only compliance sees, on customers whose accounts are frozen."""
        officer, admin = self.by_login["compliance"], self.by_login["admin"]
        frozen = [c for c, _ in placed if c.category == "account_frozen"]
        for index, conversation in enumerate(frozen[:5]):
            body = corpus.COMPLIANCE_NOTES[index % len(corpus.COMPLIANCE_NOTES)]
            if index == 0:
                body = f"@{self.handle(admin)} {body}"
            at = self.later(conversation.updated_at, 5, 120)
            with replaying_at(at):
                add_compliance_note(self.session, actor=officer, body=body, conversation_id=conversation.id)
            summary.compliance_notes += 1
        seen: list[int] = []
        for conversation in frozen[5:]:
            if conversation.customer_id in seen:
                continue
            seen.append(conversation.customer_id)
            subject, text = corpus.COMPLIANCE_CASES[len(seen) - 1]
            opened = self.later(conversation.created_at, 60, 600)
            with replaying_at(opened):
                case = open_compliance_case(
                    self.session,
                    actor=officer,
                    customer_id=conversation.customer_id,
                    subject=subject,
                    summary=text,
                )
            with replaying_at(self.later(opened, 30, 600)):
                add_compliance_note(
                    self.session,
                    actor=officer,
                    body=corpus.COMPLIANCE_NOTES[(len(seen) + 1) % len(corpus.COMPLIANCE_NOTES)],
                    compliance_case_id=case.id,
                )
            summary.compliance_cases += 1
            summary.compliance_notes += 1
            if len(seen) == len(corpus.COMPLIANCE_CASES):
                break
        self.session.flush()

    def follow_ups(self, live: Placed, summary: CasesSummary) -> None:
        """Follow-ups due within the next two days, on the agents' own cases."""
        open_cases = [c for c, _ in live if c.status != Status.CLOSED and c.id not in summary.used]
        for conversation in open_cases[:FOLLOW_UPS]:
            agent = self.agent_for(conversation)
            at = self.later(conversation.updated_at, 1, 30)
            with replaying_at(at):
                schedule_follow_up(
                    self.session,
                    conversation_id=conversation.id,
                    agent=agent,
                    due_at=self.now + timedelta(minutes=self.rng.randint(30, 48 * 60)),
                    note=self.rng.choice(corpus.FOLLOW_UP_NOTES),
                )
            summary.used.add(conversation.id)
            summary.follow_ups += 1
        self.session.flush()
