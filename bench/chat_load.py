"""Live chat under load: simulated customers and agents over real websockets on loopback.

Runs a real ``firstline serve`` (SQLite, every message persisted before its ack) and, in the same
run, a bare Starlette websocket relay with no persistence as the ceiling. Phases, for each server:
  1. connect the customers (each says hello) and the agents (each subscribes to its share of chats,
     chats in progress assigned to them: routing is bench/routing.py's subject);
  2. latency: customers send at a fixed rate (after 2 s at that rate, untimed, to warm the server up);
     customer send -> agent receive is timed;
  3. throughput: a window of messages in flight across all customers for a few seconds.
Progress goes to stderr; the last stdout line is one JSON object.

    .venv/bin/python bench/chat_load.py            # 5,000 customers, 500 msg/s
    .venv/bin/python bench/chat_load.py --quick    # under a minute
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parent.parent
SITE_KEY = "pk_bench"


def log(message: str) -> None:
    print(f"[chat_load] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raise_open_file_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, needed))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time a process has used so far (Linux)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL: an overloaded server drains its queued writes before exiting, which can take long."""
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        log(f"pid {process.pid} still draining after 5 s; killing it")
        process.kill()
        process.wait()


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("server did not start")


# --- the Firstline side: data and server ----------------------------------------------------------


def seed(data_dir: Path, customers: int, agents: int) -> tuple[list[tuple[str, int]], list[str]]:
    """Migrate a fresh SQLite database and create the site, visitors' chats and agents' API tokens."""
    from firstline.agents.auth import create_api_token
    from firstline.agents.service import create_agent
    from firstline.chat.service import create_site, start_chat
    from firstline.conversations.service import assign
    from firstline.db import make_engine, make_session_factory, migrate, session_scope

    url = f"sqlite:///{data_dir / 'firstline.db'}"
    migrate(url)
    engine = make_engine(url)
    chats: list[tuple[str, int]] = []
    tokens: list[str] = []
    with session_scope(make_session_factory(engine)) as session:
        create_site(session, name="Bench", public_key=SITE_KEY, enforce_identity=False)
        agent_ids = []
        for number in range(agents):
            agent = create_agent(
                session, email=f"bench{number}@firstline.example", name=f"Agent {number}",
                password="bench password 123", roles=["agent_l1"], languages={"en": "fluent"},
            )  # fmt: skip
            agent_ids.append(agent.id)
            tokens.append(create_api_token(session, agent_id=agent.id, name="bench")[1])
        for number in range(customers):
            started = start_chat(session, site_key=SITE_KEY, origin=None, name=f"Customer {number}")
            # A chat in progress: the agent who follows it (see connect_agents) has it.
            assign(
                session,
                conversation_id=started.conversation.id,
                assignee_id=agent_ids[number % agents],
                actor=None,
            )
            chats.append((started.visitor_token, started.conversation.id))
    engine.dispose()
    return chats, tokens


def start_firstline(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FIRSTLINE_DATA_DIR": str(data_dir),
        "FIRSTLINE_PORT": str(port),
        "FIRSTLINE_LOG_LEVEL": "WARNING",
        "FIRSTLINE_REDIS_URL": "",
        "FIRSTLINE_DATABASE_URL": "",
    }
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/firstline"), "serve"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=open(data_dir / "server.log", "wb"),  # noqa: SIM115
    )  # fmt: skip


# --- the baseline: a bare relay -------------------------------------------------------------------


