"""The floor kept between dispatches on SQLite always equals a full read, whoever changed what, through
whichever connection, committed or rolled back; and it is brought up to date by reading only what changed."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

from firstline.agents.models import Agent
from firstline.agents.service import create_agent, update_agent
from firstline.conversations.models import Conversation
from firstline.conversations.service import assign, change_status, open_conversation
from firstline.customers.service import create_customer
from firstline.db import make_engine, make_session_factory, migrate
from firstline.kit.errors import FirstlineError
from firstline.kit.time import utcnow
from firstline.routing import config as routing_config
from firstline.routing import floor, service
from firstline.routing.config import Mode, RoutingConfig
from firstline.routing.floor import agent_snapshots, online_floor, prune_floor_changes
from firstline.routing.matcher import AgentSnapshot, Floor
from firstline.routing.models import QueueEntry, QueueState, RoutingFloorChange
from firstline.routing.presence import set_presence
from firstline.routing.tasks import run_once
from tests.conftest import PASSWORD
from tests.routing.conftest import RULES

WEIGHT = RULES.email_weight
LANGUAGES = ("en", "it", "pt", "de", "es")
LEVELS = ("native", "fluent", "working")
OFFERING = RoutingConfig(mode=Mode.OFFER, rules=RULES, offer_timeout_seconds=20)


@pytest.fixture(autouse=True)
def sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the change log is written on SQLite only; PostgreSQL reads the whole floor")


@pytest.fixture
def own_database(fresh_database_url: Callable[[str], str]) -> Iterator[str]:
    """A migrated SQLite database of this test's own, committed to for real."""
    url = fresh_database_url("floor")
    migrate(url)
    yield url


@pytest.fixture
def engines(own_database: str) -> Iterator[Callable[[], Engine]]:
    made: list[Engine] = []

    def make() -> Engine:
        made.append(make_engine(own_database))
        return made[-1]

    yield make
    for made_engine in made:
        made_engine.dispose()


# --- helpers ---------------------------------------------------------------------------------------


def full_read(session: Session) -> dict[int, AgentSnapshot]:
    session.flush()
    return {agent.agent_id: agent for agent in floor._read_all(session.connection(), True)}


def described(kept: Floor) -> tuple[Any, ...]:
    """Everything AgentPool takes from a floor, in comparable form."""
    return (
        {agent.agent_id: agent for agent in kept.agents},
        kept.loads,
        kept.idle_since,
        kept.room,
        {
            language: sorted(a.agent_id for a in agents)
            for language, agents in kept.speakers.items()
            if agents
        },
        sorted(agent.agent_id for agent in kept.english),
    )


def assert_floor_is_current(session: Session) -> None:
    expected = full_read(session)
    assert {agent.agent_id: agent for agent in agent_snapshots(session)} == expected
    assert described(online_floor(session, email_weight=WEIGHT)) == described(
        Floor(expected.values(), email_weight=WEIGHT)
    )


def add_agent(session: Session, *, online: bool = True, **fields: Any) -> Agent:
    fields.setdefault("languages", {"en": "fluent"})
    agent = create_agent(
        session,
        email=f"agent-{uuid.uuid4().hex[:8]}@firstline.example",
        name="Agent",
        password=PASSWORD,
        roles=["agent_l1"],
        **fields,
    )
    if online:
        set_presence(session, agent_id=agent.id, status="online")
    return agent


def open_chat(session: Session, language: str = "en", channel: str = "chat") -> Conversation:
    customer = create_customer(session, name="Customer", email=f"c-{uuid.uuid4().hex[:8]}@example.com")
    return open_conversation(session, customer_id=customer.id, channel=channel, language=language)


def logged_since(session: Session, last: int) -> list[int]:
    session.flush()
    return list(
        session.scalars(
            select(RoutingFloorChange.agent_id)
            .where(RoutingFloorChange.id > last)
            .order_by(RoutingFloorChange.id)
        )
    )


def newest_change(session: Session) -> int:
    session.flush()
    return session.scalar(select(RoutingFloorChange.id).order_by(RoutingFloorChange.id.desc())) or 0


