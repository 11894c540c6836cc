"""What one app process needs to serve chat: database access off the event loop, the hub, the bus, limits."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from anyio import to_thread
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from firstline.chat import service
from firstline.chat.bus import Bus, make_bus
from firstline.chat.hub import Hub
from firstline.chat.stream import Frame, conversation_summary, read_events
from firstline.conversations.models import Conversation
from firstline.kit.errors import FirstlineError

log = logging.getLogger(__name__)

T = TypeVar("T")
SQLITE_LOCKED_RETRIES = 3
WRITE_BATCH_LIMIT = 64  # writes stored in one transaction (one SAVEPOINT each) by the SQLite writer
_TAKE_SQLITE_WRITE_LOCK = text("UPDATE chat_site SET id = id WHERE 0")


class StoreUnavailable(FirstlineError):
    status_code = 503
    code = "unavailable"


class StoreBusy(FirstlineError):
    """Too many writes are waiting already: refused at once (nothing stored) rather than queued without bound."""

    status_code = 503
    code = "busy"

    def __init__(self, message: str, *, retry_after_ms: int) -> None:
        super().__init__(message)
        self.retry_after_ms = retry_after_ms


@dataclass(frozen=True)
class ChatLimits:
    max_frame_bytes: int = 128 * 1024
    customer_rate: float = 2.0  # messages per second, sustained
    customer_burst: int = 20
    agent_rate: float = 10.0
    agent_burst: int = 60
    ephemeral_per_second: int = 5
    hello_timeout_seconds: float = 10.0
    # A new message is refused with ``busy`` (nothing stored) when the writes already waiting would
    # take longer than this to store: queueing, and so latency, stays bounded under overload.
    max_write_wait_seconds: float = 2.0

    def public(self, *, max_body_chars: int) -> dict[str, Any]:
        return {
            "max_body_chars": max_body_chars,
            "max_frame_bytes": self.max_frame_bytes,
            "messages_per_second": self.customer_rate,
            "message_burst": self.customer_burst,
        }


class RateLimiter:
    """Token buckets by key: ``take`` returns 0 when allowed, else the seconds to wait."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.buckets: dict[Any, tuple[float, float]] = {}

    def take(self, key: Any) -> float:
        now = self.clock()
        tokens, last = self.buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self.buckets[key] = (tokens - 1, now)
        if len(self.buckets) > 100_000:
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        full_after = self.burst / self.rate
        self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < full_after}


