"""Full-text search over 1,000,000 messages in five languages, on SQLite (FTS5) and PostgreSQL (GIN).

Builds each database with the real migrations, bulk-loads messages generated from the demo corpus with
variations (coins, networks, amounts, TxIDs, UIDs, order ids), then times typical agent queries through the
real ``firstline.cases.search.service.search`` (a TxID, a UID, common words in each language, with and
without status/language/category/date filters). The baseline, measured in the same run on the same data, is
the naive ``body LIKE '%word%'`` scan the search replaces. Progress goes to stderr; the last stdout line is
one JSON object.

    .venv/bin/python bench/search.py            # 1,000,000 messages
    .venv/bin/python bench/search.py --quick    # 100,000 messages, under a minute

PostgreSQL: FIRSTLINE_BENCH_POSTGRES_URL (an admin URL; a scratch database is created and dropped), or a
private server started with tests/harness.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from firstline.agents.models import Agent  # noqa: E402
from firstline.cases.search import ddl  # noqa: E402
from firstline.cases.search.service import SearchFilters, search  # noqa: E402
from firstline.db import make_engine, migrate  # noqa: E402
from firstline.demo import corpus  # noqa: E402
from tests import harness  # noqa: E402

NETWORKS = ("TRC20", "ERC20", "BEP20", "SOL", "BTC", "XRP")
COINS = ("USDT", "USDC", "BTC", "ETH", "SOL", "XRP", "BNB")
STATUSES = ("open", "pending", "resolved", "closed")
NOW = datetime(2026, 11, 1, tzinfo=UTC)
SPAN_DAYS = 365


def log(message: str) -> None:
    print(f"[search] {message}", file=sys.stderr, flush=True)


class Generator:
    """Deterministic messages: corpus templates in five languages with varied placeholders."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.templates: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for language in corpus.LANGUAGES:
            for category in corpus.CATEGORIES:
                pool = [("customer", t) for t in corpus.OPENERS[language].get(category, [])]
                pool += [("customer", t) for t in corpus.CUSTOMER_FOLLOWUPS[language].get(category, [])]
                pool += [("agent", t) for t in corpus.AGENT_REPLIES[language].get(category, [])]
                pool += [("note", t) for t in corpus.INTERNAL_NOTES.get(category, [])]  # notes are in English
                self.templates[(language, category)] = pool
        self.known_txids: list[str] = []
        self.known_uids: list[str] = []

    def fill(self, template: str) -> str:
        rng = self.rng
        network = rng.choice(NETWORKS)
        txid = ("0x" if network in ("ERC20", "BEP20") else "") + f"{rng.getrandbits(256):064x}"
        uid = str(rng.randrange(10_000_000, 99_999_999))
        if rng.random() < 0.001:
            self.known_txids.append(txid)
            self.known_uids.append(uid)
        values = {
            "coin": rng.choice(COINS),
            "network": network,
            "amount": f"{rng.uniform(1, 5000):.2f}",
            "txid": txid,
            "uid": uid,
            "order_id": str(rng.randrange(10**11, 10**12)),
        }
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template

    def message(self, language: str, category: str) -> tuple[str, str]:
        kind, template = self.rng.choice(self.templates[(language, category)])
        return kind, self.fill(template)


