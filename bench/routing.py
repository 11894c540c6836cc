"""Routing under load: 200 agents, chats arriving at 100/s; and the SLA timer scan over 1,000,000 clocks.

Run from the repository root: ``.venv/bin/python bench/routing.py`` (a minute of arrivals) or with
``--quick`` (ten seconds, 200,000 clocks). Progress goes to stderr; the last stdout line is one JSON object.

Each arrival is a known customer (customers are imported before the clock starts) starting a chat:
the chat is opened with its first message, enqueued (language detection, matching, assignment: in auto
mode the assignment is the offer) and committed. Its latency runs from its scheduled arrival to that
commit, so falling behind the arrival rate shows up as latency. Simulated agents resolve each chat 2–4 s
after getting it, which frees their slot; they run in the same loop, between arrivals, because SQLite
has one writer at a time (a second writing process only adds lock waits). Every second the benchmark
checks, from a connection and thread of its own (so the check adds nothing to the arrivals' latency),
that no agent holds more chats than their maximum. The baseline, measured in the same run, is
opening and committing the same chat without routing. The process is set up as ``firstline serve`` sets up
the server: WAL checkpoints in a thread of their own, and the garbage collector tuned. The first two seconds
of arrivals warm it up, as a running server is: they are not timed (the first chat alone loads the language
model and compiles the statements, ~130 ms, and the next twenty wait behind it).
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, func, insert, select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from firstline.agents import service as agents_service  # noqa: E402
from firstline.agents.models import Agent  # noqa: E402
from firstline.agents.passwords import hash_password  # noqa: E402
from firstline.agents.service import create_agent  # noqa: E402
from firstline.cli import tune_collector  # noqa: E402
from firstline.conversations.models import AuthorKind, Conversation  # noqa: E402
from firstline.conversations.service import change_status, open_conversation, post_message  # noqa: E402
from firstline.customers.models import Customer  # noqa: E402
from firstline.db import make_engine, make_session_factory, migrate  # noqa: E402
from firstline.kit.checkpoints import wal_checkpoints  # noqa: E402
from firstline.routing import config as routing_config  # noqa: E402
from firstline.routing.config import Mode, RoutingConfig  # noqa: E402
from firstline.routing.presence import set_presence  # noqa: E402
from firstline.routing.service import enqueue  # noqa: E402
from firstline.sla.models import SlaClock  # noqa: E402

AGENTS = 200
RATE = 100.0
WARMUP_SECONDS = 2.0  # arrivals at the same rate, not timed: the language model loads, statements compile
LANGUAGES = ("en", "it", "pt", "de", "es")
FIRST_MESSAGES = {
    "en": "Hi, my deposit has not arrived after three hours, can you check?",
    "it": "Ciao, il mio deposito non è ancora arrivato, potete controllare?",
    "pt": "Olá, o meu depósito ainda não chegou, podem verificar por favor?",
    "de": "Hallo, meine Einzahlung ist noch nicht angekommen, können Sie das prüfen?",
    "es": "Hola, mi depósito todavía no ha llegado, ¿pueden revisarlo?",
}


_STARTED = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def build_floor(session: Session, rng: random.Random) -> None:
    # Setup, not measured: the agents share one password, so it is hashed once rather than 200 times.
    password_hash = hash_password("bench password 123")
    agents_service.hash_password = lambda _password: password_hash  # type: ignore[assignment]
    for index in range(AGENTS):
        native = LANGUAGES[index % len(LANGUAGES)]
        languages = {native: "native", "en": "fluent"} if native != "en" else {"en": "native"}
        if rng.random() < 0.3:
            languages[rng.choice(LANGUAGES)] = languages.get(rng.choice(LANGUAGES), "working")
        agent = create_agent(
            session,
            email=f"agent{index}@bench.example",
            name=f"Agent {index}",
            password="bench password 123",
            roles=["agent_l1"],
            languages=languages,
            max_concurrent_chats=3,
        )
        set_presence(session, agent_id=agent.id, status="online")
    session.commit()


def add_customers(session: Session, count: int) -> list[int]:
    """Known customers (an exchange's registered users), imported in bulk before the clock starts."""
    rows = [
        {"name": f"Customer {index}", "email": f"c{index}@bench.example", "preferred_language": "en"}
        for index in range(count)
    ]
    ids = list(session.scalars(insert(Customer).returning(Customer.id), rows))
    session.commit()
    return ids


def open_chat(session: Session, customer_id: int, language: str) -> Conversation:
    conversation = open_conversation(session, customer_id=customer_id, channel="chat")
    post_message(
        session,
        conversation_id=conversation.id,
        author_kind=AuthorKind.CUSTOMER,
        body=FIRST_MESSAGES[language],
    )
    return conversation


def over_capacity(session: Session) -> int:
    rows = session.execute(
        select(Conversation.assignee_id, func.count(), Agent.max_concurrent_chats)
        .join(Agent, Agent.id == Conversation.assignee_id)
        .where(Conversation.status.in_(("open", "pending")))
        .group_by(Conversation.assignee_id, Agent.max_concurrent_chats)
    ).all()
    return max((count - maximum for _, count, maximum in rows), default=0)


class CapacityWatch:
    """Once a second, on its own session: the most chats any agent holds over their maximum."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self.worst = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="capacity-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            with self.factory() as session:
                self.worst = max(self.worst, over_capacity(session))


def run_arrivals(url: str, seconds: float, rng: random.Random) -> dict[str, float]:
    engine = make_engine(url)
    with wal_checkpoints(engine):
        return _arrivals(engine, seconds, rng)


def _arrivals(engine: Engine, seconds: float, rng: random.Random) -> dict[str, float]:
    factory = make_session_factory(engine)
    session = factory()
    total = int(seconds * RATE)
    warm = int(WARMUP_SECONDS * RATE)
    log(f"building a floor of {AGENTS} agents and {warm + total + 200} customers")
    build_floor(session, rng)
    customers = add_customers(session, warm + total + 200)
    tune_collector()
    log("baseline: opening chats without routing")
    baseline = []
    for index in range(200):
        began = time.perf_counter()
        open_chat(session, customers[warm + total + index], rng.choice(LANGUAGES))
        session.commit()
        baseline.append((time.perf_counter() - began) * 1000)
    for conversation in session.scalars(select(Conversation).where(Conversation.assignee_id.is_(None))):
        change_status(session, conversation_id=conversation.id, status="closed", actor_agent_id=None)
    session.commit()

    log(f"arrivals: {WARMUP_SECONDS:.0f} s untimed, then {total} chats at {RATE:.0f}/s")
    latencies: list[float] = []
    service_times: list[float] = []  # enqueue to commit, without the time spent behind earlier arrivals
    endings: list[tuple[float, int, int]] = []  # (when, conversation id, agent id)
    resolved = 0
    watch = CapacityWatch(factory)
    watch.start()
    start = time.perf_counter() + 0.2
    for index in range(warm + total):
        arrival = start + index / RATE
        while True:  # the agents resolve what is due (in real time, even when arrivals run late)
            now = time.perf_counter()
            if endings and endings[0][0] <= now:
                _, conversation_id, agent_id = heapq.heappop(endings)
                change_status(
                    session, conversation_id=conversation_id, status="resolved", actor_agent_id=agent_id
                )
                session.commit()
                resolved += 1
                continue
            if now >= arrival:
                break
            time.sleep(min(arrival - now, 0.002))
        language = rng.choice(LANGUAGES)
        conversation = open_chat(session, customers[index], language)
        routed = time.perf_counter()
        enqueue(session, conversation_id=conversation.id, first_message=FIRST_MESSAGES[language])
        session.commit()
        done = time.perf_counter()
        if index >= warm:
            latencies.append((done - arrival) * 1000)
            service_times.append((done - routed) * 1000)
        if conversation.assignee_id is not None:
            heapq.heappush(endings, (done + rng.uniform(2, 4), conversation.id, conversation.assignee_id))
        if latencies and len(latencies) % int(RATE * 5) == 0:
            log(f"  {len(latencies)}/{total} chats, p50 {statistics.median(latencies):.2f} ms")
    elapsed = time.perf_counter() - (start + warm / RATE)
    watch.stop()
    worst_over = max(watch.worst, over_capacity(session))
    waiting = session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(Conversation.assignee_id.is_(None), Conversation.status == "open")
    )
    session.close()
    engine.dispose()
    return {
        "assign_p50_ms": round(statistics.median(latencies), 3),
        "assign_p99_ms": round(percentile(latencies, 0.99), 3),
        "max_over_capacity": max(0, worst_over),
        "enqueue_service_p50_ms": round(statistics.median(service_times), 3),
        "enqueue_service_p99_ms": round(percentile(service_times, 0.99), 3),
        "achieved_rate_per_s": round(total / elapsed, 1),
        "chats": total,
        "agents": AGENTS,
        "resolved": resolved,
        "left_waiting": int(waiting or 0),
        "baseline_open_p50_ms": round(statistics.median(baseline), 3),
        "assign_vs_baseline_p50": round(statistics.median(latencies) / statistics.median(baseline), 2),
    }


def run_sla_scan(url: str, rows: int, rng: random.Random) -> dict[str, float]:
    """Fill ``sla_clock`` with ``rows`` open clocks, ~0.1 % due, and time the loop's indexed due scan."""
    path = url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA foreign_keys=OFF")  # clocks point at conversation ids that need not exist here
    connection.execute("PRAGMA synchronous=OFF")
    now = datetime.now(UTC)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    log(f"SLA scan: inserting {rows} open clocks")
    began = time.perf_counter()
    started = now.replace(tzinfo=None).strftime(fmt)
    metrics = ("first_response", "next_response", "resolution")
    naive_now = now.replace(tzinfo=None)
    for first in range(0, rows, 50_000):
        batch = []
        for index in range(first, min(rows, first + 50_000)):
            offset = rng.uniform(-30, 0) if rng.random() < 0.001 else rng.uniform(1, 86_400)
            fire = (naive_now + timedelta(seconds=offset)).strftime(fmt)
            batch.append(
                (
                    10_000_000 + index // 3,
                    metrics[index % 3],
                    30,
                    "running",
                    started,
                    started,
                    0.0,
                    fire,
                    fire,
                    fire,
                )
            )
        connection.executemany(
            "INSERT INTO sla_clock (conversation_id, metric, target_seconds, state, started_at, running_since,"
            " elapsed_seconds, warn_at, due_at, fire_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            batch,
        )
    connection.commit()
    connection.close()
    insert_seconds = time.perf_counter() - began
    log(f"  inserted in {insert_seconds:.1f} s")
    engine = make_engine(url)
    session = make_session_factory(engine)()
    query = (
        select(SlaClock.id, SlaClock.fire_at)
        .where(SlaClock.fire_at <= now)
        .order_by(SlaClock.fire_at)
        .limit(200)
    )
    timings, due = [], 0
    for _ in range(30):
        began = time.perf_counter()
        due = len(session.execute(query).all())
        timings.append((time.perf_counter() - began) * 1000)
    plan = " ".join(
        str(row[-1])
        for row in session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id, fire_at FROM sla_clock WHERE fire_at <= '2026' ORDER BY fire_at LIMIT 200"
        )
    )
    session.close()
    engine.dispose()
    log(f"  scan plan: {plan}")
    return {
        "sla_scan_ms": round(statistics.median(timings), 3),
        "sla_clocks": rows,
        "sla_due_in_batch": due,
        "sla_insert_s": round(insert_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s of arrivals and 200,000 clocks")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--clocks", type=int, default=None)
    args = parser.parse_args()
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    clocks = args.clocks or (200_000 if args.quick else 1_000_000)
    rng = random.Random(4)
    with tempfile.TemporaryDirectory(prefix="firstline-bench-") as folder:
        arrivals_url = f"sqlite:///{folder}/routing.db"
        scan_url = f"sqlite:///{folder}/sla.db"
        migrate(arrivals_url)
        migrate(scan_url)
        with routing_config.using(RoutingConfig(mode=Mode.AUTO)):
            result = run_arrivals(arrivals_url, seconds, rng)
        result.update(run_sla_scan(scan_url, clocks, rng))
    result["seconds"] = seconds
    result["database"] = "sqlite"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
