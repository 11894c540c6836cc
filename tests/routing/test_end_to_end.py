"""A small floor through the services: three agents, ten chats in mixed languages, one agent drops."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from firstline.conversations.models import AuthorKind, Message
from firstline.conversations.service import change_status, post_message
from firstline.kit.time import utcnow
from firstline.routing import service
from firstline.routing.metrics import get_metrics
from firstline.routing.presence import get_presence, heartbeat, sweep
from firstline.routing.service import expire_offers

FIRST_MESSAGES = {
    "en": "Hi, my USDT deposit has not arrived after three hours",
    "it": "Ciao, il mio deposito non è ancora arrivato sul conto",
    "pt": "Olá, o meu depósito ainda não apareceu na minha conta",
    "de": "Hallo, meine Einzahlung ist immer noch nicht angekommen",
    "es": "Hola, mi depósito todavía no aparece en mi cuenta",
}
LANGUAGES = ["it", "pt", "en", "de", "es", "it", "en", "pt", "es", "de"]


class TestFloor:
    def test_every_chat_is_answered_even_when_an_agent_drops_mid_chat(
        self, db, online_agent, start_chat
    ) -> None:
        agents = [
            online_agent(name="Giulia", languages={"it": "native", "en": "fluent", "es": "working"}),
            online_agent(name="João", languages={"pt": "native", "es": "fluent", "en": "fluent"}),
            online_agent(name="Hannah", languages={"de": "native", "en": "fluent"}),
        ]
        clock = utcnow()
        chats = []
        for language in LANGUAGES:
            chat = start_chat("en")  # no choice made: the language comes from the first message
            post_message(
                db, conversation_id=chat.id, author_kind=AuthorKind.CUSTOMER, body=FIRST_MESSAGES[language]
            )
            service.enqueue(db, conversation_id=chat.id, now=clock)
            chats.append(chat)
        db.commit()
        assert [chat.language for chat in chats] == LANGUAGES
        dropped = agents[1]
        handed_back = {chat.id for chat in chats if chat.assignee_id == dropped.id}
        assert handed_back, "the agent who drops holds chats"

        answered: set[int] = set()
        for _ in range(60):  # ten-second ticks of the floor, bounded
            clock += timedelta(seconds=10)
            for agent in agents:
                if agent is not dropped:
                    heartbeat(db, agent_id=agent.id, now=clock)
            sweep(db, now=clock)  # João's console stopped sending heartbeats
            expire_offers(db, now=clock)
            service.dispatch(db, now=clock)
            for chat in chats:
                if chat.id in answered or chat.assignee_id in (None, dropped.id):
                    continue
                post_message(
                    db,
                    conversation_id=chat.id,
                    author_kind=AuthorKind.AGENT,
                    author_agent_id=chat.assignee_id,
                    body="Thanks for waiting, I am checking it now.",
                )
                change_status(db, conversation_id=chat.id, status="resolved", actor_agent_id=chat.assignee_id)
                answered.add(chat.id)
            db.commit()
            if len(answered) == len(chats):
                break

        assert answered == {chat.id for chat in chats}
        assert get_presence(db, agent_id=dropped.id).status == "offline"
        for chat in chats:
            replies = db.scalars(
                select(Message).where(
                    Message.conversation_id == chat.id, Message.author_kind == AuthorKind.AGENT
                )
            ).all()
            assert replies and all(reply.author_agent_id != dropped.id for reply in replies)
        for chat_id in handed_back:
            automatic = db.scalars(
                select(Message).where(Message.conversation_id == chat_id, Message.is_automatic.is_(True))
            ).all()
            assert len(automatic) == 1
            assert get_metrics(db, conversation_id=chat_id).transfers == 1