def generate(messages: int) -> Iterator[dict[str, Any]]:
    """Rows for customers, conversations and messages: ten messages a conversation, five a customer."""
    gen = Generator()
    conversations = max(1, messages // 10)
    per_customer = 5
    for conversation_id in range(1, conversations + 1):
        customer_id = (conversation_id - 1) // per_customer + 1
        language = corpus.LANGUAGES[customer_id % len(corpus.LANGUAGES)]
        category = corpus.CATEGORIES[gen.rng.randrange(len(corpus.CATEGORIES))]
        opened = NOW - timedelta(
            days=SPAN_DAYS * (1 - conversation_id / conversations), minutes=gen.rng.randrange(600)
        )
        status = gen.rng.choices(STATUSES, weights=(10, 10, 20, 60))[0]
        tier = gen.rng.choices(("l1", "l2", "technical"), weights=(85, 10, 5))[0]
        texts = [gen.message(language, category) for _ in range(10)]
        yield {
            "customer_id": customer_id,
            "conversation": (conversation_id, customer_id, language, category, status, tier, opened),
            "messages": [
                (kind, body, opened + timedelta(minutes=3 * i)) for i, (kind, body) in enumerate(texts)
            ],
        }
    generate.known = (gen.known_txids, gen.known_uids)  # type: ignore[attr-defined]


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def load_sqlite(url: str, messages: int) -> None:
    import sqlite3

    path = url.split("///", 1)[1]
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    for statement in ddl.sqlite_downgrade():  # load first, index once: far faster than 1M trigger calls
        connection.execute(statement)
    connection.execute("BEGIN")
    now = stamp(NOW)
    customers: set[int] = set()
    message_id = 0
    batch: list[tuple[Any, ...]] = []
    for row in generate(messages):
        cid = row["customer_id"]
        if cid not in customers:
            customers.add(cid)
            language = row["conversation"][2]
            connection.execute(
                "INSERT INTO customer (id, name, preferred_language, vip_tier, attributes, created_at, updated_at)"
                " VALUES (?, ?, ?, 0, '{}', ?, ?)",
                (cid, f"Customer {cid}", language, now, now),
            )
        conv_id, _, language, category, status, tier, opened = row["conversation"]
        connection.execute(
            "INSERT INTO conversation (id, customer_id, channel, status, subject, language, category, priority,"
            " tier, tags, preview, last_seq, created_at, updated_at, last_message_at)"
            " VALUES (?, ?, 'chat', ?, '', ?, ?, 'normal', ?, '[]', '', 10, ?, ?, ?)",
            (conv_id, cid, status, language, category, tier, stamp(opened), now, stamp(opened)),
        )
        for seq, (kind, body, at) in enumerate(row["messages"], start=1):
            message_id += 1
            batch.append((message_id, conv_id, seq, kind, body, stamp(at)))
        if len(batch) >= 50_000:
            _insert_messages(connection, batch)
            log(f"sqlite: {message_id:,} messages")
    _insert_messages(connection, batch)
    connection.execute("COMMIT")
    started = time.perf_counter()
    for statement in ddl.sqlite_upgrade():
        connection.execute(statement)
    connection.execute("INSERT INTO message_fts(message_fts) VALUES ('optimize')")
    connection.execute("ANALYZE")
    log(f"sqlite: FTS5 index built in {time.perf_counter() - started:.1f}s")
    connection.close()


def _insert_messages(connection: Any, batch: list[tuple[Any, ...]]) -> None:
    connection.executemany(
        "INSERT INTO message (id, conversation_id, seq, author_kind, body, is_automatic, created_at)"
        " VALUES (?, ?, ?, ?, ?, 0, ?)",
        batch,
    )
    batch.clear()


def load_postgres(url: str, messages: int) -> None:
    import psycopg

    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq) as connection:
        for statement in ddl.postgres_downgrade():
            connection.execute(statement)
        customers: set[int] = set()
        message_id = 0
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY customer (id, name, preferred_language, vip_tier, attributes, created_at, updated_at) FROM STDIN"
            ) as copy_customers:
                for row in generate(messages):
                    cid = row["customer_id"]
                    if cid not in customers:
                        customers.add(cid)
                        copy_customers.write_row(
                            (cid, f"Customer {cid}", row["conversation"][2], 0, "{}", NOW, NOW)
                        )
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY conversation (id, customer_id, channel, status, subject, language, category, priority, tier,"
                " tags, preview, last_seq, created_at, updated_at, last_message_at) FROM STDIN"
            ) as copy_conversations:
                for row in generate(messages):
                    conv_id, cid, language, category, status, tier, opened = row["conversation"]
                    copy_conversations.write_row(
                        (
                            conv_id,
                            cid,
                            "chat",
                            status,
                            "",
                            language,
                            category,
                            "normal",
                            tier,
                            "[]",
                            "",
                            10,
                            opened,
                            NOW,
                            opened,
                        )
                    )
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY message (id, conversation_id, seq, author_kind, body, is_automatic, created_at) FROM STDIN"
            ) as copy_messages:
                for row in generate(messages):
                    conv_id = row["conversation"][0]
                    for seq, (kind, body, at) in enumerate(row["messages"], start=1):
                        message_id += 1
                        copy_messages.write_row((message_id, conv_id, seq, kind, body, False, at))
                        if message_id % 200_000 == 0:
                            log(f"postgres: {message_id:,} messages")
        connection.commit()
        started = time.perf_counter()
        connection.execute("SET maintenance_work_mem = '512MB'")
        for statement in ddl.postgres_upgrade():
            connection.execute(statement)
        connection.execute("ANALYZE")
        connection.commit()
        log(f"postgres: GIN index built in {time.perf_counter() - started:.1f}s")


