"""Chat fixtures: a real uvicorn server on loopback serving Firstline on its own database, and peers.

Chat runs its database work in threads and commits for real, so these tests use a database of their
own (migrated once per worker) instead of the rolled-back connection of the other tests; every test
makes its own site, customers and agents, so tests do not see each other's data.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from firstline.agents.auth import create_api_token
from firstline.agents.models import Agent
from firstline.agents.service import create_agent
from firstline.chat.models import ChatSite
from firstline.chat.service import create_site
from firstline.config import Settings
from firstline.db import declare_write, make_engine, make_session_factory, migrate
from firstline.web.app import create_app
from tests import harness

SECRET_KEY = "chat-test-secret-key-" + "y" * 32


class LiveServer:
    """A uvicorn server in a thread of this process, on a free loopback port."""

    def __init__(self, app: Any) -> None:
        self.port = harness.free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.app = app

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def chat_database_url(fresh_database_url: Callable[[str], str]) -> str:
    url = fresh_database_url("chat")
    migrate(url)
    return url


@pytest.fixture(scope="session")
def chat_engine(chat_database_url: str) -> Iterator[Engine]:
    engine = make_engine(chat_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def chat_settings(tmp_path: Path, chat_database_url: str) -> Settings:
    # No routing or SLA timers: they write every second and would compete with the tests' own writes.
    return Settings(
        data_dir=tmp_path, database_url=chat_database_url, secret_key=SECRET_KEY, run_timers=False
    )


@pytest.fixture
def chat_app(chat_settings: Settings, chat_engine: Engine) -> Any:
    return create_app(chat_settings, engine=chat_engine)


@pytest.fixture
def server(chat_app: Any) -> Iterator[LiveServer]:
    live = LiveServer(chat_app)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def store(chat_engine: Engine) -> Iterator[Session]:
    """A session on the chat database for arranging and checking; it commits for real."""
    session = make_session_factory(chat_engine)()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def site(store: Session) -> ChatSite:
    # A server may be writing already (its outbox sender, say): on SQLite take the write lock up front
    # and wait for it, rather than read, then fail to write from a snapshot another writer moved past.
    declare_write(store)
    site = create_site(
        store,
        name="Exchange help",
        public_key=f"pk_test_{uuid.uuid4().hex[:12]}",
        enforce_identity=True,
        allow_anonymous=True,
        allowed_origins=["https://www.exchange.example"],
    )
    store.commit()
    return site


@dataclass
class AgentLogin:
    agent: Agent
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_chat_agent(store: Session) -> Callable[..., AgentLogin]:
    def make(name: str = "Giulia Rossi", roles: list[str] | None = None) -> AgentLogin:
        declare_write(store)  # as in ``site``: a running server may write meanwhile (hashing takes a while)
        agent = create_agent(
            store,
            email=f"{uuid.uuid4().hex[:10]}@firstline.example",
            name=name,
            password="correct horse battery",
            roles=roles or ["agent_l1"],
            languages={"it": "native", "en": "fluent"},
        )
        _, secret = create_api_token(store, agent_id=agent.id, name="chat tests")
        store.commit()
        return AgentLogin(agent, secret)

    return make


ORIGIN = "https://www.exchange.example"


def start_chat(server: LiveServer, site: ChatSite, **fields: Any) -> dict[str, Any]:
    body = {"site_key": site.public_key, "name": "João Silva", "topic": "deposit_not_credited", **fields}
    response = httpx.post(f"{server.http}/api/v1/chat/sessions", json=body, headers={"Origin": ORIGIN})
    assert response.status_code == 201, response.text
    return response.json()


class Peer:
    """A websocket client that never waits forever."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    @classmethod
    async def customer(cls, server: LiveServer, token: str, last_seq: int = 0, *, hello: bool = True) -> Peer:
        connection = await websockets.connect(
            f"{server.ws}/api/v1/chat/ws/customer",
            origin=ORIGIN,
            max_size=2**25,  # type: ignore[arg-type]
        )
        peer = cls(connection)
        if hello:
            await peer.send({"type": "hello", "visitor_token": token, "last_seq": last_seq})
            assert (await peer.next("ready"))["type"] == "ready"
        return peer

    @classmethod
    async def agent(cls, server: LiveServer, login: AgentLogin) -> Peer:
        connection = await websockets.connect(
            f"{server.ws}/api/v1/chat/ws/agent", additional_headers=login.headers, max_size=2**25
        )
        peer = cls(connection)
        await peer.next("ready")
        return peer

    async def send(self, frame: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(frame))

    async def send_raw(self, data: str | bytes) -> None:
        await self.connection.send(data)

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.connection.recv(), timeout))

    async def next(self, frame_type: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:
        """The next frame of this type (matching ``match``), skipping state and ephemeral frames.

        Waiting for an ``ack`` also skips events: the echo of one's own message may come first.
        """
        skip = {"typing", "read", "conversation.status", "conversation.activity", "queue"}
        if frame_type in ("ack", "ok"):
            skip.add("event")
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            frame = await self.recv(max(left, 0.01))
            if frame["type"] == frame_type and all(frame.get(k) == v for k, v in match.items()):
                return frame
            if frame["type"] in skip:
                continue
            raise AssertionError(f"expected {frame_type} {match}, got {frame}")

    async def ack_and_echo(self, timeout: float = 5.0) -> tuple[dict[str, Any], dict[str, Any]]:
        """The ack of one's message and its echo as an event, in whichever order they come."""
        frames: dict[str, dict[str, Any]] = {}
        while len(frames) < 2:
            frame = await self.recv(timeout)
            if frame["type"] in ("ack", "event"):
                frames[frame["type"]] = frame
        return frames["ack"], frames["event"]

    async def events(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        return [await self.next("event", timeout) for _ in range(count)]

    async def quiet(self, seconds: float = 0.3) -> list[dict[str, Any]]:
        """Every frame that arrives within ``seconds``."""
        frames = []
        try:
            while True:
                frames.append(await self.recv(seconds))
        except TimeoutError:
            return frames

    async def close(self) -> None:
        await self.connection.close()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)
