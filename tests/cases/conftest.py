"""Fixtures of the cases tests: an L2 agent, a screenshot in João's chat, a complete handoff, and the
console errors a browser test ends without."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.attachments.models import Attachment
from firstline.cases.service import Handoff
from firstline.conversations.models import AuthorKind, Conversation
from firstline.conversations.service import post_message
from tests.browser import ConsoleErrors

TXID = "b" * 64
DEPOSIT_FIELDS = {"uid": "48213377", "coin": "USDT", "network": "TRC20", "amount": "250", "txid": TXID}


@pytest.fixture
def l2_agent(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(
        name="Lukas Weber", roles=["agent_l2"], tier="l2", languages={"de": "native", "pt": "fluent"}
    )


@pytest.fixture
def screenshot(db: Session, chat_with_joao: Conversation) -> Attachment:
    message = post_message(
        db,
        conversation_id=chat_with_joao.id,
        author_kind=AuthorKind.CUSTOMER,
        body="Segue o print do depósito.",
    ).message
    attachment = Attachment(
        message_id=message.id, sha256="1" * 64, filename="deposito.png", content_type="image/png", size=10
    )
    db.add(attachment)
    db.commit()
    return attachment


@pytest.fixture
def complete_handoff(screenshot: Attachment) -> Callable[..., Handoff]:
    def make(**changes: Any) -> Handoff:
        values: dict[str, Any] = {
            "to_tier": "l2",
            "summary": "USDT deposit on TRC20 not credited after 3 hours.",
            "steps_taken": "Checked the TxID on Tronscan: 40 confirmations.",
            "customer_impact": "250 USDT unavailable; customer cannot trade.",
            "fields": DEPOSIT_FIELDS,
            "evidence_attachment_ids": (screenshot.id,),
        }
        values.update(changes)
        return Handoff(**values)

    return make


@pytest.fixture
def errors(page: Page) -> Iterator[ConsoleErrors]:
    """A browser test ends with no console or JavaScript error on its page or its colleagues' pages."""
    seen = ConsoleErrors()
    seen.watch(page)
    yield seen
    assert seen.seen == []