class Statements:
    """The SQL an engine runs, with its parameters, while recording."""

    def __init__(self, engine: Engine) -> None:
        self.seen: list[tuple[str, Any]] = []
        self.rollbacks = 0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "rollback", self._rolled_back)
        event.listen(engine, "rollback_savepoint", self._rolled_back)

    def _before(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        self.seen.append((statement, parameters))

    def _rolled_back(self, *_args: Any) -> None:
        self.rollbacks += 1

    def full_reads(self) -> int:
        """Reads of the whole floor to keep (every agent with presence; a check's own read is online only)."""
        return sum(
            "GROUP BY conversation.assignee_id" in statement and "agent_presence.status =" not in statement
            for statement, _ in self.seen
        )

    def changed_reads(self) -> list[list[int]]:
        """The agents each partial read read again."""
        return [
            json.loads(params["agent_ids"]) for statement, params in self.seen if "json_each" in statement
        ]


# --- the kept floor ----------------------------------------------------------------------------------------


class RandomFloor:
    """A floor of agents and conversations changed at random through the sessions given."""

    def __init__(self, sessions: list[Session], seed: int) -> None:
        self.sessions = sessions
        self.rng = random.Random(seed)
        self.admin_id = self._build()

    def _build(self) -> int:
        session = self.sessions[0]
        admin = add_agent(session, online=False)
        for number in range(8):
            add_agent(
                session,
                online=number % 3 != 0,
                languages=dict(self.rng.sample([(lang, self.rng.choice(LEVELS)) for lang in LANGUAGES], 2)),
                tier=self.rng.choice(["l1", "l1", "l2"]),
                max_concurrent_chats=self.rng.randint(1, 3),
            )
        session.commit()
        return admin.id

    def step(self) -> None:
        session = self.rng.choice(self.sessions)
        operation = self.rng.choice(
            [self.chat, self.chat, self.email, self.resolve, self.reopen, self.offer, self.answer_offer,
             self.expire, self.presence, self.profile, self.dispatch]
        )  # fmt: skip
        try:
            operation(session)
        except FirstlineError:  # a transition the rules refuse: nothing to see
            session.rollback()
            return
        if self.rng.random() < 0.15:
            session.rollback()
        else:
            session.commit()

    def _agents(self, session: Session) -> list[int]:
        return list(session.scalars(select(Agent.id).where(Agent.id != self.admin_id).order_by(Agent.id)))

    def _conversation(self, session: Session, *conditions: Any) -> int | None:
        found = list(session.scalars(select(Conversation.id).where(*conditions).order_by(Conversation.id)))
        return self.rng.choice(found) if found else None

    def chat(self, session: Session) -> None:
        chat = open_chat(session, self.rng.choice(LANGUAGES))
        service.enqueue(session, conversation_id=chat.id)

    def email(self, session: Session) -> None:
        email = open_chat(session, channel="email")
        assign(
            session, conversation_id=email.id, assignee_id=self.rng.choice(self._agents(session)), actor=None
        )

    def resolve(self, session: Session) -> None:
        found = self._conversation(
            session, Conversation.assignee_id.is_not(None), Conversation.status == "open"
        )
        if found is not None:
            change_status(session, conversation_id=found, status="resolved", actor_agent_id=None)

    def reopen(self, session: Session) -> None:
        found = self._conversation(session, Conversation.status == "resolved")
        if found is not None:
            change_status(session, conversation_id=found, status="open", actor_agent_id=None)

    def offer(self, session: Session) -> None:
        with routing_config.using(OFFERING):
            self.chat(session)

    def answer_offer(self, session: Session) -> None:
        entry = session.scalar(select(QueueEntry).where(QueueEntry.state == QueueState.OFFERED).limit(1))
        if entry is None:
            return
        with routing_config.using(OFFERING):
            respond = service.accept_offer if self.rng.random() < 0.5 else service.decline_offer
            respond(session, conversation_id=entry.conversation_id, agent_id=entry.offered_agent_id)

    def expire(self, session: Session) -> None:
        with routing_config.using(OFFERING):
            service.expire_offers(session, now=utcnow() + timedelta(minutes=5))

    def presence(self, session: Session) -> None:
        agent_id = self.rng.choice(self._agents(session))
        set_presence(
            session, agent_id=agent_id, status=self.rng.choice(["online", "online", "away", "offline"])
        )

    def profile(self, session: Session) -> None:
        change = self.rng.choice(
            [{"languages": {self.rng.choice(LANGUAGES): self.rng.choice(LEVELS), "en": "fluent"}},
             {"tier": self.rng.choice(["l1", "l2"])}, {"max_concurrent_chats": self.rng.randint(1, 4)},
             {"is_active": self.rng.random() < 0.7}, {"skills": self.rng.sample(["kyc", "card"], 1)}]
        )  # fmt: skip
        agent_id = self.rng.choice(self._agents(session))
        update_agent(session, agent_id=agent_id, actor_agent_id=self.admin_id, **change)

    def dispatch(self, session: Session) -> None:
        service.dispatch(session)


class TestKeptFloor:
    def test_after_each_random_change_through_any_connection_the_floor_equals_a_full_read(
        self, engines
    ) -> None:
        here, there = engines(), engines()  # two engines on one file: this process and another one
        sessions = [make_session_factory(here)(), make_session_factory(here)(), make_session_factory(there)()]
        world = RandomFloor(sessions, seed=20261201)
        reads = Statements(here)
        for _ in range(160):
            world.step()
            for session in sessions:
                assert_floor_is_current(session)
                session.commit()
        assert len(reads.changed_reads()) > 30, "the kept floor was rarely brought up to date by parts"
        assert reads.full_reads() <= reads.rollbacks + 1
        for session in sessions:
            session.close()

    def test_a_steady_dispatch_reads_only_the_agents_that_changed(self, engines) -> None:
        here = engines()
        session = make_session_factory(here)()
        agents = [add_agent(session) for _ in range(20)]
        session.commit()
        assert_floor_is_current(session)
        session.commit()
        reads = Statements(here)
        chat = open_chat(session)
        service.enqueue(session, conversation_id=chat.id)
        session.commit()
        assert chat.assignee_id in {agent.id for agent in agents}
        assert_floor_is_current(session)
        assert reads.full_reads() == 0
        assert reads.changed_reads() == [[chat.assignee_id]]
        session.close()

    def test_a_floor_with_nothing_changed_is_read_with_one_statement(self, engines) -> None:
        here = engines()
        session = make_session_factory(here)()
        add_agent(session)
        session.commit()
        online_floor(session, email_weight=WEIGHT)
        session.commit()
        kept = online_floor(session, email_weight=WEIGHT)
        reads = Statements(here)
        assert online_floor(session, email_weight=WEIGHT) is kept
        assert [statement for statement, _ in reads.seen] == [floor._CHANGES_SINCE]
        session.close()

    def test_a_rolled_back_assignment_leaves_no_trace_in_the_next_dispatch(self, engines) -> None:
        here = engines()
        session = make_session_factory(here)()
        agent = add_agent(session, max_concurrent_chats=1)
        session.commit()
        assert online_floor(session, email_weight=WEIGHT).loads[agent.id] == 0
        session.commit()
        service.enqueue(session, conversation_id=open_chat(session).id)
        assert online_floor(session, email_weight=WEIGHT).loads[agent.id] == 1  # its own change
        session.rollback()
        assert online_floor(session, email_weight=WEIGHT).loads[agent.id] == 0
        assert_floor_is_current(session)
        session.close()

    def test_log_ids_of_a_rolled_back_change_written_again_by_another_are_read_again(self, engines) -> None:
        here = engines()
        session = make_session_factory(here)()
        agent = add_agent(session, max_concurrent_chats=1)
        session.commit()
        online_floor(session, email_weight=WEIGHT)
        update_agent(session, agent_id=agent.id, actor_agent_id=None, max_concurrent_chats=2)
        assert online_floor(session, email_weight=WEIGHT).agents[0].max_chats == 2
        session.rollback()
        # The same log id, for the same agent, now stands for another change.
        update_agent(session, agent_id=agent.id, actor_agent_id=None, skills=["kyc"])
        session.commit()
        (snapshot,) = online_floor(session, email_weight=WEIGHT).agents
        assert (snapshot.max_chats, snapshot.skills) == (1, frozenset({"kyc"}))
        assert_floor_is_current(session)
        session.close()

    def test_a_rollback_on_another_connection_keeps_the_floor(self, engines) -> None:
        here = engines()
        dispatcher, reader = make_session_factory(here)(), make_session_factory(here)()
        add_agent(dispatcher)
        dispatcher.commit()
        kept = online_floor(dispatcher, email_weight=WEIGHT)
        dispatcher.commit()
        reader.execute(select(Conversation.id).limit(1))  # a read-only request: it ends with a rollback
        reader.rollback()
        reads = Statements(here)
        assert online_floor(dispatcher, email_weight=WEIGHT) is kept
        assert reads.full_reads() == 0
        dispatcher.close()
        reader.close()

    def test_a_rolled_back_savepoint_leaves_no_trace_either(self, engines) -> None:
        here = engines()
        session = make_session_factory(here)()
        agent = add_agent(session, max_concurrent_chats=1)
        session.commit()
        online_floor(session, email_weight=WEIGHT)
        savepoint = session.begin_nested()
        update_agent(session, agent_id=agent.id, actor_agent_id=None, max_concurrent_chats=2)
        assert online_floor(session, email_weight=WEIGHT).agents[0].max_chats == 2
        savepoint.rollback()
        update_agent(session, agent_id=agent.id, actor_agent_id=None, skills=["kyc"])
        (snapshot,) = online_floor(session, email_weight=WEIGHT).agents
        assert (snapshot.max_chats, snapshot.skills) == (1, frozenset({"kyc"}))
        assert_floor_is_current(session)
        session.commit()
        assert_floor_is_current(session)
        session.close()

    def test_a_log_pruned_past_the_last_read_gives_the_right_floor(self, engines) -> None:
        here = engines()
        reader, writer = make_session_factory(here)(), make_session_factory(here)()
        agent = add_agent(writer)
        writer.commit()
        assert_floor_is_current(reader)
        reader.commit()
        for _ in range(3):
            service.enqueue(writer, conversation_id=open_chat(writer).id)
        assert prune_floor_changes(writer, keep=0) > 0
        writer.commit()
        reads = Statements(here)
        assert online_floor(reader, email_weight=WEIGHT).loads[agent.id] == 3
        assert reads.full_reads() == 1
        assert_floor_is_current(reader)
        reader.close()
        writer.close()

    def test_the_routing_tick_keeps_only_the_newest_ten_thousand_rows(self, engines) -> None:
        here = engines()
        session = make_session_factory(here)()
        session.execute(
            text(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10005)"
                " INSERT INTO routing_floor_change (agent_id) SELECT 0 FROM n"
            )
        )
        session.commit()
        run_once(make_session_factory(here))
        oldest, newest = session.execute(
            select(func.min(RoutingFloorChange.id), func.max(RoutingFloorChange.id))
        ).one()
        assert newest >= 10005 and oldest == newest - 10_000  # the newest row and the 10,000 before it
        session.close()

    def test_more_changes_than_worth_reading_by_parts_read_the_whole_floor(self, engines) -> None:
        here = engines()
        reader, writer = make_session_factory(here)(), make_session_factory(here)()
        online_floor(reader, email_weight=WEIGHT)
        reader.commit()
        for _ in range(floor.MAX_CHANGES + 1):
            add_agent(writer, online=False)
        writer.commit()
        reads = Statements(here)
        assert_floor_is_current(reader)
        assert reads.full_reads() >= 1 and not reads.changed_reads()
        reader.close()
        writer.close()

    def test_a_database_recreated_under_the_same_engine_gives_its_own_floor(
        self, engines, own_database
    ) -> None:
        here = engines()
        session = make_session_factory(here)()
        for _ in range(3):
            add_agent(session)
        session.commit()
        assert len(agent_snapshots(session)) == 3
        session.close()
        here.dispose()
        path = Path(own_database.split("///", 1)[1])
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        migrate(own_database)
        session = make_session_factory(here)()
        for _ in range(5):
            add_agent(session, online=False)
        only = add_agent(session)
        session.commit()
        assert [agent.agent_id for agent in agent_snapshots(session)] == [only.id]
        assert_floor_is_current(session)
        session.close()