class ChatRuntime:
    """Created by the chat background service at startup; lives on ``app.state.chat``."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session] | Callable[[], Session],
        secret: str,
        redis_url: str,
        is_sqlite: bool,
        attachments: Any,
        limits: ChatLimits | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.secret = secret
        self.attachments = attachments
        self.limits = limits or ChatLimits()
        self.is_sqlite = is_sqlite
        # SQLite has one writer: taking turns here beats "database is locked" from a deferred BEGIN.
        self.write_lock = threading.Lock()
        self.db_threads = anyio.CapacityLimiter(16)
        # On SQLite every chat write goes to one writer thread that commits whatever has queued up in one
        # transaction (group commit); PostgreSQL writes run side by side, each in its own transaction.
        self.writer = GroupWriter(self._run_batch) if is_sqlite else None
        self.pending_writes = 0
        self.seconds_per_write = 0.005  # a running average, measured by the writer
        self.customer_limiter = RateLimiter(self.limits.customer_rate, self.limits.customer_burst)
        self.agent_limiter = RateLimiter(self.limits.agent_rate, self.limits.agent_burst)
        self.hub = Hub(self._read_events, self._read_last_seq)
        self.hub.summary_loader = self._summary
        self.bus: Bus = make_bus(redis_url, self.hub.on_payload, on_resync=self.hub.resync)

    # --- database work, off the event loop ---

    async def read(self, work: Callable[[Session], T]) -> T:
        def unit() -> T:
            session = self.session_factory()
            try:
                return work(session)
            finally:
                session.rollback()
                session.close()

        return await to_thread.run_sync(unit, limiter=self.db_threads)

    def check_admission(self) -> None:
        """Refuse a new write at once when too many are waiting: bounded queueing, bounded latency.

        With the SQLite writer, the measure is how long the oldest write not yet stored has waited: an
        estimate from past writes would let one slow write in a quiet moment refuse the next burst.
        """
        if self.writer is not None:
            wait = self.writer.oldest_wait()
            busy = wait > self.limits.max_write_wait_seconds
        else:
            wait = self.pending_writes * self.seconds_per_write
            busy = self.pending_writes >= 8 and wait > self.limits.max_write_wait_seconds
        if busy:
            raise StoreBusy(
                "The server is busy; nothing was stored. Send it again shortly.",
                retry_after_ms=int(wait * 500) + 1,  # half the wait: by then much of the backlog is stored
            )

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a transaction and commit; returns only once the commit succeeded.

        On SQLite the work joins the writer's next batch: a failure rolls back only this work (the
        batch is stored again, each request in a SAVEPOINT of its own), and the result is handed back
        only after the batch committed.
        """
        return await self._write(work, None)

    async def send_visitor_message(self, message: service.VisitorMessage) -> service.Sent:
        """Store a visitor's message (``customer_send``); on SQLite together with others waiting."""
        return await self._write(
            lambda session: service.customer_send(
                session,
                chat_session_id=message.chat_session_id,
                client_msg_id=message.client_msg_id,
                body=message.body,
                attachment_ids=message.attachment_ids,
                secret=self.secret,
                author_name=message.author_name,
            ),
            message,
        )

    async def _write(self, work: Callable[[Session], T], visitor_message: service.VisitorMessage | None) -> T:
        self.pending_writes += 1
        try:
            if self.writer is not None:
                return await self.writer.submit(work, visitor_message)
            return await self._write_alone(work)
        finally:
            self.pending_writes -= 1

    async def _write_alone(self, work: Callable[[Session], T]) -> T:
        def unit() -> T:
            for attempt in range(SQLITE_LOCKED_RETRIES):
                try:
                    if self.is_sqlite:
                        with self.write_lock:
                            return self._commit(work)
                    return self._commit(work)
                except OperationalError as exc:
                    if "locked" not in str(exc) or attempt == SQLITE_LOCKED_RETRIES - 1:
                        raise StoreUnavailable("The message could not be stored; send it again.") from exc
                    time.sleep(0.05 * (attempt + 1))
            raise AssertionError("unreachable")

        return await to_thread.run_sync(unit, limiter=self.db_threads)

    def _run_batch(self, batch: list[WriteRequest]) -> None:
        """Store a batch in one transaction; settle each request only after the commit.

        The batch is first stored without a SAVEPOINT per request (two statements each saved); if any
        request fails, everything is rolled back and stored again with a SAVEPOINT per request, so
        the failure undoes only its own work.
        """
        started = time.perf_counter()
        outcomes = self._store_batch(batch, isolate=False)
        if outcomes is None:
            outcomes = self._store_batch(batch, isolate=True) or []
        settle_all(batch, outcomes)
        per_write = (time.perf_counter() - started) / len(batch)
        self.seconds_per_write = 0.8 * self.seconds_per_write + 0.2 * per_write

    def _store_batch(self, batch: list[WriteRequest], *, isolate: bool) -> list[tuple[bool, Any]] | None:
        """Outcomes in batch order, or None when a request failed in a batch stored without isolation."""
        unavailable = StoreUnavailable("The message could not be stored; send it again.")
        for attempt in range(SQLITE_LOCKED_RETRIES):
            session = self.session_factory()
            try:
                session.execute(_TAKE_SQLITE_WRITE_LOCK)
                outcomes = (
                    _store_isolated(session, batch) if isolate else self._store_together(session, batch)
                )
                if outcomes is None:
                    return None
                session.commit()
                return outcomes
            except OperationalError as exc:
                session.rollback()
                if "locked" in str(exc) and attempt < SQLITE_LOCKED_RETRIES - 1:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                log.exception("chat write batch failed")
                return [(False, unavailable)] * len(batch)
            except Exception:  # the commit itself failed
                session.rollback()
                log.exception("chat write batch failed")
                return [(False, unavailable)] * len(batch)
            finally:
                session.close()
        return [(False, unavailable)] * len(batch)

    def _store_together(self, session: Session, batch: list[WriteRequest]) -> list[tuple[bool, Any]] | None:
        """Every request without a SAVEPOINT, visitors' messages first and all at once; None (everything
        rolled back) as soon as one fails, unless it was alone: then the transaction was its isolation."""
        outcomes: dict[int, tuple[bool, Any]] = {}
        try:
            visitors = [index for index, request in enumerate(batch) if request.visitor_message is not None]
            if len(visitors) > 1:
                messages = [batch[index].visitor_message for index in visitors]
                acks = service.customer_send_many(session, messages, secret=self.secret)  # type: ignore[arg-type]
                outcomes.update((index, (True, ack)) for index, ack in zip(visitors, acks, strict=True))
            for index, request in enumerate(batch):
                if index not in outcomes:
                    outcomes[index] = (True, request.work(session))
        except OperationalError:
            raise  # the connection itself is in trouble: the whole batch fails
        except Exception as exc:
            session.rollback()
            return [(False, exc)] if len(batch) == 1 else None
        return [outcomes[index] for index in range(len(batch))]

    def _commit(self, work: Callable[[Session], T]) -> T:
        session = self.session_factory()
        try:
            if self.is_sqlite:
                # Take SQLite's write lock first: a deferred transaction that reads, then writes, fails at
                # once ("database is locked") if another connection committed in between; this one waits.
                session.execute(_TAKE_SQLITE_WRITE_LOCK)
            result = work(session)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    async def _read_events(self, conversation_id: int, after_seq: int) -> tuple[list[Frame], int]:
        return await self.read(
            lambda session: read_events(
                session, conversation_id=conversation_id, after_seq=after_seq, secret=self.secret
            )
        )

    async def _read_last_seq(self, conversation_id: int) -> int:
        return await self.read(
            lambda session: (
                session.scalar(select(Conversation.last_seq).where(Conversation.id == conversation_id)) or 0
            )
        )

    async def _summary(self, conversation_id: int) -> Frame | None:
        def load(session: Session) -> Frame | None:
            conversation = session.get(Conversation, conversation_id)
            return None if conversation is None else conversation_summary(session, conversation)

        return await self.read(load)


