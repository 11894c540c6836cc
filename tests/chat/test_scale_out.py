"""Two real app processes on PostgreSQL + Redis: a customer on process A, an agent on process B."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from firstline.agents.auth import create_api_token
from firstline.agents.service import create_agent
from firstline.chat.service import create_site
from firstline.db import make_engine, make_session_factory, migrate, session_scope
from tests import harness
from tests.chat.conftest import AgentLogin, Peer, run

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
FIRSTLINE = Path(sys.executable).with_name("firstline")


class Process:
    """``firstline serve`` in a subprocess on a free port; stopped by its process id."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = harness.free_port()
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(FIRSTLINE), "serve"], env={**env, "FIRSTLINE_PORT": str(self.port)},
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"firstline exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.http}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"firstline did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def cluster(
    postgres_admin_url: str, redis_url: str, tmp_path: Path
) -> Iterator[tuple[Process, Process, dict[str, Any]]]:
    name = f"fl_chat_scale_{uuid.uuid4().hex[:8]}"
    url = harness.create_postgres_database(postgres_admin_url, name)
    try:
        migrate(url)
        engine = make_engine(url)
        with session_scope(make_session_factory(engine)) as session:
            site = create_site(session, name="Scale-out", enforce_identity=False)
            agent = create_agent(
                session, email="scale@firstline.example", name="Hannah Becker", password="correct horse battery",
                roles=["agent_l1"], languages={"de": "native"},
            )  # fmt: skip
            _, token = create_api_token(session, agent_id=agent.id, name="scale-out")
            fixtures = {"site_key": site.public_key, "login": AgentLogin(agent, token)}
        engine.dispose()
        env = {
            **os.environ,
            "FIRSTLINE_DATABASE_URL": url,
            "FIRSTLINE_REDIS_URL": redis_url,
            "FIRSTLINE_SECRET_KEY": "scale-out-secret-" + "z" * 32,
            "FIRSTLINE_RUN_TIMERS": "false",
            "FIRSTLINE_LOG_LEVEL": "WARNING",
        }
        processes = []
        for label in ("a", "b"):
            (tmp_path / label).mkdir()
            processes.append(
                Process({**env, "FIRSTLINE_DATA_DIR": str(tmp_path / label)}, tmp_path / f"{label}.log")
            )
        try:
            for process in processes:
                process.wait_ready()
            yield processes[0], processes[1], fixtures
        finally:
            for process in processes:
                process.stop()
    finally:
        harness.drop_postgres_database(postgres_admin_url, name)


def test_a_customer_on_one_process_and_an_agent_on_another_talk_both_ways(
    cluster: tuple[Process, Process, dict[str, Any]],
) -> None:
    process_a, process_b, fixtures = cluster
    chat = httpx.post(
        f"{process_a.http}/api/v1/chat/sessions",
        json={"site_key": fixtures["site_key"], "name": "Lukas Weber", "language": "de"},
    ).json()
    conversation_id = chat["conversation_id"]

    async def scenario() -> dict[str, Any]:
        customer = await Peer.customer(process_a, chat["visitor_token"])  # type: ignore[arg-type]
        agent = await Peer.agent(process_b, fixtures["login"])  # type: ignore[arg-type]
        await agent.send({"type": "subscribe", "conversation_id": conversation_id, "last_seq": 0})
        await agent.next("subscribed")
        await customer.send(
            {"type": "send", "client_msg_id": "c-1", "body": "Hallo, meine Einzahlung fehlt."}
        )
        await customer.ack_and_echo()
        seen = {"agent_got": await agent.next("event")}
        await agent.send({"type": "typing", "conversation_id": conversation_id, "active": True})
        seen["customer_typing"] = await customer.next("typing")
        await agent.send(
            {"type": "send", "conversation_id": conversation_id, "client_msg_id": "a-1",
             "body": "Hallo Lukas, ich prüfe das.", "last_seen_seq": 1}
        )  # fmt: skip
        seen["agent_ack"] = await agent.next("ack")
        seen["customer_got"] = await customer.next("event", seq=2)
        await customer.close()
        # While the customer is away, the agent writes again; the customer comes back on process B.
        await agent.send(
            {"type": "send", "conversation_id": conversation_id, "client_msg_id": "a-2",
             "body": "Die Einzahlung ist gutgeschrieben.", "last_seen_seq": 2}
        )  # fmt: skip
        await agent.next("ack")
        back = await Peer.customer(process_b, chat["visitor_token"], last_seq=2)  # type: ignore[arg-type]
        seen["resumed"] = await back.next("event")
        await back.close()
        await agent.close()
        return seen

    seen = run(scenario())
    assert (
        seen["agent_got"]["message"]["body"] == "Hallo, meine Einzahlung fehlt."
        and seen["agent_got"]["seq"] == 1
    )
    assert seen["customer_typing"]["by"] == "agent" and seen["customer_typing"]["name"] == "Hannah Becker"
    assert seen["agent_ack"]["seq"] == 2
    assert seen["customer_got"]["message"]["body"] == "Hallo Lukas, ich prüfe das."
    assert (seen["resumed"]["seq"], seen["resumed"]["prev_seq"]) == (3, 2)