def agent_queries(txids: list[str], uids: list[str]) -> list[tuple[str, SearchFilters]]:
    """What agents type: an exact TxID or UID, and common words in each language, with filters."""
    week_ago = NOW - timedelta(days=7)
    words = [
        ("deposit not credited", SearchFilters()),
        ("withdrawal", SearchFilters(status="open")),
        ("deposito", SearchFilters(language="it")),
        ("depósito", SearchFilters(language="pt", status="pending")),
        ("Einzahlung", SearchFilters(language="de")),
        ("retiro", SearchFilters(language="es", category="withdrawal_pending")),
        ("2FA", SearchFilters(tier="l2")),
        ("USDT TRC20", SearchFilters(since=week_ago)),
        ("KYC", SearchFilters(category="kyc_rejected", status="open")),
        ("liquidation", SearchFilters(since=week_ago, language="en")),
    ]
    exact = [(txid, SearchFilters()) for txid in txids[:10]] + [(uid, SearchFilters()) for uid in uids[:10]]
    return words + exact


def time_queries(session: Session, queries: list[tuple[str, SearchFilters]], rounds: int) -> list[float]:
    viewer = Agent(id=1, name="Bench L1", email="l1@bench", roles=["agent_l1"])
    for query, filters in queries:  # warm the caches once
        search(session, viewer=viewer, query=query, filters=filters, limit=20)
    timings = []
    for _ in range(rounds):
        for query, filters in queries:
            started = time.perf_counter()
            search(session, viewer=viewer, query=query, filters=filters, limit=20)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def time_baseline(session: Session, words: list[str]) -> list[float]:
    """The scan the search replaces: ``LIKE '%word%'`` newest first."""
    timings = []
    for word in words:
        started = time.perf_counter()
        session.execute(
            text("SELECT id FROM message WHERE lower(body) LIKE :pattern ORDER BY id DESC LIMIT 20"),
            {"pattern": f"%{word.lower()}%"},
        ).all()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(
    url: str, loader: Callable[[str, int], None], messages: int, rounds: int, name: str
) -> dict[str, float]:
    migrate(url)
    started = time.perf_counter()
    loader(url, messages)
    log(f"{name}: loaded {messages:,} messages in {time.perf_counter() - started:.1f}s")
    txids, uids = generate.known  # type: ignore[attr-defined]
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            timings = time_queries(session, agent_queries(txids, uids), rounds)
            baseline = time_baseline(session, ["withdrawal", "einzahlung", txids[0] if txids else "usdt"])
    finally:
        engine.dispose()
    result = {
        f"{name}_p50_ms": round(statistics.median(timings), 3),
        f"{name}_p95_ms": round(percentile(timings, 0.95), 3),
        f"{name}_like_scan_p50_ms": round(statistics.median(baseline), 1),
    }
    result[f"{name}_speedup_vs_like_scan"] = round(
        result[f"{name}_like_scan_p50_ms"] / max(result[f"{name}_p50_ms"], 1e-3), 1
    )
    log(f"{name}: {result}")
    return result


def postgres_admin(stack: list[Any], workdir: Path) -> str:
    given = os.environ.get("FIRSTLINE_BENCH_POSTGRES_URL")
    if given:
        return given
    (workdir / "pg").mkdir()
    server = harness.start_postgres(workdir / "pg")
    stack.append(server)
    return server.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 messages instead of 1,000,000")
    parser.add_argument("--messages", type=int, default=0)
    args = parser.parse_args()
    messages = args.messages or (100_000 if args.quick else 1_000_000)
    rounds = 5 if args.quick else 10
    log(f"{messages:,} messages in five languages; {'quick' if args.quick else 'full'} run")
    result: dict[str, Any] = {"messages": messages, "quick": args.quick}
    stack: list[Any] = []
    with tempfile.TemporaryDirectory(prefix="fl-bench-search-") as tmp:
        workdir = Path(tmp)
        result.update(measure(f"sqlite:///{workdir / 'search.db'}", load_sqlite, messages, rounds, "sqlite"))
        admin = postgres_admin(stack, workdir)
        name = f"fl_bench_search_{uuid.uuid4().hex[:8]}"
        url = harness.create_postgres_database(admin, name)
        try:
            result.update(measure(url, load_postgres, messages, rounds, "postgres"))
        finally:
            harness.drop_postgres_database(admin, name)
            for server in stack:
                server.stop()
    result["p50_ms"] = max(result["sqlite_p50_ms"], result["postgres_p50_ms"])
    result["p95_ms"] = max(result["sqlite_p95_ms"], result["postgres_p95_ms"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
