"""Personas and helpers of the routing tests: a small multilingual floor and customers who start chats."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.conversations.models import Conversation
from firstline.conversations.service import open_conversation
from firstline.customers.service import create_customer
from firstline.kit import notify
from firstline.routing import config as routing_config
from firstline.routing.config import Mode, RoutingConfig
from firstline.routing.matcher import RoutingRules
from firstline.routing.presence import set_presence

RULES = RoutingRules(secondary_after_seconds=30, english_after_seconds=60, email_weight=0.5)


@pytest.fixture(autouse=True)
def auto_mode() -> Iterator[RoutingConfig]:
    """Every routing test starts in auto-assign mode with known overflow times."""
    with routing_config.using(RoutingConfig(mode=Mode.AUTO, rules=RULES, offer_timeout_seconds=20)) as config:
        yield config


@pytest.fixture
def offer_mode() -> Iterator[RoutingConfig]:
    with routing_config.using(
        RoutingConfig(mode=Mode.OFFER, rules=RULES, offer_timeout_seconds=20)
    ) as config:
        yield config


@pytest.fixture
def online_agent(db: Session, make_agent: Callable[..., Agent]) -> Callable[..., Agent]:
    """An agent who is online now."""

    def make(**fields: Any) -> Agent:
        agent = make_agent(**fields)
        set_presence(db, agent_id=agent.id, status="online")
        db.commit()
        return agent

    return make


@pytest.fixture
def start_chat(db: Session) -> Callable[..., Conversation]:
    """A new customer opens a chat (not yet queued)."""

    def start(
        language: str = "en", *, vip_tier: int = 0, priority: str = "normal", **fields: Any
    ) -> Conversation:
        customer = create_customer(
            db,
            name=f"Customer {uuid.uuid4().hex[:6]}",
            email=f"c-{uuid.uuid4().hex[:8]}@example.com",
            preferred_language=language,
        )
        customer.vip_tier = vip_tier
        conversation = open_conversation(
            db, customer_id=customer.id, channel="chat", language=language, priority=priority, **fields
        )
        db.commit()
        return conversation

    return start


@pytest.fixture
def published() -> Iterator[list[dict[str, Any]]]:
    """Every notification published after a commit during the test."""
    seen: list[dict[str, Any]] = []
    unsubscribe = notify.subscribe(seen.append)
    yield seen
    unsubscribe()