def _store_isolated(session: Session, batch: list[WriteRequest]) -> list[tuple[bool, Any]]:
    """Every request in a SAVEPOINT of its own: a request's failure undoes only its own work."""
    outcomes: list[tuple[bool, Any]] = []
    for request in batch:
        try:
            with session.begin_nested():
                outcomes.append((True, request.work(session)))
        except OperationalError:
            raise  # the connection itself is in trouble: the whole batch fails
        except Exception as exc:
            outcomes.append((False, exc))
    return outcomes


class WriteRequest:
    """One unit of write work waiting for the writer, and the future its caller awaits.

    A visitor's message also carries its ``visitor_message``: the writer stores a batch's visitor
    messages together (``customer_send_many``), and runs ``work`` only if it must store them one by one.
    """

    def __init__(
        self,
        work: Callable[[Session], Any],
        loop: asyncio.AbstractEventLoop,
        visitor_message: service.VisitorMessage | None = None,
    ) -> None:
        self.work = work
        self.loop = loop
        self.visitor_message = visitor_message
        self.future: asyncio.Future[Any] = loop.create_future()
        self.submitted_at = time.monotonic()

    def resolve(self, ok: bool, value: Any) -> None:
        """On the loop: hand the outcome to the caller, unless it went away (what was stored stays stored)."""
        if self.future.done():
            return
        if ok:
            self.future.set_result(value)
        else:
            self.future.set_exception(value)


def settle_all(batch: list[WriteRequest], outcomes: list[tuple[bool, Any]]) -> None:
    """From the writer thread: one wake-up of each event loop for the whole batch, not one per request."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[WriteRequest, bool, Any]]] = {}
    for request, (ok, value) in zip(batch, outcomes, strict=True):
        by_loop.setdefault(request.loop, []).append((request, ok, value))

    def resolve(items: list[tuple[WriteRequest, bool, Any]]) -> None:
        for request, ok, value in items:
            request.resolve(ok, value)

    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(resolve, items)
        except RuntimeError:  # the loop closed: shutting down
            pass


class GroupWriter:
    """One thread that takes every queued write and hands the whole lot to ``run_batch`` at once.

    Nothing waits on purpose: while a batch is being stored, new writes queue up and form the next
    one, so under light load a write goes alone and under heavy load commits are shared.
    """

    def __init__(
        self, run_batch: Callable[[list[WriteRequest]], None], limit: int = WRITE_BATCH_LIMIT
    ) -> None:
        self.run_batch = run_batch
        self.limit = limit
        self.queue: queue.SimpleQueue[WriteRequest | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.start_lock = threading.Lock()
        self.storing_since: float | None = None  # when the oldest write of the batch being stored came

    def oldest_wait(self) -> float:
        """Seconds the oldest write not yet stored has waited (writes are stored in the order they came)."""
        since = self.storing_since
        return 0.0 if since is None else time.monotonic() - since

    async def submit(
        self, work: Callable[[Session], T], visitor_message: service.VisitorMessage | None = None
    ) -> T:
        request = WriteRequest(work, asyncio.get_running_loop(), visitor_message)
        self._ensure_thread()
        self.queue.put(request)
        return await request.future  # type: ignore[no-any-return]

    def close(self) -> None:
        """Let the thread finish once what is queued before this is stored."""
        if self.thread is not None and self.thread.is_alive():
            self.queue.put(None)  # type: ignore[arg-type]

    def _ensure_thread(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            return
        with self.start_lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run_forever, name="chat-writer", daemon=True)
                self.thread.start()

    def _run_forever(self) -> None:
        stopping = False
        while not stopping:
            first = self.queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.limit:
                try:
                    request = self.queue.get_nowait()
                except queue.Empty:
                    break
                if request is None:
                    stopping = True
                    break
                batch.append(request)
            self.storing_since = batch[0].submitted_at
            try:
                self.run_batch(batch)
            except Exception:  # never let the writer die: every request must be answered
                log.exception("chat writer failed")
                unavailable = StoreUnavailable("The message could not be stored; send it again.")
                settle_all(batch, [(False, unavailable)] * len(batch))
            finally:
                self.storing_since = None
