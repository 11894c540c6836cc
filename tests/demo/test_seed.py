"""The demo floor: realistic, five languages, deterministic."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstline.agents.auth import LoginPolicy, authenticate
from firstline.agents.models import Agent
from firstline.conversations.models import Conversation, Message
from firstline.customers.models import Customer
from firstline.demo.seed import DEMO_PASSWORD


def _fingerprint(session: Session) -> list[tuple]:
    rows = session.execute(
        select(
            Conversation.id,
            Conversation.language,
            Conversation.category,
            Conversation.status,
            Message.seq,
            Message.body,
        )
        .join(Message, Message.conversation_id == Conversation.id)
        .order_by(Conversation.id, Message.seq)
    )
    return [tuple(row) for row in rows]


class TestSeedDemo:
    def test_the_floor_has_the_promised_size(self, full_demo) -> None:
        factory, summary = full_demo
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(Agent)) == summary.agents == 20
            assert session.scalar(select(func.count()).select_from(Customer)) == 500
            assert session.scalar(select(func.count()).select_from(Conversation)) == 2000
            assert session.scalar(select(func.count()).select_from(Message)) == summary.messages

    def test_conversations_cover_five_languages_and_every_category(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            languages = Counter(session.scalars(select(Conversation.language)))
            categories = set(session.scalars(select(Conversation.category)))
        assert set(languages) == {"en", "it", "pt", "de", "es"}
        assert min(languages.values()) > 150
        assert len(categories) == 9

    def test_the_live_inbox_has_open_work(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            open_count = session.scalar(
                select(func.count()).select_from(Conversation).where(Conversation.status == "open")
            )
        assert open_count >= 40

    def test_messages_are_written_text_with_placeholders_filled(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            bodies = list(session.scalars(select(Message.body).limit(2000)))
        assert not any("{" in body and "}" in body for body in bodies)
        assert not any("lorem" in body.lower() for body in bodies)

    def test_every_showcased_login_works_with_the_demo_password(self, full_demo) -> None:
        factory, summary = full_demo
        with factory() as session:
            roles = set()
            for email, _ in summary.logins:
                roles.update(
                    authenticate(session, email=email, password=DEMO_PASSWORD, policy=LoginPolicy()).roles
                )
            session.rollback()
        assert roles == {
            "admin",
            "team_lead",
            "agent_l1",
            "agent_l2",
            "technical",
            "compliance",
            "kyc_reviewer",
            "qa",
        }

    def test_sequence_numbers_match_each_conversation_last_seq(self, full_demo) -> None:
        factory, _ = full_demo
        with factory() as session:
            mismatched = session.scalar(
                select(func.count())
                .select_from(Conversation)
                .where(
                    Conversation.last_seq
                    != select(func.max(Message.seq))
                    .where(Message.conversation_id == Conversation.id)
                    .scalar_subquery()
                )
            )
        assert mismatched == 0

    def test_the_same_seed_gives_the_same_data(self, seeded_twice) -> None:
        prints = seeded_twice(_fingerprint, seed=11, customers=40, conversations=60)
        assert prints[0] == prints[1] and len(prints[0]) > 100