def relay_app() -> Any:
    """Starlette websockets, no database: a customer's frame goes to the agents of its room, plus an ack."""
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    rooms: dict[int, set[WebSocket]] = {}
    counter = [0]

    async def customer(websocket: WebSocket) -> None:
        await websocket.accept()
        hello = json.loads(await websocket.receive_text())
        room = int(hello["room"])
        await websocket.send_text(json.dumps({"type": "ready"}))
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                counter[0] += 1
                event = json.dumps({"type": "event", "conversation_id": room, "seq": counter[0], "kind": "message",
                                    "message": {"author_kind": "customer", "body": frame["body"],
                                                "client_msg_id": frame["client_msg_id"]}})  # fmt: skip
                for agent in list(rooms.get(room, ())):
                    await agent.send_text(event)
                await websocket.send_text(
                    json.dumps({"type": "ack", "client_msg_id": frame["client_msg_id"]})
                )
        except WebSocketDisconnect:
            pass

    async def agent(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(json.dumps({"type": "ready"}))
        joined: list[int] = []
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                rooms.setdefault(int(frame["conversation_id"]), set()).add(websocket)
                joined.append(int(frame["conversation_id"]))
                await websocket.send_text(json.dumps({"type": "subscribed"}))
        except WebSocketDisconnect:
            for room in joined:
                rooms.get(room, set()).discard(websocket)

    return Starlette(routes=[WebSocketRoute("/customer", customer), WebSocketRoute("/agent", agent)])


def start_relay(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--relay-server", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


# --- the load -------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    customer_url: str
    agent_url: str
    agent_headers: list[dict[str, str]]
    customers: list[tuple[str, int]]  # (hello field value, conversation id)
    relay: bool
    server_pid: int | None = None


@dataclass
class Tally:
    sent_at: dict[str, float] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    received: int = 0
    acked: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    measuring: bool = False


async def connect_customers(target: Target, tally: Tally, concurrency: int = 100) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)
    connections: list[Any] = [None] * len(target.customers)

    async def one(index: int, token: str, conversation_id: int) -> None:
        async with gate:
            connection = await websockets.connect(
                target.customer_url, max_size=2**22, open_timeout=60, ping_interval=None
            )
            hello = (
                {"type": "hello", "room": conversation_id}
                if target.relay
                else {"type": "hello", "visitor_token": token, "last_seq": 0}
            )
            await connection.send(json.dumps(hello))
            while json.loads(await connection.recv())["type"] != "ready":
                pass
            connections[index] = connection

    await asyncio.gather(*(one(i, token, cid) for i, (token, cid) in enumerate(target.customers)))
    return connections


async def customer_reader(connection: Any, tally: Tally, acks: asyncio.Queue[float] | None) -> None:
    """Counts acks and errors; each answer frees a slot of the window, after ``retry_after_ms`` if told to wait."""
    try:
        async for text in connection:
            frame = json.loads(text)
            if frame["type"] == "ack":
                tally.acked += 1
                if acks is not None:
                    acks.put_nowait(0.0)
            elif frame["type"] == "error":
                tally.errors[frame["code"]] = tally.errors.get(frame["code"], 0) + 1
                if acks is not None:
                    acks.put_nowait(frame.get("retry_after_ms", 0) / 1000)
    except websockets.ConnectionClosed:
        pass


async def agent_reader(connection: Any, tally: Tally) -> None:
    try:
        async for text in connection:
            if '"event"' not in text:
                continue
            frame = json.loads(text)
            message = frame.get("message") or {}
            sent = tally.sent_at.pop(message.get("client_msg_id") or "", None)
            if sent is not None and message.get("author_kind") == "customer":
                tally.received += 1
                if tally.measuring:
                    tally.latencies_ms.append((time.perf_counter() - sent) * 1000)
    except websockets.ConnectionClosed:
        pass


async def connect_agents(target: Target, tally: Tally) -> list[Any]:
    agents = []
    for index, headers in enumerate(target.agent_headers):
        connection = await websockets.connect(
            target.agent_url, additional_headers=headers, max_size=2**24, ping_interval=None
        )
        while json.loads(await connection.recv())["type"] != "ready":
            pass
        mine = [
            cid
            for number, (_, cid) in enumerate(target.customers)
            if number % len(target.agent_headers) == index
        ]
        for conversation_id in mine:
            await connection.send(
                json.dumps({"type": "subscribe", "conversation_id": conversation_id, "last_seq": 0})
            )
        subscribed = 0
        while subscribed < len(mine):
            if json.loads(await connection.recv())["type"] == "subscribed":
                subscribed += 1
        agents.append(connection)
    return agents


async def run_target(
    target: Target,
    rate: int,
    latency_seconds: float,
    throughput_seconds: float,
    window: int,
    warmup_seconds: float = 2.0,
) -> dict[str, Any]:
    tally = Tally()
    started = time.perf_counter()
    customers = await connect_customers(target, tally)
    log(f"{target.name}: {len(customers)} customers connected in {time.perf_counter() - started:.1f}s")
    agents = await connect_agents(target, tally)
    log(f"{target.name}: {len(agents)} agents subscribed")
    acks: asyncio.Queue[float] = asyncio.Queue()
    readers = [asyncio.create_task(customer_reader(c, tally, acks)) for c in customers]
    readers += [asyncio.create_task(agent_reader(a, tally)) for a in agents]
    counter = iter(range(10**9))
    order = list(range(len(customers)))
    random.Random(1).shuffle(order)

    async def send(index: int) -> None:
        client_msg_id = f"b{next(counter)}"
        tally.sent_at[client_msg_id] = time.perf_counter()
        await customers[index].send(
            json.dumps({"type": "send", "client_msg_id": client_msg_id, "body": f"load {client_msg_id}"})
        )

    async def at_rate(seconds: float, first: int) -> int:
        """Send at ``rate`` for ``seconds``, from the ``first``th customer on; returns how many were sent."""
        interval, begin, sent = 1 / rate, time.perf_counter(), 0
        while (now := time.perf_counter()) - begin < seconds:
            due = int((now - begin) * rate)
            while sent < due:
                await send(order[(first + sent) % len(order)])
                sent += 1
            await asyncio.sleep(interval)
        return sent

    # Warm-up at the same rate, not timed: a server's first messages compile its statements and fill
    # its caches once; the latency asked for is the steady one.
    warmed = await at_rate(warmup_seconds, 0)
    await asyncio.sleep(1.0)

    # Phase 2: a fixed rate; latency is measured here.
    cpu_before, received_at_start = cpu_seconds(target.server_pid), tally.received
    tally.measuring = True
    sent = await at_rate(latency_seconds, warmed)
    await asyncio.sleep(1.0)
    tally.measuring = False
    latencies = sorted(tally.latencies_ms)
    log(f"{target.name}: {sent} sent at {rate}/s, {len(latencies)} received by agents")

    # Phase 3: throughput with a window of messages in flight (a new one for each ack).
    while not acks.empty():
        acks.get_nowait()
    received_before, begin = tally.received, time.perf_counter()
    position = warmed + sent
    for _ in range(window):
        await send(order[position % len(order)])
        position += 1
    delayed: list[asyncio.Task[None]] = []

    async def send_later(index: int, delay: float) -> None:
        await asyncio.sleep(delay)
        if time.perf_counter() - begin < throughput_seconds:
            await send(index)

    while time.perf_counter() - begin < throughput_seconds:
        try:
            delay = await asyncio.wait_for(acks.get(), 1)
        except TimeoutError:
            continue
        if delay > 0:  # the server asked to wait (busy, rate limited): as a real client would
            delayed.append(asyncio.create_task(send_later(order[position % len(order)], delay)))
        else:
            await send(order[position % len(order)])
        position += 1
    elapsed = time.perf_counter() - begin
    throughput = (tally.received - received_before) / elapsed
    delivered = tally.received - received_at_start
    cpu_ms_per_msg = (cpu_seconds(target.server_pid) - cpu_before) * 1000 / delivered if delivered else None
    for task in delayed:
        task.cancel()
    log(f"{target.name}: {throughput:.0f} msg/s delivered to agents; errors {tally.errors or 'none'}")
    await asyncio.sleep(1.0)
    for connection in [*customers, *agents]:
        await connection.close()
    for reader in readers:
        reader.cancel()
    return {
        "connections": len(customers),
        "msgs_per_s": throughput,
        "p50_ms": statistics.median(latencies) if latencies else None,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
        "sent": position,
        "acked": tally.acked,
        "errors": tally.errors,
        "latency_samples": len(latencies),
        "server_cpu_ms_per_msg": cpu_ms_per_msg,
    }


def count_messages(data_dir: Path) -> int:
    import sqlite3

    with sqlite3.connect(data_dir / "firstline.db") as db:
        return int(db.execute("SELECT count(*) FROM message").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a smaller run that finishes in under a minute")
    parser.add_argument("--connections", type=int)
    parser.add_argument("--agents", type=int, help="default 20 (5 with --quick)")
    parser.add_argument("--rate", type=int, default=500, help="messages per second in the latency phase")
    parser.add_argument("--relay-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.relay_server:
        import uvicorn

        raise_open_file_limit(20_000)
        uvicorn.run(relay_app(), host="127.0.0.1", port=args.relay_server, log_level="warning")
        return
    connections = args.connections or (300 if args.quick else 5_000)
    args.agents = args.agents or (5 if args.quick else 20)
    latency_seconds, throughput_seconds = (4.0, 3.0) if args.quick else (20.0, 15.0)
    limit = raise_open_file_limit(2 * connections + 2_000)
    log(f"open-file limit {limit}; {connections} customers, {args.agents} agents")
    with tempfile.TemporaryDirectory(prefix="firstline-bench-") as tmp:
        data_dir = Path(tmp)
        begin = time.perf_counter()
        chats, tokens = seed(data_dir, connections, args.agents)
        log(f"seeded {len(chats)} chats in {time.perf_counter() - begin:.1f}s")
        port = free_port()
        server = start_firstline(data_dir, port)
        try:
            wait_for_port(port, server)
            target = Target(
                "firstline", f"ws://127.0.0.1:{port}/api/v1/chat/ws/customer", f"ws://127.0.0.1:{port}/api/v1/chat/ws/agent",
                [{"Authorization": f"Bearer {token}"} for token in tokens], chats, relay=False,
                server_pid=server.pid,
            )  # fmt: skip
            result = asyncio.run(
                run_target(target, args.rate, latency_seconds, throughput_seconds, window=200)
            )
            result["rss_mb"] = round(rss_mb(server.pid), 1)
        finally:
            stop(server)
        stored = count_messages(data_dir)
        log(f"firstline: {result['acked']} acked, {stored} stored, server RSS {result['rss_mb']} MB")
    relay_port = free_port()
    relay = start_relay(relay_port)
    try:
        wait_for_port(relay_port, relay)
        baseline = asyncio.run(
            run_target(
                Target(
                    "relay",
                    f"ws://127.0.0.1:{relay_port}/customer",
                    f"ws://127.0.0.1:{relay_port}/agent",
                    [{} for _ in tokens],
                    [("", cid) for _, cid in chats],
                    relay=True,
                    server_pid=relay.pid,
                ),  # fmt: skip
                args.rate,
                latency_seconds,
                throughput_seconds,
                window=200,
            )
        )
    finally:
        stop(relay)
    summary = {
        "connections": result["connections"],
        "msgs_per_s": round(result["msgs_per_s"], 1),
        "p50_ms": round(result["p50_ms"], 2) if result["p50_ms"] is not None else None,
        "p99_ms": round(result["p99_ms"], 2) if result["p99_ms"] is not None else None,
        "rss_mb": result["rss_mb"],
        "baseline_msgs_per_s": round(baseline["msgs_per_s"], 1),
        "ratio_to_baseline": round(result["msgs_per_s"] / baseline["msgs_per_s"], 3)
        if baseline["msgs_per_s"]
        else None,
        "target_rate": args.rate,
        "acked": result["acked"],
        "stored": stored,
        "errors": result["errors"],
        "baseline_p50_ms": round(baseline["p50_ms"], 2) if baseline["p50_ms"] is not None else None,
        "baseline_p99_ms": round(baseline["p99_ms"], 2) if baseline["p99_ms"] is not None else None,
        "agents": args.agents,
        "database": "sqlite",
        # Server CPU per message delivered (latency and throughput phases): steadier than rates on a busy host.
        "server_cpu_ms_per_msg": round(result["server_cpu_ms_per_msg"], 2)
        if result["server_cpu_ms_per_msg"] is not None
        else None,
        "baseline_server_cpu_ms_per_msg": round(baseline["server_cpu_ms_per_msg"], 2)
        if baseline["server_cpu_ms_per_msg"] is not None
        else None,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
